package org.sandbox4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code sandbox4j run} command shown in a code block of README.md and docs/*.md is run with
 * {@code --dry-run} (options parsed, config files read, the jail resolved, nothing started) and must
 * be accepted: a renamed option, a directive the docs still spell the old way or a config example
 * that no longer parses fails here, naming the file and the line. The commands run in a directory
 * with the files the docs' examples refer to ({@code j.conf}, {@code pdftotext.jail}, ...), made
 * from the same docs where they show them.
 */
@Tag("kernel")
class DocsCommandsTest {
    @TempDir
    static Path work;

    /** A documented command: where it is, and its words after {@code sandbox4j}. */
    record Documented(String where, List<String> words) {}

    @TestFactory
    Stream<DynamicTest> everyDocumentedRunCommandIsAccepted() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        fixtures(root);
        List<Documented> commands = new ArrayList<>();
        for (Path f : files) {
            commands.addAll(commands(root.relativize(f).toString(), Files.readAllLines(f, StandardCharsets.UTF_8)));
        }
        assertTrue(commands.size() >= 8, "the docs show at least 8 run commands: " + commands);
        return commands.stream().map(c -> DynamicTest.dynamicTest(c.where() + ": " + String.join(" ", c.words()), () -> {
            List<String> args = new ArrayList<>(c.words());
            args.add(1, "--dry-run");
            EverydayCliTest.Run r = EverydayCliTest.cliIn(work, args.toArray(String[]::new));
            assertEquals(0, r.exit(), c.where() + ": " + String.join(" ", c.words()) + "\n" + r.err());
            assertTrue(r.out().contains("dry run"), r.out());
        }));
    }

    /**
     * The files the examples name: {@code pdftotext.jail} is docs/config.md's example block itself
     * (so the documented config is checked too), {@code j.conf} the four directives docs/cli.md's
     * dry-run output lists, the rest placeholders.
     */
    private static void fixtures(Path root) throws IOException {
        List<String> config = Files.readAllLines(root.resolve("docs/config.md"), StandardCharsets.UTF_8);
        int start = config.indexOf("# pdftotext.jail - what pdftotext needs, and nothing else");
        assertTrue(start > 0, "docs/config.md shows pdftotext.jail");
        int end = start;
        while (!config.get(end).startsWith("```")) {
            end++;
        }
        Files.write(work.resolve("pdftotext.jail"), config.subList(start, end));
        Files.writeString(work.resolve("j.conf"), "ro-system\ntmpfs /tmp:1m\nrlimit nofile=64\nseccomp STDIO_ONLY\n");
        Files.writeString(work.resolve("pdftotext.policy"), "POLICY p { ALLOW { read, write } } USE p DEFAULT ALLOW\n");
        Files.writeString(work.resolve("x.pdf"), "%PDF-1.4\n");
        Files.createDirectories(work.resolve("in"));
    }

    /**
     * The {@code sandbox4j run} commands in the fenced blocks of one file: continuation lines
     * joined, a {@code $ } prompt dropped, a trailing {@code ; echo $?} or redirection dropped, and
     * {@code $SYS} (the docs' shorthand) read as {@code --ro-system}. Synopsis lines (with {@code [}
     * or upper-case placeholders) are not commands.
     */
    static List<Documented> commands(String file, List<String> lines) {
        List<Documented> out = new ArrayList<>();
        boolean fenced = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (!fenced) {
                continue;
            }
            int lineNo = i + 1;
            StringBuilder cmd = new StringBuilder(line.strip());
            while (cmd.toString().endsWith("\\") && i + 1 < lines.size()) {
                cmd.setLength(cmd.length() - 1);
                cmd.append(' ').append(lines.get(++i).strip());
            }
            String c = cmd.toString();
            if (c.startsWith("$ ")) {
                c = c.substring(2);
            }
            c = c.replaceFirst("^sandbox-examples/target/sandbox4j ", "sandbox4j ");
            if (!c.startsWith("sandbox4j run ") || c.contains("[") || c.matches(".*\\b(FILE|COMMAND|OPTION)\\b.*")) {
                continue;
            }
            c = c.replaceAll(";\\s*echo \\$\\?.*$", "").replaceAll("\\s+2>&1.*$", "").replace("$SYS", "--ro-system");
            List<String> words = split(c);
            out.add(new Documented(file + ":" + lineNo, words.subList(1, words.size())));
        }
        return out;
    }

    /** Words as a POSIX shell splits them, for the quoting the docs use ('...' and "...") and {@code # comments}. */
    static List<String> split(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '#' && !inWord) {
                break; // a comment, to the end of the line
            }
            if (ch == '\'' || ch == '"') {
                int end = s.indexOf(ch, i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unbalanced quote in " + s);
                }
                w.append(s, i + 1, end);
                i = end;
                inWord = true;
            } else if (Character.isWhitespace(ch)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else {
                w.append(ch);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
