package org.sandbox4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** Starts the launcher with a pty as its controlling terminal (src/test/c/with-ctty.c). */
final class WithCtty {
    private WithCtty() {}

    private static Path binary;

    static synchronized Path binary() throws Exception {
        if (binary == null) {
            Path dir = JailTestSupport.fixtures();
            Path out = dir.resolve("with-ctty");
            Path src = Path.of(System.getProperty("sandbox4j.test.csrc", "src/test/c")).resolve("with-ctty.c");
            Process gcc = new ProcessBuilder("gcc", "-O2", "-o", out.toString(), src.toString()).inheritIO().start();
            if (gcc.waitFor() != 0) {
                throw new IllegalStateException("gcc failed on with-ctty.c");
            }
            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
            binary = out;
        }
        return binary;
    }

    static AutoCloseable activate(JailTestSupport.JailMode mode, Path withCtty) {
        AutoCloseable base = mode.activate(); // skips the test when the mode cannot run
        base.getClass();
        List<String> prefix = new ArrayList<>();
        prefix.add(withCtty.toString());
        if (mode == JailTestSupport.JailMode.UNPRIVILEGED) {
            prefix.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        return JailTestSupport.throughPrefix(prefix, JailTestSupport.fixtures().resolve("launcher"));
    }
}
