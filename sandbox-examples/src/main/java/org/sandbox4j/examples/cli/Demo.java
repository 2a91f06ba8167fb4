package org.sandbox4j.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.sandbox4j.JailExit;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxException;
import org.sandbox4j.SandboxedProcess;

/**
 * {@code sandbox4j demo}: a host file readable by every host user is out of a jailed program's reach
 * unless the jail is given it.
 */
final class Demo {
    private Demo() {}

    static int run(PrintStream out) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sandbox4j-demo-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path secret = dir.resolve("secret.txt");
            String token = "s3cret-" + UUID.randomUUID().toString().substring(0, 8);
            Files.writeString(secret, token + "\n");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));

            Sandbox jail = Sandbox.builder()
                    .readOnlySystem()
                    .tmpfs("/tmp")
                    .proc("/proc")
                    .dev("/dev")
                    .build();
            out.println("sandbox4j demo: can a jailed program read a host file?");
            out.println("host file: " + secret + " (mode 0644: every host user can read it)");
            out.println();

            out.println("1) jail = readOnlySystem() + tmpfs /tmp + proc + dev; run /bin/cat " + secret);
            Result r1 = cat(jail, secret);
            r1.print(out);
            boolean unreachable = !r1.stdout.contains(token) && r1.exit.exitValue() != 0;
            out.println();

            out.println("2) same jail + readOnly(\"" + dir + "\")");
            Sandbox withBind = jail.toBuilder().readOnly(dir.toString()).build();
            Result r2 = cat(withBind, secret);
            r2.print(out);
            boolean readableWithBind = r2.stdout.contains(token) && r2.exit.exitValue() == 0;
            out.println();

            if (unreachable && readableWithBind) {
                out.println("VERDICT: PASS - the jail could not reach the host file until it was bound in read-only");
                return 0;
            }
            if (!unreachable) {
                out.println("VERDICT: FAIL - the jailed cat read the host file without a bind");
            } else {
                out.println("VERDICT: FAIL - the jailed cat could not read the file even when bound in"
                        + " (so step 1 proves nothing)");
            }
            return 1;
        } catch (SandboxException e) {
            return Main.fail(e.getMessage());
        } catch (IOException | RuntimeException e) {
            return Main.fail("demo failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.fail("demo interrupted");
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private record Result(JailExit exit, String stdout, String stderr) {
        void print(PrintStream out) {
            out.println("   jail exit:  " + exit);
            if (!stdout.isEmpty()) {
                out.println("   cat stdout: " + stdout.strip());
            }
            if (!stderr.isEmpty()) {
                out.println("   cat stderr: " + stderr.strip());
            }
        }
    }

    private static Result cat(Sandbox jail, Path file) throws IOException, InterruptedException {
        SandboxedProcess p = jail.start("/bin/cat", file.toString());
        p.getOutputStream().close();
        // stderr on a thread of its own, stdout here: reading both from one thread could block on one
        // pipe while the program waits on the other, full
        CompletableFuture<String> err = new CompletableFuture<>();
        Thread errReader = new Thread(() -> err.complete(readAll(p.getErrorStream())), "demo-stderr");
        errReader.setDaemon(true);
        errReader.start();
        String out = readAll(p.getInputStream());
        JailExit exit = p.jailExit();
        return new Result(exit, out, err.join());
    }

    /** What the jail wrote, up to 1 MiB: the rest is drained and counted, never kept. */
    private static String readAll(InputStream in) {
        try (in) {
            String kept = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
            long rest = in.transferTo(java.io.OutputStream.nullOutputStream());
            return rest == 0 ? kept : kept + "[... " + rest + " more bytes cut]";
        } catch (IOException e) {
            return "";
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
