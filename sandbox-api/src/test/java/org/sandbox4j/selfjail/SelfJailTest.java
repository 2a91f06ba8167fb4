package org.sandbox4j.selfjail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.sandbox4j.JailTestSupport;
import org.sandbox4j.JailTestSupport.JailMode;
import org.sandbox4j.internal.LibC;

/**
 * Whole applications that jail themselves, run as real JVMs: JDK 17 and 25, as root and as uid 65534
 * (class path copied world-readable, run through setpriv), started from the class path, the module
 * path and with {@code java -jar}.
 */
@Tag("kernel")
class SelfJailTest {
    // Explicit JDKs, whichever one runs the tests (CI runs the suite on both).
    static final Path JDK17_HOME = Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
    static final Path JDK25_HOME = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    enum Jdk {
        JDK17, JDK25;

        String java() {
            Path home = this == JDK17 ? JDK17_HOME : JDK25_HOME;
            assumeTrue(Files.isExecutable(home.resolve("bin/java")), home + " is not installed");
            return home.resolve("bin/java").toString();
        }
    }

    static Stream<Arguments> jdksAndModes() {
        List<Arguments> out = new ArrayList<>();
        for (Jdk j : Jdk.values()) {
            for (JailMode m : JailMode.values()) {
                out.add(Arguments.of(j, m));
            }
        }
        return out.stream();
    }

    /** The test class path, copied to a world-readable place for uid 65534. */
    static String classpath() {
        return JailTestSupport.worldReadableClasspathArg();
    }

    static void makeWorldReadable(Path dir) throws IOException {
        JailTestSupport.makeWorldReadable(dir);
    }

    static void copyTree(Path src, Path dst) throws IOException {
        JailTestSupport.copyTree(src, dst);
    }

    /** A world-writable data directory (the jail runs as host uid 65534 when the JVM is root). */
    static Path dataDir() throws IOException {
        Path d = JailTestSupport.worldReadableDir();
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        return d;
    }

    static List<String> prefix(JailMode mode) {
        List<String> cmd = new ArrayList<>();
        if (mode == JailMode.UNPRIVILEGED) {
            assumeTrue(LibC.geteuid() == 0, "switching to uid 65534 needs a root JVM");
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        return cmd;
    }

    /** {@code java [opts] -cp CP SelfJailApp args} */
    static Process app(Jdk jdk, JailMode mode, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = prefix(mode);
        cmd.add(jdk.java());
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-Dselfjail.test=a b", "-cp", classpath(), SelfJailApp.class.getName()));
        cmd.addAll(List.of(args));
        return start(cmd, env);
    }

    static Process start(List<String> cmd, Map<String, String> env) throws IOException {
        return start(cmd, env, new File("/"));
    }

    static Process start(List<String> cmd, Map<String, String> env, File cwd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd);
        pb.environment().remove(JailMarker.ENV);
        pb.environment().putAll(env);
        return pb.start();
    }

    record Ended(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Ended finish(Process p, String stdin) throws Exception {
        try (OutputStream o = p.getOutputStream()) {
            o.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        StringBuilder err = new StringBuilder();
        Thread t = new Thread(() -> {
            try {
                err.append(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                // ended
            }
        });
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the application did not end");
        t.join(10_000);
        return new Ended(p.exitValue(), out, err.toString());
    }

    static void assertProbe(Ended e, boolean hostNetwork) {
        assertEquals(42, e.code(), e.toString());
        assertTrue(e.out().contains("jailed=true\n"), e.toString());
        assertTrue(e.out().contains("pid=2\n"), "the jailed JVM is pid 2 of its own pid namespace\n" + e);
        assertTrue(e.out().contains("secret=hidden\n"), e.toString());
        assertTrue(e.out().contains("stdin=line from outside\n"), e.toString());
        assertTrue(e.err().contains("to-stderr"), e.toString());
        int processes = Integer.parseInt(e.out().replaceAll("(?s).*processes=(\\d+).*", "$1"));
        assertTrue(processes <= 3, "only the jail's processes are visible\n" + e);
        int ifs = Integer.parseInt(e.out().replaceAll("(?s).*interfaces=(\\d+).*", "$1"));
        if (hostNetwork) {
            assertTrue(ifs >= 1, e.toString());
        } else {
            assertEquals(1, ifs, "only loopback\n" + e);
        }
    }

    static Path secret() throws IOException {
        Path s = JailTestSupport.worldReadableDir().resolve("selfjail-secret");
        Files.writeString(s, "secret");
        return s;
    }

    @ParameterizedTest
    @MethodSource("jdksAndModes")
    void classPathAppRunsJailedWithStdioArgsAndExitCode(Jdk jdk, JailMode mode) throws Exception {
        Path data = dataDir();
        Ended e = finish(app(jdk, mode, Map.of(), "probe", data.toString(), secret().toString(), "none", "x y"),
                "line from outside\n");
        assertProbe(e, false);
        assertTrue(e.out().contains("args=probe|" + data + "|"), "arguments pass unchanged, spaces included\n" + e);
        assertTrue(e.out().contains("|none|x y\n"), e.toString());
        assertEquals("from the jail", Files.readString(data.resolve("written")));
    }

    @Test
    void hostNetworkOnlyWhenAsked() throws Exception {
        int hostIfs = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).size();
        assumeTrue(hostIfs > 1, "the host has only loopback");
        Ended e = finish(app(Jdk.JDK17, JailMode.PRIVILEGED, Map.of(), "probe", dataDir().toString(), secret().toString(),
                "host"), "line from outside\n");
        assertProbe(e, true);
        assertTrue(e.out().contains("interfaces=" + hostIfs + "\n"), e.toString());
    }

    @ParameterizedTest
    @MethodSource("jdksAndModes")
    void sigtermReachesTheJailedJvmAndRunsItsShutdownHooks(Jdk jdk, JailMode mode) throws Exception {
        String marker = "selfjail-term-" + System.nanoTime();
        Process p = app(jdk, mode, Map.of(), "term", dataDir().toString(), marker);
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("READY jailed=true", r.readLine());
            assertEquals(0, LibC.kill((int) p.pid(), LibC.SIGTERM));
            assertEquals("HOOK", r.readLine(), "the jailed JVM ran its shutdown hooks");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(143, p.exitValue(), "exit status as an unjailed JVM's on SIGTERM (128 + 15)");
        } finally {
            p.destroyForcibly();
        }
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void sigkillOfTheOuterJvmKillsTheJailedJvm(JailMode mode) throws Exception {
        String marker = "selfjail-kill-" + System.nanoTime();
        Process p = app(Jdk.JDK17, mode, Map.of(), "hold", dataDir().toString(), marker);
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("READY jailed=true", r.readLine());
            List<Long> inner = withArg(marker);
            inner.remove(Long.valueOf(p.pid()));
            inner.removeIf(pid -> !ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("").endsWith("/java"));
            assertEquals(1, inner.size(), "one jailed JVM besides the outer one: " + inner);
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ProcessHandle.of(inner.get(0)).map(ProcessHandle::isAlive).orElse(false)) {
                assertTrue(System.nanoTime() < deadline, "the jailed JVM survived its outer JVM");
                Thread.sleep(20);
            }
        } finally {
            p.destroyForcibly();
        }
    }

    static Stream<Arguments> forgedMarkers() {
        List<Arguments> out = new ArrayList<>();
        for (JailMode m : JailMode.values()) {
            for (String marker : new String[] {"v1;mnt=1", "v1;user=1;pid=1;mnt=1", "v2", "v2;fd=0;started=1",
                    "v2;fd=3;started=4"}) {
                out.add(Arguments.of(m, marker));
            }
        }
        return out.stream();
    }

    /**
     * Attack: whoever starts java sets the marker on the host (the issue's {@code v1;mnt=1}, the old
     * format naming every namespace, a partial {@code v2}, fds pointing at stdin/stdout whose content
     * the caller chooses, an fd that is the JDK's modules file). enter refuses loudly, isJailed is
     * false. The control is {@link #withoutAMarkerTheSameAppRunsJailed}.
     */
    @ParameterizedTest
    @MethodSource("forgedMarkers")
    void aForgedOrPartialMarkerOnTheHostIsRefused(JailMode mode, String marker) throws Exception {
        Ended e = finish(app(Jdk.JDK17, mode, Map.of(JailMarker.ENV, marker), "isjailed", dataDir().toString()),
                "sandbox4j-selfjail v2\nnew=mnt\nseccomp=0\nmnt=1\n");
        assertTrue(e.code() != 0, e.toString());
        assertTrue(e.out().contains("before=false\n"), "isJailed() is false on the host\n" + e);
        assertFalse(e.out().contains("after="), "enter did not return\n" + e);
        assertTrue(e.err().contains("not in the jail it names") && e.err().contains("Refusing to run"), e.toString());
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void withoutAMarkerTheSameAppRunsJailed(JailMode mode) throws Exception {
        Ended e = finish(app(Jdk.JDK17, mode, Map.of(), "isjailed", dataDir().toString()), "");
        assertEquals(0, e.code(), e.toString());
        assertTrue(e.out().contains("before=false\nbefore=true\nafter=true\n"), e.toString());
    }

    /**
     * Attack: a real jail that is weaker than the jailed JVM's Sandbox (here the outer JVM's jail
     * shares the network namespace): the jailed JVM refuses, naming the namespace. The control is
     * {@link #hostNetworkOnlyWhenAsked}, where both JVMs build the same Sandbox.
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aJailWeakerThanTheSandboxIsRefused(JailMode mode) throws Exception {
        Ended e = finish(app(Jdk.JDK17, mode, Map.of(), "partial", dataDir().toString()), "");
        assertTrue(e.code() != 0, e.toString());
        assertFalse(e.out().contains("jailed=true"), e.toString());
        assertTrue(e.err().contains("weaker than its Sandbox") && e.err().contains("[net]"), e.toString());
    }

    @Test
    void bestEffortRunsUnjailedWhenTheJailCannotBeBuilt() throws Exception {
        Ended e = finish(app(Jdk.JDK17, JailMode.PRIVILEGED, Map.of(), "broken", dataDir().toString()), "");
        assertEquals(0, e.code(), e.toString());
        assertTrue(e.out().contains("jailed=false"), e.toString());
    }

    @ParameterizedTest
    @EnumSource(JailMode.class)
    void javaDashJarAppRunsJailed(JailMode mode) throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        List<String> entries = new ArrayList<>();
        for (String e : classpath().split(File.pathSeparator)) {
            entries.add(Path.of(e).toUri().getRawPath()); // directories end with '/'
        }
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, SelfJailApp.class.getName());
        mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", entries));
        mf.getMainAttributes().put(new Attributes.Name("Enable-Native-Access"), "ALL-UNNAMED");
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
            // only the manifest: the classes come from its Class-Path
        }
        makeWorldReadable(dir);
        List<String> cmd = prefix(mode);
        cmd.addAll(List.of(Jdk.JDK17.java(), "-Xshare:auto", "-jar", jar.toString(), "probe", dataDir().toString(),
                secret().toString(), "none"));
        Ended e = finish(start(cmd, Map.of()), "line from outside\n");
        assertProbe(e, false);
    }

    /** A modular application: module selfjail.app requires the library's module, org.sandbox4j. */
    static Path modularApp() throws Exception {
        Path dir = JailTestSupport.worldReadableDir();
        Path mods = Files.createDirectory(dir.resolve("mods"));
        // The library as a jar (module org.sandbox4j, its module-info), with the launcher resources.
        Path lib = mods.resolve("sandbox.api.jar");
        Path classes = Path.of(SelfJail.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(lib));
                Stream<Path> s = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    out.putNextEntry(new JarEntry(classes.relativize(p).toString()));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
        }
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(e).getFileName().toString();
            if (name.startsWith("jna-") || name.startsWith("slf4j-api-")) {
                Files.copy(Path.of(e), mods.resolve(name));
            }
        }
        Path src = Files.createDirectories(dir.resolve("src/mapp"));
        Files.writeString(dir.resolve("src/module-info.java"), "module selfjail.app { requires org.sandbox4j; }\n");
        Files.writeString(src.resolve("Main.java"), String.join("\n",
                "package mapp;",
                "public class Main {",
                "  public static void main(String[] args) throws Exception {",
                "    org.sandbox4j.selfjail.SelfJail.enter(org.sandbox4j.Sandbox.builder().build(), args);",
                "    boolean term = args.length > 0 && args[0].equals(\"term\");",
                "    if (term) {", // before the line the test waits for, or its SIGTERM can come first
                "      Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println(\"HOOK\")));",
                "    }",
                "    System.out.println(\"jailed=\" + org.sandbox4j.selfjail.SelfJail.isJailed()",
                "        + \" module=\" + Main.class.getModule().getName() + \" args=\" + String.join(\"|\", args));",
                "    if (term) {",
                "      System.out.flush();",
                "      Thread.sleep(120_000);",
                "    }",
                "    System.exit(7);",
                "  }",
                "}", ""));
        Path out = Files.createDirectory(dir.resolve("out"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "17", "--module-path", mods.toString(), "-d", out.toString(),
                dir.resolve("src/module-info.java").toString(), src.resolve("Main.java").toString());
        assertEquals(0, rc, "javac");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(mods.resolve("selfjail.app.jar")), mf);
                Stream<Path> s = Files.walk(out)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    jar.putNextEntry(new JarEntry(out.relativize(p).toString()));
                    Files.copy(p, jar);
                    jar.closeEntry();
                }
            }
        }
        makeWorldReadable(dir);
        return mods;
    }

    @ParameterizedTest
    @MethodSource("jdksAndModes")
    void modulePathAppRunsJailed(Jdk jdk, JailMode mode) throws Exception {
        Path mods = modularApp();
        List<String> cmd = prefix(mode);
        cmd.addAll(List.of(jdk.java(), "--enable-native-access=ALL-UNNAMED", "--module-path", mods.toString(),
                "--add-modules", "ALL-MODULE-PATH", "-m", "selfjail.app/mapp.Main", "a b", "c"));
        Ended e = finish(start(cmd, Map.of()), "");
        assertEquals(7, e.code(), e.toString());
        assertTrue(e.out().contains("jailed=true module=selfjail.app args=a b|c"), e.toString());
    }

    @Test
    void modulePathAppWithoutJdkUnsupportedStillForwardsSigterm() throws Exception {
        Path mods = modularApp();
        Process p = start(List.of(Jdk.JDK17.java(), "--module-path", mods.toString(), "--add-modules", "ALL-MODULE-PATH",
                "-m", "selfjail.app/mapp.Main", "term"), Map.of());
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("jailed=true module=selfjail.app args=term", r.readLine());
            assertEquals(0, LibC.kill((int) p.pid(), LibC.SIGTERM));
            assertEquals("HOOK", r.readLine());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(143, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    /** How the application is started (issue #18: each from a working directory on, above or below its path). */
    enum Form { CP_DIR_RELATIVE, CP_DIR_ABSOLUTE, CP_JAR, JAR_MANIFEST, MODULE }

    /** The working directory: the application's class path directory (or jar's directory), its parent, a subdirectory. */
    enum Where { EQUAL, ABOVE, BELOW }

    static Stream<Arguments> launchForms() {
        List<Arguments> out = new ArrayList<>();
        for (JailMode m : JailMode.values()) {
            for (Form f : Form.values()) {
                for (Where w : Where.values()) {
                    out.add(Arguments.of(Jdk.JDK17, m, f, w));
                }
                // JDK 25: every form from the directory itself (the failing case of issue #18).
                out.add(Arguments.of(Jdk.JDK25, m, f, Where.EQUAL));
            }
        }
        return out.stream();
    }

    private static Path launchApps;

    /**
     * One application in every shape, compiled once: D/app (classes), D/jar/app.jar, D/mjar/app.jar
     * (Main-Class, and Class-Path "classes/" plus the library), D/mods (a modular application); each
     * with a subdirectory "sub".
     */
    static synchronized Path launchApps() throws Exception {
        if (launchApps != null) {
            return launchApps;
        }
        Path d = JailTestSupport.worldReadableDir();
        Path src = Files.createDirectories(d.resolve("src"));
        Files.writeString(src.resolve("Main.java"), String.join("\n",
                "public class Main {",
                "  public static void main(String[] args) throws Exception {",
                "    org.sandbox4j.selfjail.SelfJail.enter(org.sandbox4j.Sandbox.builder().build(), args);",
                "    System.out.println(\"jailed=\" + org.sandbox4j.selfjail.SelfJail.isJailed() + \" cwd=\"",
                "        + System.getProperty(\"user.dir\") + \" args=\" + String.join(\"|\", args));",
                "    System.exit(5);",
                "  }",
                "}", ""));
        Path app = Files.createDirectories(d.resolve("app"));
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-cp", classpath(), "-d",
                app.toString(), src.resolve("Main.java").toString());
        assertEquals(0, rc, "javac");
        Files.createDirectories(app.resolve("sub"));
        Path jarDir = Files.createDirectories(d.resolve("jar/sub")).getParent();
        Manifest plain = new Manifest();
        plain.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jarDir.resolve("app.jar")), plain)) {
            out.putNextEntry(new JarEntry("Main.class"));
            Files.copy(app.resolve("Main.class"), out);
            out.closeEntry();
        }
        Path mjar = Files.createDirectories(d.resolve("mjar/sub")).getParent();
        Files.createDirectories(mjar.resolve("classes"));
        Files.copy(app.resolve("Main.class"), mjar.resolve("classes/Main.class"));
        List<String> entries = new ArrayList<>(List.of("classes/"));
        for (String e : classpath().split(File.pathSeparator)) {
            entries.add(Path.of(e).toUri().getRawPath());
        }
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Main");
        mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", entries));
        mf.getMainAttributes().put(new Attributes.Name("Enable-Native-Access"), "ALL-UNNAMED");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(mjar.resolve("app.jar")), mf)) {
            // only the manifest: Main comes from classes/ next to the jar
        }
        Path mods = modularApp();
        Path modsHere = d.resolve("mods");
        copyTree(mods, modsHere);
        Files.createDirectories(modsHere.resolve("sub"));
        makeWorldReadable(d);
        launchApps = d;
        return d;
    }

    /** The working directory and the arguments after {@code java} for one form and place. */
    static List<String> launch(Path d, Form form, Where where, List<String> cmd) {
        String lib = classpath();
        String na = "--enable-native-access=ALL-UNNAMED";
        switch (form) {
            case CP_DIR_RELATIVE: {
                String cp = where == Where.EQUAL ? "." : where == Where.ABOVE ? "app" : "..";
                cmd.addAll(List.of(na, "-cp", cp + File.pathSeparator + lib, "Main", "x y"));
                return List.of(dir(d, "app", where));
            }
            case CP_DIR_ABSOLUTE:
                cmd.addAll(List.of(na, "-cp", d.resolve("app") + File.pathSeparator + lib, "Main", "x y"));
                return List.of(dir(d, "app", where));
            case CP_JAR: {
                String jar = where == Where.EQUAL ? "app.jar" : where == Where.ABOVE ? "jar/app.jar" : "../app.jar";
                cmd.addAll(List.of(na, "-cp", jar + File.pathSeparator + lib, "Main", "x y"));
                return List.of(dir(d, "jar", where));
            }
            case JAR_MANIFEST: {
                String jar = where == Where.EQUAL ? "app.jar" : where == Where.ABOVE ? "mjar/app.jar" : "../app.jar";
                cmd.addAll(List.of("-jar", jar, "x y"));
                return List.of(dir(d, "mjar", where));
            }
            default: {
                String mp = where == Where.EQUAL ? "." : where == Where.ABOVE ? "mods" : "..";
                cmd.addAll(List.of(na, "--module-path", mp, "--add-modules", "ALL-MODULE-PATH", "-m", "selfjail.app/mapp.Main",
                        "x y"));
                return List.of(dir(d, "mods", where));
            }
        }
    }

    private static String dir(Path d, String name, Where where) {
        return (where == Where.EQUAL ? d.resolve(name) : where == Where.ABOVE ? d : d.resolve(name).resolve("sub"))
                .toString();
    }

    /** Issue #18: the jailed copy finds its class path whatever the working directory is. */
    @ParameterizedTest
    @MethodSource("launchForms")
    void everyLaunchFormRunsJailedFromAnyWorkingDirectory(Jdk jdk, JailMode mode, Form form, Where where)
            throws Exception {
        Path d = launchApps();
        List<String> cmd = prefix(mode);
        cmd.add(jdk.java());
        String cwd = launch(d, form, where, cmd).get(0);
        Ended e = finish(start(cmd, Map.of(), new File(cwd)), "");
        if (form == Form.MODULE) {
            assertEquals(7, e.code(), e.toString());
            assertTrue(e.out().contains("jailed=true module=selfjail.app args=x y"), e.toString());
        } else {
            assertEquals(5, e.code(), e.toString());
            assertTrue(e.out().contains("jailed=true cwd=" + cwd + " args=x y\n"), e.toString());
        }
        assertFalse(e.err().contains("before its main method"), e.toString());
    }

    /**
     * A jailed JVM that cannot load its main class (the class directory is not readable by the
     * jail's user): the outer JVM says how the jail showed each class path entry. Root only (the
     * outer JVM must read the directory the jail's uid 65534 cannot).
     */
    @Test
    void aMainClassTheJailCannotLoadIsDiagnosed() throws Exception {
        assumeTrue(LibC.geteuid() == 0, "needs a root JVM");
        Path d = launchApps();
        Path priv = JailTestSupport.worldReadableDir().resolve("private");
        Files.createDirectory(priv);
        Files.copy(d.resolve("app/Main.class"), priv.resolve("Main.class"));
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rwx------"));
        List<String> cmd = new ArrayList<>(List.of(Jdk.JDK17.java(), "--enable-native-access=ALL-UNNAMED", "-cp",
                "private" + File.pathSeparator + "gone.jar" + File.pathSeparator + classpath(), "Main"));
        Ended e = finish(start(cmd, Map.of(), priv.getParent().toFile()), "");
        assertEquals(1, e.code(), e.toString());
        assertTrue(e.err().contains("Could not find or load main class Main"), e.toString());
        assertTrue(e.err().contains("before its main method reached SelfJail.enter"), e.toString());
        assertTrue(e.err().contains("class path private = " + priv + ": bound read-only, host mode rwx------ owner uid 0"),
                e.toString());
        assertTrue(e.err().contains("class path gone.jar = " + priv.resolveSibling("gone.jar") + ": missing on the host"),
                e.toString());
    }

    /** A Sandbox mount that covers a class path directory with other content is an error naming both. */
    @Test
    void aSandboxMountCoveringTheClassPathIsAnErrorNamingBoth() throws Exception {
        String covered = classpath().split(File.pathSeparator)[0];
        Ended e = finish(app(Jdk.JDK17, JailMode.PRIVILEGED, Map.of(), "collide", dataDir().toString(), covered), "");
        assertTrue(e.code() != 0, e.toString());
        assertFalse(e.out().contains("jailed=true"), e.toString());
        assertTrue(e.err().contains("SelfJail needs the class path") && e.err().contains(covered)
                && e.err().contains("readOnly(\"/usr/share\", \"" + covered + "\")"), e.toString());
    }

    /**
     * The Sandbox's own read-write bind inside a class path directory stays visible: SelfJail's
     * read-only bind of the directory goes before it, not on top of it.
     */
    @ParameterizedTest
    @EnumSource(JailMode.class)
    void aSandboxBindInsideTheClassPathStaysVisible(JailMode mode) throws Exception {
        Path cpDir = Path.of(classpath().split(File.pathSeparator)[0]);
        assumeTrue(Files.isDirectory(cpDir), cpDir + " is not a directory");
        Path data = Files.createTempDirectory(cpDir, "selfjail-rw-");
        try {
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
            Ended e = finish(app(Jdk.JDK17, mode, Map.of(), "innerrw", data.toString()), "");
            assertEquals(0, e.code(), e.toString());
            assertTrue(e.out().contains("wrote jailed=true"), e.toString());
            assertEquals("through the Sandbox's own bind", Files.readString(data.resolve("written")));
        } finally {
            JailTestSupport.deleteTree(data);
        }
    }

    static List<Long> withArg(String arg) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (!n.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (List.of(cmdline.split("\0")).contains(arg)) {
                        out.add(Long.parseLong(n));
                    }
                } catch (IOException e) {
                    // gone
                }
            }
        }
        return out;
    }
}
