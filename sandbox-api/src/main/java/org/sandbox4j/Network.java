package org.sandbox4j;

/** The network a jail sees. */
public enum Network {
    /** A new, empty network namespace: only a loopback interface, up. The default. */
    NONE,
    /** The host's network namespace: every interface and port the host has. */
    HOST
}
