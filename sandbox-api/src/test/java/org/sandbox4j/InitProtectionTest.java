package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;
import static org.sandbox4j.JailTestSupport.base;
import static org.sandbox4j.JailTestSupport.run;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.JailTestSupport.Result;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.internal.PrestartedLauncher;

/**
 * Jail init (pid 1 of the jail, the launcher's clone) against the program it runs, attacked from
 * inside with the jail's own uid and /proc mounted, in the default and the prestarted mode. Every
 * attack has its control: the same attempt on a sibling, a dumpable process of the jail with the
 * same credentials, succeeds. No seccomp filter on the program, so that only init's protection
 * stands in the way.
 */
@Tag("kernel")
class InitProtectionTest {

    private interface Body {
        void run(boolean prestarted) throws Exception;
    }

    /** Runs body in the default spawn mode and in the prestarted one, in the given jail mode. */
    private static void inBothSpawnModes(JailMode mode, Body body) throws Exception {
        for (boolean prestarted : new boolean[] {false, true}) {
            PrestartedLauncher.setEnabled(prestarted);
            try (AutoCloseable m = mode.activate()) {
                body.run(prestarted);
            }
        }
    }

    @AfterEach
    void defaultSpawnMode() {
        PrestartedLauncher.setEnabled(null);
    }

    /** The suite's leak checks (no child process, no fds) must not see this class's zygote. */
    @AfterAll
    static void stopTheZygote() throws InterruptedException {
        assertTrue(PrestartedLauncher.shutdown(java.time.Duration.ofSeconds(10)), "the zygote exited");
    }

    private static void denied(Result r, String what) {
        assertTrue(r.out().startsWith("DENIED "), what + " must fail: " + r);
    }

    private static void works(Result r, String what) {
        assertTrue(r.out().startsWith("OK "), "control: " + what + " works on a sibling: " + r);
    }

    /** attack ARGS against pid 1, and (control) against a sibling ("%" becomes its pid). */
    private static void attack(Sandbox jail, String what, String... args) throws Exception {
        denied(run(jail, withPid(args, "1")), what + " on init");
        String[] sib = new String[args.length + 2];
        sib[0] = ATTACK;
        sib[1] = "sibling";
        System.arraycopy(withPid(args, "%"), 1, sib, 2, args.length);
        works(run(jail, sib), what);
    }

    private static String[] withPid(String[] args, String pid) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = ATTACK;
        for (int i = 0; i < args.length; i++) {
            cmd[i + 1] = args[i].replace("PID", pid);
        }
        return cmd;
    }

    private static void everyAttack(Sandbox jail) throws Exception {
        attack(jail, "open /proc/PID/mem for writing", "procopen", "/proc/PID/mem", "rw");
        attack(jail, "read /proc/PID/environ", "procopen", "/proc/PID/environ", "r");
        attack(jail, "list /proc/PID/fd", "lsfd", "PID");
        attack(jail, "ptrace attach", "ptrace", "PID");
        attack(jail, "process_vm_readv", "vmread", "PID");
        attack(jail, "pidfd_getfd", "getfd", "PID");
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void theProgramCannotReachInit(JailMode mode) throws Exception {
        inBothSpawnModes(mode, prestarted -> {
            everyAttack(base().proc("/proc").noSeccomp().build());
        });
    }

    /** uid 0 inside with every capability that could matter: they are the jail's user namespace's,
     *  and init's memory belongs to the host's (the launcher was exec'd there). */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void rootInsideWithCapabilitiesCannotReachInit(JailMode mode) throws Exception {
        inBothSpawnModes(mode, prestarted -> {
            everyAttack(base().proc("/proc").noSeccomp().uid(0).gid(0)
                    .keepCapabilities(Capability.SYS_PTRACE, Capability.DAC_OVERRIDE, Capability.DAC_READ_SEARCH,
                            Capability.FOWNER, Capability.SYS_ADMIN, Capability.KILL)
                    .build());
        });
    }

    /** A forged "exited 0" into init's fds must not become the reported status (the program exits 42). */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aForgedStatusIsNotReported(JailMode mode) throws Exception {
        inBothSpawnModes(mode, prestarted -> {
            Sandbox jail = base().proc("/proc").noSeccomp().build();
            Result r = run(jail, ATTACK, "forge", "1");
            assertTrue(r.out().startsWith("DENIED "), r.toString());
            assertEquals(JailExit.exited(42), r.exit(), r.toString());
            Result direct = run(base().proc("/proc").noSeccomp().execDirectly().build(), ATTACK, "forge", "1");
            assertEquals(JailExit.exited(42), direct.exit(), "pid 1 is the program itself: " + direct);
            // Control: the same forgery reaches a sibling's pipe.
            Result control = run(jail, ATTACK, "sibling", "forge", "%");
            assertTrue(control.out().startsWith("OK forged"), control.toString());
        });
    }

    private static long initOf(SandboxedProcess p, boolean prestarted) {
        if (prestarted) {
            return p.pid();
        }
        List<ProcessHandle> kids = ProcessHandle.of(p.pid()).orElseThrow().children().toList();
        assertEquals(1, kids.size(), "the launcher has one child, jail init");
        return kids.get(0).pid();
    }

    private static int memOwner(long pid) throws Exception {
        return (Integer) Files.getAttribute(Path.of("/proc/" + pid + "/mem"), "unix:uid");
    }

    private static String field(long pid, String name) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return "";
    }

    /** Seen from the host (root): init is non-dumpable, filtered, holds one fd; and still forwards. */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void initIsFilteredHoldsOnlyItsRelayAndStillForwards(JailMode mode) throws Exception {
        assumeTrue(LibC.geteuid() == 0, "reads another user's /proc/PID/fd");
        inBothSpawnModes(mode, prestarted -> {
            SandboxedProcess p = base().proc("/proc").noSeccomp().build().start(ATTACK, "await-term");
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("READY", out.readLine());
            long init = initOf(p, prestarted);
            assertEquals("2", field(init, "Seccomp"), "init runs under a filter");
            assertEquals("1", field(init, "NoNewPrivs"));
            try (Stream<Path> fds = Files.list(Path.of("/proc/" + init + "/fd"))) {
                assertEquals(4, fds.count(), "init holds stdio and its relay pipe, not the status or sync fd");
            }
            // Owned by root: what the kernel does for a non-dumpable process. So are the launcher's
            // and the zygote's; the control is the program itself, dumpable, owned by its uid.
            assertEquals(0, memOwner(init), "init is non-dumpable");
            long launcher = prestarted ? PrestartedLauncher.zygotePid() : p.pid();
            assertEquals(0, memOwner(launcher), "the launcher (or zygote) is non-dumpable");
            long program = ProcessHandle.of(init).orElseThrow().children().findFirst().orElseThrow().pid();
            assertEquals(mode.hostUid(), memOwner(program), "control: the program is dumpable");
            p.destroy(); // SIGTERM, forwarded by the filtered init
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals("GOT SIGTERM", out.readLine());
            assertEquals(JailExit.exited(42), p.jailExit());
        });
    }
}
