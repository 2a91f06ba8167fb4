package org.sandbox4j.lockdown;

import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.internal.LockdownNative;
import org.sandbox4j.seccomp.SeccompProfiles;

/**
 * Scenarios of {@link LockdownTest}, each in its own JVM. Prints FAILED STEP message and the status
 * lines on a failed lockdown, APPLIED and the report otherwise; exits 0.
 */
public final class LockdownScenarioMain {
    private LockdownScenarioMain() {}

    /** The signal-mask calls of the blocked-thread scenario (JNA: a test helper, not the library's layer). */
    private static final class Signals {
        static {
            com.sun.jna.Native.register(Signals.class, NativeLibrary.getInstance(com.sun.jna.Platform.C_LIBRARY_NAME));
        }

        static native int sigemptyset(com.sun.jna.Pointer set);

        static native int sigaddset(com.sun.jna.Pointer set, int signo);

        static native int pthread_sigmask(int how, com.sun.jna.Pointer set, com.sun.jna.Pointer oldset);
    }

    public static void main(String[] args) throws Exception {
        try {
            switch (args[0]) {
                case "blocked-thread": {
                    CountDownLatch blocked = new CountDownLatch(1);
                    Thread t = new Thread(() -> {
                        Memory set = new Memory(128); // sigset_t, generously
                        Signals.sigemptyset(set);
                        Signals.sigaddset(set, LockdownNative.sb4j_signal());
                        Signals.pthread_sigmask(0 /* SIG_BLOCK */, set, null);
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
                    System.out.println("APPLIED (unexpected)");
                    break;
                }
                case "missing-path":
                    Lockdown.builder().seccomp(SeccompProfiles.LOCKDOWN_NO_EXEC)
                            .landlock(fs -> fs.readWrite("/nonexistent/dir")).apply();
                    System.out.println("APPLIED (unexpected)");
                    break;
                case "uring-chain":
                    uringChain(args[1], args[2].equals("accept"));
                    break;
                case "uring-sqpoll": {
                    int fd = uring(args[1], "sb4jt_uring_sqpoll");
                    System.out.println("RING fd " + fd + " SQPOLL");
                    Lockdown.Builder b = Lockdown.noExecReadOnly(Files.createTempDirectory("lockdown-data").toString());
                    applyTimed(args[2].equals("accept") ? b.allowPreexistingIoUring() : b);
                    break;
                }
                case "uring-mapped":
                    uring(args[1], "sb4jt_uring_mapped_only");
                    applyTimed(Lockdown.noExec());
                    break;
                case "no-ring":
                    applyTimed(Lockdown.noExecReadOnly(Files.createTempDirectory("lockdown-data").toString()));
                    break;
                default:
                    throw new IllegalArgumentException(args[0]);
            }
        } catch (LockdownException e) {
            failed(e);
        } catch (Exception | Error e) {
            e.printStackTrace(System.out); // the scenario itself broke (no io_uring?): say why, exit 3
            System.out.flush();
            Runtime.getRuntime().halt(3);
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static void failed(LockdownException e) throws IOException {
        System.out.println("FAILED " + e.failedStep() + " " + e.getMessage());
        for (PreexistingChannel c : e.preexisting()) {
            System.out.println("FOUND " + c.kind() + " " + c);
        }
        status();
    }

    /** This thread's NoNewPrivs and Seccomp lines: proof of what was, or was not, applied. */
    private static void status() throws IOException {
        Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
                .filter(l -> l.startsWith("NoNewPrivs") || l.startsWith("Seccomp:")).forEach(System.out::println);
    }

    /** Applies, printing how long apply() took whether it succeeded or not. */
    private static void applyTimed(Lockdown.Builder b) throws IOException {
        long t0 = System.nanoTime();
        try {
            LockdownReport r = b.apply();
            System.out.println("ELAPSED ms " + (System.nanoTime() - t0) / 1_000_000);
            System.out.println("APPLIED");
            for (String l : r.lines()) {
                System.out.println("REPORT " + l);
            }
            status();
        } catch (LockdownException e) {
            System.out.println("ELAPSED ms " + (System.nanoTime() - t0) / 1_000_000);
            failed(e);
        }
    }

    private static int uring(String lib, String function, Object... args) {
        int rc = NativeLibrary.getInstance(lib).getFunction(function).invokeInt(args);
        if (rc < 0) {
            throw new IllegalStateException(function + ": " + LibC.strerrorText(-rc));
        }
        return rc;
    }

    /**
     * The attack of issue #10/9: a ring with a registered personality and a chain TIMEOUT -> OPENAT ->
     * WRITE queued before the lockdown; it fires 1.5 s later, after the lockdown, with no further
     * system call. Refused in PREPARE unless accepted; accepted, it writes a file Landlock forbids.
     */
    private static void uringChain(String lib, boolean accept) throws Exception {
        Path data = Files.createTempDirectory("lockdown-data");
        Path outside = Files.createTempDirectory("lockdown-outside");
        Path target = outside.resolve("escaped");
        int fd = uring(lib, "sb4jt_uring_chain", target.toString(), "written-by-io_uring", 1500L);
        System.out.println("RING fd " + fd + " chain queued");
        Lockdown.Builder b = Lockdown.noExecReadOnly(data.toString());
        try {
            LockdownReport r = (accept ? b.allowPreexistingIoUring() : b).apply();
            System.out.println("APPLIED");
            for (String l : r.lines()) {
                System.out.println("REPORT " + l);
            }
        } catch (LockdownException e) {
            failed(e);
        }
        // Landlock (if applied) forbids this thread to write there itself ...
        try {
            Files.writeString(outside.resolve("direct"), "x");
            System.out.println("DIRECT-WRITE allowed");
        } catch (IOException e) {
            System.out.println("DIRECT-WRITE denied " + e.getClass().getSimpleName());
        }
        status();
        // ... while the chain queued before writes there when it fires.
        for (int i = 0; i < 100 && !(Files.exists(target) && Files.size(target) > 0); i++) {
            Thread.sleep(50);
        }
        System.out.println(Files.exists(target) ? "CHAIN-WROTE " + Files.readString(target) : "CHAIN-WROTE nothing");
    }
}
