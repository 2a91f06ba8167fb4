package org.sandbox4j.cgroup;

/** A cgroup limit a jail can run into; {@link org.sandbox4j.JailExit#limitReached()} names it. */
public enum ResourceLimit {
    /** {@code memory.max} (v2) or {@code memory.limit_in_bytes} (v1): the kernel's OOM killer ended a process. */
    MEMORY("memory"),
    /** {@code pids.max}: a fork or clone was refused. */
    PIDS("process");

    private final String noun;

    ResourceLimit(String noun) {
        this.noun = noun;
    }

    /** The word for messages: "memory", "process". */
    public String noun() {
        return noun;
    }
}
