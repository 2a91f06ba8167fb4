package org.sandbox4j;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published API's javadoc stays clean: every public and protected member of every package but
 * {@code org.sandbox4j.internal} has a comment, and doclint finds nothing else wrong in it (HTML,
 * syntax, references, accessibility). The only findings allowed are the {@code missing} group's tag
 * checks ({@code no @return}, {@code no @param}, {@code no @throws}), which the project leaves off:
 * a one-line comment on an accessor already says what it returns (docs/architecture.md, "Javadoc").
 *
 * <p>Doclint runs inside javac here (in a child JVM of the running JDK), so the check is the one of
 * the JDK that builds, 17 or 25, and writes no HTML. JDK 25's doclint is the stricter: it also wants
 * a comment on a public class's implicit default constructor. {@link
 * #theCheckFindsAMissingCommentAndBrokenHtml} is the control: the same check does find problems.
 */
@Tag("unit")
class JavadocCoverageTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final List<String> ALLOWED = List.of("no @return", "no @param ", "no @throws ");

    @Test
    void everyPublishedMemberHasACommentAndDoclintFindsNothingElse(@TempDir Path out) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(SOURCES)) {
            // module-info.java would need the dependencies on a module path; the packages are
            // checked as the class path sees them (the javadoc plugin documents the module).
            files = s.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java"))
                    .sorted().collect(Collectors.toList());
        }
        List<String> problems = problems(files, out);
        assertTrue(problems.isEmpty(), problems.size() + " javadoc problems in the published packages:\n"
                + String.join("\n", problems.subList(0, Math.min(problems.size(), 60))));
    }

    /** The control: the same check on a small source finds a missing comment and broken HTML. */
    @Test
    void theCheckFindsAMissingCommentAndBrokenHtml(@TempDir Path dir) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src/org/example"));
        Path file = Files.writeString(src.resolve("Api.java"), String.join("\n",
                "package org.example;",
                "/** An API class. */",
                "public class Api {",
                "    private Api() {}",
                "    /** Documented; its missing @return and @param are allowed. */",
                "    public static int twice(int n) { return 2 * n; }",
                "    public static int undocumented() { return 0; }",
                "    /** Broken <b> HTML. */",
                "    public static int broken() { return 1; }",
                "}",
                ""));
        List<String> problems = problems(List.of(file), Files.createDirectories(dir.resolve("out")));
        assertEquals(2, problems.size(), () -> String.join("\n", problems));
        assertTrue(problems.get(0).contains(":7:") && problems.get(0).contains("no comment"), problems.get(0));
        assertTrue(problems.get(1).contains(":8:") && problems.get(1).contains("not closed: b"), problems.get(1));
    }

    /**
     * The findings in {@code files} that the project does not accept, one line each. Javac runs in a
     * child JVM with only the C1 compiler, which halves the CPU time of so short a run.
     */
    private static List<String> problems(List<Path> files, Path out) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                Doclint.class.getName(), out.toString()));
        files.forEach(f -> cmd.add(f.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String stdout = new String(p.getInputStream().readAllBytes(), UTF_8);
        try {
            assertEquals(0, p.waitFor(), () -> "the doclint JVM failed:\n" + stdout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return stdout.lines().collect(Collectors.toList());
    }

    /** The child JVM: {@code Doclint OUT_DIR FILE...} prints the unaccepted findings, one a line. */
    static final class Doclint {
        private Doclint() {}

        public static void main(String[] args) throws IOException {
            List<Path> files = Stream.of(args).skip(1).map(Path::of).collect(Collectors.toList());
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            boolean compiled = doclint(files, Path.of(args[0]), diagnostics);
            List<String> problems = diagnostics.getDiagnostics().stream()
                    .filter(d -> d.getKind() != Diagnostic.Kind.NOTE)
                    // javac's unsuppressible warning for selfjail's use of sun.misc.Signal, not javadoc
                    .filter(d -> !"compiler.warn.sun.proprietary".equals(d.getCode()))
                    .filter(d -> ALLOWED.stream().noneMatch(a -> message(d).startsWith(a)))
                    .map(JavadocCoverageTest::describe)
                    .collect(Collectors.toList());
            if (!compiled && problems.isEmpty()) {
                problems.add("javac failed without reporting an error");
            }
            problems.forEach(System.out::println);
        }
    }

    /** Runs javac with doclint over the main sources; stops after flow analysis (no class files). */
    private static boolean doclint(List<Path> files, Path out, DiagnosticCollector<JavaFileObject> diagnostics)
            throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, UTF_8)) {
            List<String> options = List.of(
                    "-d", out.toString(),
                    "-proc:none",
                    "-implicit:none",
                    "-XDshould-stop.ifNoError=FLOW",
                    "-encoding", "UTF-8",
                    "-classpath", System.getProperty("java.class.path"),
                    "-Xdoclint:all/protected",
                    "-Xdoclint/package:-org.sandbox4j.internal",
                    "-Xmaxwarns", "100000",
                    "-Xmaxerrs", "100000");
            return javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
        }
    }

    private static String message(Diagnostic<? extends JavaFileObject> d) {
        String m = d.getMessage(Locale.ROOT);
        return m.startsWith("[") && m.indexOf("] ") > 0 ? m.substring(m.indexOf("] ") + 2) : m;
    }

    private static String describe(Diagnostic<? extends JavaFileObject> d) {
        String file = d.getSource() == null ? "?" : Path.of(d.getSource().toUri()).toString();
        String root = SOURCES.toAbsolutePath() + "/";
        file = file.startsWith(root) ? file.substring(root.length()) : file;
        return file + ":" + d.getLineNumber() + ": " + d.getKind() + " [" + d.getCode() + "] " + d.getMessage(Locale.ROOT);
    }
}
