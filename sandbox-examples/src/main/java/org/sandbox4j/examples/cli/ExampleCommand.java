package org.sandbox4j.examples.cli;

import java.util.List;
import org.sandbox4j.examples.cli.Main.UsageException;
import org.sandbox4j.examples.lockdown.LockdownExample;
import org.sandbox4j.examples.workers.Demos;

/** {@code sandbox4j example NAME [ARG]...}: the runnable examples (docs/cookbook.md). */
final class ExampleCommand {
    static final String HELP = String.join("\n",
            "usage: sandbox4j example NAME [ARG]...",
            "",
            "  lockdown [DATA_DIR] [REQUESTS]  lock this JVM down, try every attack from old, new and virtual",
            "                                  threads, show the JVM still works; exit 0 only if all contained",
            "  pdf [FILE.pdf]...               PDFBox text extraction in pooled jailed JVMs",
            "  xml [FILE.xml]...               the JDK's XML parser, insecure defaults, in a jailed JVM",
            "  image [FILE]...                 ImageIO decoding in a jailed JVM with a 64 MiB heap",
            "  external [FILE.pdf]...          pdftotext in a jail whose filter allows exactly one execve",
            "  tika                            Apache Tika in a jailed worker pool: benign and hostile documents, timed",
            "",
            "Without files, the document examples make a good input and hostile ones themselves.");

    private ExampleCommand() {}

    static int run(List<String> args) throws Exception {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h")) {
            System.out.println(HELP);
            return args.isEmpty() ? Main.EXIT_SETUP : 0;
        }
        String name = args.get(0);
        List<String> rest = args.subList(1, args.size());
        if (name.equals("lockdown")) {
            LockdownExample.main(rest.toArray(new String[0])); // exits the JVM with its verdict
            return 0;
        }
        if (!Demos.NAMES.contains(name)) {
            throw new UsageException("unknown example '" + name + "' (lockdown, pdf, xml, image, external, tika)");
        }
        Demos.run(name, rest);
        return 0;
    }
}
