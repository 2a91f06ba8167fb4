package org.sandbox4j.lockdown;

/**
 * Something in the process, found before the lockdown, that keeps acting with the credentials it had
 * when it was created, so neither Landlock nor seccomp applied afterwards restricts it (see
 * docs/lockdown.md, "Pre-existing channels").
 *
 * @param kind what it is
 * @param fd the file descriptor ({@link Kind#IO_URING}), or -1
 * @param tid the kernel thread ({@link Kind#IO_WORKER}, {@link Kind#KERNEL_WORKER}), a ring's SQPOLL
 *     thread ({@link Kind#IO_URING}, 0 without SQPOLL), the child's pid ({@link Kind#CHILD_PROCESS}), or 0
 * @param inode the io_uring instance's inode (its identity, shared by its fd and its mappings), or 0
 * @param detail what the kernel said about it, for people
 */
public record PreexistingChannel(Kind kind, int fd, int tid, long inode, String detail) {
    /** The kinds of pre-existing channel {@link Lockdown.Builder#apply()} looks for. */
    public enum Kind {
        /**
         * An io_uring instance open in the fd table. Requests queued before the lockdown run later
         * with no system call, registered personalities run requests with the credentials of before
         * (no Landlock domain, capabilities kept), and io_uring operations never pass the seccomp
         * filter. Refused unless {@link Lockdown.Builder#allowPreexistingIoUring()}.
         */
        IO_URING(true),
        /** An io_uring instance whose fd was closed but whose rings are still mapped (alive). As {@link #IO_URING}. */
        IO_URING_MAPPING(true),
        /**
         * An io_uring kernel thread of this process (iou-sqp-*, iou-wrk-*: PF_IO_WORKER): it runs
         * requests with the ring's credentials and never answers the per-thread step. As {@link #IO_URING}.
         */
        IO_WORKER(true),
        /**
         * Another kernel worker cloned from a thread of this process (PF_USER_WORKER without
         * PF_IO_WORKER, e.g. vhost): it cannot take the per-thread step. Always refused.
         */
        KERNEL_WORKER(true),
        /**
         * A child process started before the lockdown: it keeps the old credentials and no filter, and
         * whatever talks to it can use them. Started on purpose by the caller, so only reported,
         * never refused.
         */
        CHILD_PROCESS(false);

        private final boolean refused;

        Kind(boolean refused) {
            this.refused = refused;
        }

        /** Whether a channel of this kind fails the lockdown unless explicitly accepted. */
        public boolean refusedByDefault() {
            return refused;
        }
    }

    @Override
    public String toString() {
        switch (kind) {
            case IO_URING:
                return "io_uring fd " + fd + " (" + detail + ")";
            case IO_URING_MAPPING:
                return "io_uring mapped without an fd (" + detail + ")";
            case IO_WORKER:
                return "io_uring kernel thread " + tid + " (" + detail + ")";
            case KERNEL_WORKER:
                return "kernel worker thread " + tid + " (" + detail + ")";
            default:
                return "child process " + tid + " (" + detail + ")";
        }
    }
}
