package org.sandbox4j.examples.bench;

import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxedProcess;
import org.sandbox4j.selfjail.SelfJail;

/**
 * The applications {@link StartupBenchmark} starts as cold JVMs; {@code args[0]} says which:
 * <ul>
 *   <li>{@code plain}: prints a line and exits;
 *   <li>{@code first-jail}: starts one jail of {@code /bin/true} with {@code readOnlySystem()}, waits
 *       for it, prints a line and exits;
 *   <li>{@code selfjail}: {@code SelfJail.enter} with a default jail, then prints a line (in the jailed
 *       copy) and exits.
 * </ul>
 */
public final class StartupApp {
    private StartupApp() {}

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "plain":
                System.out.println("hello");
                return;
            case "first-jail": {
                SandboxedProcess p = Sandbox.builder().readOnlySystem().build().start("/bin/true");
                int rc = p.waitFor();
                p.getOutputStream().close();
                p.getInputStream().close();
                p.getErrorStream().close();
                if (rc != 0) {
                    System.err.println("the jail of /bin/true exited with " + rc);
                    System.exit(1);
                }
                System.out.println("hello");
                return;
            }
            case "selfjail":
                SelfJail.enter(Sandbox.builder().build(), args);
                System.out.println(SelfJail.isJailed() ? "hello" : "not jailed");
                return;
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
