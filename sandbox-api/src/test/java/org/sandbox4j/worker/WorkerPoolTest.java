package org.sandbox4j.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.worker.WorkerTestSupport.build;
import static org.sandbox4j.worker.WorkerTestSupport.str;
import static org.sandbox4j.worker.WorkerTestSupport.utf8;

import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.seccomp.SeccompAction;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.SeccompProfiles;
import org.sandbox4j.worker.WorkerException.Kind;

/** Real jailed worker JVMs, as root and as uid 65534: attacks, failures, recovery, leaks. */
@Tag("kernel")
class WorkerPoolTest {
    private static final String HANDLER = TestHandler.class.getName();

    private static WorkerPool pool(WorkerSpec spec, int size, Duration taskTimeout) throws Exception {
        return WorkerPool.builder(spec, TestHandler.class).size(size).taskTimeout(taskTimeout)
                .acquireTimeout(Duration.ofSeconds(20)).build();
    }

    private static WorkerException fails(WorkerPool pool, String request) {
        return assertThrows(WorkerException.class, () -> pool.call(utf8(request)), request);
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void attacksFromAWorkerFailAndAreReported(JailMode mode) throws Exception {
        Path secret = JailTestSupport.worldReadableDir().resolve("secret.txt");
        Files.writeString(secret, "host-secret");
        secret.toFile().setReadable(true, false);
        try (AutoCloseable m = mode.activate(); ServerSocket server = new ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress());
                WorkerPool pool = pool(build(WorkerTestSupport.spec()), 1, Duration.ofSeconds(20))) {
            WorkerException read = fails(pool, "read:" + secret);
            assertEquals(Kind.HANDLER_ERROR, read.kind(), read.getMessage());
            assertEquals("java.nio.file.NoSuchFileException", read.remoteClass().orElseThrow());

            WorkerException net = fails(pool, "connect:" + server.getLocalPort());
            assertEquals(Kind.HANDLER_ERROR, net.kind(), net.getMessage());
            assertTrue(net.getMessage().contains("Operation not permitted"), net.getMessage());
            server.setSoTimeout(100);
            assertThrows(SocketTimeoutException.class, server::accept, "nothing reached the host port");

            WorkerException sh = fails(pool, "exec:/bin/sh");
            assertEquals(Kind.HANDLER_ERROR, sh.kind(), sh.getMessage());
            // the JDK's own java binary is in the jail: starting it is refused all the same
            WorkerException java = fails(pool, "exec:" + System.getProperty("java.home") + "/bin/java");
            assertTrue(java.getMessage().contains("Operation not permitted"), java.getMessage());

            WorkerException write = fails(pool, "write:" + classpathDir() + "/injected.class");
            assertEquals(Kind.HANDLER_ERROR, write.kind(), write.getMessage());
            WorkerException root = fails(pool, "write:/etc-new");
            assertTrue(root.getMessage().contains("Read-only file system"), root.getMessage());
            assertEquals("wrote", str(pool.call(utf8("write:/tmp/ok"))));

            WorkerException bomb = fails(pool, "threads");
            assertEquals(Kind.OUT_OF_MEMORY, bomb.kind(), bomb.getMessage());
            assertTrue(bomb.getMessage().contains("unable to create native thread"), bomb.getMessage());

            assertEquals("echo:still serving", str(pool.call(utf8("echo:still serving"))));
        }
    }

    private static String classpathDir() {
        return WorkerTestSupport.classpath().get(0).toString();
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void theJailShowsTheJdkAndClassPathOnly(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate();
                WorkerPool pool = pool(build(WorkerTestSupport.spec()), 1, Duration.ofSeconds(20))) {
            Set<String> root = Set.of(str(pool.call(utf8("ls:/"))).split("\n"));
            assertEquals(Set.of("/dev", "/etc", "/lib", "/lib64", "/tmp", "/usr"), root);
            Set<String> usrLib = Set.of(str(pool.call(utf8("ls:/usr/lib"))).split("\n"));
            assertTrue(usrLib.contains("/usr/lib/jvm"), usrLib.toString());
            assertFalse(usrLib.contains("/usr/lib/python3"), usrLib.toString());
            String etc = str(pool.call(utf8("ls:/etc")));
            assertFalse(etc.contains("passwd"), etc);
            assertEquals(Kind.HANDLER_ERROR, fails(pool, "ls:/proc").kind());
            // the class path copy lives under the host's /tmp; in the jail it sits in a fresh tmpfs
            String tmp = str(pool.call(utf8("ls:" + JailTestSupport.fixtures())));
            // only the copied class path is visible there, nothing else of the fixture directory
            assertEquals(JailTestSupport.fixtures() + "/cp", tmp);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void crashTimeoutAndOutOfMemoryAreTypedAndTheWorkerIsReplaced(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate();
                WorkerPool pool = pool(build(WorkerTestSupport.spec()), 1, Duration.ofSeconds(2))) {
            WorkerException crash = fails(pool, "halt:7");
            assertEquals(Kind.CRASH, crash.kind(), crash.getMessage());
            assertEquals(7, crash.jailExit().orElseThrow().code());

            long t0 = System.nanoTime();
            WorkerException timeout = fails(pool, "sleep:60000");
            assertEquals(Kind.TIMEOUT, timeout.kind(), timeout.getMessage());
            assertTrue(System.nanoTime() - t0 < 10_000_000_000L);

            WorkerException oom = fails(pool, "oom");
            assertEquals(Kind.OUT_OF_MEMORY, oom.kind(), oom.getMessage());

            WorkerException handler = fails(pool, "throw:x");
            assertEquals(Kind.HANDLER_ERROR, handler.kind());
            assertEquals("java.lang.IllegalStateException", handler.remoteClass().orElseThrow());

            assertEquals("echo:ok", str(pool.call(utf8("echo:ok"))));
            WorkerPool.Stats s = pool.stats();
            assertEquals(3, s.replaced(), s.toString());
            assertEquals(1, s.alive(), s.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aSeccompKillIsTypedAndNamed(JailMode mode) throws Exception {
        SeccompPolicy jvm = SeccompProfiles.policy(SeccompProfiles.JVM_WORKER);
        SeccompPolicy killMkdir = SeccompPolicy.builder(jvm.defaultAction())
                .action(SeccompAction.KILL_PROCESS, "mkdir", "mkdirat").include(jvm).build();
        try (AutoCloseable m = mode.activate();
                WorkerPool pool = pool(build(WorkerTestSupport.spec().seccomp(killMkdir)), 1, Duration.ofSeconds(20))) {
            WorkerException e = fails(pool, "mkdir:/tmp/d");
            assertEquals(Kind.SECCOMP, e.kind(), e.getMessage());
            assertEquals(31, e.jailExit().orElseThrow().signal());
            // The launcher's supervisor names the call, as root and as uid 65534 (no kernel log).
            String name = e.syscall().orElseThrow(() -> new AssertionError("no call named: " + e.getMessage()));
            assertTrue(name.startsWith("mkdir"), name);
            assertTrue(e.getMessage().contains(" on mkdir"), e.getMessage());
            System.out.println("seccomp kill reported as: " + e.getMessage().lines().findFirst().orElse(""));
            assertEquals("echo:ok", str(pool.call(utf8("echo:ok"))));
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aSeccompKillWhileAWorkerStartsIsNamed(JailMode mode) throws Exception {
        SeccompPolicy jvm = SeccompProfiles.policy(SeccompProfiles.JVM_WORKER);
        // The JVM asks for its CPU set while it boots, before the worker's main runs.
        SeccompPolicy killAffinity = SeccompPolicy.builder(jvm.defaultAction())
                .action(SeccompAction.KILL_PROCESS, "sched_getaffinity").include(jvm).build();
        try (AutoCloseable m = mode.activate()) {
            WorkerException e = org.junit.jupiter.api.Assertions.assertThrows(WorkerException.class,
                    () -> pool(build(WorkerTestSupport.spec().seccomp(killAffinity)), 1, Duration.ofSeconds(20)).close());
            assertEquals(Kind.START_FAILED, e.kind(), e.getMessage());
            String name = e.syscall().orElseThrow(() -> new AssertionError("no call named: " + e.getMessage()));
            assertTrue(name.startsWith("sched_getaffinity("), name);
            assertTrue(e.getMessage().contains("killed by its seccomp filter (SIGSYS) on sched_getaffinity"), e.getMessage());
            // Control: the same pool without that rule starts.
            try (WorkerPool ok = pool(build(WorkerTestSupport.spec().seccomp(jvm)), 1, Duration.ofSeconds(20))) {
                assertEquals("echo:ok", str(ok.call(utf8("echo:ok"))));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aPolicyLearnedFromAPoolRunsThePool(JailMode mode) throws Exception {
        org.sandbox4j.seccomp.SyscallRecorder rec = new org.sandbox4j.seccomp.SyscallRecorder();
        try (AutoCloseable m = mode.activate()) {
            try (WorkerPool learn = pool(build(WorkerTestSupport.spec().recordSyscalls(rec)), 1, Duration.ofSeconds(30))) {
                assertEquals("echo:ok", str(learn.call(utf8("echo:ok"))));
            }
            assertEquals(1, rec.runs(), "close() ended the worker and its calls were added");
            assertTrue(rec.syscalls().contains("futex") && rec.syscalls().contains("socket")
                    && (rec.syscalls().contains("clone") || rec.syscalls().contains("clone3")), rec.syscalls().toString());
            SeccompPolicy learned = rec.policy();
            try (WorkerPool strict = pool(build(WorkerTestSupport.spec().seccomp(learned)), 1, Duration.ofSeconds(30))) {
                assertEquals("echo:ok", str(strict.call(utf8("echo:ok"))));
                // Control: a call the learning run never made is killed, and named: the JVM's start
                // made an AF_UNIX socket (glibc's nscd probe), an AF_INET one is a different rule.
                WorkerException e = fails(strict, "connect:9");
                assertEquals(Kind.SECCOMP, e.kind(), e.getMessage() + "\n" + rec.policyText());
                assertTrue(e.syscall().orElseThrow().startsWith("socket("), e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aBusyPoolRejectsAfterTheAcquireTimeout(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate();
                WorkerPool pool = WorkerPool.builder(build(WorkerTestSupport.spec()), TestHandler.class).size(1)
                        .acquireTimeout(Duration.ofMillis(200)).build()) {
            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                Future<byte[]> busy = ex.submit(() -> pool.call(utf8("sleep:1500")));
                Thread.sleep(300);
                long t0 = System.nanoTime();
                WorkerException e = fails(pool, "echo:x");
                assertEquals(Kind.REJECTED, e.kind());
                assertTrue(System.nanoTime() - t0 < 1_000_000_000L);
                assertEquals("slept", str(busy.get()));
            } finally {
                ex.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void workersAreRecycledAfterKTasks(JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate();
                WorkerPool pool = WorkerPool.builder(build(WorkerTestSupport.spec()), TestHandler.class).size(1)
                        .recycleAfter(3).build()) {
            for (int i = 0; i < 7; i++) {
                assertEquals("echo:" + i, str(pool.call(utf8("echo:" + i))));
            }
            assertEquals(2, pool.stats().replaced());
        }
    }

    /** 1,000 tasks, pool of 4, random crashes, OOMs, timeouts, handler errors: nothing left behind. */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aThousandTasksWithInjectedFailuresLeaveNothingBehind(JailMode mode) throws Exception {
        // A flag of this test JVM's own: other test JVMs on the machine run the same handler class.
        String owner = "-Dsandbox4j.test.owner=" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        WorkerSpec spec = build(WorkerTestSupport.spec().jvmFlags(owner));
        try (AutoCloseable m = mode.activate()) {
            // warm up lazily opened fds (JNA, the lifeline, the reaper) and every failure path before counting
            try (WorkerPool warm = pool(spec, 1, Duration.ofMillis(500))) {
                for (String r : new String[] {"echo:warm", "throw:x", "halt:9", "sleep:5000", "oom"}) {
                    try {
                        warm.call(utf8(r));
                    } catch (WorkerException e) {
                        // expected
                    }
                }
            }
            int fds = WorkerTestSupport.openFds();
            Set<String> tmpBefore = tmpEntries();
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            try (WorkerPool pool = pool(spec, 4, Duration.ofMillis(800))) {
                ExecutorService callers = Executors.newFixedThreadPool(4);
                List<Future<?>> fs = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    int n = i;
                    fs.add(callers.submit(() -> {
                        int dice = ThreadLocalRandom.current().nextInt(1000);
                        String req = dice < 10 ? "halt:9" : dice < 15 ? "oom" : dice < 20 ? "sleep:5000"
                                : dice < 60 ? "throw:" + n : "echo:" + n;
                        try {
                            byte[] r = pool.call(utf8(req));
                            assertEquals(req, str(r));
                            ok.incrementAndGet();
                        } catch (WorkerException e) {
                            Kind expected = req.startsWith("halt") ? Kind.CRASH : req.equals("oom") ? Kind.OUT_OF_MEMORY
                                    : req.startsWith("sleep") ? Kind.TIMEOUT : Kind.HANDLER_ERROR;
                            assertEquals(expected, e.kind(), e.getMessage());
                            failed.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
                callers.shutdown();
                assertFalse(WorkerTestSupport.processesWithArg(owner).isEmpty(), "the check below finds live workers");
                System.out.println(mode + " soak: " + ok + " ok, " + failed + " failed as injected, " + pool.stats());
            }
            assertEquals(1000, ok.get() + failed.get());
            assertEquals(List.of(), WorkerTestSupport.processesWithArg(owner), "no worker left running");
            // A leak stays; a JVM thread's own transient fd (the JDK's cgroup reads, say) goes within moments.
            // (The count before may hold the warm pool's last fds still closing: fewer after is fine.)
            for (int i = 0; i < 30 && WorkerTestSupport.openFds() > fds; i++) {
                Thread.sleep(100);
            }
            int after = WorkerTestSupport.openFds();
            assertTrue(after <= fds, "no fd left open: " + after + " > " + fds + ": " + WorkerTestSupport.fdList());
            assertEquals(tmpBefore, tmpEntries(), "no temporary file left");
        }
    }

    private static Set<String> tmpEntries() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            // /tmp is shared with whatever else runs on the machine: look at what could be ours
            // (JVM crash logs, files of the library; other test JVMs' fixture dirs excluded)
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.contains("hs_err") || n.matches("sandbox4j-\\d+")) // what the library could leave (LauncherBinary's fallback dir); other tests and programs use /tmp concurrently
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

}
