package org.sandbox4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command's class-data sharing archive (target/sandbox4j.jsa before JDK 25, target/sandbox4j.aot
 * from 25 on, made by the build with Maven's JDK): used when the java run is the one that made it,
 * left alone by any other java, ignored when a jar changed or the file is damaged, and in no case a
 * byte more on the command's stdout or stderr than the jailed program wrote. Also the unpacked JNA
 * library (target/jna): a broken one is replaced by JNA's own, silently.
 */
@Tag("kernel")
class CliArchiveTest {
    private static final Path CLI = Path.of(System.getProperty("sandbox4j.cli", "target/sandbox4j")).toAbsolutePath();
    private static final Path TARGET = CLI.getParent();
    private static final List<Path> JDKS = List.of(Path.of("/usr/lib/jvm/java-17-openjdk-amd64"),
            Path.of("/usr/lib/jvm/temurin-25-jdk-amd64"));
    private static final List<String> ECHO = List.of("run", "--ro-system", "--", "/bin/echo", "hello");

    record Run(int exit, String out, String err, String classLoads) {
        /** Where the log says the CLI's main class came from ("shared objects file" or the jar). */
        String mainSource() {
            return classLoads.lines().filter(l -> l.contains(" org.sandbox4j.examples.cli.Main source: "))
                    .findFirst().orElse("(Main not in the class-load log)");
        }

        void assertClean() {
            assertEquals(0, exit, err);
            assertEquals("hello\n", out, "stdout is the jailed program's");
            assertEquals("", err, "nothing on stderr either");
        }
    }

    /** Line 1 of sandbox4j.archive: the real path of the java that made the archive; line 2: jsa or aot. */
    private static List<String> stamp(Path dir) throws IOException {
        Path stamp = dir.resolve("sandbox4j.archive");
        Path log = dir.resolve("sandbox4j-archive.log");
        assertTrue(Files.isRegularFile(stamp), "the build made no archive (jails work here, so it should have): "
                + (Files.isRegularFile(log) ? Files.readString(log) : "no log"));
        List<String> lines = Files.readAllLines(stamp);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(1).equals("jsa") || lines.get(1).equals("aot"), lines.toString());
        assertTrue(Files.isRegularFile(dir.resolve("sandbox4j." + lines.get(1))), lines.toString());
        return lines;
    }

    /** JAVA_HOME of the java binary at {@code javaBinary} (.../bin/java). */
    private static String home(String javaBinary) {
        return Path.of(javaBinary).getParent().getParent().toString();
    }

    /** The command run with {@code javaHome}; its class loads are logged to a new file in {@code tmp} (as root). */
    private static Run cli(Path script, String javaHome, List<String> prefix, List<String> args, Path tmp)
            throws Exception {
        return cli(script, javaHome, prefix, args, tmp, "");
    }

    /** The same with {@code moreOptions} in SANDBOX4J_JAVA_OPTS. */
    private static Run cli(Path script, String javaHome, List<String> prefix, List<String> args, Path tmp,
            String moreOptions) throws Exception {
        Path log = tmp.resolve("class-load-" + System.nanoTime() + ".log");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(script.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(script.getParent().toFile());
        pb.environment().put("JAVA_HOME", javaHome);
        if (prefix.isEmpty()) {
            pb.environment().put("SANDBOX4J_JAVA_OPTS", (moreOptions + " -Xlog:class+load=info:file=" + log).strip());
        }
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        String out = drain(p.getInputStream());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "sandbox4j did not finish: " + cmd);
        return new Run(p.exitValue(), out, err.get(), prefix.isEmpty() ? Files.readString(log) : "");
    }

    private static String drain(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    @Test
    void theArchiveIsUsedWithTheJavaThatMadeIt(@TempDir Path tmp) throws Exception {
        List<String> stamp = stamp(TARGET);
        Run r = cli(CLI, home(stamp.get(0)), List.of(), ECHO, tmp);
        r.assertClean();
        assertTrue(r.mainSource().contains("source: shared objects file"), r.mainSource());
        // JVM options that choose class-data sharing themselves (which the docs once showed): the script
        // leaves the archive out (an AOT cache and any -Xshare option stop the JVM on JDK 25).
        for (String own : List.of("-Xshare:auto", "-Xshare:off")) {
            Run r2 = cli(CLI, home(stamp.get(0)), List.of(), ECHO, tmp, own);
            r2.assertClean();
            assertTrue(r2.mainSource().contains("source: file:"), own + ": " + r2.mainSource());
        }
        // Commands with the full class path (bench, example) do not use it: their --help stays clean.
        Run help = cli(CLI, home(stamp.get(0)), List.of(), List.of("example", "--help"), tmp);
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().startsWith("usage: sandbox4j example"), help.out());
        assertEquals("", help.err());
        assertTrue(help.mainSource().contains("source: file:"), help.mainSource());
    }

    @Test
    void anotherJavaLeavesTheArchiveAlone(@TempDir Path tmp) throws Exception {
        String made = stamp(TARGET).get(0);
        int others = 0;
        for (Path jdk : JDKS) {
            Path java = jdk.resolve("bin/java");
            if (!Files.isExecutable(java) || java.toRealPath().toString().equals(made)) {
                continue;
            }
            others++;
            Run r = cli(CLI, jdk.toString(), List.of(), ECHO, tmp);
            r.assertClean();
            assertTrue(r.mainSource().contains("source: file:"), jdk + ": " + r.mainSource());
        }
        assumeTrue(others > 0, "no second JDK installed");
    }

    @Test
    void aStaleOrDamagedArchiveIsIgnoredSilently(@TempDir Path tmp) throws Exception {
        String made = stamp(TARGET).get(0);
        String kind = stamp(TARGET).get(1);
        Path script = CliCopy.copyTo(CLI, tmp.resolve("cli"), true);
        Path copy = script.getParent();

        // Moved elsewhere: the JVM may use the archive or not; the output is the program's alone.
        cli(script, home(made), List.of(), ECHO, tmp).assertClean();
        if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            cli(script, home(made), List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                    ECHO, tmp).assertClean();
        }

        // A jar that changed since the archive was made: the JVM does not use the archive, silently.
        Path jar = copy.resolve("sandbox-examples.jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 3_600_000));
        Run stale = cli(script, home(made), List.of(), ECHO, tmp);
        stale.assertClean();
        assertTrue(stale.mainSource().contains("source: file:"), stale.mainSource());

        // A JNA library that does not load here (another architecture's, as in a copy moved to another
        // host): JNA unpacks its own (JDK 17 to 21), nothing is printed.
        Path jna = copy.resolve("jna/libjnidispatch.so");
        if (Files.exists(jna)) {
            String other = System.getProperty("os.arch").equals("aarch64") ? "linux-x86-64" : "linux-aarch64";
            Path jnaJar = copy.resolve("lib/jna-" + com.sun.jna.Native.VERSION + ".jar");
            try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jnaJar.toFile());
                    java.io.InputStream in = zip.getInputStream(zip.getEntry("com/sun/jna/" + other + "/libjnidispatch.so"))) {
                Files.write(jna, in.readAllBytes());
            }
            cli(script, home(made), List.of(), ECHO, tmp).assertClean();
        }

        // A damaged archive file: the same.
        Path archive = copy.resolve("sandbox4j." + kind);
        Files.delete(archive);
        Files.writeString(archive, "not an archive\n");
        Files.setPosixFilePermissions(archive, PosixFilePermissions.fromString("rw-r--r--"));
        Run damaged = cli(script, home(made), List.of(), ECHO, tmp);
        damaged.assertClean();
        assertTrue(damaged.mainSource().contains("source: file:"), damaged.mainSource());
    }
}
