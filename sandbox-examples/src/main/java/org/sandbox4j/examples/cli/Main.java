package org.sandbox4j.examples.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code sandbox4j} command: {@code run}, {@code doctor}, {@code seccomp}, {@code demo}, {@code bench spawn}. See docs/cli.md.
 *
 * <p>Exit status 125 is the command's own failure (a bad option, a jail that could not be built),
 * with a one-line message on stderr that starts with {@code sandbox4j: }.
 */
public final class Main {
    /** The exit status of a failure of sandbox4j itself (bad option, jail setup), as in env(1)/docker. */
    public static final int EXIT_SETUP = 125;

    static final String USAGE = String.join("\n",
            "usage: sandbox4j run [OPTION]... -- COMMAND [ARG]...   run COMMAND in a jail (sandbox4j run --help)",
            "       sandbox4j learn -o FILE [OPTION]... -- COMMAND  run COMMAND, write the seccomp policy it needs (learn --help)",
            "       sandbox4j export --format oci|nsjail|bwrap [-o PATH] [OPTION]... -- COMMAND  the jail for another runtime",
            "       sandbox4j demo                                 a jailed cat cannot read a host secret",
            "       sandbox4j bench spawn [--quick]                JMH: spawn-to-exit of /bin/true vs ProcessBuilder and bwrap",
            "       sandbox4j bench startup|lockdown [--runs N]   cold JVMs: first jail, SelfJail, Lockdown.apply() of 200 threads",
            "       sandbox4j bench cli [--runs N]                 this command's cost over the program it runs",
            "       sandbox4j run --config FILE [OPTION]... -- COMMAND  the same, with a config file (docs/config.md)",
            "       sandbox4j doctor [--json]                      what this host offers: namespaces, seccomp, Landlock, ...",
            "       sandbox4j seccomp compile|disasm|profiles ...  compile, disassemble, list seccomp programs",
            "       sandbox4j example NAME [ARG]...                lockdown, pdf, xml, image, external (example --help)",
            "       sandbox4j install-launcher [--launcher P] [--profile P]  as root: a launcher with an AppArmor profile",
            "       sandbox4j --help",
            "",
            "Exit status: the command's; 128+N when it died by signal N; 125 when sandbox4j failed",
            "(bad option, or a step of building the jail failed).");

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(List<String> args) {
        if (args.isEmpty()) {
            return fail("no command given (see sandbox4j --help)");
        }
        String cmd = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            switch (cmd) {
                case "-h":
                case "--help":
                case "help":
                    System.out.println(USAGE);
                    return 0;
                case "run":
                    return RunCommand.run(rest);
                case "learn":
                    return LearnCommand.run(rest);
                case "export":
                    return ExportCommand.run(rest);
                case "demo":
                    if (!rest.isEmpty() && (rest.get(0).equals("--help") || rest.get(0).equals("-h"))) {
                        System.out.println("usage: sandbox4j demo\n\nRuns a jailed /bin/cat on a host file it must not"
                                + " reach, then with the file's directory bound read-only.\nExit 0 when the file was"
                                + " unreachable without the bind (and readable with it).");
                        return 0;
                    }
                    if (!rest.isEmpty()) {
                        return fail("demo takes no arguments: " + rest.get(0));
                    }
                    return Demo.run(System.out);
                case "bench":
                    return BenchCommand.run(rest);
                case "seccomp":
                    return SeccompCommand.run(rest);
                case "example":
                    return ExampleCommand.run(rest);
                case "doctor":
                    return DoctorCommand.run(rest);
                case "install-launcher":
                    return InstallLauncherCommand.run(rest);
                default:
                    return fail("unknown command '" + cmd + "' (see sandbox4j --help)");
            }
        } catch (UsageException e) {
            return fail(e.getMessage());
        } catch (Exception e) {
            return fail(e.toString());
        }
    }

    /** Prints {@code sandbox4j: message} as one line on stderr and returns 125. */
    static int fail(String message) {
        PrintStream err = System.err;
        err.println("sandbox4j: " + oneLine(message));
        err.flush();
        return EXIT_SETUP;
    }

    /** Folds a multi-line message (a SandboxSetupException with a hint) into one line. */
    static String oneLine(String message) {
        return message == null ? "(no message)" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** A bad command line: reported as {@code sandbox4j: message}, exit 125. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
