package org.sandbox4j.lockdown;

import com.sun.jna.Memory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.internal.LockdownNative;
import org.sandbox4j.seccomp.SeccompProfiles;

/** Failure scenarios of {@link LockdownTest}, each in its own JVM. Prints FAILED STEP message; exits 0. */
public final class LockdownScenarioMain {
    private LockdownScenarioMain() {}

    public static void main(String[] args) throws Exception {
        try {
            switch (args[0]) {
                case "blocked-thread": {
                    CountDownLatch blocked = new CountDownLatch(1);
                    Thread t = new Thread(() -> {
                        Memory set = new Memory(LibC.SIZEOF_SIGSET);
                        LibC.sigemptyset(set);
                        LibC.sigaddset(set, LockdownNative.sb4j_signal());
                        LibC.pthread_sigmask(LibC.SIG_BLOCK, set, null);
                        blocked.countDown();
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (InterruptedException e) {
                            // stop
                        }
                    }, "blocker");
                    t.setDaemon(true);
                    t.start();
                    blocked.await();
                    Lockdown.noExec().threadTimeout(java.time.Duration.ofMillis(300)).apply();
                    break;
                }
                case "missing-path":
                    Lockdown.builder().seccomp(SeccompProfiles.LOCKDOWN_NO_EXEC)
                            .landlock(fs -> fs.readWrite("/nonexistent/dir")).apply();
                    break;
                default:
                    throw new IllegalArgumentException(args[0]);
            }
            System.out.println("APPLIED (unexpected)");
        } catch (LockdownException e) {
            System.out.println("FAILED " + e.failedStep() + " " + e.getMessage());
            System.out.println(Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("NoNewPrivs")).findFirst().orElse("?"));
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
