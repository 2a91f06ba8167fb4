package org.sandbox4j.lockdown;

import java.nio.file.Files;
import java.nio.file.Path;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxedProcess;
import org.sandbox4j.caps.Capability;

/**
 * {@code LockdownJailScenarioMain MODE WRITABLE OTHER}: in a child JVM, applies {@code
 * noExecReadOnly(WRITABLE)} (MODE {@code keep}: with keepStartingJails(); {@code plain}: without;
 * {@code control}: no lockdown at all; {@code attack}: as {@code keep}, then the JVM-side lockdown
 * record is erased by reflection, as code that took over the JVM could; {@code attack-control}: the
 * prestarted launcher without a lockdown; {@code attack-plain}: a jail through the prestarted launcher
 * first, then as {@code plain}, then the record erased as in {@code attack}), then tries jails and
 * prints one {@code name=outcome} line each.
 */
public final class LockdownJailScenarioMain {
    private LockdownJailScenarioMain() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path writable = Path.of(args[1]);
        Path other = Path.of(args[2]);
        Sandbox.Builder sys = Sandbox.builder().readOnlySystem().tmpfs("/tmp");
        sys.build(); // JNA and the launcher are loaded before the lockdown
        if (mode.equals("keep") || mode.equals("attack")) {
            Lockdown.noExecReadOnly(writable.toString()).keepStartingJails().apply();
        } else if (mode.equals("plain")) {
            Lockdown.noExecReadOnly(writable.toString()).apply();
        } else if (mode.equals("attack-plain")) {
            // The default launcher is running when the lockdown comes (an earlier jail started it).
            SandboxedProcess before = Sandbox.builder().readOnlySystem().tmpfs("/tmp")
                    .launcher(org.sandbox4j.Launcher.prestarted()).build().start("/bin/true");
            System.out.println("before=" + before.waitFor() + " zygote=" + (org.sandbox4j.internal.PrestartedLauncher.zygotePid() > 0));
            Lockdown.noExecReadOnly(writable.toString()).apply();
        } else if (mode.equals("attack-control")) {
            org.sandbox4j.internal.PrestartedLauncher.prepare(); // the same zygote path, no lockdown, no LOCK
        }
        if (mode.startsWith("attack")) {
            // Code that took over the JVM: it forgets the lockdown on the Java side (the checks in
            // Sandbox.start pass), so only the prestarted launcher stands between it and the jail.
            java.lang.reflect.Field applied = org.sandbox4j.internal.LockdownState.class.getDeclaredField("APPLIED");
            applied.setAccessible(true);
            ((java.util.List<?>) applied.get(null)).clear();
            System.out.println("java-side-limits=" + org.sandbox4j.internal.LockdownState.applied().size());
        }
        try {
            Files.writeString(other.resolve("by-jvm"), "x");
            System.out.println("jvm-write-other=written");
        } catch (Exception e) {
            System.out.println("jvm-write-other=refused " + e);
        }
        attempt("plain-jail", Sandbox.builder().readOnlySystem().tmpfs("/tmp"), "echo ok");
        attempt("rw-writable", Sandbox.builder().readOnlySystem().readWrite(writable.toString(), "/w"),
                "echo in > /w/by-jail && echo ok");
        attempt("rw-other", Sandbox.builder().readOnlySystem().readWrite(other.toString(), "/w"),
                "echo in > /w/by-jail && echo ok");
        attempt("host-root", Sandbox.builder().readOnlySystem().tmpfs("/tmp").uid(0).gid(0).hostIds(0, 0), "echo ok");
        attempt("keep-cap", Sandbox.builder().readOnlySystem().tmpfs("/tmp").uid(0).gid(0)
                .keepCapabilities(Capability.CHOWN), "echo ok");
        // A jail without a seccomp policy of its own: its program tries to create a namespace,
        // which the lockdown's filter forbids this JVM.
        attempt("nested-userns", Sandbox.builder().readOnlySystem().tmpfs("/tmp").noSeccomp(),
                "/usr/bin/unshare --user /bin/true && echo ok");
        try (org.sandbox4j.worker.WorkerPool pool = org.sandbox4j.worker.WorkerPool.builder(
                org.sandbox4j.worker.WorkerSpec.builder().heap(32L << 20).build(), "org.sandbox4j.worker.TestHandler")
                .size(1).build()) {
            System.out.println("worker=" + new String(pool.call("echo:w".getBytes())));
        } catch (Exception e) {
            System.out.println("worker=refused " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        System.out.println("other-file=" + Files.exists(other.resolve("by-jail")));
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static void attempt(String name, Sandbox.Builder b, String script) {
        try {
            SandboxedProcess p = b.build().start("/bin/sh", "-c", script);
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            String err = new String(p.getErrorStream().readAllBytes()).trim();
            int rc = p.waitFor();
            System.out.println(name + "=" + (rc == 0 && out.equals("ok") ? "ok" : "failed rc=" + rc + " " + out + " " + err)
                    .replace('\n', ' '));
        } catch (Exception e) {
            System.out.println(name + "=refused " + String.valueOf(e.getMessage()).replace('\n', ' '));
        }
    }
}
