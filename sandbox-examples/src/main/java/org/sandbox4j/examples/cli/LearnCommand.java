package org.sandbox4j.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sandbox4j.examples.cli.Main.UsageException;
import org.sandbox4j.seccomp.SeccompAction;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.SyscallRecorder;

/**
 * {@code sandbox4j learn -o FILE [--default ACTION] [run options] -- COMMAND [ARG]...}: runs COMMAND
 * as {@code run} would (same options, same jail), with the launcher's seccomp supervisor recording
 * every system call from the program's execve on, and writes a kafel policy that allows exactly
 * those; {@code run --seccomp FILE} with the same options then runs the command. Exit status: the
 * command's (the policy is written either way), 125 when sandbox4j failed.
 */
final class LearnCommand {
    static final String HELP = String.join("\n",
            "usage: sandbox4j learn -o FILE [--default ACTION] [OPTION]... -- COMMAND [ARG]...",
            "",
            "Runs COMMAND in the jail the run OPTIONs describe (sandbox4j run --help) and records every system",
            "call it makes, in every thread and child, from its execve on, with the arguments policies filter on",
            "(clone flags, socket families and types, ioctl requests, prctl options, personality). Then writes",
            "FILE: a kafel-style policy allowing exactly those, grouped and commented with call counts and the",
            "programs that made them. `sandbox4j run --seccomp FILE` with the same options then runs COMMAND.",
            "While learning the jail has no seccomp filter; every call makes a round trip to the launcher.",
            "",
            "  -o, --output FILE       the policy file to write (required)",
            "  --default ACTION        what the policy does with any other call: KILL (the default), LOG,",
            "                          TRAP or ERRNO(n)",
            "",
            "Exit status: the command's (FILE is written either way); 125 when sandbox4j failed.");

    /** What the run options parser needs to learn: the recorder, and the file to write. */
    record Learn(SyscallRecorder recorder, Path output) {
        /** Writes the policy once the command ended with {@code status}; returns the exit status. */
        int finish(int status, boolean quiet) {
            String text = recorder.policyText();
            try {
                SeccompPolicy.parse(text); // never write a file run --seccomp would refuse
                Files.writeString(output, text, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                return Main.fail("cannot write the learned policy to " + output + ": " + e.getMessage());
            }
            if (!quiet) {
                System.err.println("sandbox4j: learned " + recorder.syscalls().size() + " system calls; wrote " + output
                        + " (run it with: sandbox4j run --seccomp " + output + " ...)");
            }
            return status;
        }
    }

    private LearnCommand() {}

    static int run(List<String> args) throws UsageException {
        Path output = null;
        SyscallRecorder recorder = new SyscallRecorder();
        List<String> rest = new ArrayList<>();
        boolean inCommand = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (inCommand || a.equals("--")) {
                inCommand = true;
                rest.add(a);
            } else if (a.equals("-h") || a.equals("--help")) {
                System.out.println(HELP);
                return 0;
            } else if (a.equals("-o") || a.equals("--output")) {
                output = Path.of(value(args, ++i, a));
            } else if (a.equals("--default")) {
                recorder.defaultAction(action(value(args, ++i, a)));
            } else if (a.equals("--dry-run")) {
                throw new UsageException("learn runs the command; use run --dry-run to see the jail");
            } else {
                rest.add(a);
            }
        }
        if (output == null) {
            throw new UsageException("learn needs -o FILE, the policy file to write (see sandbox4j learn --help)");
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UsageException("-o " + output + ": directory " + parent + " does not exist");
        }
        return RunCommand.run(rest, new Learn(recorder, output));
    }

    private static String value(List<String> args, int i, String option) throws UsageException {
        if (i >= args.size() || args.get(i).equals("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    static SeccompAction action(String v) throws UsageException {
        String u = v.trim().toUpperCase(Locale.ROOT);
        switch (u) {
            case "KILL":
            case "KILL_PROCESS":
                return SeccompAction.KILL_PROCESS;
            case "LOG":
                return SeccompAction.LOG;
            case "TRAP":
                return SeccompAction.TRAP;
            default:
                if (u.matches("ERRNO\\(\\d{1,4}\\)")) {
                    int e = Integer.parseInt(u.substring(6, u.length() - 1));
                    if (e <= 4095) {
                        return new SeccompAction.Errno(e);
                    }
                }
                throw new UsageException("--default " + v + ": expected KILL, LOG, TRAP or ERRNO(n) with n 0..4095");
        }
    }
}
