package org.sandbox4j.examples.cli;

import java.util.List;
import org.sandbox4j.examples.cli.Main.UsageException;
import org.sandbox4j.probe.HostProbe;

/**
 * {@code sandbox4j doctor [--json]}: one line per host feature ({@link HostProbe#run()}) with OK,
 * MISSING or RESTRICTED and the fix. Exit 0 when a jail could be started here, 1 when not.
 */
final class DoctorCommand {
    static final String HELP = String.join("\n",
            "usage: sandbox4j doctor [--json]",
            "",
            "Probes what this host offers sandbox4j (a real jail is started; nothing is changed) and prints one",
            "line per feature: OK, MISSING or RESTRICTED, what was found, and the fix. --json prints one JSON object.",
            "Exit status: 0 when jails work here for this user, 1 when they do not.");

    private DoctorCommand() {}

    static int run(List<String> args) throws UsageException {
        boolean json = false;
        for (String a : args) {
            switch (a) {
                case "--json":
                    json = true;
                    break;
                case "-h":
                case "--help":
                    System.out.println(HELP);
                    return 0;
                default:
                    throw new UsageException("doctor: unknown option " + a + " (sandbox4j doctor [--json])");
            }
        }
        HostProbe probe = HostProbe.run();
        if (json) {
            System.out.println(probe.toJson());
        } else {
            System.out.print(probe.toText());
            System.out.println(probe.jailsWork() ? "sandbox4j run works here for this user."
                    : "sandbox4j run cannot start a jail here for this user: see the jail line and docs/troubleshooting.md.");
        }
        return probe.jailsWork() ? 0 : 1;
    }
}
