package org.sandbox4j.examples.workers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.sandbox4j.JailExit;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxedProcess;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.seccomp.SeccompProfiles;
import org.sandbox4j.worker.ExecOnce;
import org.sandbox4j.worker.ProgramFiles;

/**
 * {@code external FILE}: pdftotext (poppler-utils) in a jail that shows only pdftotext and its
 * libraries, with no network, no new processes, and a seccomp filter that refuses any execve after
 * the one that started pdftotext. The PDF goes in on stdin, the text comes out on stdout.
 */
public final class ExternalExample {
    private ExternalExample() {}

    /** The jail: build once, start per document. */
    public static Sandbox sandbox() throws IOException {
        Path pdftotext = Path.of("/usr/bin/pdftotext");
        ExecOnce.checkTarget(pdftotext);
        Sandbox.Builder b = Sandbox.builder().tmpfs("/tmp", 16L << 20)
                .seccomp(ExecOnce.wrap(SeccompProfiles.policy(SeccompProfiles.DOCUMENT_PARSER)))
                .rlimit(Rlimit.AS, 512L << 20).rlimit(Rlimit.CPU, 10).rlimit(Rlimit.FSIZE, 16L << 20)
                .timeLimit(Duration.ofSeconds(10));
        return ProgramFiles.bind(b, pdftotext).build();
    }

    /** Text of {@code pdf}, and how pdftotext ended. */
    public record Result(String text, String errors, JailExit exit) {}

    public static Result pdfToText(Sandbox sandbox, byte[] pdf) throws IOException, InterruptedException {
        SandboxedProcess p = sandbox.start("/usr/bin/pdftotext", "-q", "-", "-");
        // Blocking pipe I/O gets threads of its own: on a small machine CompletableFuture's shared
        // pool may have a single worker, and a writer queued behind a reader would never run.
        CompletableFuture<byte[]> err = new CompletableFuture<>();
        Thread errReader = new Thread(() -> err.complete(readAll(p.getErrorStream())), "pdftotext-stderr");
        Thread writer = new Thread(() -> {
            try (var in = p.getOutputStream()) {
                in.write(pdf);
            } catch (IOException e) {
                // pdftotext stopped reading: its exit status tells why
            }
        }, "pdftotext-stdin");
        errReader.setDaemon(true);
        writer.setDaemon(true);
        errReader.start();
        writer.start();
        byte[] out = readAll(p.getInputStream());
        JailExit exit = p.jailExit();
        return new Result(new String(out, StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8), exit);
    }

    /** At most 64 MiB of what the jail wrote: a parser that writes forever cannot fill this heap. */
    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            byte[] b = in.readNBytes(64 << 20);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return b;
        } catch (IOException e) {
            return new byte[0]; // the jail ended
        }
    }

    public static void main(String[] args) throws Exception {
        Result r = pdfToText(sandbox(), java.nio.file.Files.readAllBytes(Path.of(args[0])));
        System.out.print(r.text());
        System.err.println("pdftotext " + r.exit());
    }
}
