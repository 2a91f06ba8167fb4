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
            case "halt":
                Runtime.getRuntime().halt(Integer.parseInt(arg));
                return null;
            case "throw":
                throw new IllegalStateException("asked to throw " + arg);
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
            default:
                throw new IllegalArgumentException("unknown verb " + verb);
        }
    }
}
