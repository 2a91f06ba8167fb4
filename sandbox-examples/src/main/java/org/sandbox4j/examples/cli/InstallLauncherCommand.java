package org.sandbox4j.examples.cli;

import java.nio.file.Path;
import java.util.List;
import org.sandbox4j.SandboxException;
import org.sandbox4j.examples.cli.Main.UsageException;
import org.sandbox4j.internal.InstalledLauncher;

/**
 * {@code sandbox4j install-launcher [--launcher PATH] [--profile PATH]} (issue 14): as root, writes
 * the jar's launcher to a fixed root-owned path and an AppArmor profile that allows it user
 * namespaces, then prints the commands that load and use them. For Ubuntu 23.10+ hosts, where
 * AppArmor gives user namespaces only to profiled programs (docs/deployment.md).
 */
final class InstallLauncherCommand {
    static final String HELP = String.join("\n",
            "usage: sandbox4j install-launcher [--launcher PATH] [--profile PATH]",
            "",
            "As root: writes sandbox4j's launcher to PATH (default " + InstalledLauncher.DEFAULT_LAUNCHER + ", mode",
            "0755) and an AppArmor profile allowing it user namespaces (default " + InstalledLauncher.DEFAULT_PROFILE + "),",
            "then prints the commands to load the profile and to make the library use the launcher",
            "(-Dsandbox4j.launcher=PATH; the library checks it is root-owned and identical to its own).",
            "Reinstall after upgrading sandbox4j: a launcher that differs from the jar's is refused.");

    private InstallLauncherCommand() {}

    static int run(List<String> args) throws UsageException {
        Path launcher = InstalledLauncher.DEFAULT_LAUNCHER;
        Path profile = InstalledLauncher.DEFAULT_PROFILE;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-h":
                case "--help":
                    System.out.println(HELP);
                    return 0;
                case "--launcher":
                case "--profile":
                    if (i + 1 >= args.size()) {
                        throw new UsageException(a + " needs a path");
                    }
                    Path p = Path.of(args.get(++i)).toAbsolutePath().normalize();
                    if (a.equals("--launcher")) {
                        launcher = p;
                    } else {
                        profile = p;
                    }
                    break;
                default:
                    throw new UsageException("install-launcher: unknown option " + a + " (see sandbox4j install-launcher --help)");
            }
        }
        try {
            List<String> next = InstalledLauncher.install(launcher, profile);
            System.out.println("installed " + launcher + " and " + profile + "; next, as root and in the application:");
            for (String c : next) {
                System.out.println("  " + c);
            }
            return 0;
        } catch (SandboxException e) {
            return Main.fail(e.getMessage());
        }
    }
}
