package org.sandbox4j.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sandbox4j.Namespace;
import org.sandbox4j.Sandbox;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.mount.MountOp;
import org.sandbox4j.seccomp.SeccompPolicies;

/**
 * Writes a jail for another runtime: an OCI runtime bundle (runsc, runc, crun), an nsjail config, or
 * a bubblewrap command line, so one policy moves to a stronger boundary or to the tool an operations
 * team already runs. What a format cannot say is refused with a {@link RuntimeOptionException}
 * naming the builder call; nothing is dropped silently (docs/runtimes.md has the tables).
 *
 * <pre>{@code
 * Sandbox s = Sandbox.builder().readOnlySystem().tmpfs("/tmp").build();
 * JailExport.ociBundle(s, List.of("/usr/bin/id"), Path.of("bundle"));     // runsc --network=none run --bundle bundle x
 * String cfg = JailExport.nsjailConfig(s, List.of("/usr/bin/id"));          // nsjail --config FILE
 * JailExport.Bwrap b = JailExport.bwrap(s, List.of("/usr/bin/id"), Path.of("out"));
 * System.out.println(b.shellLine());                                         // bwrap ... --seccomp 9 ... 9<out/seccomp.bpf
 * }</pre>
 */
public final class JailExport {
    private JailExport() {}

    /** The fd number the bwrap line reads the seccomp program from. */
    public static final int BWRAP_SECCOMP_FD = 9; // one digit: dash reads "10<" as an argument and a redirection of stdin

    /** An export format. */
    public enum Format {
        /** An OCI runtime bundle's config.json (runsc, runc, crun). */
        OCI,
        /** An nsjail config file (protobuf text format). */
        NSJAIL,
        /** A bubblewrap command line, with the seccomp program as a file. */
        BWRAP;

        /**
         * The format named {@code s} ({@code oci}, {@code nsjail} or {@code bwrap}, any case).
         *
         * @param s the name
         * @return the format
         * @throws IllegalArgumentException naming the formats there are
         */
        public static Format parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown export format '" + s + "': expected oci, nsjail or bwrap");
            }
        }
    }

    // ---- OCI ------------------------------------------------------------------------------------

    /**
     * The jail's OCI config.json, its root at {@code rootfs} relative to the bundle (an empty directory
     * with the mount points, files and links of {@link #ociBundle}); for runsc add {@code --network=none}
     * (or {@code host}) to match the jail's network.
     */
    public static String ociConfig(Sandbox sandbox, List<String> command) {
        JailSettings s = sandbox.settings();
        OciSpec.check(s, "oci");
        String root = s.rootDir() != null ? s.rootDir().toString() : "rootfs";
        return OciSpec.config(s, argv(s, command), root, s.rootDir() == null || !s.rootWritable());
    }

    /** Writes an OCI bundle into {@code dir} (created if needed): config.json and rootfs/. */
    public static void ociBundle(Sandbox sandbox, List<String> command, Path dir) throws IOException {
        String config = ociConfig(sandbox, command);
        Files.createDirectories(dir);
        if (sandbox.settings().rootDir() == null) {
            Path rootfs = dir.resolve("rootfs");
            Files.createDirectories(rootfs);
            OciSpec.prepareRoot(sandbox.settings(), rootfs);
        }
        Files.writeString(dir.resolve("config.json"), config);
    }

    private static List<String> argv(JailSettings s, List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the command is empty");
        }
        List<String> argv = new ArrayList<>(command);
        try {
            argv.set(0, OciSpec.program(s, command.get(0), null));
        } catch (org.sandbox4j.SandboxSetupException e) {
            // left as given: the runtime resolves it, or says it is missing
        }
        return argv;
    }

    // ---- bubblewrap -----------------------------------------------------------------------------

    /**
     * A bubblewrap command line and the files it reads.
     *
     * @param argv the command line, from {@code prlimit}/{@code timeout} wrappers to the program
     * @param seccompFile the compiled filter bwrap reads from fd {@link #BWRAP_SECCOMP_FD}, or null
     */
    public record Bwrap(List<String> argv, java.nio.file.@org.jspecify.annotations.Nullable Path seccompFile) {
        /** The line for a POSIX shell, with the filter's redirection at its end. */
        public String shellLine() {
            StringBuilder b = new StringBuilder();
            for (String a : argv) {
                b.append(b.length() == 0 ? "" : " ").append(shellQuote(a));
            }
            if (seccompFile != null) {
                b.append(' ').append(BWRAP_SECCOMP_FD).append('<').append(shellQuote(seccompFile.toString()));
            }
            return b.toString();
        }
    }

    static String shellQuote(String a) {
        return a.matches("[A-Za-z0-9_@%+=:,./-]+") ? a : "'" + a.replace("'", "'\\''") + "'";
    }

    /**
     * The jail as a bubblewrap command line; the seccomp program and the jail's files are written into
     * {@code dir} (created if needed). {@code bwrap} must be on PATH, and {@code prlimit} and {@code
     * timeout} when the jail has rlimits or a time limit.
     *
     * @throws RuntimeOptionException for a builder call bubblewrap has no equivalent of
     */
    public static Bwrap bwrap(Sandbox sandbox, List<String> command, Path dir) throws IOException {
        JailSettings s = sandbox.settings();
        checkCommon(s, "bwrap");
        if (s.shared().contains(Namespace.MOUNT)) {
            throw new RuntimeOptionException("bwrap", "share(MOUNT)", "bubblewrap always makes a new mount namespace");
        }
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the command is empty");
        }
        Files.createDirectories(dir);
        List<String> a = new ArrayList<>();
        Map<Rlimit, long[]> limits = OciSpec.rlimits(s);
        a.add("prlimit");
        limits.forEach((r, v) -> a.add("--" + r.name().toLowerCase(Locale.ROOT) + "=" + lim(v[0]) + ":" + lim(v[1])));
        if (s.timeLimit() != null) {
            a.addAll(List.of("timeout", "-s", "KILL", seconds(s.timeLimit())));
        }
        a.add("bwrap");
        for (Namespace n : Namespace.values()) {
            if (n != Namespace.MOUNT && !s.shared().contains(n)) {
                a.add(n == Namespace.CGROUP ? "--unshare-cgroup-try" : "--unshare-" + (n == Namespace.NET ? "net" : lower(n)));
            }
        }
        a.add("--die-with-parent");
        if (s.newSession()) {
            a.add("--new-session");
        }
        if (!s.init()) {
            a.add("--as-pid-1");
        }
        if (!s.shared().contains(Namespace.USER)) {
            a.addAll(List.of("--uid", Integer.toUnsignedString(s.uid()), "--gid", Integer.toUnsignedString(s.gid())));
        }
        if (s.hostname() != null && !s.shared().contains(Namespace.UTS)) {
            a.addAll(List.of("--hostname", s.hostname()));
        }
        a.add("--clearenv");
        s.env().forEach((k, v) -> a.addAll(List.of("--setenv", k, v)));
        if (s.rootDir() != null) {
            a.addAll(List.of(s.rootWritable() ? "--bind" : "--ro-bind", s.rootDir().toString(), "/"));
        }
        int n = 0;
        for (MountOp op : s.ops()) {
            if (op instanceof MountOp.Bind b) {
                String kind = b.allowDevices() ? "--dev-bind" : b.readOnly() ? "--ro-bind" : "--bind";
                a.addAll(List.of(b.optional() ? kind + "-try" : kind, b.source(), b.target()));
            } else if (op instanceof MountOp.Tmpfs t) {
                a.addAll(List.of("--perms", String.format("%04o", t.mode()), "--size",
                        Long.toString(t.sizeBytes() > 0 ? t.sizeBytes() : Sandbox.DEFAULT_TMPFS_BYTES), "--tmpfs", t.target()));
                if (t.readOnly()) {
                    a.addAll(List.of("--remount-ro", t.target()));
                }
            } else if (op instanceof MountOp.Proc p) {
                a.addAll(List.of("--proc", p.target()));
            } else if (op instanceof MountOp.Dev d) {
                a.addAll(List.of("--dev", d.target()));
            } else if (op instanceof MountOp.Symlink l) {
                a.addAll(List.of("--symlink", l.linkText(), l.target()));
            } else if (op instanceof MountOp.Dir d) {
                a.addAll(List.of("--perms", String.format("%04o", d.mode()), "--dir", d.target()));
            } else if (op instanceof MountOp.File f) {
                Path file = dir.resolve("file-" + n++);
                Files.write(file, f.content());
                Files.setPosixFilePermissions(file, OciSpec.perms(f.mode() | 0444));
                a.addAll(List.of("--ro-bind", file.toAbsolutePath().toString(), f.target()));
            } else if (op instanceof MountOp.Hide h) {
                Path host = OciSpec.hostPath(s, h.target(), null);
                if (host != null && Files.isDirectory(host)) {
                    a.addAll(List.of("--perms", "0000", "--size", "4096", "--tmpfs", h.target(), "--remount-ro", h.target()));
                } else if (host != null && Files.exists(host)) {
                    a.addAll(List.of("--ro-bind", "/dev/null", h.target()));
                }
            } else if (op instanceof MountOp.RemountReadOnly r) {
                a.addAll(List.of("--remount-ro", r.target()));
            }
        }
        if (s.rootDir() == null) {
            a.addAll(List.of("--remount-ro", "/"));
        }
        a.addAll(List.of("--chdir", s.cwd()));
        for (Capability c : s.keptCaps()) {
            a.addAll(List.of("--cap-add", "CAP_" + c.name()));
        }
        Path seccomp = null;
        if (s.seccompProgram() != null) {
            seccomp = dir.resolve("seccomp.bpf").toAbsolutePath();
            Files.write(seccomp, s.seccompProgram());
            a.addAll(List.of("--seccomp", Integer.toString(BWRAP_SECCOMP_FD)));
        }
        a.add("--");
        a.addAll(command);
        return new Bwrap(List.copyOf(a), seccomp);
    }

    private static String lim(long v) {
        return v == Rlimit.INFINITY ? "unlimited" : Long.toUnsignedString(v);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** What neither bubblewrap nor nsjail configs can say. */
    private static void checkCommon(JailSettings s, String target) {
        if (s.hostUid() >= 0 || !s.uidMaps().isEmpty() || !s.gidMaps().isEmpty()) {
            throw new RuntimeOptionException(target, s.hostUid() >= 0 ? "hostIds(...)" : "uidMap/gidMap(...)",
                    "not exported yet; the jail's ids map to the caller's as in a default jail");
        }
        if (!s.keptFds().isEmpty()) {
            throw new RuntimeOptionException(target, "keepFd(" + s.keptFds().get(0)[0] + ")", "not exported yet");
        }
        if (s.reportViolations() || s.recording()) {
            throw new RuntimeOptionException(target, s.recording() ? "recordSyscalls(...)" : "reportViolations(true)",
                    "the seccomp supervisor is the launcher's");
        }
        if (s.landlock() != null) {
            throw new RuntimeOptionException(target, "landlock(...)", "has no Landlock rules");
        }
        if (s.cgroupLimits().any()) {
            throw new RuntimeOptionException(target, s.cgroupLimits().describe(), "cgroup limits are not exported yet");
        }
        if (s.bestEffort()) {
            throw new RuntimeOptionException(target, "bestEffort(...)", "best effort is the native runtime's");
        }
    }

    // ---- nsjail ---------------------------------------------------------------------------------

    /** nsjail's rlimit names and units (MiB for these four), as NsjailConfig reads them. */
    private static final Map<Rlimit, String> NSJAIL_RLIMITS = new LinkedHashMap<>();

    static {
        NSJAIL_RLIMITS.put(Rlimit.AS, "as");
        NSJAIL_RLIMITS.put(Rlimit.CORE, "core");
        NSJAIL_RLIMITS.put(Rlimit.CPU, "cpu");
        NSJAIL_RLIMITS.put(Rlimit.FSIZE, "fsize");
        NSJAIL_RLIMITS.put(Rlimit.NOFILE, "nofile");
        NSJAIL_RLIMITS.put(Rlimit.NPROC, "nproc");
        NSJAIL_RLIMITS.put(Rlimit.STACK, "stack");
        NSJAIL_RLIMITS.put(Rlimit.MEMLOCK, "memlock");
        NSJAIL_RLIMITS.put(Rlimit.RTPRIO, "rtprio");
        NSJAIL_RLIMITS.put(Rlimit.MSGQUEUE, "msgqueue");
    }

    /**
     * The jail as an nsjail config (protobuf text, nsjail's config.proto), which {@link
     * org.sandbox4j.config.NsjailConfig} reads back into the same jail. The default seccomp deny list
     * is written as a kafel policy; a custom compiled filter cannot be (refused).
     *
     * @throws RuntimeOptionException for a builder call the format has no key for
     */
    public static String nsjailConfig(Sandbox sandbox, List<String> command) {
        JailSettings s = sandbox.settings();
        checkCommon(s, "nsjail");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("the command is empty");
        }
        if (s.seccompProgram() != null && !s.seccompDefault()) {
            throw new RuntimeOptionException("nsjail", "seccomp(...)", "a compiled filter has no kafel text; give the"
                    + " policy file to nsjail's seccomp_policy_file yourself");
        }
        if (s.seccompProgram() == null) {
            throw new RuntimeOptionException("nsjail", "noSeccomp()", "sandbox4j reads an nsjail config without"
                    + " seccomp_string as its default deny list, so 'no filter' cannot be written");
        }
        StringBuilder b = new StringBuilder("# sandbox4j export (docs/runtimes.md); nsjail --config FILE\n");
        b.append("name: \"sandbox4j\"\nmode: ONCE\n");
        if (s.hostname() != null) {
            b.append("hostname: ").append(Json.str(s.hostname())).append('\n');
        }
        b.append("cwd: ").append(Json.str(s.cwd())).append('\n');
        long t = s.timeLimit() == null ? 0 : s.timeLimit().toSeconds();
        if (s.timeLimit() != null && (s.timeLimit().toMillis() % 1000 != 0 || t == 0)) {
            throw new RuntimeOptionException("nsjail", "timeLimit(" + s.timeLimit() + ")", "nsjail's time_limit is whole seconds");
        }
        b.append("time_limit: ").append(t).append('\n');
        if (!s.newSession()) {
            b.append("skip_setsid: true\n");
        }
        for (Namespace n : s.shared()) {
            b.append("clone_new").append(n == Namespace.MOUNT ? "ns" : lower(n)).append(": false\n");
        }
        Map<Rlimit, long[]> limits = OciSpec.rlimits(s);
        for (Rlimit r : limits.keySet()) {
            if (!NSJAIL_RLIMITS.containsKey(r)) {
                throw new RuntimeOptionException("nsjail", "rlimit(" + r + ", ...)", "nsjail has no rlimit_" + lower(r));
            }
        }
        for (Map.Entry<Rlimit, String> e : NSJAIL_RLIMITS.entrySet()) {
            long[] v = limits.get(e.getKey());
            String key = "rlimit_" + e.getValue();
            if (v == null) {
                b.append(key).append("_type: SOFT\n");
                continue;
            }
            if (v[0] != v[1]) {
                throw new RuntimeOptionException("nsjail", "rlimit(" + e.getKey() + ", " + v[0] + ", " + v[1] + ")",
                        "nsjail sets soft and hard to one value");
            }
            if (v[0] == Rlimit.INFINITY) {
                b.append(key).append("_type: INF\n");
                continue;
            }
            long unit = MIB_UNITS.contains(e.getValue()) ? 1L << 20 : e.getValue().equals("memlock") ? 1024 : 1;
            if (v[0] % unit != 0) {
                throw new RuntimeOptionException("nsjail", "rlimit(" + e.getKey() + ", " + v[0] + ")",
                        "nsjail's rlimit_" + e.getValue() + " is in " + (unit == 1024 ? "KiB" : "MiB"));
            }
            b.append(key).append(": ").append(v[0] / unit).append('\n').append(key).append("_type: VALUE\n");
        }
        s.env().forEach((k, v) -> b.append("envar: ").append(Json.str(k + "=" + v)).append('\n'));
        for (Capability c : s.keptCaps()) {
            b.append("cap: ").append(Json.str("CAP_" + c.name())).append('\n');
        }
        if (s.uid() != Sandbox.NOBODY || s.gid() != Sandbox.NOBODY) {
            b.append("uidmap { inside_id: \"").append(Integer.toUnsignedString(s.uid())).append("\" outside_id: \"\" }\n");
            b.append("gidmap { inside_id: \"").append(Integer.toUnsignedString(s.gid())).append("\" outside_id: \"\" }\n");
        }
        if (s.rootDir() != null) {
            b.append("mount { dst: \"/\" src: ").append(Json.str(s.rootDir().toString())).append(" is_bind: true")
                    .append(s.rootWritable() ? " rw: true" : "").append(" }\n");
        }
        for (MountOp op : s.ops()) {
            b.append(nsjailMount(op)).append('\n');
        }
        b.append("seccomp_string: ").append(Json.str(Kafel.write(SeccompPolicies.defaultDenyList()))).append('\n');
        b.append("exec_bin {\n  path: ").append(Json.str(command.get(0))).append('\n');
        for (String arg : command.subList(1, command.size())) {
            b.append("  arg: ").append(Json.str(arg)).append('\n');
        }
        b.append("}\n");
        return b.toString();
    }

    private static String nsjailMount(MountOp op) {
        if (op instanceof MountOp.Bind bind) {
            if (bind.allowDevices() || bind.noSymlinks()) {
                throw new RuntimeOptionException("nsjail", op.describe(), "nsjail's binds have no such option");
            }
            return "mount { src: " + Json.str(bind.source()) + " dst: " + Json.str(bind.target()) + " is_bind: true"
                    + (bind.readOnly() ? "" : " rw: true") + (bind.optional() ? " mandatory: false" : "") + " }";
        } else if (op instanceof MountOp.Tmpfs t) {
            if (t.mode() != 0755) {
                throw new RuntimeOptionException("nsjail", op.describe() + " with mode " + Integer.toOctalString(t.mode()),
                        "nsjail's tmpfs takes size= only");
            }
            return "mount { dst: " + Json.str(t.target()) + " fstype: \"tmpfs\"" + (t.readOnly() ? "" : " rw: true")
                    + (t.sizeBytes() > 0 ? " options: \"size=" + t.sizeBytes() + "\"" : "") + " }";
        } else if (op instanceof MountOp.Proc p) {
            return "mount { dst: " + Json.str(p.target()) + " fstype: \"proc\" }";
        } else if (op instanceof MountOp.Dev d) {
            if (!d.target().equals("/dev") || d.withPts()) {
                throw new RuntimeOptionException("nsjail", op.describe(), "exported as binds of /dev/null, zero, full,"
                        + " random, urandom and tty, which need the target /dev");
            }
            StringBuilder b = new StringBuilder();
            for (String n : List.of("null", "zero", "full", "random", "urandom", "tty")) {
                b.append(b.length() == 0 ? "" : "\n").append("mount { src: \"/dev/").append(n).append("\" dst: \"/dev/")
                        .append(n).append("\" is_bind: true rw: true }");
            }
            return b.toString();
        } else if (op instanceof MountOp.Symlink l) {
            return "mount { src: " + Json.str(l.linkText()) + " dst: " + Json.str(l.target()) + " is_symlink: true }";
        } else if (op instanceof MountOp.Dir d) {
            if (d.mode() != 0755) {
                throw new RuntimeOptionException("nsjail", op.describe() + " with mode " + Integer.toOctalString(d.mode()),
                        "nsjail's is_dir has no mode");
            }
            return "mount { dst: " + Json.str(d.target()) + " is_dir: true }";
        } else if (op instanceof MountOp.File f) {
            if (f.mode() != 0444) {
                throw new RuntimeOptionException("nsjail", op.describe() + " with mode " + Integer.toOctalString(f.mode()),
                        "nsjail's src_content has no mode");
            }
            String text = new String(f.content(), java.nio.charset.StandardCharsets.UTF_8);
            if (!java.util.Arrays.equals(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), f.content())) {
                throw new RuntimeOptionException("nsjail", op.describe(), "src_content is text; the file is not UTF-8");
            }
            if (!text.endsWith("\n")) {
                throw new RuntimeOptionException("nsjail", op.describe(), "sandbox4j reads src_content as text lines; the"
                        + " file must end with a newline");
            }
            return "mount { dst: " + Json.str(f.target()) + " src_content: " + Json.str(text) + " }";
        }
        throw new RuntimeOptionException("nsjail", op.describe(), "nsjail configs have no such mount");
    }

    private static final java.util.Set<String> MIB_UNITS = java.util.Set.of("as", "core", "fsize", "stack");

}
