package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * sandbox-api as the JPMS module {@code org.sandbox4j} on the module path: an application module that
 * requires it starts a jail (as root and as uid 65534), logs through SLF4J, and needs no native-access
 * warning on JDK 25 when it grants native access by module name; a module that uses {@code
 * org.sandbox4j.internal} does not compile (the package is not exported).
 */
@Tag("kernel")
class ModulePathTest {
    private static final String MAIN = String.join("\n",
            "package demo;",
            "public class Main {",
            "    public static void main(String[] args) throws Exception {",
            "        org.sandbox4j.Sandbox s = org.sandbox4j.Sandbox.builder().readOnlySystem().reportViolations(true).build();",
            "        org.sandbox4j.SandboxedProcess p = s.start(\"/bin/sh\", \"-c\", \"echo jailed; /usr/bin/unshare -U /bin/true; exit 0\");",
            "        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();",
            "        int rc = p.waitFor();",
            "        System.out.println(\"RESULT \" + rc + \" \" + out + \" \" + p.violations().size());",
            "        System.out.println(\"MODULE \" + org.sandbox4j.Sandbox.class.getModule().getName());",
            "        Thread.sleep(200); // the reaper's log line",
            "    }",
            "}");

    /** The module path entries: sandbox-api's classes and its runtime dependencies, world-readable copies. */
    private static List<Path> modulePath(Path dir) throws Exception {
        List<Path> mp = new ArrayList<>();
        Path classes = Path.of(Sandbox.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assumeTrue(Files.exists(classes.resolve("module-info.class")), "sandbox-api was compiled without module-info");
        // A multi-release jar as the build makes it: on JDK 22+ the module's FFM classes
        // (META-INF/versions/22) are the ones used, so native access must name org.sandbox4j.
        Path api = dir.resolve("org.sandbox4j.jar");
        java.util.jar.Manifest mf = new java.util.jar.Manifest();
        mf.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(java.util.jar.Attributes.Name.MULTI_RELEASE, "true");
        try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(Files.newOutputStream(api), mf);
                java.util.stream.Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                String name = classes.relativize(f).toString();
                if (name.equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                jar.putNextEntry(new java.util.jar.JarEntry(name));
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
        mp.add(api);
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String n = Path.of(e).getFileName().toString();
            if (n.startsWith("jna-") || n.startsWith("slf4j-api-") || n.startsWith("slf4j-simple-") || n.startsWith("jspecify-")) {
                Path dst = dir.resolve(n);
                Files.copy(Path.of(e), dst);
                mp.add(dst);
            }
        }
        assertEquals(5, mp.size(), "sandbox-api, jna, slf4j-api, slf4j-simple, jspecify: " + mp);
        return mp;
    }

    private static String join(List<Path> mp) {
        return String.join(File.pathSeparator, mp.stream().map(Path::toString).toArray(String[]::new));
    }

    private static int javac(Path mp, Path out, String module, String cls, String source, ByteArrayOutputStream err)
            throws Exception {
        Path src = out.getParent().resolve(module + "-src");
        Files.createDirectories(src.resolve(module));
        Files.writeString(src.resolve("module-info.java"), "module " + module + " { requires org.sandbox4j; }");
        Files.writeString(src.resolve(module).resolve(cls + ".java"), source);
        JavaCompiler c = ToolProvider.getSystemJavaCompiler();
        return c.run(null, null, err, "--release", "17", "--module-path", mp.toString(), "-d", out.toString(),
                src.resolve("module-info.java").toString(), src.resolve(module).resolve(cls + ".java").toString());
    }

    @ParameterizedTest
    @CsvSource({"17, PRIVILEGED", "17, UNPRIVILEGED", "25, PRIVILEGED", "25, UNPRIVILEGED"})
    void anApplicationModuleStartsJailsThroughTheExportedApi(int jdk, JailTestSupport.JailMode mode) throws Exception {
        Path java = jdk == 17 ? Path.of(System.getProperty("java.home"), "bin", "java")
                : Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
        assumeTrue(jdk != 17 || Runtime.version().feature() == 17, "the test JVM is not JDK 17");
        assumeTrue(Files.isExecutable(java), "no JDK " + jdk + " at " + java);
        Path dir = JailTestSupport.worldReadableDir();
        List<Path> mp = modulePath(dir);
        Path demo = dir.resolve("demo");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, javac(Path.of(join(mp)), demo, "demo", "Main", MAIN, err), err.toString(StandardCharsets.UTF_8));
        // the internal package is not exported: a module that uses it does not compile
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        assertNotEquals(0, javac(Path.of(join(mp)), dir.resolve("bad"), "bad", "Bad",
                "package bad; public class Bad { int v = org.sandbox4j.internal.Wire.SPEC_MAGIC; }", bad));
        assertTrue(bad.toString(StandardCharsets.UTF_8).contains("org.sandbox4j.internal"), bad.toString(StandardCharsets.UTF_8));
        JailTestSupport.makeWorldReadable(dir);
        Path tmp = Files.createDirectory(dir.resolve("tmp")); // JNA unpacks its library here, as uid 65534 too
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));

        List<String> cmd = new ArrayList<>();
        if (mode == JailTestSupport.JailMode.UNPRIVILEGED) {
            assumeTrue(org.sandbox4j.internal.LibC.geteuid() == 0, "switching to uid 65534 needs a root JVM");
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        cmd.addAll(List.of(java.toString(), "--enable-native-access=org.sandbox4j,com.sun.jna", "-Djava.io.tmpdir=" + tmp,
                "-Djna.tmpdir=" + tmp, "-Dorg.slf4j.simpleLogger.showThreadName=false",
                "--module-path", join(mp) + File.pathSeparator + demo, "-m", "demo/demo.Main"));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        p.getOutputStream().close();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread t = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(stderr);
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        t.join();
        String e = stderr.toString(StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out + e);
        assertTrue(out.contains("RESULT 0 jailed 1"), out + e);
        assertTrue(out.contains("MODULE org.sandbox4j"), "a named module, not the class path: " + out);
        assertTrue(e.contains("WARN org.sandbox4j.SandboxedProcess - sandbox4j: jail") && e.contains("seccomp refused unshare"),
                "logged through SLF4J: " + e);
        assertFalse(e.contains("WARNING"), "no JVM warning (native access granted by module name): " + e);
    }
}
