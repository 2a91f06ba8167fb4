package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;

/**
 * Thousands of jails, some failing on purpose, many at once from 16 threads: afterwards the JVM has
 * the same fds, no zombie or leftover process, the host the same mounts and temp files.
 */
@Tag("kernel")
@Tag("soak")
class SoakTest {
    static final int SEQUENTIAL = 1000;
    static final int THREADS = 16;
    static final int PER_THREAD = 63;

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void thousandsOfJailsLeaveNothingBehind(JailMode mode) throws Exception {
        Sandbox good = base().proc("/proc").dev("/dev").build();
        Sandbox bad = base().readOnly("/nonexistent", "/x").build();
        try (AutoCloseable m = mode.activate()) {
            runOne(good, 0); // warm-up: reaper thread, lifeline, launcher memfd
        }
        System.gc(); // streams other tests left open are closed by the Cleaner
        Thread.sleep(100);
        int fds = HostProcesses.openFds();
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        Set<String> tmp = listTmp();
        AtomicInteger failures = new AtomicInteger();
        try (AutoCloseable m = mode.activate()) {
            for (int i = 0; i < SEQUENTIAL; i++) {
                if (!runOne(i % 10 == 9 ? bad : good, i)) {
                    failures.incrementAndGet();
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int tt = t;
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < PER_THREAD; i++) {
                        if (!runOne((i + tt) % 7 == 6 ? bad : good, i)) {
                            failures.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            pool.shutdown();
        }
        int expectedFailures = SEQUENTIAL / 10;
        for (int t = 0; t < THREADS; t++) {
            for (int i = 0; i < PER_THREAD; i++) {
                if ((i + t) % 7 == 6) {
                    expectedFailures++;
                }
            }
        }
        assertEquals(expectedFailures, failures.get(), "exactly the jails meant to fail failed");
        Thread.sleep(200); // the reaper closes result pipes asynchronously
        assertEquals(fds, HostProcesses.openFds(), "fd leak");
        assertEquals(List.of(), HostProcesses.zombieChildren(), "zombies");
        assertEquals(0, HostProcesses.runningChildren(), "launchers still running");
        assertEquals(mounts, Files.readString(Path.of("/proc/self/mountinfo")), "host mounts changed");
        assertEquals(tmp, listTmp(), "temp files left behind");
    }

    /** Runs the attack program's exit 0; true when it ran, false on the expected setup failure. */
    private static boolean runOne(Sandbox s, int i) throws Exception {
        try {
            SandboxedProcess p = s.start(ATTACK, "exit", Integer.toString(i % 2));
            int code = p.waitFor();
            assertEquals(i % 2, code);
            p.getInputStream().close();
            p.getErrorStream().close();
            p.getOutputStream().close();
            return true;
        } catch (SandboxSetupException e) {
            assertTrue(e.step() == SetupStep.BIND, e.getMessage());
            return false;
        }
    }

    private static Set<String> listTmp() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            Set<String> names = new TreeSet<>();
            // Only what the library could create: other programs use /tmp concurrently.
            s.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("sandbox4j-\\d+")) // LauncherBinary's fallback directory
                    .forEach(names::add);
            return names;
        }
    }
}
