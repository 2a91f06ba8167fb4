package org.sandbox4j.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.examples.cli.Main.UsageException;
import org.sandbox4j.runtime.JailExport;
import org.sandbox4j.runtime.RuntimeOptionException;

/**
 * {@code sandbox4j export}: the jail that {@code sandbox4j run} would start with the same options,
 * written for another runtime ({@link JailExport}): an OCI bundle, an nsjail config, a bubblewrap
 * command line.
 */
final class ExportCommand {
    static final String HELP = String.join("\n",
            "usage: sandbox4j export --format oci|nsjail|bwrap [-o PATH] [RUN OPTION]... -- COMMAND [ARG]...",
            "",
            "Writes the jail that `sandbox4j run [RUN OPTION]... -- COMMAND` would start, for another runtime",
            "(docs/runtimes.md has what each option becomes; one a format cannot express is refused by name):",
            "  --format oci      an OCI runtime bundle: -o DIR writes DIR/config.json and DIR/rootfs (run it with",
            "                    runsc --network=none run --bundle DIR ID); without -o, config.json on stdout",
            "  --format nsjail   an nsjail config (nsjail --config FILE) on stdout, or in the file -o FILE",
            "  --format bwrap    a bubblewrap command line on stdout; -o DIR (required) receives the compiled",
            "                    seccomp program (read by --seccomp 9 from the line's 9<DIR/seccomp.bpf) and the",
            "                    jail's files",
            "Exit status: 0, or 125 when an option cannot be exported or sandbox4j failed.");

    private ExportCommand() {}

    static int run(List<String> args) throws UsageException {
        JailExport.Format format = null;
        Path out = null;
        List<String> rest = new ArrayList<>();
        boolean inCommand = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (inCommand) {
                rest.add(a);
                continue;
            }
            switch (a) {
                case "--":
                    inCommand = true;
                    rest.add(a);
                    break;
                case "-h":
                case "--help":
                    System.out.println(HELP);
                    return 0;
                case "--format":
                    if (i + 1 >= args.size()) {
                        throw new UsageException("--format needs oci, nsjail or bwrap");
                    }
                    try {
                        format = JailExport.Format.parse(args.get(++i));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                    break;
                case "-o":
                case "--output":
                    if (i + 1 >= args.size()) {
                        throw new UsageException(a + " needs a path");
                    }
                    out = Path.of(args.get(++i));
                    break;
                default:
                    rest.add(a);
            }
        }
        if (format == null) {
            throw new UsageException("export needs --format oci, nsjail or bwrap (see sandbox4j export --help)");
        }
        JailExport.Format f = format;
        Path o = out;
        return RunCommand.run(rest, null, (sandbox, command) -> {
            if (command.isEmpty()) {
                throw new UsageException("no command given: sandbox4j export --format F [OPTION]... -- COMMAND [ARG]...");
            }
            try {
                write(f, o, sandbox, command);
                return 0;
            } catch (RuntimeOptionException e) {
                throw new UsageException(e.getMessage());
            } catch (IOException e) {
                throw new UsageException("cannot write the export: " + e.getMessage());
            }
        });
    }

    private static void write(JailExport.Format f, @Nullable Path out, org.sandbox4j.Sandbox sandbox, List<String> command)
            throws IOException, UsageException {
        switch (f) {
            case OCI:
                if (out == null) {
                    System.out.print(JailExport.ociConfig(sandbox, command));
                } else {
                    JailExport.ociBundle(sandbox, command, out);
                    System.err.println("sandbox4j: wrote the OCI bundle " + out + " (config.json, rootfs/); run it with: runsc"
                            + " --network=" + (sandbox.settings().networkNone() ? "none" : "host") + " run --bundle " + out + " ID");
                }
                break;
            case NSJAIL: {
                String cfg = JailExport.nsjailConfig(sandbox, command);
                if (out == null) {
                    System.out.print(cfg);
                } else {
                    Files.writeString(out, cfg);
                }
                break;
            }
            default: {
                if (out == null) {
                    throw new UsageException("--format bwrap needs -o DIR for the seccomp program and the jail's files");
                }
                System.out.println(JailExport.bwrap(sandbox, command, out).shellLine());
                break;
            }
        }
    }
}
