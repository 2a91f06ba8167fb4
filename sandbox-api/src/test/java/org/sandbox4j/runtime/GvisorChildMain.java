package org.sandbox4j.runtime;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxedProcess;

/** A child JVM of {@link GvisorJvmDeathTest}: {@code ATTACK} starts a gVisor jail, prints READY, waits to be killed. */
public final class GvisorChildMain {
    private GvisorChildMain() {}

    public static void main(String[] args) throws Exception {
        Sandbox s = Sandbox.builder().readOnly(args[0], "/attack").tmpfs("/tmp").runtime(JailRuntime.GVISOR).build();
        SandboxedProcess p = s.start("/attack", "hold", "2", "gvisor-jvm-death");
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        System.out.println("HOLDING".equals(r.readLine()) ? "READY" : "BROKEN");
        System.out.flush();
        Thread.sleep(600_000);
    }
}
