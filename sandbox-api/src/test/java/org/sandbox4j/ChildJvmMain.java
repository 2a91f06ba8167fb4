package org.sandbox4j;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The main class of the child JVMs that {@link ChildJvmTest} starts (as root, or as uid 65534 like an
 * ordinary user's application).
 *
 * <ul>
 *   <li>{@code hold ATTACK MARKER}: starts a jail full of processes, prints READY, waits to be killed.
 *   <li>{@code read ATTACK FILE}: a jail tries to read FILE; prints the jail's output, exits with its code.
 *   <li>{@code cgroup ATTACK MARKER [PARENT]}: as {@code hold}, in cgroups of its own (pids and
 *       memory limits); prints {@code CG DIR} for each directory, then READY.
 *   <li>{@code outlive ATTACK MARKER KIND}: starts a jail ({@link JailEndTest.Kind}) whose program
 *       clears its pdeathsig and daemonizes, prints READY, waits to be killed.
 * </ul>
 */
public final class ChildJvmMain {
    private ChildJvmMain() {}

    public static void main(String[] args) throws Exception {
        String attack = args[1];
        Sandbox s = Sandbox.builder().readOnly(attack, "/attack").tmpfs("/tmp").build();
        if (args[0].equals("outlive")) {
            JailEndTest.Kind kind = JailEndTest.Kind.valueOf(args[3]);
            Sandbox jail = kind.configure(s.toBuilder()).build();
            SandboxedProcess p = jail.start("/attack", "outlive", args[2], "hold");
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            System.out.println("OUTLIVING".equals(r.readLine()) ? "READY" : "BROKEN");
            System.out.flush();
            Thread.sleep(600_000);
        } else if (args[0].equals("cgroup")) {
            // A jail in cgroups of its own (under PARENT when given: a subtree delegated to 65534).
            Sandbox.Builder b = s.toBuilder().pidsLimit(64).memoryLimit(64L << 20);
            if (args.length > 3) {
                b.cgroupParent(java.nio.file.Path.of(args[3]));
            }
            SandboxedProcess p = b.build().start("/attack", "hold", "2", args[2]);
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = r.readLine();
            for (java.nio.file.Path d : p.cgroupPaths()) {
                System.out.println("CG " + d);
            }
            System.out.println("HOLDING".equals(first) ? "READY" : "BROKEN");
            System.out.flush();
            Thread.sleep(600_000);
        } else if (args[0].equals("hold")) {
            // Started from a short-lived thread: the jail must outlive it and die only with the JVM.
            SandboxedProcess[] p = new SandboxedProcess[1];
            Thread t = new Thread(() -> {
                try {
                    p[0] = s.start("/attack", "hold", "3", args[2]);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            t.start();
            t.join();
            BufferedReader r = new BufferedReader(new InputStreamReader(p[0].getInputStream(), StandardCharsets.UTF_8));
            System.out.println(r.readLine().equals("HOLDING") ? "READY" : "BROKEN");
            System.out.flush();
            Thread.sleep(600_000);
        } else {
            JailTestSupport.Result res = JailTestSupport.run(s, "/attack", "read", args[2]);
            System.out.print(res.out());
            System.out.println("uid=" + org.sandbox4j.internal.LibC.geteuid());
            System.exit(res.exit().exitValue());
        }
    }
}
