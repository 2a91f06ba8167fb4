package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sandbox4j.Arch;
import org.sandbox4j.TextFuzz;

/**
 * {@code #include}, as kafel's {@code test/includes.c} checks it (in files of our own), plus what
 * kafel leaves to a depth limit: files resolve relative to the including file, cycles are refused
 * with their chain, and the texts of all files together stay within the parser's limits.
 */
@Tag("unit")
class KafelIncludeTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private static SeccompAction decide(SeccompPolicy p, String call, long... args) {
        Arch a = Arch.X86_64;
        SeccompData d = SeccompData.of(a, Syscalls.number(a, call).getAsInt(), args);
        SeccompAction bpf = BpfInterpreter.run(p.compile(a), d).action();
        assertEquals(p.evaluate(a, d), bpf);
        return bpf;
    }

    private SeccompParseException refused(String main) throws IOException {
        Path p = write("main.policy", main);
        SeccompParseException e = assertThrows(SeccompParseException.class, () -> SeccompPolicy.parse(p));
        assertTrue(e.line() >= 1 && e.column() >= 1, e.getMessage());
        return e;
    }

    private void common() throws IOException {
        write("nothing.policy", "POLICY nothing {}\n");
        write("quit.policy", "POLICY quit {\n  ALLOW { exit_group }\n}\n");
    }

    @Test
    void includedPoliciesCanBeUsed() throws IOException {
        common();
        SeccompPolicy p = SeccompPolicy.parse(write("main.policy", "#include \"nothing.policy\"; USE nothing DEFAULT KILL"));
        assertEquals(SeccompAction.KILL_PROCESS, decide(p, "exit_group", 0));
        p = SeccompPolicy.parse(write("main.policy", "#include \"quit.policy\"; USE quit DEFAULT KILL"));
        assertEquals(SeccompAction.ALLOW, decide(p, "exit_group", 0));
        assertEquals(SeccompAction.KILL_PROCESS, decide(p, "write", 1, 0, 0));
        p = SeccompPolicy.parse(write("main.policy", "#include \"quit.policy\"\nUSE quit DEFAULT KILL"));
        assertEquals(SeccompAction.ALLOW, decide(p, "exit_group", 0));
        // several files in one #include, read in order
        p = SeccompPolicy.parse(write("main.policy", "#include \"nothing.policy\" \"quit.policy\";USE quit DEFAULT KILL"));
        assertEquals(SeccompAction.ALLOW, decide(p, "exit_group", 0));
    }

    @Test
    void chainsResolveRelativeToTheIncludingFileAndShareDefines() throws IOException {
        common();
        // sub/streams.policy defines constants and includes sub/deeper/io.policy, which uses them
        write("sub/streams.policy", "#define IN 0\n#define OUT 1\n#define ERR 2\n#include \"deeper/io.policy\"\n"
                + "POLICY streams { KILL { ptrace } }\n");
        write("sub/deeper/io.policy", "#include \"../../nothing.policy\"\n"
                + "POLICY io {\n  ALLOW {\n    write { fd == OUT || fd == ERR },\n    read { fd == IN }\n  }\n}\n");
        write("all.policy", "#include \"quit.policy\"\n#include \"sub/streams.policy\"\n"
                + "POLICY all { ALLOW { getpid } }\n");
        SeccompPolicy p = SeccompPolicy.parse(write("main.policy", "#include \"all.policy\"\n"
                + "POLICY composite {\n  USE nothing,\n  USE quit,\n  USE io,\n  USE streams\n}\nUSE composite DEFAULT ERRNO(1)"));
        assertEquals(SeccompAction.ALLOW, decide(p, "exit_group", 0));
        assertEquals(SeccompAction.ALLOW, decide(p, "read", 0, 0, 0));
        assertEquals(SeccompAction.ALLOW, decide(p, "write", 2, 0, 0));
        assertEquals(SeccompAction.errno(1), decide(p, "write", 3, 0, 0));
        assertEquals(SeccompAction.KILL_PROCESS, decide(p, "ptrace"));
        assertEquals(SeccompAction.errno(1), decide(p, "getpid"), "policy 'all' is defined but not used");
        // the parse does not depend on the working directory: main.policy named by a relative path
        Path rel = Path.of("").toAbsolutePath().relativize(dir.resolve("main.policy"));
        assertEquals(p, SeccompPolicy.parse(rel));
    }

    @Test
    void errorsInIncludedFilesNameTheFileAndTheChain() throws IOException {
        write("bad.policy", "POLICY bad {\n  ALLOW { wirte }\n}\n");
        write("mid.policy", "\n#include \"bad.policy\"\n");
        SeccompParseException e = refused("#include \"mid.policy\"\nUSE bad");
        assertEquals(2, e.line());
        assertEquals(11, e.column());
        assertTrue(e.file().endsWith("bad.policy"), e.file());
        assertTrue(e.getMessage().contains("(included from " + dir.resolve("mid.policy") + " line 2, from "
                + dir.resolve("main.policy") + " line 1)"), e.getMessage());
    }

    @Test
    void missingAndMalformedIncludesAreRefused() throws IOException {
        common();
        assertTrue(refused("#include \"no_such.policy\";").getMessage().contains("no such file"));
        refused("#include\"nothing.policy\"; USE nothing DEFAULT KILL"); // no space after #include
        refused("#include \"nothing.policy\"\"quit.policy\"\nUSE nothing DEFAULT KILL"); // none between names
        refused("#include \"nothing_policy"); // the name never ends
        assertTrue(refused("#include \"nothing.policy\"").getMessage().contains("unterminated #include"),
                "kafel wants a newline or ';' even on the last line");
        refused("#include nothing.policy; USE nothing DEFAULT KILL"); // not quoted
        refused("#include \"\";");
        Files.createDirectories(dir.resolve("adir"));
        assertTrue(refused("#include \"adir\";").getMessage().contains("not a regular file"));
    }

    @Test
    void cyclesAreRefusedWithTheirChain() throws IOException {
        write("self.policy", "#include \"self.policy\";\n");
        write("ping.policy", "#include \"pong.policy\"\n");
        write("pong.policy", "#include \"ping.policy\"\n");
        write("to_loop.policy", "#include \"ping.policy\"\n");
        SeccompParseException e = refused("#include \"self.policy\";POLICY empty {} USE empty DEFAULT KILL");
        assertTrue(e.getMessage().contains("#include cycle: " + dir.resolve("main.policy") + " -> "
                + dir.resolve("self.policy") + " -> " + dir.resolve("self.policy")), e.getMessage());
        e = refused("#include \"ping.policy\";POLICY empty {} USE empty DEFAULT KILL");
        assertTrue(e.getMessage().contains("ping.policy -> " + dir.resolve("pong.policy") + " -> "
                + dir.resolve("ping.policy")), e.getMessage());
        e = refused("#include \"to_loop.policy\";POLICY empty {} USE empty DEFAULT KILL");
        assertTrue(e.getMessage().contains("#include cycle"), e.getMessage());
        // the main file itself, reached through a symbolic link
        Files.createSymbolicLink(dir.resolve("alias.policy"), dir.resolve("main.policy"));
        assertTrue(refused("#include \"alias.policy\"\n").getMessage().contains("#include cycle"));
        // control: the same file twice, but not inside itself, is no cycle (its policy is then defined twice)
        write("defs.policy", "#define X 1\n");
        SeccompPolicy.parse(write("main.policy", "#include \"defs.policy\" \"defs.policy\"\nALLOW { read { fd == X } }"));
    }

    @Test
    void includesNeedAFile() {
        SeccompParseException e = assertThrows(SeccompParseException.class,
                () -> SeccompPolicy.parse("#include \"x.policy\"\nDEFAULT KILL"));
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("SeccompPolicy.parse(Path)"), e.getMessage());
        e = assertThrows(SeccompParseException.class, () -> SeccompPolicy.parse(dir.resolve("absent.policy")));
        assertTrue(e.getMessage().contains("no such file") && e.file() != null, e.getMessage());
    }

    /**
     * Mutated main files over a fixed set of includable files (a cycle, a chain, a policy, a
     * directory, a missing name): accepted, or refused with a SeccompParseException, within 1 s each.
     */
    @Test
    void mutatedIncludingPoliciesAreAcceptedOrRefusedQuickly() throws IOException {
        write("a.policy", "#include \"b.policy\"\nPOLICY pa { ALLOW { read } }\n");
        write("b.policy", "#define B 2\n#include \"c.policy\";\n");
        write("c.policy", "#include \"a.policy\"\n"); // a -> b -> c -> a
        write("d.policy", "#define D 1\nPOLICY pd { ALLOW { write { fd == D } } }\n");
        write("e/f.policy", "#include \"../d.policy\"\n");
        Files.createDirectories(dir.resolve("g"));
        Path main = dir.resolve("main.policy");
        java.util.List<String> corpus = java.util.List.of(
                "#include \"d.policy\"\nUSE pd DEFAULT KILL",
                "#include \"e/f.policy\" \"d.policy\";USE pd, ALLOW { read { fd == D } } DEFAULT ERRNO(1)\n",
                "#include \"a.policy\"\nUSE pa\n",
                "#include \"g\";\n#include \"nope.policy\"\n");
        java.util.List<String> dictionary = java.util.List.of("#include ", "\"d.policy\"", "\"a.policy\"",
                "\"e/f.policy\"", "\"../main.policy\"", "\"main.policy\"", "\"g\"", ";", "\n", " ", "\"", "USE pd",
                "USE pa", "DEFAULT KILL", "ALLOW { read { fd == D } }", "{", "}", "/*", "*/", "//");
        TextFuzz.Stats st = TextFuzz.run("include fuzz", 20261204L, 400, corpus, dictionary,
                r -> corpus.get(r.nextInt(corpus.size())), text -> {
                    try {
                        Files.writeString(main, text);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    try {
                        SeccompPolicy.parse(main).compile(Arch.X86_64);
                        return TextFuzz.Verdict.ACCEPTED;
                    } catch (SeccompParseException e) {
                        assertTrue(e.line() >= 1 && e.column() >= 1 && e.file() != null, e.getMessage());
                        return TextFuzz.Verdict.REFUSED;
                    }
                }, 1_000_000_000L, 20_000_000_000L);
        assertTrue(st.accepted() > 0 && st.accepted() < st.inputs(), st.toString());
    }

    @Test
    void depthCountAndSizeAreLimitedAcrossFiles() throws IOException {
        // a chain one deeper than the limit, and the limit itself as a control
        int n = KafelParser.MAX_INCLUDE_DEPTH;
        for (int i = 0; i <= n; i++) {
            write("d" + i + ".policy", i == n ? "ALLOW { read }\n" : "#include \"d" + (i + 1) + ".policy\"\n");
        }
        assertEquals(1, SeccompPolicy.parse(write("main.policy", "#include \"d1.policy\"\n")).rules().size());
        assertTrue(refused("#include \"d0.policy\"\n").getMessage().contains("nests deeper than 16 files"));
        // files that include the next one twice: 2^13 inclusions of tiny files, refused by count
        for (int i = 0; i < 12; i++) {
            write("w" + i + ".policy", "#include \"w" + (i + 1) + ".policy\" \"w" + (i + 1) + ".policy\"\n");
        }
        write("w12.policy", "\n");
        SeccompParseException e = TextFuzz.timed("KafelIncludeTest.doublingIncludes",
                () -> assertThrows(SeccompParseException.class,
                        () -> SeccompPolicy.parse(write("main.policy", "#include \"w0.policy\"\n"))));
        assertTrue(e.getMessage().contains("more than " + KafelParser.MAX_INCLUDES + " files included"), e.getMessage());
        // files under 1 MiB each, over it together
        String half = "/*" + " ".repeat(KafelParser.MAX_INPUT_CHARS / 2) + "*/\n";
        write("half.policy", half);
        e = TextFuzz.timed("KafelIncludeTest.twoHalves",
                () -> assertThrows(SeccompParseException.class,
                        () -> SeccompPolicy.parse(write("main.policy", "#include \"half.policy\" \"half.policy\"\n"))));
        assertTrue(e.getMessage().contains("1 MiB"), e.getMessage());
        SeccompPolicy.parse(write("main.policy", "#include \"half.policy\"\nDEFAULT ALLOW")); // control: one half
        Files.writeString(dir.resolve("main.policy"), " ".repeat(KafelParser.MAX_INPUT_CHARS + 1));
        assertTrue(assertThrows(SeccompParseException.class, () -> SeccompPolicy.parse(dir.resolve("main.policy")))
                .getMessage().contains("1 MiB"));
    }
}
