package org.sandbox4j.seccomp;

/**
 * What the kernel does with a system call a seccomp filter matched: the filter's 32-bit return
 * value ({@code SECCOMP_RET_*}).
 *
 * <pre>{@code
 * SeccompAction deny = SeccompAction.errno(1);        // fail with EPERM
 * int ret = deny.toKernelValue();                     // 0x00050001
 * }</pre>
 */
public sealed interface SeccompAction {
    /** Lets the call run. */
    SeccompAction ALLOW = new Simple("ALLOW", 0x7fff0000);
    /** Kills the whole process with SIGSYS (core dump); Linux 4.14+. */
    SeccompAction KILL_PROCESS = new Simple("KILL_PROCESS", 0x80000000);
    /** Kills only the calling thread, the historical {@code SECCOMP_RET_KILL}. */
    SeccompAction KILL_THREAD = new Simple("KILL_THREAD", 0x00000000);
    /** Sends SIGSYS to the thread, which may handle it. */
    SeccompAction TRAP = new Simple("TRAP", 0x00030000);
    /** Lets the call run and logs it (audit log / dmesg); Linux 4.14+. */
    SeccompAction LOG = new Simple("LOG", 0x7ffc0000);
    /** Asks the supervisor holding the listener file descriptor; Linux 5.0+. */
    SeccompAction USER_NOTIF = new Simple("USER_NOTIF", 0x7fc00000);

    /** The {@code SECCOMP_RET_*} value the filter returns for this action. */
    int toKernelValue();

    /** Fails the call with {@code -errno} (0..4095) without running it. */
    static SeccompAction errno(int errno) {
        return new Errno(errno);
    }

    /** Same as {@link #errno(int)}, spelled like the kernel constant. */
    static SeccompAction ERRNO(int errno) { // NOPMD: mirrors SECCOMP_RET_ERRNO
        return new Errno(errno);
    }

    /** Notifies a ptrace tracer with the given message (0..65535). */
    static SeccompAction trace(int data) {
        return new Trace(data);
    }

    /** Same as {@link #trace(int)}, spelled like the kernel constant. */
    static SeccompAction TRACE(int data) { // NOPMD: mirrors SECCOMP_RET_TRACE
        return new Trace(data);
    }

    /**
     * Decodes a filter return value the way the kernel does: the action is the upper 16 bits (the
     * kernel treats unknown actions as KILL_PROCESS), the data the lower 16.
     */
    static SeccompAction fromKernelValue(int value) {
        int action = value & 0xffff0000;
        int data = value & 0xffff;
        switch (action) {
            case 0x7fff0000: return ALLOW;
            case 0x80000000: return KILL_PROCESS;
            case 0x00000000: return KILL_THREAD;
            case 0x00030000: return TRAP;
            case 0x7ffc0000: return LOG;
            case 0x7fc00000: return USER_NOTIF;
            case 0x00050000: return new Errno(Math.min(data, 4095)); // the kernel caps at MAX_ERRNO
            case 0x7ff00000: return new Trace(data);
            default: return KILL_PROCESS;
        }
    }

    /** One of the actions without data. */
    record Simple(String name, int value) implements SeccompAction {
        @Override
        public int toKernelValue() {
            return value;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** {@code SECCOMP_RET_ERRNO | errno}. */
    record Errno(int errno) implements SeccompAction {
        /** Checks that {@code errno} is 0..4095. */
        public Errno {
            if (errno < 0 || errno > 4095) {
                throw new IllegalArgumentException("errno must be 0..4095, was " + errno);
            }
        }

        @Override
        public int toKernelValue() {
            return 0x00050000 | errno;
        }

        @Override
        public String toString() {
            return "ERRNO(" + errno + ")";
        }
    }

    /** {@code SECCOMP_RET_TRACE | data}. */
    record Trace(int data) implements SeccompAction {
        /** Checks that {@code data} is 0..65535. */
        public Trace {
            if (data < 0 || data > 0xffff) {
                throw new IllegalArgumentException("trace data must be 0..65535, was " + data);
            }
        }

        @Override
        public int toKernelValue() {
            return 0x7ff00000 | data;
        }

        @Override
        public String toString() {
            return "TRACE(" + data + ")";
        }
    }
}
