package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;
import static org.sandbox4j.JailTestSupport.run;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.internal.PrestartedLauncher;

/** The prestarted launcher (zygote), the default: every guarantee of a per-jail launcher, plus recovery. */
@Tag("kernel")
class PrestartedLauncherTest {

    @BeforeEach
    void on() {
        Sandbox.usePrestartedLauncher(true);
    }

    @AfterEach
    void off() {
        PrestartedLauncher.setEnabled(null);
    }

    /** The suite's leak checks (no child process, no fds) must not see this class's zygote. */
    @AfterAll
    static void stopTheZygote() throws InterruptedException {
        assertTrue(PrestartedLauncher.shutdown(java.time.Duration.ofSeconds(10)), "the zygote exited");
    }

    private static long parent(long pid) {
        return ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void exitCodesSignalsAndPidComeFromTheZygotesJail(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            assertEquals(JailExit.exited(3), run(base().build(), ATTACK, "exit", "3").exit());
            Result term = run(base().build(), ATTACK, "signal", "15");
            assertTrue(term.exit().signaled() && term.exit().signal() == 15, term.toString());
            assertEquals(7, run(base().execDirectly().build(), ATTACK, "exit", "7").exit().code());
            SandboxedProcess p = base().build().start(ATTACK, "sleep", "30");
            int zygote = PrestartedLauncher.zygotePid();
            assertTrue(zygote > 0);
            assertEquals(zygote, parent(p.pid()), "pid() is the jail's pid 1, a child of the zygote");
            p.destroy(); // SIGTERM to init, forwarded to the program
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(15, p.jailExit().signal(), p.jailExit().toString());
            p.destroy(); // after the end: nothing happens
            SandboxedProcess q = base().build().start(ATTACK, "hold", "3", "x");
            assertEquals("HOLDING", new BufferedReader(new InputStreamReader(q.getInputStream(), StandardCharsets.UTF_8)).readLine());
            q.destroyForcibly();
            assertTrue(q.waitFor(10, TimeUnit.SECONDS));
            assertEquals(9, q.jailExit().signal());
            assertEquals(zygote, PrestartedLauncher.zygotePid(), "one zygote served them all");
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void setupErrorsAreStatusRecords(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SandboxSetupException e = assertThrows(SandboxSetupException.class,
                    () -> base().readOnly("/nonexistent", "/data").build().start(ATTACK, "exit", "0"));
            assertEquals(SetupStep.BIND, e.step());
            assertEquals("readOnly(\"/nonexistent\", \"/data\")", e.builderCall());
            e = assertThrows(SandboxSetupException.class, () -> base().build().start("/no/such/program"));
            assertEquals(SetupStep.EXECVE, e.step());
            assertEquals("ENOENT", e.errnoName());
            if (mode == JailMode.UNPRIVILEGED) {
                // A parent-side failure (the zygote writes the maps): only root may map another host uid.
                e = assertThrows(SandboxSetupException.class, () -> base().hostIds(0, 0).build().start(ATTACK, "exit", "0"));
                assertEquals(SetupStep.UID_MAP, e.step(), e.getMessage());
            }
            assertEquals(0, run(base().build(), ATTACK, "exit", "0").exit().code(), "the zygote still serves");
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void timeLimitKillsTheJail(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            long t0 = System.nanoTime();
            SandboxedProcess longer = base().timeLimit(Duration.ofSeconds(20)).build().start(ATTACK, "sleep", "1");
            Result r = run(base().timeLimit(Duration.ofMillis(300)).build(), ATTACK, "sleep", "30");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(r.exit().timedOut() && r.exit().signal() == 9, r.toString());
            assertTrue(ms < 5000, "killed after " + ms + " ms");
            assertTrue(longer.waitFor(10, TimeUnit.SECONDS));
            assertEquals(JailExit.exited(0), longer.jailExit(), "the other jail's limit is its own");
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void noJailSeesAnotherJailsFds(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SandboxedProcess holder = base().build().start(ATTACK, "cat"); // its pipes stay open
            Result fds = run(base().build(), ATTACK, "fds");
            assertEquals("OK fds 0\n", fds.out(), fds.toString());
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aLargeSpecGoesByMemfdAndKeptFdsArrive(JailMode mode) throws Exception {
        Path secret = JailTestSupport.worldReadableDir().resolve("zygote-fd.txt");
        java.nio.file.Files.writeString(secret, "zygote-kept-fd");
        byte[] big = new byte[300_000];
        java.util.Arrays.fill(big, (byte) 'x');
        System.arraycopy("BIGSTART".getBytes(StandardCharsets.US_ASCII), 0, big, 0, 8);
        try (java.io.FileInputStream open = new java.io.FileInputStream(secret.toFile()); AutoCloseable m = mode.activate()) {
            int fd = ProcessIsolationTest.fdOf(secret);
            Result r = run(base().file("/big", big).build(), ATTACK, "read", "/big");
            assertTrue(r.ok() && r.out().startsWith("OK read /big: BIGSTARTxxx"), r.toString());
            Result k = run(base().keepFd(fd, 9).build(), ATTACK, "readfd", "9");
            assertTrue(k.ok() && k.out().contains("zygote-kept-fd"), k.toString());
            Result fds = run(base().keepFd(fd, 12).build(), ATTACK, "fds");
            assertEquals("fd 12\nOK fds 1\n", fds.out(), fds.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void sixteenThreadsStartConcurrently(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            Sandbox s = base().build();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<Integer>> fs = new ArrayList<>();
                for (int i = 0; i < 160; i++) {
                    int code = i % 50;
                    fs.add(pool.submit(() -> run(s, ATTACK, "exit", Integer.toString(code)).exit().code()));
                }
                for (int i = 0; i < fs.size(); i++) {
                    assertEquals(i % 50, fs.get(i).get(60, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aKilledZygoteEndsItsJailsAndIsReplaced(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SandboxedProcess p = base().build().start(ATTACK, "sleep", "30");
            int zygote = PrestartedLauncher.zygotePid();
            assertEquals(0, LibC.kill(zygote, LibC.SIGKILL));
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the jail died with its zygote");
            assertEquals(9, p.jailExit().signal(), p.jailExit().toString());
            assertEquals(0, run(base().build(), ATTACK, "exit", "0").exit().code());
            int next = PrestartedLauncher.zygotePid();
            assertTrue(next > 0);
            assertNotEquals(zygote, next);
            long until = System.nanoTime() + 5_000_000_000L;
            while (ProcessHandle.of(zygote).isPresent() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertTrue(ProcessHandle.of(zygote).isEmpty(), "the dead zygote was reaped");
            for (int i = 0; i < 10; i++) { // a start right after the kill, while the zygote's exit is in flight
                assertEquals(0, LibC.kill(PrestartedLauncher.zygotePid(), LibC.SIGKILL));
                assertEquals(0, run(base().build(), ATTACK, "exit", "0").exit().code());
            }
        }
    }

    /** Every readable mapping of a process (as root). */
    private static byte[] memoryOf(long pid) throws Exception {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        try (java.io.RandomAccessFile mem = new java.io.RandomAccessFile("/proc/" + pid + "/mem", "r")) {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
                String[] f = line.split("\\s+");
                if (f[1].charAt(0) != 'r' || line.endsWith("[vvar]") || line.endsWith("[vvar_vclock]")) {
                    continue;
                }
                String[] range = f[0].split("-");
                long from = Long.parseUnsignedLong(range[0], 16), to = Long.parseUnsignedLong(range[1], 16);
                byte[] b = new byte[(int) Math.min(to - from, 64L << 20)];
                try {
                    mem.seek(from);
                    mem.readFully(b);
                    all.write(b);
                } catch (java.io.IOException e) {
                    // a mapping the kernel will not read (guard pages): nothing of a spec there
                }
            }
        }
        return all.toByteArray();
    }

    private static boolean contains(byte[] hay, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= hay.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (hay[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** A jail's pid 1 is a clone of the zygote: it must carry nothing of the jails started before it. */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void noJailCarriesAnEarlierJailsSecret(JailMode mode) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LibC.geteuid() == 0, "reads another user's memory");
        java.security.SecureRandom rnd = new java.security.SecureRandom();
        String inline = "tok" + Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextLong());
        String byMemfd = "tok" + Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextLong());
        String own = "tok" + Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextLong());
        try (AutoCloseable m = mode.activate()) {
            assertTrue(run(base().env("API_TOKEN", inline).build(), ATTACK, "exit", "0").ok());
            assertTrue(run(base().env("API_TOKEN", byMemfd).file("/big", new byte[100_000]).build(), ATTACK, "exit", "0").ok());
            SandboxedProcess b = base().env("OWN_TOKEN", own).build().start(ATTACK, "hold", "0");
            try {
                assertEquals("HOLDING", new BufferedReader(new InputStreamReader(b.getInputStream(), StandardCharsets.UTF_8)).readLine());
                byte[] mem = memoryOf(b.pid());
                assertTrue(contains(mem, own), "control: the scan finds the jail's own spec in its init");
                assertTrue(!contains(mem, inline), "an earlier jail's inline spec is in a later jail's init");
                assertTrue(!contains(mem, byMemfd), "an earlier jail's memfd spec is in a later jail's init");
            } finally {
                b.destroyForcibly();
                b.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String netnsInode(String link) {
        return link.substring(link.indexOf('[') + 1, link.indexOf(']'));
    }

    private static String firstLine(Process p) throws java.io.IOException {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    /** Whether this mode's zygote makes network namespaces ahead: only a root one can. */
    private static boolean madeAhead(JailMode mode) {
        return mode == JailMode.PRIVILEGED && LibC.geteuid() == 0;
    }

    /**
     * Live jails never share a network namespace, and each has only lo, up: for a root zygote these
     * are the namespaces it made ahead (docs/architecture.md, "Network namespaces made ahead"),
     * owned outside the jail's user namespace; an unprivileged zygote's jails own theirs.
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void networkNamespacesMadeAheadAreFreshAndOneJailEach(JailMode mode) throws Exception {
        String host = netnsInode(java.nio.file.Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
        List<SandboxedProcess> held = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        try (AutoCloseable m = mode.activate()) {
            assertEquals(0, run(base().build(), ATTACK, "exit", "0").exit().code()); // the zygote now makes them ahead
            for (int i = 0; i < 4; i++) {
                SandboxedProcess p = base().proc("/proc").build().start(ATTACK, "netns", "hold");
                held.add(p);
                String line = firstLine(p);
                String[] w = String.valueOf(line).split(" ");
                assertEquals(8, w.length, "NETNS <inode> LO <state> IFACES <n> OWNER <whose>: " + line);
                assertEquals("up", w[3], "lo is up: " + line);
                assertEquals("1", w[5], "only lo: " + line);
                assertEquals(madeAhead(mode) ? "outside" : "own", w[7], "made ahead by the zygote, or the jail's own: " + line);
                assertNotEquals(host, w[1], "not the host's namespace: " + line);
                assertTrue(seen.add(w[1]), "two live jails share a network namespace: " + line + ", seen " + seen);
            }
            // control: the probe does see a shared namespace, the host's, where there is one
            SandboxedProcess h = base().proc("/proc").network(Network.HOST).build().start(ATTACK, "netns", "hold");
            held.add(h);
            String line = firstLine(h);
            assertEquals(host, String.valueOf(line).split(" ")[1], line);
        } finally {
            for (SandboxedProcess p : held) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A listener in one jail cannot be reached from the next; with the host's network it can (control). */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aListenerInOneJailIsNotReachableFromTheNext(JailMode mode) throws Exception {
        String name = "sb4j-netns-" + Long.toHexString(new java.security.SecureRandom().nextLong());
        try (AutoCloseable m = mode.activate()) {
            for (Network net : new Network[] {Network.NONE, Network.HOST}) {
                assertEquals(0, run(base().network(net).build(), ATTACK, "exit", "0").exit().code());
                SandboxedProcess l = base().network(net).build().start(ATTACK, "listen-abstract", name + net);
                try {
                    assertEquals("LISTENING", firstLine(l));
                    Result r = run(base().network(net).build(), ATTACK, "abstract", name + net);
                    if (net == Network.NONE) {
                        assertTrue(r.out().startsWith("DENIED ECONNREFUSED"), "the next jail reached the listener: " + r);
                    } else {
                        assertTrue(r.out().startsWith("OK abstract"), "control: one network, the listener is reached: " + r);
                    }
                } finally {
                    l.destroyForcibly();
                    l.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    /**
     * A jail that keeps a capability is not given a namespace made ahead (which it would not own):
     * it owns its namespace, and with CAP_NET_ADMIN it can take its own lo down; without the
     * capability it cannot (control).
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aJailKeepingACapabilityOwnsItsNetworkNamespace(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            assertEquals(0, run(base().build(), ATTACK, "exit", "0").exit().code());
            Sandbox keeping = base().proc("/proc").keepCapabilities(org.sandbox4j.caps.Capability.NET_ADMIN).build();
            Result owner = run(keeping, ATTACK, "netns");
            assertTrue(owner.out().trim().endsWith("OWNER own"), owner.toString());
            Result kept = run(keeping, ATTACK, "lo-down");
            assertEquals("OK lo-down", kept.out().trim(), kept.toString());
            Result none = run(base().build(), ATTACK, "lo-down");
            assertTrue(none.out().startsWith("DENIED EPERM"), none.toString());
        }
    }

    private static void awaitState(Thread t, Thread.State want) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != want && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertEquals(want, t.getState(), "the reaper thread's state");
    }

    /**
     * With the zygote idle the reaper waits in Java, not in poll(2): HotSpot's exit waits up to 300 ms
     * for a thread in native code, so a reaper polling the zygote's death pipe delayed every exit.
     */
    @org.junit.jupiter.api.Test
    void anIdleZygoteLeavesTheReaperOutOfNativeCode() throws Exception {
        SandboxedProcess p = base().build().start(ATTACK, "sleep", "30");
        Thread reaper = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("sandbox4j-reaper")).findFirst().orElseThrow();
        awaitState(reaper, Thread.State.RUNNABLE); // control: a jail to watch, so in poll(2)
        p.destroyForcibly();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertTrue(PrestartedLauncher.zygotePid() > 0, "the zygote still serves");
        awaitState(reaper, Thread.State.WAITING);
    }
}
