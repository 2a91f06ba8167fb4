package org.sandbox4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs the built {@code target/sandbox4j} as a real process (so it runs after 'package'). */
@Tag("kernel")
class CliTest {
    private static final Path CLI = Path.of(System.getProperty("sandbox4j.cli", "target/sandbox4j")).toAbsolutePath();
    /** Enough of the host for /bin/sh and coreutils, on merged-/usr and split hosts alike. */
    private static final List<String> SYSTEM = List.of("--ro-bind", "/usr", "--ro-bind", "/bin", "--ro-bind", "/lib",
            "--ro-bind", "/lib64");

    record Run(int exit, String out, String err) {}

    private static Run cli(Path cli, Path cwd, List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(cli.toString());
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readQuietly(p));
        String out = read(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "sandbox4j did not finish: " + cmd);
        return new Run(p.exitValue(), out, err.get());
    }

    private static Run cli(String... args) throws Exception {
        return cli(CLI, CLI.getParent(), List.of(), args);
    }

    private static String[] jailed(String... rest) {
        List<String> a = new ArrayList<>();
        a.add("run");
        a.addAll(SYSTEM);
        a.addAll(Arrays.asList(rest));
        return a.toArray(new String[0]);
    }

    private static String readQuietly(Process p) {
        try {
            return read(p.getErrorStream().readAllBytes());
        } catch (IOException e) {
            return "(stderr: " + e + ")";
        }
    }

    private static String read(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void exitCodeIsTheCommands() throws Exception {
        Run r = cli(jailed("--", "/bin/sh", "-c", "exit 3"));
        assertEquals(3, r.exit(), r.err());
        assertEquals(0, cli(jailed("--", "/bin/true")).exit());
    }

    @Test
    void deathBySignalIs128PlusN() throws Exception {
        Run r = cli(jailed("--", "/bin/sh", "-c", "kill -TERM $$"));
        assertEquals(143, r.exit(), r.err());
        assertEquals(137, cli(jailed("--", "/bin/sh", "-c", "kill -KILL $$")).exit());
    }

    @Test
    void sigtermToTheCliReachesTheJail() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CLI.toString()));
        cmd.addAll(Arrays.asList(jailed("--", "/bin/sh", "-c", "echo ready; exec /bin/sleep 60")));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", in.readLine());
        long t0 = System.nanoTime();
        p.destroy(); // SIGTERM to the JVM (the script exec's it)
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20));
    }

    @Test
    void aJailKilledAtItsMemoryLimitSaysSoAndExits137() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.sandbox4j.internal.LibC.geteuid() == 0, "needs a cgroup (root here)");
        // tmpfs pages: charged to the memory cgroup on every kernel
        String[] bomb = {"--dev", "/dev", "--tmpfs", "/tmp:1g", "--", "/bin/sh", "-c", "head -c 300M /dev/zero > /tmp/x"};
        List<String> a = new ArrayList<>(List.of("--memory-max", "64M"));
        a.addAll(Arrays.asList(bomb));
        Run r = cli(jailed(a.toArray(new String[0])));
        assertEquals(137, r.exit(), r.err());
        assertTrue(r.err().contains("sandbox4j: the jail was killed: memory limit 64 MiB reached"), r.err());
        // nsjail's spelling, in bytes
        List<String> ns = new ArrayList<>(List.of("--cgroup_mem_max", Long.toString(64L << 20)));
        ns.addAll(Arrays.asList(bomb));
        Run n = cli(jailed(ns.toArray(new String[0])));
        assertEquals(137, n.exit(), n.err());
        assertTrue(n.err().contains("memory limit 64 MiB reached"), n.err());
        // Control: without the limit the same command fills its 1 GiB tmpfs with 300 MiB.
        Run control = cli(jailed(bomb));
        assertEquals(0, control.exit(), control.err());
    }

    @Test
    void resourceLimitsAreListedByDryRun() throws Exception {
        Run r = cli(jailed("--pids-max", "30", "--cpu-max", "0.5", "--dry-run", "--", "/bin/true"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("pidsLimit(30)") && r.out().contains("cpuLimit(0.500 cores)"), r.out());
        assertTrue(r.out().contains("RLIMIT_NOFILE=1024 (default)") && r.out().contains("RLIMIT_CORE=0 (default)"), r.out());
        Run bad = cli(jailed("--memory-max", "lots", "--", "/bin/true"));
        assertEquals(125, bad.exit(), bad.err());
    }

    @Test
    void setupFailureIs125WithOneLineNamingTheStep() throws Exception {
        Run r = cli(jailed("--ro-bind", "/nonexistent:/x", "--", "/bin/true"));
        assertEquals(125, r.exit());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("sandbox4j: "), r.err());
        assertTrue(lines[0].contains("bind mount") && lines[0].contains("/nonexistent") && lines[0].contains("ENOENT"),
                r.err());
    }

    @Test
    void badTmpfsSizesAre125NamingTheOptionAndValue() throws Exception {
        for (String bad : new String[] {"0", "-1", "123bogus"}) {
            Run r = cli(jailed("--tmpfs", "/tmp:" + bad, "--", "/bin/true"));
            assertEquals(125, r.exit(), bad + ": " + r.err());
            assertTrue(r.err().startsWith("sandbox4j: ") && r.err().contains("--tmpfs") && r.err().contains("'" + bad + "'"),
                    bad + ": " + r.err());
        }
        assertEquals(0, cli(jailed("--tmpfs", "/tmp:64k", "--", "/bin/true")).exit()); // control
    }

    @Test
    void noSymlinksBindRefusesALinkedSource() throws Exception {
        Path dir = Files.createTempDirectory("sb4j-cli-nosym");
        try {
            Path real = Files.createDirectory(dir.resolve("real"));
            Files.writeString(real.resolve("f"), "x");
            Path link = Files.createSymbolicLink(dir.resolve("link"), real);
            Run r = cli(jailed("--ro-bind-no-symlinks", link + ":/in", "--", "/bin/true"));
            assertEquals(125, r.exit(), r.err());
            assertTrue(r.err().contains("ELOOP") && r.err().contains(link.toString()), r.err());
            // Control: the same option on the link-free path, and the default mode on the link.
            assertEquals(0, cli(jailed("--ro-bind-no-symlinks", real + ":/in", "--", "/bin/ls", "/in/f")).exit());
            assertEquals(0, cli(jailed("--ro-bind", link + ":/in", "--", "/bin/ls", "/in/f")).exit());
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void badOptionsAre125() throws Exception {
        for (String[] args : new String[][] {
            {"run", "--bogus", "x", "--", "/bin/true"},
            {"run", "--net", "wifi", "--", "/bin/true"},
            {"run", "--rlimit", "nofile=abc", "--", "/bin/true"},
            {"run", "--share", "time", "--", "/bin/true"},
            {"run", "--uid"},
            {"run"},
            {"nosuchcommand"},
            {"bench", "nosuch"},
            {"bench", "startup", "--runs", "3"},
            {"bench", "lockdown", "--runs", "x"},
            {"bench", "lockdown", "--bogus"},
            {"bench", "cli", "--runs", "3"},
        }) {
            Run r = cli(args);
            assertEquals(125, r.exit(), Arrays.toString(args) + ": " + r.err());
            assertTrue(r.err().startsWith("sandbox4j: ") && r.err().strip().split("\n").length == 1,
                    Arrays.toString(args) + ": " + r.err());
        }
        Run exec = cli(jailed("--", "/no/such/program"));
        assertEquals(125, exec.exit());
        assertTrue(exec.err().startsWith("sandbox4j: execute /no/such/program"), exec.err());
    }

    @Test
    void rlimitNofile() throws Exception {
        Run r = cli(jailed("--rlimit", "nofile=64:128", "--", "/bin/sh", "-c", "ulimit -Sn; ulimit -Hn"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("64\n128\n", r.out());
        Run same = cli(jailed("--rlimit", "nofile=32", "--", "/bin/sh", "-c", "ulimit -Sn; ulimit -Hn"));
        assertEquals("32\n32\n", same.out(), same.err());
        Run inf = cli(jailed("--rlimit", "core=0:unlimited", "--rlimit", "fsize=inf", "--", "/bin/sh", "-c",
                "ulimit -Sc; ulimit -Hc; ulimit -f"));
        assertEquals(0, inf.exit(), inf.err());
        assertEquals("0\nunlimited\nunlimited\n", inf.out());
    }

    @Test
    void netNoneCannotReachTheHostNetHostCan() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            String connect = "exec 3<>/dev/tcp/127.0.0.1/" + server.getLocalPort() + " && echo connected";
            Run none = cli(jailed("--net", "none", "--", "/bin/bash", "-c", connect));
            assertFalse(none.out().contains("connected"), none.out());
            assertTrue(none.exit() != 0, none.err());
            Run dflt = cli(jailed("--", "/bin/bash", "-c", connect));
            assertTrue(dflt.exit() != 0, "the default must be --net none");
            Run host = cli(jailed("--net", "host", "--", "/bin/bash", "-c", connect));
            assertEquals(0, host.exit(), host.err());
            assertEquals("connected\n", host.out());
        }
    }

    @Test
    void environmentIsOnlyWhatEnvSays() throws Exception {
        Run r = cli(jailed("--env", "FOO=bar", "--env", "EMPTY=", "--", "/usr/bin/env"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("FOO=bar\nEMPTY=\n", r.out());
        Run none = cli(jailed("--", "/usr/bin/env"));
        assertEquals("", none.out());
    }

    @Test
    void identityHostnameCwdMounts() throws Exception {
        Run r = cli(jailed("--uid", "0", "--gid", "0", "--hostname", "box", "--tmpfs", "/work", "--cwd", "/work",
                "--proc", "/proc", "--dev", "/dev", "--", "/bin/sh", "-c",
                "id -u; id -g; hostname; pwd; touch x && echo writable; test -c /dev/null && echo dev; test $$ -le 2 && echo pidns"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("0\n0\nbox\n/work\nwritable\ndev\npidns\n", r.out());
    }

    @Test
    void roBindIsReadOnlyBindIsWritable() throws Exception {
        Path dir = Files.createTempDirectory("sandbox4j-clitest-");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            Run ro = cli(jailed("--ro-bind", dir + ":/data", "--", "/bin/sh", "-c", "touch /data/f"));
            assertTrue(ro.exit() != 0);
            Run rw = cli(jailed("--bind", dir + ":/data", "--", "/bin/sh", "-c", "echo hi > /data/f"));
            assertEquals(0, rw.exit(), rw.err());
            assertEquals("hi\n", Files.readString(dir.resolve("f")));
        } finally {
            deleteTree(dir);
        }
    }

    @Test
    void helpExitsZero() throws Exception {
        assertEquals(0, cli("--help").exit());
        Run run = cli("run", "--help");
        assertEquals(0, run.exit());
        assertTrue(run.out().contains("--ro-bind SRC[:DST]"));
        Run bench = cli("bench", "--help");
        assertEquals(0, bench.exit());
        assertTrue(bench.out().contains("RESULT startup_ms plain_jvm=<median> first_jail=<median> selfjail=<median>")
                && bench.out().contains("RESULT lockdown_ms threads=200 changes=<median> verify=<median>"), bench.out());
    }

    @Test
    void demoExitsZero() throws Exception {
        Run r = cli("demo");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("VERDICT: PASS"), r.out());
        assertTrue(r.out().contains("No such file or directory"), r.out());
    }

    /** The CLI as an unprivileged user (65534), from a world-readable copy of the script and jars. */
    @Test
    void runsAsUnprivilegedUser() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch to uid 65534");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        Path script = CliCopy.script(CLI);
        Path dir = script.getParent();
        {
            List<String> setpriv = List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
            Run r = cli(script, dir, setpriv, jailed("--uid", "0", "--", "/bin/sh", "-c", "id -u; exit 7"));
            assertEquals(7, r.exit(), r.err());
            assertEquals("0\n", r.out());
            Run fail = cli(script, dir, setpriv, jailed("--ro-bind", "/nonexistent:/x", "--", "/bin/true"));
            assertEquals(125, fail.exit());
            assertTrue(fail.err().startsWith("sandbox4j: bind mount"), fail.err());
            Run doctor = cli(script, dir, setpriv, "doctor");
            assertEquals(0, doctor.exit(), doctor.out() + doctor.err());
            assertTrue(doctor.out().matches("(?s).*OK +jail +as uid 65534: .*"), doctor.out());
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
