package org.sandbox4j.probe;

/** How a host feature stands. */
public enum Status {
    /** present and usable by this process */
    OK,
    /** the kernel (or the jar) does not have it */
    MISSING,
    /** present, but this host's configuration (a sysctl, an LSM, a container) keeps it from this process */
    RESTRICTED
}
