package org.sandbox4j.examples.cli;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.sandbox4j.JailExit;
import org.sandbox4j.Namespace;
import org.sandbox4j.Network;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxException;
import org.sandbox4j.SandboxedProcess;
import org.sandbox4j.caps.Capability;
import org.sandbox4j.examples.cli.Main.UsageException;
import org.sandbox4j.limits.Rlimit;
import sun.misc.Signal;

/**
 * {@code sandbox4j run}: every option is one builder call, applied in command-line order.
 *
 * <p>Signals: SIGINT, SIGTERM and SIGHUP sent to the CLI's JVM are forwarded to the jail with
 * {@link SandboxedProcess#signal(int)} from {@code sun.misc.Signal} handlers (which replace the JVM's
 * default "run shutdown hooks and exit"). The JVM keeps running until the jail has exited and then
 * exits with the jail's status, so a program that handles SIGTERM and exits 0 makes the CLI exit 0,
 * and one killed by it makes the CLI exit 143. (A shutdown hook could only forward the signal; the
 * JVM's own status would then be 128+N whatever the program did.)
 */
final class RunCommand {
    static final String HELP = String.join("\n",
            "usage: sandbox4j run [OPTION]... -- COMMAND [ARG]...",
            "",
            "Runs COMMAND in a new jail: new user, mount, pid, net, ipc, uts and cgroup namespaces; an empty,",
            "read-only tmpfs root; uid/gid 65534; no capabilities; an empty environment; stdio inherited.",
            "Options are applied in order (mount options build the file system in that order):",
            "  --ro-bind SRC[:DST]     bind host SRC read-only at DST (default: the same path)",
            "  --bind SRC[:DST]        bind host SRC read-write at DST",
            "  --tmpfs DST             an empty tmpfs at DST",
            "  --proc DST              a new /proc of the jail's pid namespace at DST",
            "  --dev DST               a minimal /dev (null, zero, full, random, urandom, tty, fd links) at DST",
            "  --chroot DIR            use host DIR (read-only) as the jail's root instead of an empty tmpfs",
            "  --uid N, --gid N        the ids inside the jail (default 65534)",
            "  --hostname NAME         the jail's host name (default: sandbox)",
            "  --net none|host         none: a new network namespace with loopback only (default); host: share",
            "  --share NS              keep the host's namespace NS: user, mount, pid, net, ipc, uts, cgroup",
            "  --env K=V               set an environment variable (the environment is empty otherwise)",
            "  --cwd DIR               the working directory inside the jail (default /)",
            "  --rlimit NAME=SOFT[:HARD]  a resource limit (nofile, nproc, as, cpu, fsize, ...); inf/unlimited",
            "  --cap-keep CAP          keep capability CAP (e.g. net_bind_service) in the jail's user namespace",
            "  --time-limit SECONDS    kill the jail after SECONDS of wall-clock time (decimals allowed)",
            "  --keep-fd N             pass this process's open fd N to the program as fd N",
            "  --ro-system             /usr read-only and /bin, /sbin, /lib, /lib64 as on the host",
            "  --seccomp PROFILE|FILE  a precompiled profile (STDIO_ONLY, DOCUMENT_PARSER, JVM_WORKER,",
            "                          NETWORK_CLIENT, LOCKDOWN_NO_EXEC) or a policy file in the kafel-style",
            "                          language (docs/seccomp.md); default: the kernel attack-surface deny list",
            "  --seccomp-string TEXT   a policy given inline, e.g. 'POLICY p { ERRNO(1) { uname } } USE p DEFAULT ALLOW'",
            "  --no-seccomp            no seccomp filter at all",
            "",
            "COMMAND is an absolute path inside the jail, or a name looked up in the jail's PATH.",
            "Example: sandbox4j run --ro-bind /usr --ro-bind /bin --ro-bind /lib --ro-bind /lib64 \\",
            "             --tmpfs /tmp --proc /proc --dev /dev -- /bin/sh -c 'id; hostname'",
            "Exit status: the command's; 128+N when it died by signal N; 125 when sandbox4j failed.");

    private RunCommand() {}

    static int run(List<String> args) throws UsageException {
        Sandbox.Builder b = Sandbox.builder().inheritIO();
        List<String> command = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                command = args.subList(i + 1, args.size());
                break;
            }
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(HELP);
                return 0;
            }
            if (!a.startsWith("-")) {
                command = args.subList(i, args.size());
                break;
            }
            if (a.equals("--no-seccomp")) {
                b.noSeccomp();
                continue;
            }
            if (a.equals("--ro-system")) {
                b.readOnlySystem();
                continue;
            }
            String opt = a;
            String value;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 2) {
                opt = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else {
                if (i + 1 >= args.size()) {
                    throw new UsageException(opt + " needs a value (see sandbox4j run --help)");
                }
                value = args.get(++i);
            }
            try {
                apply(b, opt, value);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new UsageException(opt + " " + value + ": " + e.getMessage());
            }
        }
        if (command == null || command.isEmpty()) {
            throw new UsageException("no command given: sandbox4j run [OPTION]... -- COMMAND [ARG]...");
        }
        Sandbox sandbox;
        try {
            sandbox = b.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageException(e.getMessage());
        }
        return runJail(sandbox, command);
    }

    private static void apply(Sandbox.Builder b, String opt, String v) throws UsageException {
        switch (opt) {
            case "--ro-bind": {
                String[] sd = srcDst(v);
                b.readOnly(Path.of(sd[0]), sd[1]);
                break;
            }
            case "--bind": {
                String[] sd = srcDst(v);
                b.readWrite(Path.of(sd[0]), sd[1]);
                break;
            }
            case "--tmpfs":
                b.tmpfs(v);
                break;
            case "--proc":
                b.proc(v);
                break;
            case "--dev":
                b.dev(v);
                break;
            case "--chroot":
                b.chroot(Path.of(v));
                break;
            case "--uid":
                b.uid(parseId(opt, v));
                break;
            case "--gid":
                b.gid(parseId(opt, v));
                break;
            case "--hostname":
                b.hostname(v);
                break;
            case "--net":
                switch (v.toLowerCase(Locale.ROOT)) {
                    case "none":
                        b.network(Network.NONE);
                        break;
                    case "host":
                        b.network(Network.HOST);
                        break;
                    default:
                        throw new UsageException("--net " + v + ": expected none or host");
                }
                break;
            case "--share":
                b.share(Namespace.parse(v));
                break;
            case "--env": {
                int eq = v.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("--env " + v + ": expected NAME=VALUE");
                }
                b.env(v.substring(0, eq), v.substring(eq + 1));
                break;
            }
            case "--cwd":
                b.cwd(v);
                break;
            case "--rlimit":
                rlimit(b, v);
                break;
            case "--cap-keep":
                b.keepCapabilities(Capability.parse(v));
                break;
            case "--time-limit":
                b.timeLimit(parseSeconds(v));
                break;
            case "--keep-fd": {
                int fd = parseInt(opt, v);
                if (fd < 3) {
                    throw new UsageException("--keep-fd " + v + ": stdin, stdout and stderr are always passed; give a fd >= 3");
                }
                if (!Files.exists(Path.of("/proc/self/fd/" + fd))) {
                    throw new UsageException("--keep-fd " + v + ": fd " + fd + " is not open in sandbox4j");
                }
                b.keepFd(fd);
                break;
            }
            case "--seccomp":
                SeccompCommand.applyPolicy(b, v);
                break;
            case "--seccomp-string":
                b.seccomp(SeccompCommand.parsePolicy(v, "--seccomp-string"));
                break;
            default:
                throw new UsageException("unknown option " + opt + " (see sandbox4j run --help)");
        }
    }

    /** {@code SRC} or {@code SRC:DST}; DST is absolute, so the split is at the last ':' before a '/'. */
    static String[] srcDst(String v) throws UsageException {
        if (v.isEmpty()) {
            throw new UsageException("empty bind source");
        }
        int colon = v.lastIndexOf(":/");
        if (colon > 0) {
            return new String[] {v.substring(0, colon), v.substring(colon + 1)};
        }
        if (v.endsWith(":") || v.indexOf(':') > 0 && !v.startsWith("/")) {
            throw new UsageException("bind " + v + ": expected SRC or SRC:DST with an absolute DST");
        }
        String src = Path.of(v).toAbsolutePath().normalize().toString();
        return new String[] {v, src};
    }

    static void rlimit(Sandbox.Builder b, String v) throws UsageException {
        int eq = v.indexOf('=');
        if (eq <= 0) {
            throw new UsageException("--rlimit " + v + ": expected NAME=SOFT[:HARD], e.g. nofile=64 or as=1073741824:inf");
        }
        Rlimit r = Rlimit.parse(v.substring(0, eq));
        String vals = v.substring(eq + 1);
        int colon = vals.indexOf(':');
        long soft = parseLimit(v, colon < 0 ? vals : vals.substring(0, colon));
        long hard = colon < 0 ? soft : parseLimit(v, vals.substring(colon + 1));
        b.rlimit(r, soft, hard);
    }

    static long parseLimit(String whole, String s) throws UsageException {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("inf") || t.equals("unlimited") || t.equals("infinity")) {
            return Rlimit.INFINITY;
        }
        try {
            long n = Long.parseLong(t);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--rlimit " + whole + ": '" + s + "' is not a number, inf or unlimited");
        }
    }

    static Duration parseSeconds(String v) throws UsageException {
        try {
            BigDecimal s = new BigDecimal(v.trim());
            long ms = s.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
            if (ms <= 0) {
                throw new UsageException("--time-limit " + v + ": must be positive");
            }
            return Duration.ofMillis(ms);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UsageException("--time-limit " + v + ": expected a number of seconds, e.g. 10 or 0.5");
        }
    }

    private static int parseId(String opt, String v) throws UsageException {
        try {
            return Integer.parseUnsignedInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(opt + " " + v + ": expected a number from 0 to 4294967294");
        }
    }

    private static int parseInt(String opt, String v) throws UsageException {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(opt + " " + v + ": expected a number");
        }
    }

    private static int runJail(Sandbox sandbox, List<String> command) {
        AtomicReference<SandboxedProcess> proc = new AtomicReference<>();
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            try {
                Signal.handle(new Signal(name), sig -> {
                    SandboxedProcess p = proc.get();
                    if (p != null) {
                        p.signal(sig.getNumber());
                    } else {
                        // Before the jail exists: behave like the signal's default action.
                        Runtime.getRuntime().halt(128 + sig.getNumber());
                    }
                });
            } catch (IllegalArgumentException e) {
                // The signal is reserved or ignored (e.g. SIGHUP under nohup): leave it be.
            }
        }
        SandboxedProcess p;
        try {
            p = sandbox.start(command);
        } catch (SandboxException e) {
            return Main.fail(e.getMessage());
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            return Main.fail("cannot start the jail: " + e.getMessage());
        }
        proc.set(p);
        JailExit exit;
        while (true) {
            try {
                exit = p.jailExit();
                break;
            } catch (InterruptedException e) {
                // keep waiting: the jail's status is our status
            }
        }
        if (exit.timedOut()) {
            Duration limit = sandbox.timeLimit();
            System.err.println("sandbox4j: time limit of " + (limit == null ? "?" : limit.toMillis() / 1000.0)
                    + " s reached; the jail was killed");
        }
        return exit.exitValue();
    }
}
