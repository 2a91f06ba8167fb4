package org.sandbox4j.seccomp;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.sandbox4j.Arch;

/**
 * Learns a seccomp policy from real runs: every system call that jails started with {@code
 * Sandbox.Builder#recordSyscalls(SyscallRecorder)} made, from their {@code execve} on, by every
 * thread and child, with the arguments policies filter on (clone flags, socket families, types and
 * protocols, ioctl requests, prctl options, personality values). Several runs (a parser over a
 * corpus of documents) merge into one recorder; {@link #policyText()} is a kafel policy that allows
 * exactly what was seen, grouped and commented, and {@link #policy()} the same parsed.
 *
 * <pre>{@code
 * SyscallRecorder rec = new SyscallRecorder();
 * Sandbox learn = Sandbox.builder().readOnly("/usr").recordSyscalls(rec).build();
 * for (Path doc : corpus) learn.start("pdftotext", doc.toString(), "-").waitFor();
 * Files.writeString(Path.of("pdftotext.policy"), rec.policyText());
 * Sandbox strict = Sandbox.builder().readOnly("/usr").seccomp(rec.policy()).build();
 * }</pre>
 *
 * <p>Learning is done by the launcher's seccomp supervisor (user notification, outside the JVM):
 * each call of a learning jail costs a round trip to the launcher, so learning runs are slower than
 * normal runs. While learning, the jail's own seccomp policy is not applied. Calls of another ABI
 * (32-bit x86) are not learned; {@link #policyText()} says when some were seen.
 *
 * <p>Architectures: a policy learned on x86_64 names calls aarch64 does not have ({@code open},
 * {@code stat}, {@code fork}, ...). The text then allows, in a block of its own, their aarch64
 * equivalents ({@code openat}, {@code newfstatat}, {@code clone} with fork's flags ...), so the
 * policy does not silently miss there; on x86_64 that block allows the same operations through the
 * newer calls. Thread-safe.
 */
public final class SyscallRecorder {
    /** Argument names (kafel declares them) and the indices learned, per call with facts. */
    private static final Map<String, String[]> ARG_NAMES = Map.of(
            "clone", new String[] {"flags"},
            "socket", new String[] {"domain", "type", "protocol"},
            "socketpair", new String[] {"domain", "type", "protocol"},
            "ioctl", new String[] {"fd", "request"},
            "prctl", new String[] {"option"},
            "personality", new String[] {"persona"});
    private static final Map<String, int[]> ARG_INDICES = Map.of(
            "clone", new int[] {0}, "socket", new int[] {0, 1, 2}, "socketpair", new int[] {0, 1, 2},
            "ioctl", new int[] {1}, "prctl", new int[] {0}, "personality", new int[] {0});
    /** aarch64 equivalents of x86_64-only calls (first one aarch64 has wins). */
    private static final Map<String, List<String>> AARCH64_EQUIVALENTS = Map.ofEntries(
            Map.entry("open", List.of("openat")), Map.entry("creat", List.of("openat")),
            Map.entry("stat", List.of("newfstatat")), Map.entry("lstat", List.of("newfstatat")),
            Map.entry("access", List.of("faccessat")), Map.entry("pipe", List.of("pipe2")),
            Map.entry("dup2", List.of("dup3")), Map.entry("poll", List.of("ppoll")),
            Map.entry("select", List.of("pselect6")), Map.entry("epoll_wait", List.of("epoll_pwait")),
            Map.entry("epoll_create", List.of("epoll_create1")), Map.entry("mkdir", List.of("mkdirat")),
            Map.entry("rmdir", List.of("unlinkat")), Map.entry("unlink", List.of("unlinkat")),
            Map.entry("rename", List.of("renameat", "renameat2")), Map.entry("readlink", List.of("readlinkat")),
            Map.entry("symlink", List.of("symlinkat")), Map.entry("link", List.of("linkat")),
            Map.entry("chmod", List.of("fchmodat")), Map.entry("chown", List.of("fchownat")),
            Map.entry("lchown", List.of("fchownat")), Map.entry("getdents", List.of("getdents64")),
            Map.entry("time", List.of("clock_gettime")), Map.entry("alarm", List.of("setitimer")),
            Map.entry("pause", List.of("ppoll")), Map.entry("getpgrp", List.of("getpgid")),
            Map.entry("utime", List.of("utimensat")), Map.entry("utimes", List.of("utimensat")),
            Map.entry("futimesat", List.of("utimensat")), Map.entry("eventfd", List.of("eventfd2")),
            Map.entry("signalfd", List.of("signalfd4")), Map.entry("inotify_init", List.of("inotify_init1")),
            Map.entry("umount", List.of("umount2")), Map.entry("mknod", List.of("mknodat")),
            Map.entry("fork", List.of("clone")), Map.entry("vfork", List.of("clone")));
    /** clone's flags for what fork and vfork do (SIGCHLD; CLONE_VM | CLONE_VFORK | SIGCHLD). */
    private static final Map<String, Long> FORK_FLAGS = Map.of("fork", 0x11L, "vfork", 0x4111L);

    private static final String LAUNCHER_NAME = "sb4j-init";

    private static final class Seen {
        long count;
        final Set<String> programs = new TreeSet<>();
        final Set<Arch> arches = EnumSet.noneOf(Arch.class);
        /** Learned argument values (in ARG_INDICES order) and their counts; empty without facts. */
        final Map<List<Long>, Long> facts = new LinkedHashMap<>();
    }

    private final Map<String, Seen> seen = new TreeMap<>();
    private final Set<Arch> arches = EnumSet.noneOf(Arch.class);
    private SeccompAction defaultAction = SeccompAction.KILL_PROCESS;
    private int runs;
    private long otherAbi;
    private long lost;

    /** A recorder whose policy kills on any call not seen ({@code DEFAULT KILL}). */
    public SyscallRecorder() {
        // nothing
    }

    /**
     * The policy's answer to calls not seen: {@link SeccompAction#KILL_PROCESS} unless told
     * otherwise (say an ERRNO, to see what else a program would try).
     */
    public synchronized SyscallRecorder defaultAction(SeccompAction action) {
        this.defaultAction = java.util.Objects.requireNonNull(action);
        return this;
    }

    /**
     * Records one learned call (the launcher counts identical ones). Called by the library when a
     * learning jail ends; an application may add calls it knows its program makes elsewhere.
     *
     * @param auditArch the kernel's AUDIT_ARCH of the call
     * @param nr its number
     * @param args its arguments (only those policies filter on are used)
     * @param count how many times it was made
     * @param program the command name of the first thread that made it (may be empty)
     */
    public synchronized void record(int auditArch, int nr, long[] args, long count, String program) {
        Arch arch = null;
        for (Arch a : Arch.values()) {
            if (a.auditArch() == auditArch) {
                arch = a;
            }
        }
        String name = arch == null ? null : SyscallTable.of(arch).name(nr);
        if (name == null) {
            otherAbi += count;
            return;
        }
        arches.add(arch);
        Seen s = seen.computeIfAbsent(name, k -> new Seen());
        s.count += count;
        s.arches.add(arch);
        if (!program.isEmpty()) {
            s.programs.add(program);
        }
        int[] idx = ARG_INDICES.get(name);
        if (idx != null) {
            List<Long> key = new ArrayList<>(idx.length);
            for (int i : idx) {
                key.add(args[i]);
            }
            s.facts.merge(List.copyOf(key), count, Long::sum);
        }
    }

    /** Counts one run whose calls were recorded; {@code lostCalls} did not fit the launcher's table. */
    public synchronized void runEnded(long lostCalls) {
        runs++;
        lost += lostCalls;
    }

    /** How many runs were recorded. */
    public synchronized int runs() {
        return runs;
    }

    /** The names of the calls seen so far, sorted. */
    public synchronized Set<String> syscalls() {
        return new TreeSet<>(seen.keySet());
    }

    /** How many times {@code syscall} (a canonical name) was seen. */
    public synchronized long count(String syscall) {
        Seen s = seen.get(syscall);
        return s == null ? 0 : s.count;
    }

    /** The learned policy, parsed from {@link #policyText()}. */
    public SeccompPolicy policy() {
        return SeccompPolicy.parse(policyText());
    }

    /** The learned policy as kafel text: grouped, commented with counts and programs. */
    public synchronized String policyText() {
        StringBuilder b = new StringBuilder();
        b.append("// Learned by sandbox4j from ").append(runs).append(runs == 1 ? " run" : " runs").append(" on ")
                .append(arches.isEmpty() ? "no architecture" : join(arches)).append(": ").append(seen.size())
                .append(" system calls.\n");
        b.append("// Allows exactly the calls seen (and, where the runs filtered on them, their arguments);\n");
        b.append("// every other call: ").append(kafelAction(defaultAction)).append(".\n");
        if (otherAbi > 0) {
            b.append("// ").append(otherAbi).append(" calls of another ABI (32-bit x86?) were seen; they are not allowed.\n");
        }
        if (lost > 0) {
            b.append("// WARNING: ").append(lost)
                    .append(" calls did not fit the launcher's table and are missing: the policy is incomplete.\n");
        }
        b.append("POLICY learned {\n  ALLOW {\n");
        List<String> notes = new ArrayList<>();
        Map<String, Map<List<Long>, Long>> extra = aarch64Equivalents(notes);
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String name : seen.keySet()) {
            groups.computeIfAbsent(groupOf(name), k -> new ArrayList<>()).add(name);
        }
        List<String> entries = new ArrayList<>();
        for (Map.Entry<String, List<String>> g : groups.entrySet()) {
            boolean first = true;
            for (String name : g.getValue()) {
                Seen s = seen.get(name);
                Set<String> by = new TreeSet<>(s.programs);
                by.remove(LAUNCHER_NAME); // the execve of the program is made under the launcher's name
                String comment = (first ? "// ---- " + g.getKey() + "\n    " : "") + "// " + name + ": " + s.count
                        + (s.count == 1 ? " call" : " calls") + (by.isEmpty() ? "" : " by " + String.join(", ", by));
                first = false;
                Map<List<Long>, Long> facts = new LinkedHashMap<>(s.facts);
                if (name.equals("clone") && seen.containsKey("clone3")) {
                    facts.clear(); // clone3 is allowed, and can do all clone can: no reason to pin flags
                    comment += " (any flags: clone3 is allowed too)";
                }
                Map<List<Long>, Long> more = extra.remove(name);
                if (more != null && !facts.isEmpty()) {
                    facts.putAll(more); // fork's flags on aarch64, next to the flags seen
                    comment += " (with the clone flags of fork/vfork, for aarch64)";
                }
                entries.add("    " + comment + "\n    " + rule(name, facts));
            }
        }
        String archNote = notes.isEmpty() ? ""
                : "    // ---- aarch64 has no open, stat, fork ...; what these runs did with them, it does with:\n"
                        + String.join("\n", notes) + "\n";
        if (seen.containsKey("clone3")) {
            extra.remove("clone"); // allowed with any flags below (or above, if seen)
        }
        boolean noted = false;
        for (Map.Entry<String, Map<List<Long>, Long>> e : extra.entrySet()) {
            entries.add((noted ? "" : archNote) + "    " + rule(e.getKey(), e.getValue()));
            noted = true;
        }
        if (seen.containsKey("clone3") && !seen.containsKey("clone")) {
            // glibc threads start with clone3 on one system and clone on another (aarch64's
            // libc, an older glibc): clone3 can do everything clone can, so allowing both adds nothing.
            entries.add("    // clone: not seen, but clone3 was, which can do all clone can; another libc or arch uses clone\n"
                    + "    clone");
        }
        b.append(String.join(",\n", entries)).append('\n');
        if (!noted) {
            b.append(archNote);
        }
        b.append("  }");
        if (seen.containsKey("clone") && !seen.containsKey("clone3")) {
            // A newer glibc tries clone3 first and falls back to clone on ENOSYS; a kill would end it.
            b.append(",\n  // clone3: not seen; glibc tries it first and falls back to clone on ENOSYS\n  ERRNO(38) {\n    clone3\n  }");
        }
        b.append("\n}\nUSE learned DEFAULT ").append(kafelAction(defaultAction)).append('\n');
        return b.toString();
    }

    /**
     * The aarch64 equivalents of the x86_64-only calls seen, with the facts to allow (clone: fork's
     * flags), and a comment line per call in {@code notes}.
     */
    private Map<String, Map<List<Long>, Long>> aarch64Equivalents(List<String> notes) {
        SyscallTable arm = SyscallTable.of(Arch.AARCH64);
        Map<String, Map<List<Long>, Long>> add = new TreeMap<>();
        for (Map.Entry<String, Seen> e : seen.entrySet()) {
            String name = e.getKey();
            if (!e.getValue().arches.contains(Arch.X86_64) || arm.number(name).isPresent()) {
                continue;
            }
            String eq = null;
            for (String cand : AARCH64_EQUIVALENTS.getOrDefault(name, List.of())) {
                if (arm.number(cand).isPresent()) {
                    eq = cand;
                    break;
                }
            }
            if (eq == null) {
                notes.add("    // " + name + " is x86_64-only and has no aarch64 equivalent sandbox4j knows");
                continue;
            }
            notes.add("    // " + name + " (x86_64 only): " + eq + " on aarch64");
            Map<List<Long>, Long> facts = add.computeIfAbsent(eq, k -> new LinkedHashMap<>());
            if (FORK_FLAGS.containsKey(name)) {
                facts.put(List.of(FORK_FLAGS.get(name)), 0L);
            }
        }
        // An equivalent seen without facts is allowed as it is; one seen with facts gets the extra
        // facts merged into its rule; one not seen is allowed here (with its facts, if any).
        add.keySet().removeIf(n -> seen.containsKey(n) && (seen.get(n).facts.isEmpty() || add.get(n).isEmpty()));
        return add;
    }

    private static String rule(String name, Map<List<Long>, Long> facts) {
        String[] argNames = ARG_NAMES.get(name);
        if (argNames == null || facts.isEmpty()) {
            return name;
        }
        int[] idx = ARG_INDICES.get(name);
        StringBuilder b = new StringBuilder(name).append('(').append(String.join(", ", argNames)).append(") {");
        List<String> alts = new ArrayList<>();
        for (List<Long> values : facts.keySet()) {
            List<String> conj = new ArrayList<>();
            for (int i = 0; i < idx.length; i++) {
                conj.add(argNames[idx[i]] + " == " + literal(name, idx[i], values.get(i)));
            }
            alts.add(conj.size() == 1 ? conj.get(0) : "(" + String.join(" && ", conj) + ")");
        }
        return b.append(' ').append(String.join(" || ", alts)).append(" }").toString();
    }

    private static String literal(String name, int index, long v) {
        boolean hex = name.equals("clone") || name.equals("ioctl") || (name.startsWith("socket") && index == 1);
        return hex ? "0x" + Long.toHexString(v) : Long.toUnsignedString(v);
    }

    private static String groupOf(String name) {
        for (SyscallGroup g : SyscallGroup.values()) {
            if (g.syscalls().contains(name)) {
                return g.name().toLowerCase(Locale.ROOT).replace('_', ' ');
            }
        }
        return "other";
    }

    private static String kafelAction(SeccompAction a) {
        if (a == SeccompAction.KILL_PROCESS) {
            return "KILL";
        }
        return a.toString();
    }

    private static String join(Set<Arch> arches) {
        List<String> l = new ArrayList<>();
        for (Arch a : arches) {
            l.add(a.name().toLowerCase(Locale.ROOT));
        }
        return String.join(", ", l);
    }
}
