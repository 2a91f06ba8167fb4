package org.sandbox4j.selfjail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.sandbox4j.Network;
import org.sandbox4j.Sandbox;

/**
 * The application the self-jail tests start (as a separate JVM). {@code args[0]} says what to do;
 * every mode but {@code chroot}, {@code plain} and {@code unjailed} first enters a self-jail that
 * shows {@code args[1]} (a data directory) read-write.
 *
 * <ul>
 *   <li>{@code probe DATA SECRET none|host}: prints what the jail shows, echoes one line of stdin to
 *       stdout and one to stderr, writes DATA/written, exits 42.
 *   <li>{@code term DATA MARKER}: a shutdown hook prints HOOK; prints READY and waits for a signal.
 *   <li>{@code hold DATA MARKER}: prints READY and waits (to be SIGKILLed from outside).
 *   <li>{@code isjailed DATA}: prints isJailed() before and after enter.
 *   <li>{@code partial DATA}: the outer JVM's jail shares the network namespace, the jailed JVM's
 *       Sandbox wants it new.
 *   <li>{@code collide DATA DIR}: the Sandbox covers DIR (a class path directory) with /usr/share.
 *   <li>{@code innerrw DATA}: DATA lies inside a class path directory; writes DATA/written.
 *   <li>{@code broken DATA}: a jail that cannot be built, best effort: prints whether jailed.
 *   <li>{@code chroot DIR}: in-process chroot to DIR as uid 65534; prints what threads see, then waits.
 *   <li>{@code chroot-fd deleted|opath|received|bind-of-root ROOT OUTSIDE MARKER check|nocheck [SEND_DIRFD]}:
 *       holds a directory descriptor outside ROOT (OUTSIDE/sub opened then removed; OUTSIDE opened
 *       O_PATH; OUTSIDE opened by another process, SEND_DIRFD, and received over a unix socket; ROOT
 *       bind-mounted at OUTSIDE/alias and that opened O_PATH, in a private mount namespace), prints
 *       {@code FD n}, then chroots to ROOT; with {@code check}, prints {@code REFUSED message} when
 *       refused; then (or with {@code nocheck}, which skips the check) tries the escape: fchdir to the
 *       descriptor, {@code ..} up to the host's /, read MARKER: {@code ESCAPED content} or
 *       {@code CONFINED errno}.
 *   <li>{@code bench-plain}, {@code bench-jail DATA}: the startup benchmark's application.
 * </ul>
 */
public final class SelfJailApp {
    private SelfJailApp() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        if (mode.equals("bench-plain")) {
            System.out.println("hello");
            return;
        }
        if (mode.equals("chroot")) {
            chroot(args);
            return;
        }
        if (mode.equals("chroot-after-jail")) {
            chrootAfterJail(Path.of(args[1]), args[2], args[3]);
            return;
        }
        if (mode.equals("chroot-fd")) {
            chrootWithFd(args);
            return;
        }
        if (mode.equals("bench-jail-lazy")) {
            SelfJail.enter(() -> Sandbox.builder().readWrite(args[1]).build(), args, SelfJail.Options.strict());
            System.out.println("hello");
            return;
        }
        Sandbox.Builder b = Sandbox.builder().readWrite(args[1]);
        if (mode.equals("probe") && args[3].equals("host")) {
            b.network(Network.HOST);
        }
        if (mode.equals("isjailed")) {
            System.out.println("before=" + SelfJail.isJailed());
            System.out.flush();
            SelfJail.enter(b.build(), args);
            System.out.println("after=" + SelfJail.isJailed());
            return;
        }
        if (mode.equals("partial") && !SelfJail.isJailed()) {
            b.network(Network.HOST); // the outer JVM builds a weaker jail than the jailed JVM's Sandbox asks for
        }
        if (mode.equals("collide")) {
            b.readOnly("/usr/share", args[2]); // covers a class path directory with other content
        }
        if (mode.equals("broken")) {
            b.readOnly("/nonexistent-selfjail-source");
            SelfJail.enter(b.build(), args, SelfJail.Options.bestEffort());
            System.out.println("jailed=" + SelfJail.isJailed());
            return;
        }
        SelfJail.enter(b.build(), args);
        switch (mode) {
            case "bench-jail":
                System.out.println("hello");
                return;
            case "partial":
            case "collide":
                System.out.println("jailed=" + SelfJail.isJailed());
                return;
            case "innerrw":
                Files.writeString(Path.of(args[1], "written"), "through the Sandbox's own bind");
                System.out.println("wrote jailed=" + SelfJail.isJailed());
                return;
            case "probe":
                probe(args);
                return;
            case "term":
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    System.out.println("HOOK");
                    System.out.flush();
                }));
                System.out.println("READY jailed=" + SelfJail.isJailed());
                System.out.flush();
                Thread.sleep(120_000);
                System.exit(99);
                return;
            case "hold":
                System.out.println("READY jailed=" + SelfJail.isJailed());
                System.out.flush();
                Thread.sleep(120_000);
                System.exit(99);
                return;
            default:
                throw new IllegalArgumentException(mode);
        }
    }

    private static void probe(String[] args) throws Exception {
        Path data = Path.of(args[1]);
        System.out.println("jailed=" + SelfJail.isJailed());
        System.out.println("pid=" + ProcessHandle.current().pid());
        System.out.println("secret=" + (Files.exists(Path.of(args[2])) ? "VISIBLE" : "hidden"));
        System.out.println("processes=" + ProcessHandle.allProcesses().count());
        System.out.println("interfaces=" + Collections.list(NetworkInterface.getNetworkInterfaces()).size());
        System.out.println("args=" + String.join("|", args));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("stdin=" + in.readLine());
        System.err.println("to-stderr");
        Files.writeString(data.resolve("written"), "from the jail");
        System.out.flush();
        System.exit(42);
    }

    /** Threads that exist before and are created after the chroot all see the new root. */
    private static void chroot(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        Object lock = new Object();
        boolean[] go = new boolean[1];
        String[] before = new String[1];
        Thread early = new Thread() {
            @Override
            public void run() {
                synchronized (lock) {
                    while (!go[0]) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
                before[0] = view();
            }
        };
        String[] after = new String[1];
        Thread late = new Thread() {
            @Override
            public void run() {
                after[0] = view();
            }
        }; // created (its class loaded) before the class path goes away; started after
        early.start();
        org.sandbox4j.internal.LibC.getpid(); // native calls bound before the host's files go away
        InProcessChroot.enter(dir, 65534, 65534);
        synchronized (lock) {
            go[0] = true;
            lock.notifyAll();
        }
        early.join();
        late.start();
        late.join();
        System.out.println("main " + view());
        System.out.println("early " + before[0]);
        System.out.println("late " + after[0]);
        System.out.println("uid=" + org.sandbox4j.internal.LibC.geteuid());
        System.out.println("chroot-again=" + (org.sandbox4j.internal.LibC.chroot("/") == 0 ? "ALLOWED" : "errno" + org.sandbox4j.internal.LibC.errno()));
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(120_000);
    }

    /**
     * A jail first (the default, prestarted launcher starts, as root on the host), then the chroot
     * into ROOT, then a jail of ATTACK binding HOSTDIR read-write: both paths also exist inside ROOT,
     * so the Java side's checks pass, and a launcher outside the chroot would bind the host's. Prints
     * "jail-before=..", "jail-after=.." (the outcome) and "READY".
     */
    private static void chrootAfterJail(Path root, String hostDir, String attack) throws Exception {
        int rc = jailWriting(hostDir, attack, "before").waitFor();
        System.out.println("jail-before=" + rc + " zygote=" + (org.sandbox4j.internal.PrestartedLauncher.zygotePid() > 0));
        Class.forName("org.sandbox4j.internal.SetupFailures"); // no class loads after the chroot
        InProcessChroot.enter(root, 65534, 65534);
        String outcome;
        try {
            outcome = "exit " + jailWriting(hostDir, attack, "after").waitFor();
        } catch (Exception | LinkageError e) { // a class the failure needs may no longer load in the chroot
            outcome = "refused " + e;
        }
        System.out.println("jail-after=" + outcome.replace('\n', ' '));
        System.out.println("READY");
        System.out.flush();
    }

    private static Process jailWriting(String hostDir, String attack, String file) throws Exception {
        return Sandbox.builder().readOnly(attack, "/t/attack").readWrite(hostDir, "/w").build()
                .start("/t/attack", "write", "/w/" + file);
    }

    private static void chrootWithFd(String[] args) throws Exception {
        String kind = args[1];
        Path root = Path.of(args[2]);
        Path outside = Path.of(args[3]);
        String marker = args[4];
        boolean check = args[5].equals("check");
        int fd;
        switch (kind) {
            case "deleted": {
                Path sub = Files.createDirectory(outside.resolve("sub"));
                fd = org.sandbox4j.internal.LibC.open(sub.toString(), org.sandbox4j.internal.LibC.O_RDONLY, 0);
                Files.delete(sub); // rmdir: the descriptor's name now reads ".../sub (deleted)"
                break;
            }
            case "bind-of-root": {
                // the new root itself, bind-mounted outside it: same device and inode, another mount
                Path alias = Files.createDirectory(outside.resolve("alias"));
                Process m = new ProcessBuilder("mount", "--bind", root.toString(), alias.toString()).inheritIO().start();
                if (m.waitFor() != 0) {
                    throw new IllegalStateException("mount --bind failed (run in a private mount namespace as root)");
                }
                fd = org.sandbox4j.internal.LibC.open(alias.toString(), OutsideFds.O_PATH | OutsideFds.O_CLOEXEC, 0);
                break;
            }
            case "opath":
                fd = org.sandbox4j.internal.LibC.open(outside.toString(), OutsideFds.O_PATH | OutsideFds.O_CLOEXEC, 0);
                break;
            case "received": {
                String name = "sandbox4j-test-" + ProcessHandle.current().pid();
                Process sender = new ProcessBuilder(args[6], name, outside.toString()).redirectErrorStream(true).start();
                String ready = new BufferedReader(new InputStreamReader(sender.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                int sock = "LISTENING".equals(ready) ? FdTricks.connectAbstract(name) : -1;
                fd = sock < 0 ? -1 : FdTricks.receiveFd(sock);
                org.sandbox4j.internal.LibC.close(sock);
                if (sender.waitFor() != 0) {
                    throw new IllegalStateException("send_dirfd failed: " + ready);
                }
                break;
            }
            default:
                throw new IllegalArgumentException(kind);
        }
        if (fd < 0) {
            throw new IllegalStateException("no descriptor: errno " + com.sun.jna.Native.getLastError());
        }
        System.out.println("FD " + fd);
        String escapedPath = marker.substring(1); // relative, resolved from the cwd the walk reaches
        FdTricks.fchdir(-1); // bound before the chroot
        byte[] buf = new byte[256];
        try {
            InProcessChroot.enter(root, 65534, 65534, org.sandbox4j.seccomp.SeccompPolicies.defaultDenyList(), check);
        } catch (org.sandbox4j.SandboxException e) {
            System.out.println("REFUSED " + e.getMessage());
            System.out.flush();
            return;
        }
        String result;
        if (FdTricks.fchdir(fd) != 0) {
            result = "CONFINED fchdir errno" + org.sandbox4j.internal.LibC.errno();
        } else {
            for (int i = 0; i < 64; i++) {
                org.sandbox4j.internal.LibC.chdir("..");
            }
            int m = org.sandbox4j.internal.LibC.open(escapedPath, org.sandbox4j.internal.LibC.O_RDONLY, 0);
            if (m < 0) {
                result = "CONFINED open errno" + org.sandbox4j.internal.LibC.errno();
            } else {
                long n = org.sandbox4j.internal.LibC.read(m, buf, buf.length);
                result = "ESCAPED " + new String(buf, 0, (int) Math.max(n, 0), StandardCharsets.UTF_8);
            }
        }
        System.out.println(result);
        System.out.flush();
    }

    /** What this thread sees of the file system. */
    static String view() {
        return "marker=" + Files.exists(Path.of("/inside-marker")) + " etc-passwd=" + Files.exists(Path.of("/etc/passwd"));
    }
}
