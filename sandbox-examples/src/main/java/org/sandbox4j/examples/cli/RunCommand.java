package org.sandbox4j.examples.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.JailExit;
import org.sandbox4j.Namespace;
import org.sandbox4j.Sandbox;
import org.sandbox4j.SandboxException;
import org.sandbox4j.SandboxedProcess;
import org.sandbox4j.config.ConfigException;
import org.sandbox4j.config.Directive;
import org.sandbox4j.config.Directives;
import org.sandbox4j.config.SandboxConfig;
import org.sandbox4j.examples.cli.Main.UsageException;
import org.sandbox4j.mount.MountOp;
import sun.misc.Signal;

/**
 * {@code sandbox4j run}: every option is one configuration directive ({@link Directives}), which is
 * one builder call, applied in command-line order; {@code --config FILE} applies the file's
 * directives at its place in that order, so options after it extend or override the file.
 *
 * <p>Signals: SIGINT, SIGTERM and SIGHUP sent to the CLI's JVM are forwarded to the jail with
 * {@link SandboxedProcess#signal(int)} from {@code sun.misc.Signal} handlers (which replace the JVM's
 * default "run shutdown hooks and exit"). The JVM keeps running until the jail has exited and then
 * exits with the jail's status, so a program that handles SIGTERM and exits 0 makes the CLI exit 0,
 * and one killed by it makes the CLI exit 143. (A shutdown hook could only forward the signal; the
 * JVM's own status would then be 128+N whatever the program did.)
 *
 * <p>Terminals: the jail gets sandbox4j's own stdin, stdout and stderr, so an interactive shell reads
 * and writes the caller's terminal; it runs in a new session, so that terminal is not its
 * controlling terminal and TIOCSTI cannot push input into it (docs/cli.md#interactive-shells).
 */
final class RunCommand {
    static final String HELP = String.join("\n",
            "usage: sandbox4j run [OPTION]... -- COMMAND [ARG]...",
            "",
            "Runs COMMAND in a new jail: new user, mount, pid, net, ipc, uts and cgroup namespaces; an empty,",
            "read-only tmpfs root; uid/gid 65534; no capabilities; an empty environment; stdio inherited.",
            "Options are applied in order (mount options build the file system in that order). Each one is a",
            "config-file directive (docs/config.md) written with -- in front:",
            "%DIRECTIVES%",
            "",
            "  --config FILE           apply the directives of FILE here (later options extend or override it);",
            "                          an nsjail config (protobuf text) is detected and translated",
            "  --config-format F       sandbox4j|nsjail|auto (default): how the next --config FILE is read",
            "  --dry-run               print the resolved jail (namespaces, mounts in order, ids, limits, seccomp)",
            "                          and exit 0 without running anything",
            "  -v, --verbose           log each directive's builder call and the resolved jail on stderr",
            "  -q, --quiet             no messages from sandbox4j except errors",
            "",
            "nsjail spellings (docs/coming-from-nsjail-bwrap-firejail.md): -Mo, -c/--chroot DIR, --rw,",
            "  -u/--user N, -g/--group N, --seccomp_string POLICY, -P/--seccomp_policy FILE, -t/--time_limit N,",
            "  --rlimit_{as,core,cpu,fsize,nofile,nproc,stack} N (MiB for as/core/fsize/stack), -R/-B SRC[:DST],",
            "  -T DST, -E VAR[=VAL], -e/--keep_env, -D DIR, -H NAME, -N, --cap CAP, --disable_proc, --skip_setsid,",
            "  -U/--uid_mapping and -G/--gid_mapping IN:OUT:COUNT,",
            "  --disable_clone_new{user,ns,pid,ipc,uts,cgroup}, --cgroup_mem_max BYTES, --cgroup_mem_swap_max BYTES,",
            "  --cgroup_pids_max N, --cgroup_cpu_ms_per_sec MS, --cgroupv2_mount DIR. With -Mo a fresh /proc is mounted at /proc at the",
            "  end, as nsjail does, unless --disable_proc.",
            "",
            "COMMAND is an absolute path inside the jail, or a name looked up in the jail's PATH.",
            "Example: sandbox4j run --ro-system --tmpfs /tmp --proc /proc --dev /dev -- /bin/sh -c 'id; hostname'",
            "Exit status: the command's; 128+N when it died by signal N; 125 when sandbox4j failed.");

    /** One directive to apply, where relative host paths are resolved, and how the user typed it. */
    record Step(Directive directive, Path baseDir, @Nullable String typed) {}

    private RunCommand() {}

    static String help() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : Directives.help().entrySet()) {
            if (e.getKey().startsWith("landlock-") || e.getKey().equals("file")) {
                continue;
            }
            String h = e.getValue();
            int sp = h.indexOf("  ");
            boolean flag = Directives.isFlag(e.getKey());
            String left = "  --" + e.getKey() + (flag ? "" : " " + h.substring(0, Math.max(sp, 0)));
            String right = flag ? h : h.substring(sp + 2);
            sb.append(left.length() < 26 ? String.format("%-26s%s", left, right) : left + "\n" + " ".repeat(26) + right)
                    .append('\n');
        }
        return HELP.replace("%DIRECTIVES%\n", sb.toString());
    }

    static int run(List<String> args) throws UsageException {
        return run(args, null);
    }

    /** {@code run}, or with {@code learn} the {@code learn} command (LearnCommand) on the same options. */
    static int run(List<String> args, LearnCommand.@Nullable Learn learn) throws UsageException {
        return run(args, learn, null);
    }

    /** What {@code export} (ExportCommand) does with the jail the run options built, instead of running it. */
    interface Exporter {
        int export(Sandbox sandbox, List<String> command) throws UsageException;
    }

    /** {@code run}; with {@code exporter} the jail is handed to it instead of being started. */
    static int run(List<String> args, LearnCommand.@Nullable Learn learn, @Nullable Exporter exporter) throws UsageException {
        Path cwd = Path.of("").toAbsolutePath();
        List<Step> steps = new ArrayList<>();
        List<String> command = null;
        boolean dryRun = false;
        boolean verbose = false;
        boolean quiet = false;
        boolean nsjailMode = false;
        boolean disableProc = false;
        boolean chrootRw = false;
        int seccompStringStep = -1;
        String configFormat = "auto";
        List<String> configCommand = List.of();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                command = args.subList(i + 1, args.size());
                break;
            }
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(help());
                return 0;
            }
            if (!a.startsWith("-") || a.equals("-")) {
                command = args.subList(i, args.size());
                break;
            }
            switch (a) {
                case "--dry-run":
                    dryRun = true;
                    continue;
                case "--config-format":
                    if (i + 1 >= args.size() || !List.of("auto", "sandbox4j", "nsjail").contains(args.get(i + 1))) {
                        throw new UsageException("--config-format needs auto, sandbox4j or nsjail");
                    }
                    configFormat = args.get(++i);
                    continue;
                case "-v":
                case "--verbose":
                    verbose = true;
                    continue;
                case "-q":
                case "--quiet":
                case "-Q":
                case "--really_quiet":
                    quiet = true;
                    continue;
                case "-Mo":
                    nsjailMode = true;
                    continue;
                case "--disable_proc":
                    disableProc = true;
                    continue;
                case "--rw":
                    chrootRw = true;
                    continue;
                case "-e":
                case "--keep_env":
                    System.getenv().forEach((k, v) -> steps.add(new Step(Directive.option("env", k + "=" + v), cwd, a)));
                    continue;
                default:
                    break;
            }
            if (a.matches("-M[a-z]")) {
                NsjailOptions.checkMode(a, a.substring(2));
                nsjailMode = true;
                continue;
            }
            String why = NsjailOptions.UNSUPPORTED.get(a);
            if (why != null) {
                throw new UsageException(a + ": " + why);
            }
            String nsFlag = NsjailOptions.FLAGS.get(a);
            if (nsFlag != null) {
                String value = nsFlag.equals("net") ? "host" : nsFlag.equals("share") ? NsjailOptions.shared(a) : "";
                steps.add(new Step(Directive.option(nsFlag, value), cwd, a));
                continue;
            }
            // --opt=value, --opt value, -X value
            String opt = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 2) {
                opt = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            String nsValued = NsjailOptions.WITH_VALUE.get(opt);
            String name = nsValued != null ? nsValued : SandboxConfig.canonical(opt);
            boolean known = nsValued != null || Directives.exists(name) || name.equals("config");
            if (!known) {
                throw new UsageException("unknown option " + opt + " (see sandbox4j run --help)");
            }
            boolean flag = nsValued == null && Directives.isFlag(name);
            if (flag) {
                if (value != null) {
                    throw new UsageException(opt + " takes no value");
                }
                steps.add(new Step(Directive.option(name, ""), cwd, null));
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(opt + " needs a value (see sandbox4j run --help)");
                }
                value = args.get(++i);
            }
            String typed = nsValued != null ? opt + " " + shorten(value) : null;
            if (name.equals("config")) {
                SandboxConfig cfg = loadConfig(value, configFormat);
                for (Directive d : cfg.directives()) {
                    steps.add(new Step(d, cfg.baseDir(), null));
                }
                if (!cfg.command().isEmpty()) {
                    configCommand = cfg.command(); // nsjail's exec_bin; a command line command wins
                }
                continue;
            }
            if (nsValued != null) {
                switch (opt) {
                    case "-M":
                    case "--mode":
                        NsjailOptions.checkMode(opt, value);
                        nsjailMode = true;
                        continue;
                    case "-u":
                    case "--user":
                        value = NsjailOptions.id(opt, value, false);
                        break;
                    case "-g":
                    case "--group":
                        value = NsjailOptions.id(opt, value, true);
                        break;
                    case "-t":
                    case "--time_limit":
                        if (value.trim().equals("0")) {
                            continue; // nsjail: 0 means no limit
                        }
                        break;
                    case "--seccomp_string":
                        // nsjail concatenates repeated --seccomp_string options into one policy.
                        if (seccompStringStep >= 0) {
                            Step prev = steps.get(seccompStringStep);
                            steps.set(seccompStringStep, new Step(Directive.option("seccomp-string",
                                    prev.directive().value() + "\n" + value), cwd, prev.typed() + " " + typed));
                            continue;
                        }
                        seccompStringStep = steps.size();
                        break;
                    case "--cgroup_mem_max":
                    case "--cgroup_pids_max":
                    case "--cgroup_cpu_ms_per_sec":
                    case "--cgroup_mem_swap_max":
                        // nsjail: bytes, a count, ms of CPU per second; 0 (-1 for swap) means unset
                        if (!value.trim().matches("-?\\d+")) {
                            throw new UsageException(opt + " " + value + ": expected a number (nsjail's units: bytes, a count, ms per second)");
                        }
                        long n = Long.parseLong(value.trim());
                        if (n == 0 && !opt.equals("--cgroup_mem_swap_max") || n < 0) {
                            continue;
                        }
                        if (opt.equals("--cgroup_cpu_ms_per_sec")) {
                            value = Double.toString(n / 1000.0);
                        }
                        break;
                    case "--cgroup_mem_memsw_max":
                        throw new UsageException(opt + ": give memory and swap apart: --cgroup_mem_max BYTES and"
                                + " --cgroup_mem_swap_max BYTES (or --memory-max SIZE and --swap-max SIZE)");
                    default:
                        if (opt.startsWith("--rlimit_")) {
                            value = NsjailOptions.rlimit(opt, nsValued, value);
                            if (value == null) {
                                continue;
                            }
                            name = "rlimit";
                        }
                        break;
                }
            }
            if (name.equals("env") && value.indexOf('=') < 0) {
                name = "inherit-env"; // nsjail's -E VAR: pass VAR from our environment
            }
            steps.add(new Step(Directive.option(name, value), cwd, typed));
        }
        if (chrootRw) {
            boolean found = false;
            for (int i = 0; i < steps.size(); i++) {
                Directive d = steps.get(i).directive();
                if (d.name().equals("chroot")) {
                    steps.set(i, new Step(Directive.option("chroot-rw", d.value()), steps.get(i).baseDir(), "--rw"));
                    found = true;
                }
            }
            if (!found) {
                throw new UsageException("--rw makes the --chroot directory writable, but no --chroot was given");
            }
        }
        if (nsjailMode && !disableProc && steps.stream().noneMatch(s -> s.directive().name().equals("proc"))) {
            steps.add(new Step(Directive.option("proc", "/proc"), cwd, "-Mo (nsjail mounts /proc unless --disable_proc)"));
        }
        if ((command == null || command.isEmpty()) && !configCommand.isEmpty()) {
            command = configCommand;
        }
        if (command == null || command.isEmpty()) {
            if (!dryRun) {
                throw new UsageException("no command given: sandbox4j run [OPTION]... -- COMMAND [ARG]...");
            }
            command = List.of();
        }

        PrintStream log = System.err;
        Sandbox.Builder b = Sandbox.builder().inheritIO();
        SandboxConfig.MountTargets targets = new SandboxConfig.MountTargets();
        List<String> calls = new ArrayList<>();
        for (Step s : steps) {
            Directive d = s.directive();
            try {
                targets.check(d);
                if (d.name().equals("keep-fd")) {
                    String fd = d.value().split(":")[0].trim();
                    if (fd.matches("\\d+") && !Files.exists(Path.of("/proc/self/fd/" + fd))) {
                        throw d.error("fd " + fd + " is not open in sandbox4j (open it in the shell, e.g. 3<file)");
                    }
                }
                String call = Directives.apply(b, d, s.baseDir());
                String line = d.where() + ": " + (s.typed() != null ? s.typed() : d.spelled()) + " -> " + call;
                calls.add(line);
                if (verbose) {
                    log.println("sandbox4j: " + line);
                }
            } catch (ConfigException e) {
                throw new UsageException(e.getMessage() + (s.typed() != null ? " [given as " + s.typed() + "]" : ""));
            }
        }
        // ---- seccomp supervisor (issue 15): name refused calls; learn instead of filtering ----
        // A jail under another runtime has no host seccomp filter to learn from or report (docs/runtimes.md).
        boolean nativeRuntime = steps.stream().filter(s -> s.directive().name().equals("runtime"))
                .reduce((x, y) -> y).map(s -> s.directive().value().trim().equalsIgnoreCase("native")).orElse(true);
        if (learn != null) {
            b.recordSyscalls(learn.recorder());
        } else if (nativeRuntime && exporter == null) {
            b.reportViolations(true);
        }
        // ---- end seccomp supervisor ----
        Sandbox sandbox;
        try {
            sandbox = b.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UsageException(e.getMessage());
        }
        if (dryRun) {
            System.out.println("sandbox4j dry run: nothing is started");
            System.out.println("directives, in order (where: directive -> builder call):");
            calls.forEach(c -> System.out.println("  " + c));
            System.out.print(describe(sandbox, steps));
            System.out.println("command: " + (command.isEmpty() ? "(none given)" : String.join(" ", command)));
            return 0;
        }
        if (verbose) {
            for (String l : describe(sandbox, steps).split("\n")) {
                log.println("sandbox4j: " + l);
            }
        }
        if (exporter != null) {
            return exporter.export(sandbox, command);
        }
        int status = runJail(sandbox, command, verbose, quiet);
        return learn == null ? status : learn.finish(status, quiet);
    }

    /** A value as shown in messages: one line, at most 72 characters. */
    static String shorten(String v) {
        String one = v.replace('\n', ' ');
        return one.length() > 72 ? one.substring(0, 69) + "..." : one;
    }

    private static SandboxConfig loadConfig(String file, String format) throws UsageException {
        try {
            if (format.equals("nsjail")) {
                return org.sandbox4j.config.NsjailConfig.load(Path.of(file));
            }
            if (format.equals("sandbox4j")) {
                Path abs = Path.of(file).toAbsolutePath().normalize();
                return SandboxConfig.parse(Files.readString(abs), file, abs.getParent());
            }
            return SandboxConfig.load(Path.of(file));
        } catch (ConfigException e) {
            throw new UsageException(e.getMessage());
        } catch (IOException e) {
            throw new UsageException("--config " + file + ": " + e.getMessage());
        }
    }

    /**
     * Best effort (issue 14): one line on stderr saying what confines a jail started without namespaces
     * ("sandbox4j: best effort: no namespaces (...); landlock ABI 7 (files, tcp, scopes), seccomp");
     * with --verbose also for a full jail; never with --quiet.
     */
    static void printIsolation(SandboxedProcess p, boolean verbose, boolean quiet) {
        org.sandbox4j.Isolation iso = p.isolation();
        if (!quiet && (verbose || iso.level() == org.sandbox4j.Isolation.Level.BEST_EFFORT)) {
            System.err.println("sandbox4j: " + iso.line());
        }
    }

    /** The resolved jail in words: what the builder produced, and the last value of each setting. */
    static String describe(Sandbox s, List<Step> steps) {
        StringBuilder sb = new StringBuilder("resolved jail:\n");
        List<String> fresh = new ArrayList<>();
        for (Namespace ns : Namespace.values()) {
            if (!s.sharedNamespaces().contains(ns)) {
                fresh.add(ns.name().toLowerCase());
            }
        }
        if (s.runtime() != org.sandbox4j.runtime.JailRuntime.NATIVE) {
            sb.append("  runtime: ").append(s.runtime().word()).append(" (runsc; docs/runtimes.md)\n");
        }
        sb.append("  namespaces: new ").append(fresh.isEmpty() ? "none" : String.join(", ", fresh)).append("; shared with the host: ")
                .append(s.sharedNamespaces().isEmpty() ? "none" : s.sharedNamespaces().toString().toLowerCase()).append('\n');
        String chroot = last(steps, "chroot", "chroot-rw");
        Directive root = lastDirective(steps, "chroot", "chroot-rw");
        sb.append("  root: ").append(chroot == null ? "an empty tmpfs, read-only once the mounts are done"
                : "host directory " + chroot + (root != null && root.name().equals("chroot-rw") ? " (writable)" : " (read-only)"))
                .append('\n');
        sb.append("  file system operations, in order:").append(s.mountOps().isEmpty() ? " none\n" : "\n");
        int n = 1;
        for (MountOp op : s.mountOps()) {
            sb.append("    ").append(n++).append(". ").append(op.describe()).append('\n');
        }
        sb.append("  ids inside: uid ").append(Integer.toUnsignedString(s.uid())).append(", gid ")
                .append(Integer.toUnsignedString(s.gid())).append(last(steps, "host-ids") == null ? ""
                        : "; host ids " + last(steps, "host-ids")).append('\n');
        if (!s.uidMaps().isEmpty() || !s.gidMaps().isEmpty()) {
            sb.append("  uid map: ").append(s.uidMaps().isEmpty() ? "one id" : s.uidMaps().toString())
                    .append("; gid map: ").append(s.gidMaps().isEmpty() ? "one id" : s.gidMaps().toString())
                    .append(" (inside:outside:count; unprivileged: through newuidmap/newgidmap)\n");
        }
        String hostname = last(steps, "hostname");
        sb.append("  hostname: ").append(s.sharedNamespaces().contains(Namespace.UTS) ? "the host's"
                : hostname == null ? "sandbox" : hostname).append('\n');
        sb.append("  environment: ").append(s.environment().isEmpty() ? "empty" : s.environment().toString()).append('\n');
        String cwd = last(steps, "cwd");
        sb.append("  working directory: ").append(cwd == null ? "/" : cwd).append('\n');
        List<String> rl = all(steps, "rlimit");
        sb.append("  rlimits: ").append(rl.isEmpty() ? "inherited from sandbox4j" : String.join(", ", rl)).append('\n');
        sb.append("  resource limits (docs/resources.md):\n");
        for (String l : s.describeResourceLimits()) {
            sb.append("    ").append(l).append('\n');
        }
        List<String> caps = all(steps, "cap-keep");
        sb.append("  capabilities kept: ").append(caps.isEmpty() ? "none" : String.join(", ", caps)).append('\n');
        Duration t = s.timeLimit();
        sb.append("  time limit: ").append(t == null ? "none" : t.toMillis() / 1000.0 + " s").append('\n');
        sb.append("  session: ").append(lastDirective(steps, "same-session") != null
                ? "sandbox4j's own (the program may use its controlling terminal, TIOCSTI included)"
                : "new (no controlling terminal: no TIOCSTI into the caller's terminal)").append('\n');
        sb.append("  pid 1: ").append(lastDirective(steps, "exec-directly") != null ? "the program itself"
                : "sandbox4j's init (forwards signals, reaps)").append('\n');
        sb.append("  no_new_privs: on\n");
        Directive sec = lastDirective(steps, "seccomp", "seccomp-string", "no-seccomp");
        sb.append("  seccomp: ");
        if (sec == null) {
            sb.append("the default deny list (SeccompPolicies.defaultDenyList()), ").append(Directives.defaultSeccomp().length())
                    .append(" BPF instructions on ").append(org.sandbox4j.Arch.current());
        } else if (sec.name().equals("no-seccomp")) {
            sb.append("none (--no-seccomp)");
        } else {
            String call = "";
            for (Step st : steps) {
                if (st.directive() == sec) {
                    call = Directives.apply(Sandbox.builder(), sec, st.baseDir());
                }
            }
            sb.append(sec.spelled().length() > 60 ? sec.spelled().substring(0, 57) + "..." : sec.spelled())
                    .append(" -> ").append(call);
        }
        sb.append('\n');
        return sb.toString();
    }

    private static @Nullable Directive lastDirective(List<Step> steps, String... names) {
        Directive found = null;
        for (Step s : steps) {
            for (String n : names) {
                if (s.directive().name().equals(n)) {
                    found = s.directive();
                }
            }
        }
        return found;
    }

    private static @Nullable String last(List<Step> steps, String... names) {
        Directive d = lastDirective(steps, names);
        return d == null ? null : d.value();
    }

    private static List<String> all(List<Step> steps, String name) {
        List<String> out = new ArrayList<>();
        for (Step s : steps) {
            if (s.directive().name().equals(name)) {
                out.add(s.directive().value());
            }
        }
        return out;
    }

    private static int runJail(Sandbox sandbox, List<String> command, boolean verbose, boolean quiet) {
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
        Terminal.State tty = Terminal.save();
        SandboxedProcess p;
        try {
            p = sandbox.start(command);
        } catch (SandboxException e) {
            return Main.fail(e.getMessage());
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            return Main.fail("cannot start the jail: " + e.getMessage());
        }
        proc.set(p);
        printIsolation(p, verbose, quiet);
        if (verbose) {
            System.err.println("sandbox4j: started " + String.join(" ", command) + " (launcher pid " + p.pid() + ")");
        }
        JailExit exit;
        while (true) {
            try {
                exit = p.jailExit();
                break;
            } catch (InterruptedException e) {
                // keep waiting: the jail's status is our status
            }
        }
        Terminal.restore(tty);
        if (exit.limitReached().isPresent() && !quiet) {
            org.sandbox4j.cgroup.ResourceLimit l = exit.limitReached().get();
            String what = exit.usage().orElseThrow().describe(l);
            System.err.println(l == org.sandbox4j.cgroup.ResourceLimit.MEMORY && exit.signaled()
                    ? "sandbox4j: the jail was killed: " + what
                    : "sandbox4j: note: " + what);
        }
        if (exit.timedOut() && !quiet) {
            Duration limit = sandbox.timeLimit();
            System.err.println("sandbox4j: time limit of " + (limit == null ? "?" : limit.toMillis() / 1000.0)
                    + " s reached; the jail was killed");
        }
        // seccomp supervisor: the call that killed the program, and (with -v) the refused ones.
        if (exit.killedBy() != null && !quiet) {
            System.err.println("sandbox4j: killed by seccomp: " + exit.killedBy().describe());
        }
        if (verbose) {
            for (org.sandbox4j.seccomp.SeccompViolation v : p.violations()) {
                System.err.println("sandbox4j: seccomp refused " + v);
            }
            System.err.println("sandbox4j: the jail " + exit);
        }
        return exit.exitValue();
    }
}
