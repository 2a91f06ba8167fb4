package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sandbox4j.Arch;

/**
 * A one-off measurement, not a CI test: feeds kafel's own test policies ({@code test/basic.c},
 * {@code test/broken.c}, {@code test/includes.c} with {@code test/testdata/}) and its samples from
 * a checkout of google/kafel through this parser, and reports how many parse and decide as kafel's
 * tests expect. Runs only when told where the checkout is:
 *
 * <pre>
 * mvn -pl sandbox-api -Dtest=KafelSuiteReport -Dkafel.dir=/path/to/kafel test
 * </pre>
 *
 * The report goes to stdout and {@code target/kafel-suite-report.txt}; docs/seccomp.md quotes its
 * figure. The C test sources are read, not run: each {@code TEST_POLICY}/{@code TEST_COMPILE_ERROR}
 * with the expectations after it is one case; the two policies the C code builds in loops, and the
 * {@code sprintf} templates, are expanded here in the same shape. Decisions are taken on x86_64 from
 * the compiled program, run by {@link BpfInterpreter}.
 */
@Tag("manual")
class KafelSuiteReport {
    private static final Pattern CASE = Pattern.compile("TEST_CASE\\((\\w+)\\)\\s*\\{");
    private static final Pattern MACRO = Pattern.compile(
            "\\b(TEST_POLICY|TEST_COMPILE_ERROR|TEST_POLICY_ALLOWS_SYSCALL|TEST_POLICY_BLOCKS_SYSCALL"
                    + "|TEST_POLICY_ALLOWS|TEST_POLICY_BLOCKS)\\(");
    /** What the C sources' arguments name. */
    private static final Map<String, Long> C_CONSTANTS = Map.of("STDIN_FILENO", 0L, "F_GETFD", 1L,
            "(long)&dummy", 0x7ffc1234a000L, "NULL", 0L);

    @TempDir
    Path tmp;

    /** One policy of kafel's suite and what kafel's tests expect of it. */
    private record Case(String where, String policy, boolean compileError, List<Expect> expects, boolean include) {}

    /** A call (number, arguments) and the action expected, or null for "killed". */
    private record Expect(int nr, long[] args, SeccompAction action, String text) {}

    @Test
    void report() throws IOException {
        String dir = System.getProperty("kafel.dir");
        assumeTrue(dir != null, "set -Dkafel.dir to a checkout of google/kafel");
        Path kafel = Path.of(dir);
        List<Case> cases = new ArrayList<>();
        for (String f : List.of("basic.c", "broken.c", "includes.c")) {
            cases.addAll(cases(f, Files.readString(kafel.resolve("test").resolve(f))));
        }
        // the C loops of broken.c, rebuilt in the same shape
        cases.add(new Case("broken.c:broken_max_expr_depth", "ALLOW { read { fd == 1" + "&1".repeat(200) + "}}",
                true, List.of(), false));
        StringBuilder many = new StringBuilder("ALLOW { exit");
        for (int i = 0; i < 65_535; i++) {
            many.append(", SYSCALL[").append(i * 2).append(']');
        }
        cases.add(new Case("broken.c:broken_max_instructions", many.append('}').toString(), true, List.of(), false));
        // the samples: kafel compiles every one of them
        try (Stream<Path> s = Files.list(kafel.resolve("samples"))) {
            for (Path p : s.sorted().toList()) {
                cases.add(new Case("samples/" + p.getFileName(), Files.readString(p), false, List.of(), false));
            }
        }

        Path testdata = kafel.resolve("test").resolve("testdata");
        int ok = 0;
        List<String> lines = new ArrayList<>();
        List<String> diffs = new ArrayList<>();
        for (Case c : cases) {
            String outcome = run(c, testdata);
            if (outcome == null) {
                ok++;
                lines.add("same  " + c.where());
            } else {
                lines.add("DIFF  " + c.where() + ": " + outcome);
                diffs.add(c.where() + ": " + outcome);
            }
        }
        String summary = ok + " of " + cases.size() + " kafel test policies and samples parse and decide as kafel's"
                + " tests expect; " + diffs.size() + " differ";
        StringBuilder out = new StringBuilder(summary).append('\n');
        lines.forEach(l -> out.append(l).append('\n'));
        System.out.print(out);
        Files.writeString(Path.of("target", "kafel-suite-report.txt"), out);
    }

    /** Null if our parser and compiler do what kafel's test expects, else what differs. */
    private String run(Case c, Path testdata) throws IOException {
        SeccompPolicy p;
        SeccompProgram prog;
        try {
            if (c.include()) {
                Path d = Files.createTempDirectory(tmp, "case");
                try (Stream<Path> s = Files.list(testdata)) {
                    for (Path f : s.toList()) {
                        Files.copy(f, d.resolve(f.getFileName()));
                    }
                }
                p = SeccompPolicy.parse(Files.writeString(d.resolve("main.policy"), c.policy()));
            } else {
                p = SeccompPolicy.parse(c.policy());
            }
            prog = p.compile(Arch.X86_64);
        } catch (SeccompParseException | IllegalStateException e) {
            return c.compileError() ? null : "refused: " + e.getMessage();
        }
        if (c.compileError()) {
            return "accepted, kafel refuses it";
        }
        for (Expect e : c.expects()) {
            SeccompAction got = BpfInterpreter.run(prog, SeccompData.of(Arch.X86_64, e.nr(), e.args())).action();
            boolean same = e.action() == null
                    ? got == SeccompAction.KILL_PROCESS || got == SeccompAction.KILL_THREAD
                    : got.equals(e.action());
            if (!same) {
                return e.text() + ": " + got + ", kafel's test expects " + (e.action() == null ? "a kill" : e.action());
            }
        }
        return null;
    }

    /** The cases of one C test file, in order. */
    private static List<Case> cases(String file, String src) {
        List<Case> out = new ArrayList<>();
        Matcher m = CASE.matcher(src);
        while (m.find()) {
            int end = matching(src, m.end() - 1);
            String body = src.substring(m.end(), end);
            String where = file + ":" + m.group(1);
            if (body.contains("sprintf(")) {
                out.addAll(templates(where, body));
                continue;
            }
            Matcher t = MACRO.matcher(body);
            Matcher api = Pattern.compile("const char\\* policy =\\s*((?:\"(?:[^\"\\\\]|\\\\.)*\"\\s*)+);").matcher(body);
            if (!t.find() && api.find()) { // a case calling kafel's API itself: it expects the policy to compile
                out.add(new Case(where, literal(api.group(1)), false, List.of(), false));
                continue;
            }
            t.reset();
            Case cur = null;
            while (t.find()) {
                int close = matching(body, t.end() - 1);
                String arg = body.substring(t.end(), close);
                switch (t.group(1)) {
                    case "TEST_POLICY", "TEST_COMPILE_ERROR" -> {
                        String policy = literal(arg);
                        if (policy == null) {
                            continue; // built by C code: rebuilt by the caller
                        }
                        cur = new Case(where, policy, t.group(1).equals("TEST_COMPILE_ERROR"), new ArrayList<>(),
                                file.equals("includes.c"));
                        out.add(cur);
                    }
                    case "TEST_POLICY_ALLOWS" -> cur.expects().add(new Expect(nr("__NR_exit"), new long[0],
                            SeccompAction.ALLOW, "exit"));
                    case "TEST_POLICY_BLOCKS" -> cur.expects().add(new Expect(nr("__NR_exit"), new long[0], null, "exit"));
                    default -> cur.expects().add(expect(arg, t.group(1).endsWith("ALLOWS_SYSCALL")));
                }
            }
        }
        return out;
    }

    /** broken.c's sprintf templates: every template with every word. */
    private static List<Case> templates(String where, String body) {
        List<String> templates = new ArrayList<>();
        List<String> words = new ArrayList<>();
        Matcher single = Pattern.compile("const char\\* policy_template =\\s*((?:\"(?:[^\"\\\\]|\\\\.)*\"\\s*)+);").matcher(body);
        if (single.find()) {
            templates.add(literal(single.group(1)));
        }
        Matcher arrays = Pattern.compile("const char\\* (\\w+)\\[\\] = \\{([^}]*)\\};").matcher(body);
        while (arrays.find()) {
            List<String> items = new ArrayList<>();
            Matcher lit = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(arrays.group(2));
            while (lit.find()) {
                items.add(unescape(lit.group(1)));
            }
            (arrays.group(1).equals("templates") ? templates : words).addAll(items);
        }
        List<Case> out = new ArrayList<>();
        for (String t : templates) {
            for (String w : words) {
                out.add(new Case(where + "[" + t.replace("%s", w).replace("\n", " ") + "]", t.replace("%s", w), true,
                        List.of(), false));
            }
        }
        return out;
    }

    private static Expect expect(String arg, boolean allows) {
        String text = arg.replaceAll("\\s+", " ").trim();
        Matcher spec = Pattern.compile("SYSCALL_SPEC\\d\\(([^()]*(?:\\([^()]*\\)[^()]*)*)\\)").matcher(text);
        if (!spec.find()) {
            throw new IllegalStateException("cannot read " + text);
        }
        String[] f = spec.group(1).split(",");
        long[] args = new long[f.length - 1];
        for (int i = 1; i < f.length; i++) {
            args[i - 1] = number(f[i].trim());
        }
        SeccompAction action = null;
        if (allows) {
            Matcher errno = Pattern.compile("SYSCALL_ERRNO_SPEC\\((\\d+)\\)").matcher(text);
            action = errno.find() ? SeccompAction.errno(Integer.parseInt(errno.group(1))) : SeccompAction.ALLOW;
        }
        return new Expect((int) number(f[0].trim()), args, action, spec.group());
    }

    private static long number(String s) {
        if (s.startsWith("__NR_")) {
            return nr(s);
        }
        Long named = C_CONSTANTS.get(s);
        if (named != null) {
            return named;
        }
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }

    private static int nr(String cName) {
        return SyscallTable.of(Arch.X86_64).number(cName.substring("__NR_".length())).getAsInt();
    }

    /** The position of the bracket closing the one at {@code open}, skipping string literals. */
    private static int matching(String s, int open) {
        char o = s.charAt(open);
        char c = o == '(' ? ')' : '}';
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"') {
                for (i++; s.charAt(i) != '"'; i++) {
                    if (s.charAt(i) == '\\') {
                        i++;
                    }
                }
            } else if (ch == o) {
                depth++;
            } else if (ch == c && --depth == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unbalanced " + o);
    }

    /** The concatenated C string literals that make up {@code arg}, or null if it is not only literals. */
    private static String literal(String arg) {
        String a = arg.trim();
        if (!a.startsWith("\"")) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        Matcher lit = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(a);
        while (lit.find()) {
            sb.append(unescape(lit.group(1)));
        }
        return sb.toString();
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\t", "\t").replace("\\\"", "\"").replace("\\\\", "\\");
    }
}
