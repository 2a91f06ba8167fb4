package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sandbox4j.internal.PrestartedLauncher;
import org.sandbox4j.internal.SpecWriter;
import org.sandbox4j.internal.Wire;

/** The launcher value and the JVM default that replaced the two global switches. */
class LauncherTest {
    private static long parent(long pid) {
        return ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
    }

    /** A jail's own launcher choice wins over the JVM default, both ways, as root and as uid 65534. */
    @org.junit.jupiter.api.Tag("kernel")
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(JailTestSupport.JailMode.class)
    void aJailsLauncherChoiceWinsOverTheDefault(JailTestSupport.JailMode mode) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            SandboxedProcess z = JailTestSupport.base().launcher(Launcher.prestarted()).build()
                    .start(JailTestSupport.ATTACK, "sleep", "30");
            int zygote = PrestartedLauncher.zygotePid();
            assertTrue(zygote > 0, "the prestarted launcher runs");
            assertEquals(zygote, parent(z.pid()), "pid() is the jail's pid 1, a child of the zygote");
            z.destroyForcibly();
            assertTrue(z.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
            PrestartedLauncher.setEnabled(true);
            try {
                SandboxedProcess p = JailTestSupport.base().launcher(Launcher.perJail()).build()
                        .start(JailTestSupport.ATTACK, "sleep", "30");
                assertEquals(ProcessHandle.current().pid(), parent(p.pid()), "a launcher of its own, a child of the JVM");
                p.destroyForcibly();
                assertTrue(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(JailExit.exited(3), JailTestSupport.run(JailTestSupport.base().build(), JailTestSupport.ATTACK,
                        "exit", "3").exit(), "the default (prestarted) still starts jails");
            } finally {
                PrestartedLauncher.setEnabled(null);
            }
        } finally {
            assertTrue(PrestartedLauncher.shutdown(java.time.Duration.ofSeconds(10)), "the zygote exited");
        }
    }

    @Test
    void prefixKeepsTheModeAndAnEmptyPrefixRunsDirectly() {
        Launcher p = Launcher.prestarted().through(List.of("/usr/bin/env"), Path.of("/opt/launcher"));
        assertTrue(p.isPrestarted());
        assertEquals(List.of("/usr/bin/env"), p.prefix());
        assertEquals(Path.of("/opt/launcher"), p.launcherFile().orElseThrow());
        assertEquals(Launcher.prestarted(), p.through(List.of(), null));
        assertThrows(IllegalArgumentException.class, () -> Launcher.perJail().through(List.of("/usr/bin/env"), null));
    }

    @Test
    void theDefaultComesBackToThePropertyAndTheOldSwitchSetsOnlyItsMode() {
        try {
            Launcher.setDefault(Launcher.perJail().through(List.of("/usr/bin/env"), Path.of("/x")));
            PrestartedLauncher.setEnabled(true);
            assertTrue(Launcher.getDefault().isPrestarted());
            assertEquals(List.of("/usr/bin/env"), Launcher.getDefault().prefix(), "the mode switch keeps the prefix");
            PrestartedLauncher.setEnabled(false);
            assertFalse(Launcher.getDefault().isPrestarted());
            PrestartedLauncher.setEnabled(null);
            assertEquals(propertysDefault().isPrestarted(), Launcher.getDefault().isPrestarted(), "back to the property's mode");
            assertEquals(List.of("/usr/bin/env"), Launcher.getDefault().prefix(), "the mode switch keeps the prefix");
        } finally {
            Launcher.setDefault(null);
        }
        assertEquals(propertysDefault(), Launcher.getDefault());
    }

    /** The default without setDefault: prestarted unless -Dsandbox4j.spawn=per-jail (CI's JDK 25 leg). */
    private static Launcher propertysDefault() {
        return "per-jail".equals(System.getProperty("sandbox4j.spawn")) ? Launcher.perJail() : Launcher.prestarted();
    }

    @Test
    void theDefaultIsThePrestartedLauncherUnlessThePropertySaysPerJail() {
        String old = System.getProperty("sandbox4j.spawn");
        try {
            System.clearProperty("sandbox4j.spawn");
            assertEquals(Launcher.prestarted(), Launcher.getDefault());
            System.setProperty("sandbox4j.spawn", "per-jail");
            assertEquals(Launcher.perJail(), Launcher.getDefault());
            System.setProperty("sandbox4j.spawn", "prestarted");
            assertEquals(Launcher.prestarted(), Launcher.getDefault());
        } finally {
            if (old == null) {
                System.clearProperty("sandbox4j.spawn");
            } else {
                System.setProperty("sandbox4j.spawn", old);
            }
        }
    }

    @Test
    void theSpecCarriesWhatTheSpawnPathDecidesBy() {
        SpecWriter w = new SpecWriter().header();
        w.flags(Wire.NS_ALL, Wire.OPT_INIT | Wire.OPT_NEW_SESSION);
        w.seccomp(0, Wire.SUPERVISE_REPORT, SpecWriter.RET_ALLOW_PROGRAM);
        SpecWriter.Spec prefix = w.toSpec();
        SpecWriter.Spec spec = new SpecWriter().raw(prefix).exec("/bin/true").toSpec();
        assertEquals(Wire.NS_ALL, spec.cloneFlags());
        assertTrue(spec.has(Wire.OPT_NEW_SESSION) && spec.has(Wire.OPT_INIT) && !spec.has(Wire.OPT_DIE_WITH_PARENT));
        assertEquals(Wire.SUPERVISE_REPORT, spec.supervise());
        assertFalse(spec.cgroups());
        SpecWriter.Spec off = spec.withoutSupervision();
        assertEquals(0, off.supervise());
        // only the supervise word changed: the SECCOMP record's second word
        int diff = 0;
        for (int i = 0; i < spec.bytes().length; i++) {
            diff += spec.bytes()[i] != off.bytes()[i] ? 1 : 0;
        }
        assertEquals(1, diff);
        assertEquals(Wire.SUPERVISE_REPORT, java.nio.ByteBuffer.wrap(spec.bytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getInt(spec.superviseAt()));
    }
}
