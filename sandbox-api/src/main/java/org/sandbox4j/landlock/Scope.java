package org.sandbox4j.landlock;

/**
 * A Landlock scope (ABI 6 and later): an IPC the domain's processes may use only with processes of
 * the same domain (or one nested in it), not with anything outside the jail.
 */
public enum Scope {
    /** Connecting to (or sending to) an abstract unix socket created outside the domain. */
    ABSTRACT_UNIX_SOCKET(0),
    /** Sending a signal to a process outside the domain. */
    SIGNAL(1);

    private final int bit;

    Scope(int bit) {
        this.bit = bit;
    }

    /** The scope's bit in the kernel's {@code scoped} mask. */
    public long mask() {
        return 1L << bit;
    }

    /** The Landlock ABI version that introduced the scope. */
    public int abi() {
        return 6;
    }
}
