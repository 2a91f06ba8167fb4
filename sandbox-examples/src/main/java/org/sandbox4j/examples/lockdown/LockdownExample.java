package org.sandbox4j.examples.lockdown;

import com.sun.jna.Native;
import com.sun.jna.StringArray;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.sandbox4j.lockdown.Lockdown;
import org.sandbox4j.lockdown.LockdownReport;
import org.sandbox4j.limits.Rlimit;
import org.sandbox4j.seccomp.SeccompProfiles;

/**
 * Example (and the body of the lockdown tests): starts worker threads, a small HTTP server, a listening
 * socket and a child process, locks the JVM down (no-exec seccomp, Landlock: writes only below DATA,
 * TCP connect only to the HTTP port, no TCP bind; NOFILE; no capabilities), then tries each attack from
 * a thread created before the lockdown, from one created after, and (JDK 21+) from a virtual thread.
 * Prints one line per attack and check; exits 0 only if all were contained and the JVM kept working.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... org.sandbox4j.examples.lockdown.LockdownExample [DATA_DIR] [REQUESTS]
 * </pre>
 */
public final class LockdownExample {
    /** The system calls the attacks try, bound with JNA here (the library's own native layer is internal). */
    private static final class Attacks {
        static final long PTRACE_ATTACH = 16;
        static final int CLONE_NEWUSER = 0x10000000;

        static {
            Native.register(Attacks.class, com.sun.jna.NativeLibrary.getInstance(com.sun.jna.Platform.C_LIBRARY_NAME));
        }

        static native int execve(String path, StringArray argv, StringArray envp);

        static native long ptrace(long request, int pid, com.sun.jna.Pointer addr, com.sun.jna.Pointer data);

        static native int unshare(int flags);

        /** Loads the class, and with it JNA and the bindings. */
        static void bind() {}
    }

    private LockdownExample() {}

    private static final AtomicInteger FAILURES = new AtomicInteger();

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            e.printStackTrace();
            System.out.println("FAILED " + e);
            System.out.flush();
            Runtime.getRuntime().halt(2);
        }
    }

    private static void run(String[] args) throws Exception {
        Path data = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("lockdown-data");
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        Files.createDirectories(data);
        Path outside = Files.createTempDirectory("lockdown-outside");

        // Before the lockdown: worker threads, a server, a listening socket, a child process.
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    // stop
                }
            }, "idle-worker-" + i);
            t.setDaemon(true);
            t.start();
            workers.add(t);
        }
        SynchronousQueue<Callable<String>> toOld = new SynchronousQueue<>();
        SynchronousQueue<String> fromOld = new SynchronousQueue<>();
        Thread old = new Thread(() -> {
            try {
                for (;;) {
                    Callable<String> c = toOld.take();
                    String r;
                    try {
                        r = c.call();
                    } catch (Throwable e) {
                        r = "ESCAPED? threw " + e;
                    }
                    fromOld.put(r);
                }
            } catch (InterruptedException e) {
                // stop
            }
        }, "old-thread");
        old.setDaemon(true);
        old.start();
        System.setProperty("sun.net.httpserver.nodelay", "true"); // else Nagle costs 40 ms per response
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.createContext("/", ex -> {
            byte[] body = ("hello " + ex.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        int httpPort = server.getAddress().getPort();
        ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int otherPort = other.getLocalPort();
        Process child = new ProcessBuilder("/bin/sleep", "60").start();
        // JNA extracts and loads its native library on first use: before the lockdown, which forbids both
        // (on JDK 22+ sandbox4j itself does not load JNA, so nothing else has done it).
        Attacks.bind();

        LockdownReport report = Lockdown.builder()
                .seccomp(SeccompProfiles.LOCKDOWN_NO_EXEC)
                .landlock(fs -> fs.allowReadEverywhere().readWrite(data.toString()).readWrite("/dev/null")
                        .allowTcpConnect(httpPort).denyTcpBind())
                .limit(Rlimit.NOFILE, 4096)
                .clearBoundingSet() // every capability set, the bounding set included
                .apply();
        for (String l : report.lines()) {
            System.out.println("REPORT " + l);
        }

        List<String> where = new ArrayList<>(List.of("old", "new"));
        ExecutorService virtual = virtualExecutor();
        if (virtual != null) {
            where.add("virtual");
        }
        for (String w : where) {
            attack(w, "Runtime.exec", () -> expectIOException(() -> Runtime.getRuntime().exec(new String[] {"/bin/true"})),
                    toOld, fromOld, virtual);
            attack(w, "ProcessBuilder", () -> expectIOException(() -> new ProcessBuilder("/bin/true").start()),
                    toOld, fromOld, virtual);
            attack(w, "execve", () -> {
                int rc = Attacks.execve("/bin/true", new StringArray(new String[] {"/bin/true"}), new StringArray(new String[0]));
                return rc == -1 ? "CONTAINED errno " + Native.getLastError() : "ESCAPED execve returned " + rc;
            }, toOld, fromOld, virtual);
            attack(w, "write-outside", () -> expectIOException(() -> Files.writeString(outside.resolve("x-" + w), "pwned")),
                    toOld, fromOld, virtual);
            attack(w, "connect-forbidden-port", () -> expectIOException(() -> {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), otherPort)) {
                    return s;
                }
            }), toOld, fromOld, virtual);
            attack(w, "bind", () -> expectIOException(() -> {
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    return s;
                }
            }), toOld, fromOld, virtual);
            attack(w, "ptrace-child", () -> {
                long rc = Attacks.ptrace(Attacks.PTRACE_ATTACH, (int) child.pid(), null, null);
                return rc == -1 ? "CONTAINED errno " + Native.getLastError() : "ESCAPED ptrace attached";
            }, toOld, fromOld, virtual);
            attack(w, "unshare-userns", () -> {
                int rc = Attacks.unshare(Attacks.CLONE_NEWUSER);
                return rc == -1 ? "CONTAINED errno " + Native.getLastError() : "ESCAPED unshare worked";
            }, toOld, fromOld, virtual);
            attack(w, "capabilities", () -> {
                String st = Files.readString(Path.of("/proc/thread-self/status"));
                String eff = st.lines().filter(l -> l.startsWith("CapEff:")).findFirst().orElse("?");
                String nnp = st.lines().filter(l -> l.startsWith("NoNewPrivs:")).findFirst().orElse("?");
                return eff.endsWith("0000000000000000") && nnp.endsWith("1") ? "CONTAINED " + eff.replace('\t', ' ')
                        : "ESCAPED " + eff + " " + nnp;
            }, toOld, fromOld, virtual);
        }

        // Still working: the allowed write, HTTP under load, GC, new threads, class loading.
        check("write-data-dir", () -> {
            Files.writeString(data.resolve("ok.txt"), "fine");
            return "WORKING wrote " + data.resolve("ok.txt");
        });
        check("http", () -> {
            int ok = 0;
            for (int i = 0; i < requests; i++) {
                HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + httpPort + "/r" + i).openConnection();
                try (InputStream in = c.getInputStream()) {
                    if (new String(in.readAllBytes(), StandardCharsets.UTF_8).equals("hello /r" + i)) {
                        ok++;
                    }
                }
            }
            return ok == requests ? "WORKING " + ok + " requests served" : "BROKEN only " + ok + " of " + requests;
        });
        check("gc", () -> {
            List<byte[]> keep = new ArrayList<>();
            long sum = 0;
            for (int i = 0; i < 200_000; i++) {
                byte[] b = new byte[1024 + (i % 64) * 64];
                b[0] = (byte) i;
                sum += b.length;
                if (i % 100 == 0) {
                    keep.add(b);
                }
                if (keep.size() > 500) {
                    keep.subList(0, 250).clear();
                }
            }
            System.gc();
            return "WORKING allocated " + (sum >> 20) + " MiB, System.gc() returned";
        });
        check("threads", () -> {
            ExecutorService pool = Executors.newFixedThreadPool(32);
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int k = i;
                fs.add(pool.submit(() -> k * 2));
            }
            int s = 0;
            for (Future<Integer> f : fs) {
                s += f.get();
            }
            pool.shutdown();
            return s == 39800 ? "WORKING 200 tasks on 32 new threads" : "BROKEN sum " + s;
        });
        check("class-loading", () -> "WORKING loaded " + LateClass.hello());
        if (virtual != null) {
            check("virtual-threads", () -> {
                List<Future<Integer>> fs = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    int k = i;
                    fs.add(virtual.submit(() -> {
                        Thread.sleep(1);
                        return k;
                    }));
                }
                long s = 0;
                for (Future<Integer> f : fs) {
                    s += f.get();
                }
                return s == 499500 ? "WORKING 1000 virtual threads" : "BROKEN sum " + s;
            });
        }
        server.stop(0);
        child.destroyForcibly();
        System.out.println(FAILURES.get() == 0 ? "ALL CONTAINED, JVM WORKING" : "FAILURES " + FAILURES.get());
        System.out.flush();
        Runtime.getRuntime().halt(FAILURES.get() == 0 ? 0 : 1);
    }

    /** A class first loaded after the lockdown. */
    static final class LateClass {
        static String hello() {
            return LateClass.class.getName();
        }
    }

    private interface Attempt {
        Object run() throws Exception;
    }

    private static String expectIOException(Attempt a) {
        try {
            Object o = a.run();
            return "ESCAPED succeeded: " + o;
        } catch (IOException e) {
            String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            return "CONTAINED " + e.getClass().getSimpleName() + ": " + msg;
        } catch (Exception e) {
            return "ESCAPED? unexpected " + e;
        }
    }

    private static void attack(String where, String name, Callable<String> c, SynchronousQueue<Callable<String>> toOld,
            SynchronousQueue<String> fromOld, ExecutorService virtual) throws Exception {
        String r;
        switch (where) {
            case "old":
                toOld.put(c);
                r = fromOld.poll(30, TimeUnit.SECONDS);
                break;
            case "new": {
                String[] box = new String[1];
                Thread t = new Thread(() -> {
                    try {
                        box[0] = c.call();
                    } catch (Throwable e) {
                        box[0] = "ESCAPED? threw " + e;
                    }
                }, "new-thread");
                t.start();
                t.join(30_000);
                r = box[0];
                break;
            }
            default:
                r = virtual.submit(c).get(30, TimeUnit.SECONDS);
        }
        if (r == null || !r.startsWith("CONTAINED")) {
            FAILURES.incrementAndGet();
        }
        System.out.println("ATTACK " + name + " from " + where + " thread: " + r);
    }

    private static void check(String name, Callable<String> c) {
        String r;
        try {
            r = c.call();
        } catch (Throwable e) {
            r = "BROKEN " + e;
        }
        if (!r.startsWith("WORKING")) {
            FAILURES.incrementAndGet();
        }
        System.out.println("CHECK " + name + ": " + r);
    }

    /** Executors.newVirtualThreadPerTaskExecutor() on JDK 21+, null before. */
    private static ExecutorService virtualExecutor() {
        try {
            Method m = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) m.invoke(null);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

}
