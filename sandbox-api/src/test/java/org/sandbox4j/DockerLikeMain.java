package org.sandbox4j;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs inside the Docker-like harness (DockerLikeHarnessTest) as the container's JVM: a strict jail
 * (must be refused with the diagnosis), the same attacks in a best-effort jail (must be denied), and
 * as the control from a plain process of the container (must succeed). One line per fact on stdout.
 *
 * <p>Arguments: ATTACK ALLOWED_DIR OUTSIDE_DIR TCP_PORT ABSTRACT_NAME.
 */
public final class DockerLikeMain {
    private DockerLikeMain() {}

    public static void main(String[] args) throws Exception {
        String attack = args[0];
        String allowed = args[1];
        String outside = args[2];
        String port = args[3];
        String name = args[4];
        try {
            SandboxedProcess p = Sandbox.builder().readOnly(attack).build().start(attack, "exit", "0");
            p.waitFor();
            System.out.println("STRICT started");
        } catch (SandboxSetupException e) {
            System.out.println("STRICT " + e.getMessage().replace('\n', ' '));
        }
        System.out.println("DOCTOR " + org.sandbox4j.probe.HostProbe.run().feature("container").orElseThrow());
        Sandbox be = Sandbox.builder().bestEffort().tmpfs("/tmp").readOnly(attack).readWrite(allowed).proc("/proc")
                .dev("/dev").build();
        List<String[]> attacks = List.of(new String[] {"write", outside + "/x"}, new String[] {"read", outside + "/secret"},
                new String[] {"connect", port}, new String[] {"abstract", name}, new String[] {"write", allowed + "/x"});
        for (String[] a : attacks) {
            SandboxedProcess p = be.start(attack, a[0], a[1]);
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            System.out.println("BE " + a[0] + " " + out);
            if (a[0].equals("write") && a[1].startsWith(allowed)) {
                System.out.println("ISOLATION " + p.isolation().line());
            }
        }
        for (String[] a : attacks) {
            List<String> cmd = new ArrayList<>(List.of(attack, a[0], a[1]));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            System.out.println("CTRL " + a[0] + " " + out);
        }
    }
}
