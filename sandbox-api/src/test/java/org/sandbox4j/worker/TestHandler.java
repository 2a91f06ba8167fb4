package org.sandbox4j.worker;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The handler the worker tests run: the request is {@code verb:argument}, the reply says what
 * happened. The hostile verbs are the attacks a compromised parser would try.
 */
public final class TestHandler implements WorkerHandler {
    private static final List<Object> HOARD = new ArrayList<>();

    @Override
    public byte[] handle(byte[] request) throws Exception {
        String r = new String(request, StandardCharsets.UTF_8);
        int c = r.indexOf(':');
        String verb = c < 0 ? r : r.substring(0, c);
        String arg = c < 0 ? "" : r.substring(c + 1);
        switch (verb) {
            case "echo":
                return request;
            case "sleep":
                Thread.sleep(Long.parseLong(arg));
                return "slept".getBytes(StandardCharsets.UTF_8);
            case "oom":
                while (true) {
                    HOARD.add(new long[1 << 20]);
                }
            case "fill": { // MiB into /tmp: tmpfs pages, charged to the worker's memory cgroup
                byte[] mib = new byte[1 << 20];
                try (java.io.OutputStream o = Files.newOutputStream(Path.of("/tmp/fill"))) {
                    for (int i = 0; i < Integer.parseInt(arg); i++) {
                        o.write(mib);
                    }
                }
                return "filled".getBytes(StandardCharsets.UTF_8);
            }
            case "halt":
                Runtime.getRuntime().halt(Integer.parseInt(arg));
                return null;
            case "throw":
                throw new IllegalStateException("asked to throw " + arg);
            case "throwlong":
                throw new IllegalStateException("y".repeat(Integer.parseInt(arg)));
            case "log":
                // the formats of SLF4J simple, java.util.logging and plain text, as a library writes them
                System.err.println("[main] WARN org.example.Parser - careful " + arg);
                System.err.println("SEVERE: bad " + arg);
                System.err.println("plain " + arg);
                System.err.flush();
                return "logged".getBytes(StandardCharsets.UTF_8);
            case "noisycrash":
                System.err.println("[main] ERROR org.example.Parser - the real cause " + arg);
                System.err.println("\tat org.example.Parser.parse(Parser.java:1)");
                for (int i = 0; i < 60; i++) {
                    System.err.println("[main] WARN org.example.Fonts - unrelated warning " + i);
                }
                System.err.flush();
                Runtime.getRuntime().halt(7);
                return null;
            case "resource": {
                java.io.InputStream in = TestHandler.class.getClassLoader().getResourceAsStream(arg);
                return in == null ? "absent".getBytes(StandardCharsets.UTF_8) : in.readAllBytes();
            }
            case "read":
                return Files.readAllBytes(Path.of(arg));
            case "write":
                Files.writeString(Path.of(arg), "written");
                return "wrote".getBytes(StandardCharsets.UTF_8);
            case "connect":
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(arg)), 2000);
                    return "connected".getBytes(StandardCharsets.UTF_8);
                }
            case "exec": {
                Process p = new ProcessBuilder(arg, "-c", "echo pwned").start();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                p.getInputStream().transferTo(out);
                return out.toByteArray();
            }
            case "threads": {
                List<Thread> ts = new ArrayList<>();
                for (int i = 0; i < 100_000; i++) {
                    Thread t = new Thread(() -> {
                        try {
                            Thread.sleep(60_000);
                        } catch (InterruptedException e) {
                            // end
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                    ts.add(t);
                }
                return "threads".getBytes(StandardCharsets.UTF_8);
            }
            case "mkdir":
                Files.createDirectory(Path.of(arg));
                return "made".getBytes(StandardCharsets.UTF_8);
            case "stdout":
                System.out.println("noise on stdout goes to stderr");
                return "quiet".getBytes(StandardCharsets.UTF_8);
            case "ls":
                try (var s = Files.list(Path.of(arg))) {
                    return String.join("\n", s.map(Path::toString).sorted().toList()).getBytes(StandardCharsets.UTF_8);
                }
            case "flood": {
                // N bytes of 'x' on stderr with no newline, as a parser stuck in a loop might write
                byte[] chunk = new byte[1 << 16];
                java.util.Arrays.fill(chunk, (byte) 'x');
                java.io.FileOutputStream err = new java.io.FileOutputStream(java.io.FileDescriptor.err);
                for (long left = Long.parseLong(arg); left > 0; left -= chunk.length) {
                    err.write(chunk, 0, (int) Math.min(left, chunk.length));
                }
                return "flooded".getBytes(StandardCharsets.UTF_8);
            }
            case "bigframe": {
                // a reply header announcing 2 GiB - 1, straight on the protocol stream, then silence
                java.io.DataOutputStream out = new java.io.DataOutputStream(
                        new java.io.FileOutputStream(java.io.FileDescriptor.out));
                out.writeInt(Frames.REPLY_MAGIC);
                out.writeByte(Frames.OK);
                out.writeInt(Integer.MAX_VALUE);
                out.flush();
                Thread.sleep(60_000);
                return null;
            }
            default:
                throw new IllegalArgumentException("unknown verb " + verb);
        }
    }
}
