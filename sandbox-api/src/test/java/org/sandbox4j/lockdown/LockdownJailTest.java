package org.sandbox4j.lockdown;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sandbox4j.JailTestSupport;

/**
 * A JVM locked down with {@code noExecReadOnly(W)} still starts jails when it asked for that
 * ({@code keepStartingJails()}), each within the lockdown (no writes outside W, no host ids, no
 * kept capabilities), and without it the failure names the lockdown. Child JVMs (a lockdown cannot
 * be undone), root and uid 65534, JDK 17 and 25.
 */
@Tag("kernel")
class LockdownJailTest {
    private static Map<String, String> scenario(String java, boolean unprivileged, String mode) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(java)), java + " is not installed");
        Path base = JailTestSupport.worldReadableDir();
        Path w = Files.createDirectory(base.resolve("w"));
        Path other = Files.createDirectory(base.resolve("other"));
        for (Path d : new Path[] {base, w, other}) { // the child's java.io.tmpdir is base (uid 65534 writes it)
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        String out = LockdownTest.run(java, unprivileged, base, LockdownJailScenarioMain.class.getName(), mode,
                w.toString(), other.toString());
        Map<String, String> m = new HashMap<>();
        for (String line : out.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("[")) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        m.put("exit", out.lines().findFirst().orElse(""));
        m.put("all", out);
        return m;
    }

    @ParameterizedTest
    @CsvSource({"/usr/lib/jvm/java-17-openjdk-amd64/bin/java,false", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java,true",
            LockdownTest.JDK25 + ",false", LockdownTest.JDK25 + ",true"})
    void aLockedDownJvmKeepsStartingJailsWithinItsLockdown(String java, boolean unprivileged) throws Exception {
        Map<String, String> r = scenario(java, unprivileged, "keep");
        String all = r.get("all");
        assertEquals("0", r.get("exit"), all);
        assertTrue(r.get("jvm-write-other").startsWith("refused"), all);
        assertEquals("ok", r.get("plain-jail"), all);
        assertEquals("echo:w", r.get("worker"), "a worker pool starts after the lockdown: " + all);
        assertEquals("ok", r.get("rw-writable"), all);
        assertTrue(r.get("rw-other").startsWith("refused") && r.get("rw-other").contains("Lockdown"), all);
        assertTrue(r.get("host-root").startsWith("refused") && r.get("host-root").contains("Lockdown"), all);
        assertTrue(r.get("keep-cap").startsWith("refused") && r.get("keep-cap").contains("Lockdown"), all);
        assertEquals("false", r.get("other-file"), all);
        // noExec()'s filter forbids this JVM namespaces: the jail's program gets none either
        assertTrue(r.get("nested-userns").startsWith("failed") && r.get("nested-userns").contains("unshare"), all);
    }

    @ParameterizedTest
    @CsvSource({"false", "true"})
    void withoutKeepStartingJailsTheFailureNamesTheLockdown(boolean unprivileged) throws Exception {
        Map<String, String> r = scenario("/usr/lib/jvm/java-17-openjdk-amd64/bin/java", unprivileged, "plain");
        String all = r.get("all");
        assertTrue(r.get("plain-jail").startsWith("refused"), all);
        assertTrue(r.get("plain-jail").contains("Lockdown applied to this JVM") && r.get("plain-jail")
                .contains("keepStartingJails"), all);
        assertTrue(r.get("worker").startsWith("refused") && r.get("worker").contains("Lockdown"), all);
    }

    @ParameterizedTest
    @CsvSource({"false", "true"})
    void controlWithoutALockdownTheSameJailsStart(boolean unprivileged) throws Exception {
        Map<String, String> r = scenario("/usr/lib/jvm/java-17-openjdk-amd64/bin/java", unprivileged, "control");
        String all = r.get("all");
        assertEquals("written", r.get("jvm-write-other"), all);
        assertEquals("ok", r.get("rw-other"), all);
        assertEquals("true", r.get("other-file"), all);
        assertEquals("echo:w", r.get("worker"), all);
        assertEquals("ok", r.get("keep-cap"), all);
        assertEquals("ok", r.get("nested-userns"), "without a lockdown a jail without seccomp nests a user namespace: " + all);
        if (!unprivileged) {
            assertEquals("ok", r.get("host-root"), all); // root may map host root
        }
    }

    /**
     * The attack: code in control of the locked-down JVM erases the JVM-side record of the lockdown
     * (so Sandbox.start's checks pass) and asks the prestarted launcher for a jail that writes
     * outside W, maps host root, keeps a capability. The launcher took the lockdown's limits at
     * PREPARE and refuses each with an error naming the lockdown; nothing is written outside W.
     */
    @ParameterizedTest
    @CsvSource({"/usr/lib/jvm/java-17-openjdk-amd64/bin/java,false", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java,true",
            LockdownTest.JDK25 + ",false", LockdownTest.JDK25 + ",true"})
    void theLauncherRefusesWhatTheLockdownForbidsEvenWhenTheJvmSideChecksAreBypassed(String java, boolean unprivileged)
            throws Exception {
        Map<String, String> r = scenario(java, unprivileged, "attack");
        String all = r.get("all");
        assertEquals("0", r.get("exit"), all);
        assertEquals("0", r.get("java-side-limits"), "the JVM-side checks are out of the way: " + all);
        assertEquals("ok", r.get("plain-jail"), all);
        assertEquals("ok", r.get("rw-writable"), all);
        for (String k : new String[] {"rw-other", "host-root", "keep-cap"}) {
            String v = r.get(k);
            assertTrue(v.startsWith("refused") && v.contains("Lockdown") && v.contains("prestarted launcher"), k + ": " + all);
        }
        assertTrue(r.get("nested-userns").startsWith("failed"), "the launcher adds the namespace filter itself: " + all);
        assertEquals("false", r.get("other-file"), "nothing written outside W: " + all);
    }

    /**
     * A prestarted launcher that an earlier jail started (the default) takes no limits from a lockdown
     * without keepStartingJails(): the lockdown stops it from serving, so code that took over the JVM
     * cannot use it to get past the lockdown (control: the same requests to an unlocked launcher).
     */
    @ParameterizedTest
    @CsvSource({"false", "true"})
    void aLauncherStartedBeforeAPlainLockdownServesNoJailAfterIt(boolean unprivileged) throws Exception {
        Map<String, String> r = scenario("/usr/lib/jvm/java-17-openjdk-amd64/bin/java", unprivileged, "attack-plain");
        String all = r.get("all");
        assertEquals("0 zygote=true", r.get("before"), "a jail went through the prestarted launcher first: " + all);
        assertEquals("0", r.get("java-side-limits"), "the JVM-side checks are out of the way: " + all);
        for (String k : new String[] {"plain-jail", "rw-other", "host-root", "keep-cap"}) {
            assertTrue(r.get(k).startsWith("refused"), k + ": " + all);
        }
        assertEquals("false", r.get("other-file"), "nothing written outside W: " + all);
    }

    /** Control: the same requests through the same prestarted launcher, without a lockdown, succeed. */
    @ParameterizedTest
    @CsvSource({"false", "true"})
    void controlTheSameRequestsToAnUnlockedLauncherSucceed(boolean unprivileged) throws Exception {
        Map<String, String> r = scenario("/usr/lib/jvm/java-17-openjdk-amd64/bin/java", unprivileged, "attack-control");
        String all = r.get("all");
        assertEquals("ok", r.get("rw-other"), all);
        assertEquals("true", r.get("other-file"), all);
        assertEquals("ok", r.get("keep-cap"), all);
        assertEquals("ok", r.get("nested-userns"), all);
        if (!unprivileged) {
            assertEquals("ok", r.get("host-root"), all);
        }
    }
}
