package org.sandbox4j.landlock;

/** A Landlock file-system right, with the kernel ABI version that introduced it. */
public enum AccessFs {
    /** Execute a file. */
    EXECUTE(0, 1),
    /** Open a file for writing. */
    WRITE_FILE(1, 1),
    /** Open a file for reading. */
    READ_FILE(2, 1),
    /** List a directory. */
    READ_DIR(3, 1),
    /** Remove an empty directory or rename one. */
    REMOVE_DIR(4, 1),
    /** Unlink or rename a file. */
    REMOVE_FILE(5, 1),
    /** Create a character device. */
    MAKE_CHAR(6, 1),
    /** Create or rename a directory. */
    MAKE_DIR(7, 1),
    /** Create or rename a regular file. */
    MAKE_REG(8, 1),
    /** Create a UNIX domain socket. */
    MAKE_SOCK(9, 1),
    /** Create a named pipe. */
    MAKE_FIFO(10, 1),
    /** Create a block device. */
    MAKE_BLOCK(11, 1),
    /** Create a symbolic link. */
    MAKE_SYM(12, 1),
    /** Link or rename a file into another directory (ABI 2). */
    REFER(13, 2),
    /** Truncate a file (ABI 3). */
    TRUNCATE(14, 3),
    /** ioctl on a character or block device opened from the ruleset's paths (ABI 5). */
    IOCTL_DEV(15, 5);

    private final int bit;
    private final int abi;

    AccessFs(int bit, int abi) {
        this.bit = bit;
        this.abi = abi;
    }

    /** The right's bit in the kernel's mask. */
    public long mask() {
        return 1L << bit;
    }

    /** The Landlock ABI version that introduced the right. */
    public int abi() {
        return abi;
    }
}
