package org.sandbox4j.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxedProcess;

/**
 * The child JVM of {@link NativeLayerTest}: starts one jail of {@code /bin/true} with
 * {@code readOnlySystem()} (the first-jail path), then prints {@code impl=<name> exit=<code>
 * jnidispatch=<mapped?>}, the last: whether libjnidispatch.so (from jna.tmpdir) is mapped. The parent reads which classes the JVM loaded from its class-load log.
 */
public final class NativeLayerProbeMain {
    private NativeLayerProbeMain() {}

    public static void main(String[] args) throws Exception {
        SandboxedProcess p = Sandbox.builder().readOnlySystem().build().start("/bin/true");
        int rc = p.waitFor();
        p.getOutputStream().close();
        p.getInputStream().close();
        p.getErrorStream().close();
        // JNA extracts libjnidispatch.so under a temporary name into jna.tmpdir (the parent sets it).
        String maps = Files.readString(Path.of("/proc/self/maps"));
        String dir = System.getProperty("jna.tmpdir", "/nonexistent");
        boolean mapped = maps.contains("jnidispatch") || maps.contains(dir);
        System.out.println("impl=" + NativeCalls.get().name() + " exit=" + rc + " jnidispatch=" + mapped);
    }
}
