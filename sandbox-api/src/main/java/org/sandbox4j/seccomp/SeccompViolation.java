package org.sandbox4j.seccomp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;

/**
 * A system call the jail's seccomp filter refused or killed, as the launcher's supervisor saw it
 * (see {@code Sandbox.Builder#reportViolations}): which call, with its number, arguments and the
 * thread that made it, without root and without the audit log.
 *
 * <pre>{@code
 * for (SeccompViolation v : process.violations()) log.warn("{}", v);
 * // socket(41) [AF_INET, SOCK_STREAM, 0] in pid 2: KILL_PROCESS
 * }</pre>
 *
 * @param arch the architecture of the call (null: a 32-bit or unknown ABI, see {@code auditArch})
 * @param auditArch the kernel's AUDIT_ARCH value of the call
 * @param nr the system call number in that architecture's table
 * @param args the six raw arguments
 * @param pid the thread's id in the jail's pid namespace (0 when the launcher could not read it)
 * @param action what the filter answered: {@link SeccompAction#KILL_PROCESS}, an ERRNO, ...
 * @param program the thread's command name ({@code comm}), empty when unknown
 */
public record SeccompViolation(@Nullable Arch arch, int auditArch, int nr, List<Long> args, int pid,
        SeccompAction action, String program) {
    private static final Map<Long, String> FAMILIES = Map.of(1L, "AF_UNIX", 2L, "AF_INET", 10L, "AF_INET6",
            16L, "AF_NETLINK", 17L, "AF_PACKET", 40L, "AF_VSOCK", 38L, "AF_ALG", 44L, "AF_XDP");
    private static final Map<Long, String> TYPES = Map.of(1L, "SOCK_STREAM", 2L, "SOCK_DGRAM", 3L, "SOCK_RAW",
            5L, "SOCK_SEQPACKET");

    /** Copies the arguments. */
    public SeccompViolation {
        args = List.copyOf(args);
    }

    /** The call's name in its architecture's table, or its number when it has none there. */
    public String name() {
        if (arch == null) {
            return Integer.toString(nr);
        }
        String n = SyscallTable.of(arch).name(nr);
        return n == null ? Integer.toString(nr) : n;
    }

    /** Whether the filter's action ends the process (a KILL, or an unknown action). */
    public boolean killed() {
        return action == SeccompAction.KILL_PROCESS || action == SeccompAction.KILL_THREAD;
    }

    /** The arguments policies filter on, decoded where sandbox4j knows them; otherwise in hex. */
    public String describeArgs() {
        List<String> out = new ArrayList<>();
        switch (name()) {
            case "socket":
            case "socketpair":
                out.add(FAMILIES.getOrDefault(args.get(0), Long.toString(args.get(0))));
                out.add(socketType(args.get(1)));
                out.add(Long.toString(args.get(2)));
                break;
            case "clone":
                out.add("0x" + Long.toHexString(args.get(0)));
                break;
            case "ioctl":
                out.add(Long.toString(args.get(0)));
                out.add("0x" + Long.toHexString(args.get(1) & 0xffffffffL));
                break;
            case "prctl":
            case "personality":
                out.add(Long.toString(args.get(0)));
                break;
            default:
                int last = 0;
                for (int i = 0; i < 6; i++) {
                    if (args.get(i) != 0) {
                        last = i + 1;
                    }
                }
                for (int i = 0; i < Math.max(1, last); i++) {
                    long a = args.get(i);
                    out.add(a >= 0 && a < 4096 ? Long.toString(a) : "0x" + Long.toHexString(a));
                }
        }
        return "[" + String.join(", ", out) + "]";
    }

    static String socketType(long type) {
        StringBuilder b = new StringBuilder(TYPES.getOrDefault(type & 0xf, Long.toString(type & 0xf)));
        if ((type & 0x80000) != 0) {
            b.append("|SOCK_CLOEXEC");
        }
        if ((type & 0x800) != 0) {
            b.append("|SOCK_NONBLOCK");
        }
        long rest = type & ~0x8080fL;
        if (rest != 0) {
            b.append("|0x").append(Long.toHexString(rest));
        }
        return b.toString();
    }

    /**
     * The CLI's form, {@code socket(41) [AF_INET, SOCK_STREAM, 0] in pid 2}, without the action.
     */
    public String describe() {
        String a = arch == null ? String.format(Locale.ROOT, " (audit arch 0x%x)", auditArch) : "";
        return name() + "(" + nr + ")" + a + " " + describeArgs() + " in pid " + pid;
    }

    @Override
    public String toString() {
        return describe() + (program.isEmpty() ? "" : " (" + program + ")") + ": " + action;
    }

    /**
     * Decodes a violation record of the launcher's result pipe; not meant for applications.
     *
     * @param action the filter's raw return value
     */
    public static SeccompViolation fromRecord(int auditArch, int nr, long[] args, int pid, int action, String program) {
        Arch a = null;
        for (Arch x : Arch.values()) {
            if (x.auditArch() == auditArch) {
                a = x;
            }
        }
        List<Long> l = new ArrayList<>(6);
        for (long v : args) {
            l.add(v);
        }
        return new SeccompViolation(a, auditArch, nr, l, pid, SeccompAction.fromKernelValue(action), program);
    }
}
