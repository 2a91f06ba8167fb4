package org.sandbox4j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sandbox4j.JailTestSupport.ATTACK;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.sandbox4j.JailTestSupport;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.Sandbox;
import org.sandbox4j.config.NsjailConfig;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.seccomp.SeccompPolicies;
import org.sandbox4j.seccomp.SeccompPolicy;

/**
 * Each export, run by its own runtime (runsc for OCI, bubblewrap for the command line) or read back
 * (nsjail, which is not installed here: {@link NsjailConfig} reads the export into the same jail),
 * gives the isolation results of the native jail: the attack fails the same way, the control works
 * the same way. As root and as uid 65534.
 */
@Tag("kernel")
class JailExportTest {

    /** What a program printed and its exit status. */
    record Outcome(int exit, String out) {}

    static Outcome exec(List<String> cmd, JailMode mode) throws Exception {
        List<String> full = new ArrayList<>();
        if (mode == JailMode.UNPRIVILEGED) {
            assumeTrue(LibC.geteuid() == 0, "switching to uid 65534 needs a root JVM");
            full.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        full.addAll(cmd);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Outcome(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }

    static Outcome nativeRun(Sandbox s, JailMode mode, String... cmd) throws Exception {
        try (AutoCloseable m = mode.activate()) {
            JailTestSupport.Result r = JailTestSupport.run(s, cmd);
            return new Outcome(r.exit().exitValue(), r.out() + r.err());
        }
    }

    private static Path secretDir() throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Files.writeString(dir.resolve("secret.txt"), "host-secret-42");
        Files.setPosixFilePermissions(dir.resolve("secret.txt"), PosixFilePermissions.fromString("rw-r--r--"));
        return dir;
    }

    /** The attacks (with their controls) every export must answer as the native jail does. */
    static List<List<String>> attacks(Path secrets) {
        return List.of(
                List.of(ATTACK, "read", secrets.resolve("secret.txt").toString()),   // outside the binds: ENOENT
                List.of(ATTACK, "read", "/data/secret.txt"),                          // control: bound, readable
                List.of(ATTACK, "write", "/data/new.txt"),                            // read-only bind: refused
                List.of(ATTACK, "write", "/new.txt"),                                 // read-only root: refused
                List.of(ATTACK, "write", "/tmp/new.txt"));                            // control: the jail's tmpfs takes it
    }

    static Sandbox jail(Path secrets) {
        return JailTestSupport.base().readOnly(secrets.toString(), "/data").build();
    }

    /** The first word and errno name of the attack's answer: "DENIED ENOENT", "OK". */
    static String verdict(Outcome o) {
        String[] w = o.out().strip().split("\\s+");
        return w[0].equals("OK") ? "OK" : w[0] + " " + (w.length > 1 ? w[1] : "");
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void ociBundleUnderRunscAnswersAsTheNativeJail(JailMode mode) throws Exception {
        GvisorRuntimeTest.assumeRunsc();
        Path secrets = secretDir();
        Sandbox s = jail(secrets);
        for (List<String> attack : attacks(secrets)) {
            Path bundle = JailTestSupport.worldReadableDir();
            JailExport.ociBundle(s, attack, bundle);
            JailTestSupport.makeWorldReadable(bundle);
            Path state = Files.createDirectory(bundle.resolve("state"));
            Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
            List<String> runsc = new ArrayList<>(List.of(Gvisor.runsc().toString(), "--root", state.toString(),
                    "--network=none", "--ignore-cgroups"));
            if (mode == JailMode.UNPRIVILEGED) {
                runsc.add("--rootless");
            }
            runsc.addAll(List.of("run", "--bundle", bundle.toString(), "export-" + UUID.randomUUID()));
            Outcome oci = exec(runsc, mode);
            Outcome nat = nativeRun(s, mode, attack.toArray(String[]::new));
            // gVisor answers a write to a read-only bind with EACCES where Linux says EROFS: refused both
            assertEquals(verdict(nat).split(" ")[0], verdict(oci).split(" ")[0], attack + "\nnative: " + nat + "\noci: " + oci);
            assertEquals(nat.exit(), oci.exit(), attack + "\nnative: " + nat + "\noci: " + oci);
            JailTestSupport.deleteTree(bundle);
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void bwrapLineAnswersAsTheNativeJail(JailMode mode) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap is not installed");
        Path secrets = secretDir();
        Sandbox s = jail(secrets);
        List<List<String>> cases = new ArrayList<>(attacks(secrets));
        cases.add(List.of(ATTACK, "unshare"));          // the default seccomp filter: EPERM, in both
        for (List<String> attack : cases) {
            Path dir = JailTestSupport.worldReadableDir();
            JailExport.Bwrap b = JailExport.bwrap(s, attack, dir);
            JailTestSupport.makeWorldReadable(dir);
            Outcome bw = exec(List.of("/bin/sh", "-c", b.shellLine()), mode);
            Outcome nat = nativeRun(s, mode, attack.toArray(String[]::new));
            assertEquals(verdict(nat), verdict(bw), attack + "\n" + b.shellLine() + "\nnative: " + nat + "\nbwrap: " + bw);
            assertEquals(nat.exit(), bw.exit(), attack + "\nnative: " + nat + "\nbwrap: " + bw);
        }
        // Control: without the filter, unshare works under bwrap, so the filter is what refused it.
        Path dir = JailTestSupport.worldReadableDir();
        JailExport.Bwrap open = JailExport.bwrap(jail(secrets).toBuilder().noSeccomp().build(), List.of(ATTACK, "unshare"), dir);
        JailTestSupport.makeWorldReadable(dir);
        Outcome o = exec(List.of("/bin/sh", "-c", open.shellLine()), mode);
        assertEquals("OK", verdict(o), open.shellLine() + "\n" + o);
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void nsjailConfigReadsBackIntoTheSameJail(JailMode mode) throws Exception {
        Path secrets = secretDir();
        Sandbox s = JailTestSupport.base().readOnly(secrets.toString(), "/data").readOnlySystem().env("LANG", "C")
                .cwd("/tmp").hostname("exported").timeLimit(Duration.ofSeconds(30)).rlimit(Rlimit.NOFILE, 64)
                .file("/etc/motd", "hello\n".getBytes(StandardCharsets.UTF_8)).proc("/proc").dev("/dev").build();
        String cfg = JailExport.nsjailConfig(s, List.of(ATTACK, "read", "/data/secret.txt"));
        org.sandbox4j.config.SandboxConfig parsed = NsjailConfig.parse(cfg, "export.cfg", Path.of("/"));
        assertEquals(List.of(ATTACK, "read", "/data/secret.txt"), parsed.command(), cfg);
        Sandbox back = parsed.applyTo(Sandbox.builder()).build();
        JailSettings a = s.settings();
        JailSettings b = back.settings();
        assertEquals(a.ops(), b.ops(), cfg);
        assertEquals(a.uid(), b.uid());
        assertEquals(a.gid(), b.gid());
        assertEquals(a.env(), b.env());
        assertEquals(a.cwd(), b.cwd());
        assertEquals(a.hostname(), b.hostname());
        assertEquals(a.shared(), b.shared());
        assertEquals(a.keptCaps(), b.keptCaps());
        assertEquals(a.timeLimit(), b.timeLimit());
        assertArrayEquals(a.seccompProgram(), b.seccompProgram(), "the default deny list, written as kafel, compiles back");
        assertTrue(b.seccompDefault());
        for (var e : OciSpec.rlimits(a).entrySet()) {
            assertArrayEquals(e.getValue(), b.rlimits().get(e.getKey()), e.getKey() + "\n" + cfg);
        }
        for (List<String> attack : attacks(secrets)) {
            Outcome x = nativeRun(s, mode, attack.toArray(String[]::new));
            Outcome y = nativeRun(back, mode, attack.toArray(String[]::new));
            assertEquals(verdict(x), verdict(y), attack.toString());
        }
    }

    @Test
    void kafelTextOfTheDefaultDenyListParsesBackEqual() {
        SeccompPolicy p = SeccompPolicies.defaultDenyList();
        assertEquals(p, SeccompPolicy.parse(Kafel.write(p)), Kafel.write(p));
    }

    @Test
    void whatAFormatCannotSayIsRefusedByName() {
        Sandbox landlock = Sandbox.builder().landlock(l -> l.allow("/usr", org.sandbox4j.landlock.AccessFs.READ_FILE)).build();
        RuntimeOptionException e = assertThrows(RuntimeOptionException.class, () -> JailExport.nsjailConfig(landlock, List.of("/bin/true")));
        assertTrue(e.option().startsWith("landlock("), e.getMessage());
        e = assertThrows(RuntimeOptionException.class, () -> JailExport.ociConfig(landlock, List.of("/bin/true")));
        assertEquals("oci", e.target());
        Sandbox fd = Sandbox.builder().keepFd(0, 5).build();
        e = assertThrows(RuntimeOptionException.class, () -> JailExport.bwrap(fd, List.of("/bin/true"), Path.of("/tmp")));
        assertTrue(e.option().startsWith("keepFd("), e.getMessage());
        Sandbox open = Sandbox.builder().noSeccomp().build();
        e = assertThrows(RuntimeOptionException.class, () -> JailExport.nsjailConfig(open, List.of("/bin/true")));
        assertEquals("noSeccomp()", e.option());
    }
}
