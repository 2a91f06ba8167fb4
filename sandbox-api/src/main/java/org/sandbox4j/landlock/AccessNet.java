package org.sandbox4j.landlock;

/** A Landlock network right (ABI 4 and later). */
public enum AccessNet {
    /** Bind a TCP socket to a local port. */
    BIND_TCP(0),
    /** Connect a TCP socket to a remote port. */
    CONNECT_TCP(1);

    private final int bit;

    AccessNet(int bit) {
        this.bit = bit;
    }

    /** The right's bit in the kernel's mask. */
    public long mask() {
        return 1L << bit;
    }

    /** The Landlock ABI version that introduced the right. */
    public int abi() {
        return 4;
    }
}
