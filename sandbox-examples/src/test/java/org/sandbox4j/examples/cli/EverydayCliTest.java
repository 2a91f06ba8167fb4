package org.sandbox4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxedProcess;

/**
 * The CLI as an everyday tool, run as a user runs it: config files (and their mistakes), nsjail's
 * options and its well-known example, an interactive shell on a real pseudo-terminal, TIOCSTI,
 * --dry-run, --verbose, doctor.
 */
@Tag("kernel")
class EverydayCliTest {
    private static final Path CLI = Path.of(System.getProperty("sandbox4j.cli", "target/sandbox4j")).toAbsolutePath();

    /** nsjail's README example, verbatim. */
    static final String NSJAIL_POLICY = "POLICY a { ALLOW { write, execve, brk, access, mmap, open, newfstat, close, read,"
            + " mprotect, arch_prctl, munmap, getuid, getgid, getpid, rt_sigaction, geteuid, getppid, getcwd, getegid,"
            + " ioctl, fcntl, newstat, clone, wait4, rt_sigreturn, exit_group } } USE a DEFAULT KILL";
    /** What glibc 2.36 (Debian 12) and its dash need on top of it (docs/coming-from-nsjail-bwrap-firejail.md). */
    static final String MODERN_GLIBC = "openat, newfstatat, pread64, set_tid_address, set_robust_list, rseq, prlimit64,"
            + " getrandom, rt_sigprocmask, vfork";

    record Run(int exit, String out, String err) {}

    static Run cliWithInput(String stdin, String... args) throws Exception {
        return run(null, stdin, args);
    }

    /** The CLI run in {@code dir} (relative paths in its arguments are read from there). */
    static Run cliIn(Path dir, String... args) throws Exception {
        return run(dir, "", args);
    }

    private static Run run(Path dir, String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(CLI.toString());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = drain(p.getInputStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "sandbox4j did not finish: " + cmd);
        return new Run(p.exitValue(), out, err.get());
    }

    static Run cli(String... args) throws Exception {
        return cliWithInput("", args);
    }

    private static String drain(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    /** Runs the CLI on a new pty (tests/resources/pty-drive.py), typing {@code lines} at its prompts. */
    static Run terminal(List<String> lines, String... args) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")) || onPath("python3"), "needs python3 for a pty");
        Path driver = Path.of(EverydayCliTest.class.getResource("/pty-drive.py").toURI());
        List<String> cmd = new ArrayList<>(List.of("python3", driver.toString(), CLI.toString()));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PTY_INPUT", String.join("\n", lines));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = drain(p.getInputStream());
        assertTrue(p.waitFor(90, TimeUnit.SECONDS));
        String[] parts = out.strip().split("\n");
        String last = parts[parts.length - 1];
        assertTrue(last.startsWith("PTY-EXIT "), out);
        return new Run(Integer.parseInt(last.substring(9).trim()), out, "");
    }

    private static boolean onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return true;
            }
        }
        return false;
    }

    // ---- config files ---------------------------------------------------------------------

    @Test
    void configFileRunsAndOptionsAfterItExtendIt(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("uname.jail");
        Files.writeString(cfg, String.join("\n",
                "# what the test needs",
                "ro-system",
                "tmpfs /tmp",
                "hostname from-config",
                "env GREETING=\"hello world\"",
                "rlimit nofile=40",
                "seccomp-string <<EOF",
                "POLICY p {",
                "  ERRNO(38) { uname }",
                "}",
                "USE p DEFAULT ALLOW",
                "EOF",
                ""));
        Run r = cli("run", "--config", cfg.toString(), "--hostname", "from-cli", "--env", "EXTRA=1", "--",
                "/bin/sh", "-c", "echo \"$GREETING $EXTRA\"; ulimit -n; cat /proc/sys/kernel/hostname 2>/dev/null;"
                        + " /bin/uname -n; echo uname=$?");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("hello world 1\n40\n"), r.out());
        assertTrue(r.out().contains("uname=1"), "the config's seccomp policy applies: " + r.out() + r.err());
        assertTrue(r.err().contains("Function not implemented"), r.err());
    }

    @Test
    void theJavaApiRunsTheSameFile(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("app.jail");
        Files.writeString(cfg, "ro-system\nenv WHO=config\nuid 4242\n");
        Sandbox sandbox = org.sandbox4j.config.SandboxConfig.load(cfg).applyTo(Sandbox.builder()).build();
        SandboxedProcess p = sandbox.start("/bin/sh", "-c", "echo $WHO $(id -u)");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertEquals("config 4242\n", out);
        Run r = cli("run", "--config", cfg.toString(), "--", "/bin/sh", "-c", "echo $WHO $(id -u)");
        assertEquals(out, r.out());
    }

    @Test
    void configMistakesNameTheirLineAndExit125(@TempDir Path dir) throws Exception {
        Map<String, String[]> cases = Map.of(
                "ro-system\nro_bnd /usr\n", new String[] {":2: unknown directive 'ro_bnd'; did you mean 'ro-bind'?"},
                "ro-system\n\n\ntmpfs tmp\n", new String[] {":4: tmpfs tmp: ", "absolute"},
                "rlimit nofile=lots\n", new String[] {":1: rlimit nofile=lots: 'lots' is not a number"},
                "ro-system\nseccomp-string <<EOF\nPOLICY p { ALLOW { read } }\n", new String[] {":2: ", "never closed"},
                "# policy\nseccomp-string <<EOF\nPOLICY p {\n  ALLOW { read }\n  FROB { write }\n}\nUSE p DEFAULT KILL\nEOF\n",
                new String[] {":5: seccomp policy: "},
                "tmpfs /tmp\nro-system\nbind /var/tmp:/tmp\n", new String[] {":3: ", "already the target of", ":1 (tmpfs /tmp)"},
                "name: \"x\"\nmount {\n", new String[] {":2: ", "nsjail config: the '{' opened on this line is never closed"},
                "landlock-ro /etc\n", new String[] {":1: landlock-ro /etc: ", "reserved"},
                "ro-system\nseccomp no-such-profile\n", new String[] {":2: seccomp no-such-profile: neither a profile"},
                "chroot /no/such/dir\n", new String[] {":1: chroot /no/such/dir: no such directory"});
        int n = 0;
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            Path f = dir.resolve("bad" + n++ + ".conf");
            Files.writeString(f, c.getKey());
            Run r = cli("run", "--config", f.toString(), "--", "/bin/true");
            assertEquals(125, r.exit(), c.getKey() + " -> " + r.err());
            String msg = r.err().strip();
            assertEquals(1, msg.split("\n").length, msg);
            assertTrue(msg.startsWith("sandbox4j: " + f + ":"), msg);
            for (String expected : c.getValue()) {
                assertTrue(msg.contains(expected), "'" + c.getKey() + "' gave: " + msg + "\n expected: " + expected);
            }
        }
        Run missing = cli("run", "--config", dir.resolve("nope.conf").toString(), "--", "/bin/true");
        assertEquals(125, missing.exit());
        assertTrue(missing.err().contains("nope.conf does not exist"), missing.err());
    }

    // ---- nsjail -------------------------------------------------------------------------------

    /** nsjail's config format and id ranges (issue 17): translated, shown by --dry-run, refused by line. */
    @Test
    void nsjailConfigFilesAndIdRangesInTheCli(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("j.cfg");
        Files.writeString(cfg, "mode: ONCE\ntime_limit: 0\nuidmap { inside_id: \"0\" outside_id: \"100000\" count: 65536 }\n"
                + "mount { src: \"/usr\" dst: \"/usr\" is_bind: true }\nexec_bin { path: \"/usr/bin/id\" arg: \"-u\" }\n");
        Run r = cli("run", "--config", cfg.toString(), "--dry-run");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(cfg + ":3: uid-map 0:100000:65536 -> uidMap(0, 100000, 65536)"), r.out());
        assertTrue(r.out().contains(cfg + " (nsjail's default): rlimit nofile=32"), r.out());
        assertTrue(r.out().contains("command: /usr/bin/id -u"), r.out());
        Run u = cli("run", "-U", "0:100000:10", "-G", "0:100000:10", "--uid", "0", "--gid", "0", "--dry-run", "--", "/bin/true");
        assertEquals(0, u.exit(), u.err());
        assertTrue(u.out().contains("uid map: [0:100000:10]; gid map: [0:100000:10]"), u.out());
        Files.writeString(cfg, "mode: ONCE\nmount {\n  dst: \"/x\"\n  frob: 1\n}\n");
        Run bad = cli("run", "--config-format", "nsjail", "--config", cfg.toString(), "--", "/bin/true");
        assertEquals(125, bad.exit());
        assertTrue(bad.err().contains(cfg + ":4: nsjail config") || bad.err().contains(cfg + ":4: frob: unknown key in mount"), bad.err());
    }

    /**
     * nsjail's example as written: on glibc 2.34+ the shell itself is killed before its first prompt,
     * because ld.so opens libraries with openat (not open) and stats with newfstatat; nsjail does the
     * same on this host.
     */
    @Test
    void nsjailExampleAsWrittenKillsTheShellOnModernGlibc() throws Exception {
        Run r = cliWithInput("echo hello\n", "run", "-Mo", "--chroot", "/", "--user", "99999", "--group", "99999",
                "--seccomp_string", NSJAIL_POLICY, "--", "/bin/sh", "-i");
        assertEquals(128 + 31, r.exit(), r.out() + r.err()); // SIGSYS
        assertFalse(r.out().contains("hello"));
    }

    /** With the calls modern glibc needs, it behaves as nsjail's README shows: a shell whose id dies. */
    @Test
    void nsjailExampleGivesAShellWhoseIdDiesWithBadSystemCall() throws Exception {
        String policy = NSJAIL_POLICY.replace("exit_group }", "exit_group, " + MODERN_GLIBC + " }");
        Run r = terminal(List.of("echo hel''lo", "id", "echo still here", "exit 4"), "run", "-Mo", "--chroot", "/",
                "--user", "99999", "--group", "99999", "--seccomp_string", policy, "--", "/bin/sh", "-i");
        assertEquals(4, r.exit(), r.out());
        assertTrue(r.out().contains("\nhello"), r.out());
        assertTrue(r.out().matches("(?s).*\\$ id\\r?\\nBad system call.*"), r.out());
        assertTrue(r.out().contains("\nstill here"), r.out());
    }

    @Test
    void nsjailOptions() throws Exception {
        // -R/-B/-T, -u/-g, --rlimit_as in MiB, --rlimit_nofile, -E, -H, -D, /proc mounted under -Mo
        Run r = cli("run", "-Mo", "-R", "/usr", "-R", "/bin", "-R", "/lib", "-R", "/lib64", "-T", "/tmp", "-u", "1234",
                "-g", "4321", "--rlimit_as", "512", "--rlimit_nofile", "50", "-E", "X=y", "-H", "nsbox", "-D", "/tmp", "--",
                "/bin/sh", "-c", "id -u; id -g; ulimit -v; ulimit -n; echo $X; /bin/hostname; pwd; cat /proc/1/comm");
        assertEquals(0, r.exit(), r.err());
        assertEquals("1234\n4321\n524288\n50\ny\nnsbox\n/tmp\n", r.out().substring(0, r.out().lastIndexOf("/tmp\n") + 5));
        assertFalse(r.out().endsWith("/tmp\n"), "a /proc of the jail is mounted under -Mo: " + r.out());
        Run noProc = cli("run", "-Mo", "--disable_proc", "-R", "/usr", "-R", "/bin", "-R", "/lib", "-R", "/lib64", "--",
                "/bin/sh", "-c", "test -e /proc/self && echo proc || echo noproc");
        assertEquals("noproc\n", noProc.out(), noProc.err());
        Run time = cli("run", "-R", "/usr", "-R", "/bin", "-R", "/lib", "-R", "/lib64", "--time_limit", "1", "-q", "--",
                "/bin/sleep", "10");
        assertEquals(137, time.exit());
        assertEquals("", time.err(), "-q: no time-limit notice");
        for (String[] bad : new String[][] {{"-Ml"}, {"-M", "r"}, {"--disable_no_new_privs"}, {"--config_file", "x.cfg"},
            {"--user", "1:2:3"}, {"--rw"}}) {
            List<String> args = new ArrayList<>(List.of("run"));
            args.addAll(Arrays.asList(bad));
            args.addAll(List.of("--", "/bin/true"));
            Run b = cli(args.toArray(new String[0]));
            assertEquals(125, b.exit(), Arrays.toString(bad));
            assertTrue(b.err().startsWith("sandbox4j: " + bad[0]), b.err());
        }
    }

    // ---- interactive shells --------------------------------------------------------------------

    private static final String TIOCSTI = "perl -e 'for $c (split //, \"echo PWNED\\n\") { ioctl(STDIN, 0x5412, $c)"
            + " or die \"TIOCSTI refused: $!\\n\" } print \"INJECTED\\n\"'";

    @Test
    void interactiveShellOnATerminalWorksAndCannotInjectInput() throws Exception {
        Run r = terminal(List.of("echo hel''lo", "echo $((6*7)) > /tmp/x; cat /tmp/x", TIOCSTI, "exit 3"),
                "run", "--ro-system", "--dev", "/dev", "--tmpfs", "/tmp", "--", "/bin/sh", "-i");
        assertEquals(3, r.exit(), r.out());
        assertTrue(r.out().contains("\nhello"), r.out());
        assertTrue(r.out().contains("\n42"), r.out());
        assertTrue(r.out().contains("TIOCSTI refused: Operation not permitted"), r.out());
        assertFalse(injected(r.out()), r.out());
    }

    @Test
    void withoutSeccompTheNewSessionAloneStopsTiocsti() throws Exception {
        Run r = terminal(List.of(TIOCSTI, "exit"), "run", "--ro-system", "--dev", "/dev", "--no-seccomp", "--",
                "/bin/sh", "-i");
        assertTrue(r.out().contains("TIOCSTI refused: Operation not permitted"), r.out());
        assertFalse(injected(r.out()), r.out());
        // The control: with the caller's session (same-session) and no filter, injection works. This is
        // what same-session means, and proves the test above can see an injection.
        Run control = terminal(List.of(TIOCSTI, "exit"), "run", "--ro-system", "--dev", "/dev", "--no-seccomp",
                "--same-session", "--", "/bin/sh", "-i");
        assertTrue(injected(control.out()), control.out());
    }

    // ---- dry run, verbose, doctor --------------------------------------------------------------

    @Test
    void dryRunPrintsTheResolvedJailAndRunsNothing(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("j.conf");
        Files.writeString(cfg, "ro-system\ntmpfs /tmp:1m\nrlimit nofile=64\nseccomp STDIO_ONLY\n");
        Run r = cli("run", "--config", cfg.toString(), "--bind", dir + ":/out", "--uid", "7", "--dry-run", "--",
                "/bin/sh", "-c", "touch /out/ran");
        assertEquals(0, r.exit(), r.err());
        assertFalse(Files.exists(dir.resolve("ran")));
        String o = r.out();
        assertTrue(o.contains(cfg + ":2: tmpfs /tmp:1m -> tmpfs(\"/tmp\", 1048576)"), o);
        assertTrue(o.contains("command line: --bind " + dir + ":/out -> readWrite(\"" + dir + "\", \"/out\")"), o);
        assertTrue(o.contains("namespaces: new user, mount, pid, net, ipc, uts, cgroup"), o);
        assertTrue(o.matches("(?s).*\\d+\\. tmpfs\\(\"/tmp\".*\\d+\\. readWrite\\(\"" + dir + "\", \"/out\"\\).*"), o);
        assertTrue(o.contains("ids inside: uid 7, gid 65534"), o);
        assertTrue(o.contains("rlimits: nofile=64"), o);
        assertTrue(o.matches("(?s).*seccomp: seccomp STDIO_ONLY -> seccompProfile\\(\"STDIO_ONLY\"\\): \\d+ BPF instructions.*"), o);
        assertTrue(o.contains("command: /bin/sh -c touch /out/ran"), o);
        Run def = cli("run", "--dry-run");
        assertTrue(def.out().matches("(?s).*seccomp: the default deny list .*, \\d+ BPF instructions.*"), def.out());
    }

    @Test
    void verboseLogsEachStepOnStderr() throws Exception {
        Run r = cli("run", "--verbose", "--ro-system", "--proc", "/proc", "--", "/bin/true");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("sandbox4j: command line: --ro-system -> readOnlySystem()"), r.err());
        assertTrue(r.err().contains("sandbox4j:   file system operations, in order:"), r.err());
        assertTrue(r.err().contains("sandbox4j: the jail exited with 0"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void doctorReportsEveryFeature() throws Exception {
        Run r = cli("doctor");
        assertEquals(0, r.exit(), r.out() + r.err());
        for (String f : List.of("arch", "launcher", "jail", "userns-unprivileged", "host-seccomp", "seccomp", "landlock",
                "cgroup", "pidfd", "close_range", "mount_setattr", "tiocsti")) {
            assertTrue(r.out().matches("(?s).*\\n?(OK|MISSING|RESTRICTED) +" + f + " .*"), f + " missing in:\n" + r.out());
        }
        assertTrue(r.out().matches("(?s).*OK +jail +as uid \\d+: .*"), r.out());
        Run json = cli("doctor", "--json");
        assertEquals(0, json.exit());
        assertTrue(json.out().startsWith("{\"arch\":\"") && json.out().contains("\"jailsWork\":true")
                && json.out().contains("{\"name\":\"landlock\",\"status\":\""), json.out());
    }

    /** The perl line printed INJECTED, or the shell ran the injected "echo PWNED" (the typed line has both quoted). */
    private static boolean injected(String transcript) {
        return transcript.matches("(?s).*(^|\\n)(INJECTED|PWNED)\\r?\\n.*");
    }
}
