package org.sandbox4j.seccomp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Builds and runs the C programs of {@code src/test/c} with the host's gcc. */
final class NativeHarness {
    static final Path C_DIR = Path.of("src/test/c");
    static final Path OUT = Path.of("target/seccomp-c");

    private NativeHarness() {}

    /** Compiles {@code src/test/c/<name>.c}; empty (with the reason in {@code why}) if impossible. */
    static synchronized Optional<Path> build(String name, List<String> why, String... libs) {
        Path src = C_DIR.resolve(name + ".c");
        Path bin = OUT.resolve(name);
        try {
            Files.createDirectories(OUT);
            if (Files.exists(bin) && Files.getLastModifiedTime(bin).compareTo(Files.getLastModifiedTime(src)) > 0) {
                return Optional.of(bin);
            }
            List<String> cmd = new ArrayList<>(List.of("gcc", "-Wall", "-Wextra", "-Werror", "-O2",
                    "-o", bin.toString(), src.toString()));
            cmd.addAll(List.of(libs));
            Result r = run(cmd, null, 120);
            if (r.exit != 0) {
                why.add("gcc " + name + " failed: " + r.err);
                return Optional.empty();
            }
            return Optional.of(bin);
        } catch (IOException e) {
            why.add("cannot run gcc: " + e.getMessage());
            return Optional.empty();
        }
    }

    record Result(int exit, String out, String err) {}

    static Result run(List<String> cmd, String stdin, int timeoutSeconds) throws IOException {
        Path out = Files.createTempFile("sc4j", ".out");
        Path err = Files.createTempFile("sc4j", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
