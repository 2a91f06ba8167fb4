package org.sandbox4j.selfjail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Namespace;
import org.sandbox4j.SandboxException;
import org.sandbox4j.internal.LibC;

/**
 * How the jailed JVM knows it is the jailed copy, and proves it.
 *
 * <p>The environment variable is only a hint: it names two inherited file descriptors. The proof is
 * on the first, a sealed memfd named {@value #PROOF_NAME} that the outer JVM writes and hands to the
 * jail (an environment variable can be set by whoever starts {@code java}; a memfd of that name on a
 * given fd number cannot). It lists the namespaces the jail creates and the outer JVM's own inode of
 * each. The jailed JVM then checks facts the kernel reports about itself: each of its namespaces of
 * those kinds differs from the outer JVM's; with a new user namespace its uid map is not the initial
 * namespace's identity map; with a new pid namespace it is pid 1 or 2; no_new_privs is set (every
 * jail sets it); with a seccomp filter in the spec, {@code Seccomp: 2}. The second fd, a writable
 * memfd named {@value #STARTED_NAME}, is how the jailed JVM tells the outer one that it reached
 * {@code main}: the outer JVM's diagnosis of a JVM that could not start its main class relies on it.
 *
 * <p>A marker that fails any check is FORGED, with the failed check as the reason; {@link
 * SelfJail#enter} then refuses to run. Nothing here needs JNA in the jailed JVM: the checks read
 * {@code /proc/self}.
 */
final class JailMarker {
    static final String ENV = "SANDBOX4J_SELFJAIL";
    static final String VERSION = "v2";
    static final String PROOF_NAME = "sandbox4j-selfjail";
    static final String STARTED_NAME = "sandbox4j-selfjail-started";
    private static final String HEADER = "sandbox4j-selfjail " + VERSION;
    private static final String PROOF_LINK = "/memfd:" + PROOF_NAME + " (deleted)";
    private static final String STARTED_LINK = "/memfd:" + STARTED_NAME + " (deleted)";
    private static final int MAX_PROOF = 4096;

    private JailMarker() {}

    /** Verification of this process's marker. */
    enum State {
        /** No marker: not started by SelfJail. */
        ABSENT,
        /** A marker with a proof that the kernel's facts agree with. */
        VERIFIED,
        /** A marker that the facts contradict (set by hand, a leaked variable, or a weaker jail). */
        FORGED
    }

    /**
     * The outcome of the check: for VERIFIED, the namespaces the proof names as new and whether the
     * jail has a seccomp filter; for FORGED, why.
     */
    record Verdict(State state, String reason, Set<Namespace> fresh, boolean seccomp, int startedFd) {
        static Verdict forged(String reason) {
            return new Verdict(State.FORGED, reason, Set.of(), false, -1);
        }
    }

    /** The {@code /proc/self/ns} name of each namespace kind. */
    static String procName(Namespace ns) {
        return ns == Namespace.MOUNT ? "mnt" : ns.name().toLowerCase(Locale.ROOT);
    }

    // ---- the outer JVM's side ----

    /**
     * The two memfds the outer JVM passes to the jail. The outer JVM closes its copies once the jail
     * runs ({@link #closeChildEnds}), except the started flag's, which it reads when the jail ends.
     */
    static final class Proof implements AutoCloseable {
        final int proofFd;
        final int startedFd;
        final int proofTarget;
        final int startedTarget;
        private boolean childEndsClosed;
        private boolean closed;

        private Proof(int proofFd, int startedFd, int proofTarget) {
            this.proofFd = proofFd;
            this.startedFd = startedFd;
            this.proofTarget = proofTarget;
            this.startedTarget = proofTarget + 1;
        }

        /** The environment variable's value: names the fds as the jailed JVM receives them. */
        String env() {
            return VERSION + ";fd=" + proofTarget + ";started=" + startedTarget;
        }

        /** Whether the jailed JVM reported that its main method reached {@link SelfJail#enter}. */
        boolean started() {
            try {
                return Files.size(fdPath(startedFd)) > 0;
            } catch (IOException e) {
                return true; // cannot tell: say nothing rather than a wrong diagnosis
            }
        }

        /** Once the jail runs: the proof is no longer needed in this JVM. */
        synchronized void closeChildEnds() {
            if (!childEndsClosed) {
                childEndsClosed = true;
                LibC.close(proofFd);
            }
        }

        @Override
        public synchronized void close() {
            closeChildEnds();
            if (!closed) {
                closed = true;
                LibC.close(startedFd);
            }
        }
    }

    /**
     * Writes the proof for a jail that creates {@code fresh} namespaces (and installs a seccomp
     * filter when {@code seccomp}); the jail is to receive it as fds {@code firstTarget} and
     * {@code firstTarget + 1}.
     */
    static Proof create(Set<Namespace> fresh, boolean seccomp, int firstTarget) throws SandboxException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        StringBuilder names = new StringBuilder();
        for (Namespace ns : fresh) {
            names.append(names.length() == 0 ? "" : ",").append(procName(ns));
        }
        sb.append("new=").append(names).append('\n');
        sb.append("seccomp=").append(seccomp ? 1 : 0).append('\n');
        for (Namespace ns : fresh) {
            sb.append(procName(ns)).append('=').append(inode(procName(ns))).append('\n');
        }
        int proof = sealedMemfd(PROOF_NAME, sb.toString().getBytes(StandardCharsets.UTF_8));
        try {
            return new Proof(proof, memfd(STARTED_NAME, LibC.MFD_CLOEXEC), firstTarget);
        } catch (RuntimeException | SandboxException e) {
            LibC.close(proof);
            throw e;
        }
    }

    /** A memfd holding {@code content}, sealed against every change. */
    static int sealedMemfd(String name, byte[] content) throws SandboxException {
        int fd = memfd(name, LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        try {
            long n = LibC.write(fd, content, content.length);
            if (n != content.length) {
                throw new SandboxException("SelfJail: write the memfd " + name + ": " + (n < 0 ? errno() : "short write"));
            }
            int seals = LibC.F_SEAL_WRITE | LibC.F_SEAL_SHRINK | LibC.F_SEAL_GROW | LibC.F_SEAL_SEAL;
            if (LibC.fcntl(fd, LibC.F_ADD_SEALS, seals) != 0) {
                throw new SandboxException("SelfJail: seal the memfd " + name + ": " + errno());
            }
            return fd;
        } catch (RuntimeException | SandboxException e) {
            LibC.close(fd);
            throw e;
        }
    }

    static int memfd(String name, int flags) throws SandboxException {
        int fd = LibC.memfd_create(name, flags);
        if (fd < 0) {
            throw new SandboxException("SelfJail: memfd_create(" + name + "): " + errno());
        }
        return fd;
    }

    private static String errno() {
        int e = LibC.errno();
        return org.sandbox4j.Errno.message(e);
    }

    // ---- the jailed JVM's side ----

    private static @Nullable Verdict cached;

    /**
     * This process's verdict, computed once (the environment and the proof do not change). The
     * first verified check also tells the outer JVM that main is running ({@link #reportStarted}).
     */
    static synchronized Verdict check() {
        Verdict v = cached;
        if (v == null) {
            v = check(System.getenv(ENV));
            cached = v;
            reportStarted(v);
        }
        return v;
    }

    /** The verdict for {@code marker} as this process's marker (for the tests: any value). */
    static Verdict check(@Nullable String marker) {
        if (marker == null) {
            return new Verdict(State.ABSENT, "no marker", Set.of(), false, -1);
        }
        int[] fds = parse(marker);
        if (fds == null) {
            return Verdict.forged(ENV + " is '" + shorten(marker) + "', which is not a marker this version of the library writes"
                    + " (expected " + VERSION + ";fd=N;started=M)");
        }
        try {
            String proofLink = fdLink(fds[0]);
            if (!proofLink.equals(PROOF_LINK)) {
                return Verdict.forged(ENV + " names fd " + fds[0] + " as the proof, but that fd is " + proofLink
                        + ", not the sealed memfd the outer JVM passes");
            }
            String startedLink = fdLink(fds[1]);
            if (!startedLink.equals(STARTED_LINK)) {
                return Verdict.forged(ENV + " names fd " + fds[1] + " as the start flag, but that fd is " + startedLink);
            }
            Path proofPath = fdPath(fds[0]);
            if (Files.size(proofPath) > MAX_PROOF) {
                return Verdict.forged("the proof on fd " + fds[0] + " is larger than a proof can be");
            }
            Map<String, String> proof = parseProof(Files.readString(proofPath, StandardCharsets.UTF_8));
            if (proof == null) {
                return Verdict.forged("the proof on fd " + fds[0] + " is not in the format of this library's " + VERSION);
            }
            Set<Namespace> fresh = EnumSet.noneOf(Namespace.class);
            String names = proof.get("new");
            for (String name : names.isEmpty() ? new String[0] : names.split(",")) {
                Namespace ns = Namespace.parse(name);
                fresh.add(ns);
                String outer = proof.get(procName(ns));
                if (outer == null) {
                    return Verdict.forged("the proof names the " + procName(ns) + " namespace as new but not the outer JVM's");
                }
                String own = inode(procName(ns));
                if (own.equals(outer)) {
                    return Verdict.forged("this JVM's " + procName(ns) + " namespace (" + own
                            + ") is the outer JVM's: it is not in the jail the marker names");
                }
            }
            if (fresh.contains(Namespace.USER) && initialUserNamespace()) {
                return Verdict.forged("this JVM is in the initial user namespace (uid map 0 0 4294967295)");
            }
            Map<String, String> status = status();
            // NSpid's last field is the pid in this process's own pid namespace, whichever /proc this
            // is (not ProcessHandle: its first use bootstraps lambdas, ~20 ms of the jailed JVM's start).
            String nspid = status.getOrDefault("NSpid", "");
            String pid = nspid.substring(nspid.lastIndexOf('\t') + 1).strip();
            if (fresh.contains(Namespace.PID) && !pid.equals("1") && !pid.equals("2")) {
                return Verdict.forged("this JVM is pid " + pid + ", not pid 1 or 2 of a new pid namespace");
            }
            if (!"1".equals(status.get("NoNewPrivs"))) {
                return Verdict.forged("no_new_privs is not set, and every jail sets it");
            }
            boolean seccomp = proof.get("seccomp").equals("1");
            if (seccomp && !"2".equals(status.get("Seccomp"))) {
                return Verdict.forged("the proof says the jail has a seccomp filter, but this JVM has none (Seccomp: "
                        + status.get("Seccomp") + ")");
            }
            return new Verdict(State.VERIFIED, "verified", Set.copyOf(fresh), seccomp, fds[1]);
        } catch (IOException | RuntimeException e) {
            return Verdict.forged("the marker cannot be verified: " + e.getMessage());
        }
    }

    /**
     * Checks that this verified jail is at least what {@code required} asks for: every namespace
     * the Sandbox wants new is new, and its seccomp filter is installed.
     *
     * @return null when it is, else what is missing
     */
    static @Nullable String missing(Verdict v, Set<Namespace> required, boolean seccomp) {
        EnumSet<Namespace> lack = EnumSet.noneOf(Namespace.class);
        for (Namespace ns : required) {
            if (!v.fresh().contains(ns)) {
                lack.add(ns);
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!lack.isEmpty()) {
            sb.append("the jail shares the ").append(lack.stream().map(JailMarker::procName).toList())
                    .append(" namespaces that this JVM's Sandbox asks to be new");
        }
        if (seccomp && !v.seccomp()) {
            sb.append(sb.length() == 0 ? "" : "; ").append("the jail has no seccomp filter, and this JVM's Sandbox has one");
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** Tells the outer JVM that main runs: one byte into the started memfd. */
    private static void reportStarted(Verdict v) {
        if (v.state() != State.VERIFIED) {
            return; // only a verified fd is the outer JVM's flag
        }
        try (OutputStream o = Files.newOutputStream(fdPath(v.startedFd()), StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            o.write('1');
        } catch (IOException e) {
            // only the outer JVM's diagnosis of a failed start depends on it
        }
    }

    private static int @Nullable [] parse(String marker) {
        String[] parts = marker.split(";", -1);
        if (parts.length != 3 || !parts[0].equals(VERSION) || !parts[1].startsWith("fd=")
                || !parts[2].startsWith("started=")) {
            return null;
        }
        try {
            int proof = Integer.parseInt(parts[1].substring(3));
            int started = Integer.parseInt(parts[2].substring(8));
            // 0, 1 and 2 are stdio, whose content whoever starts java chooses
            return proof < 3 || started < 3 || proof == started ? null : new int[] {proof, started};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static @Nullable Map<String, String> parseProof(String text) {
        String[] lines = text.split("\n");
        if (lines.length < 3 || !lines[0].equals(HEADER)) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int eq = lines[i].indexOf('=');
            if (eq <= 0 || m.put(lines[i].substring(0, eq), lines[i].substring(eq + 1)) != null) {
                return null;
            }
        }
        String sc = m.get("seccomp");
        return m.containsKey("new") && ("0".equals(sc) || "1".equals(sc)) ? m : null;
    }

    private static String fdLink(int fd) {
        try {
            return Files.readSymbolicLink(fdPath(fd)).toString();
        } catch (IOException e) {
            return "not open";
        }
    }

    /**
     * {@code /proc/self/fd/N}, built without string concatenation: in the jailed JVM the check runs
     * before anything else has bootstrapped invokedynamic concatenation, whose first use costs ~20 ms.
     */
    private static Path fdPath(int fd) {
        return Path.of("/proc/self/fd", Integer.toString(fd));
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /** {@code /proc/self/ns/KIND} is a link whose text is {@code KIND:[inode]}. */
    static String inode(String kind) {
        try {
            String t = Files.readSymbolicLink(Path.of("/proc/self/ns", kind)).toString();
            int a = t.indexOf('[');
            int b = t.indexOf(']');
            return a >= 0 && b > a ? t.substring(a + 1, b) : t;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/ns/" + kind + ": " + e.getMessage(), e);
        }
    }

    /** The initial user namespace maps every id to itself: {@code 0 0 4294967295}. */
    private static boolean initialUserNamespace() throws IOException {
        // A tokenizer, not a regular expression: see fdPath.
        java.util.StringTokenizer t = new java.util.StringTokenizer(Files.readString(Path.of("/proc/self/uid_map")));
        return t.countTokens() == 3 && t.nextToken().equals("0") && t.nextToken().equals("0")
                && t.nextToken().equals("4294967295");
    }

    private static Map<String, String> status() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            int c = l.indexOf(':');
            if (c > 0) {
                m.put(l.substring(0, c), l.substring(c + 1).strip());
            }
        }
        return m;
    }
}
