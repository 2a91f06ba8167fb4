package org.sandbox4j.selfjail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.jspecify.annotations.Nullable;

/**
 * How the running JVM was started, read back from the JVM itself, and the command that starts the
 * same program again: {@code java <JVM options> (-cp CP MAIN | -jar JAR | -m MODULE/MAIN) <args>}.
 *
 * <p>Sources: {@code java.home} (the java binary), the JVM options from {@code
 * RuntimeMXBean.getInputArguments()} when the java.management module is in the boot layer (it
 * includes {@code JDK_JAVA_OPTIONS}, {@code JAVA_TOOL_OPTIONS} and {@code @argfiles}, already
 * expanded), otherwise the process's argv ({@code /proc/self/cmdline}, through {@link ProcessHandle});
 * {@code java.class.path}, {@code jdk.module.path}, {@code jdk.module.main}, {@code
 * jdk.module.main.class} and {@code sun.java.command} for the class path, module path and main.
 */
final class JvmCommand {
    /** How the main class was named on the command line. */
    enum Mode { CLASS, JAR, MODULE }

    final String javaBinary;
    final Path javaHome;
    final Mode mode;
    final List<String> jvmOptions;
    final String mainSpec;
    final List<String> args;
    /** Host paths the jailed JVM reads (class path, module path, jar, agents, CDS archives), absolute. */
    final Set<Path> paths;

    private JvmCommand(Path javaHome, Mode mode, List<String> jvmOptions, String mainSpec, List<String> args,
            Set<Path> paths) {
        this.javaHome = javaHome;
        this.javaBinary = javaHome.resolve("bin").resolve("java").toString();
        this.mode = mode;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.mainSpec = mainSpec;
        this.args = List.copyOf(args);
        this.paths = paths;
    }

    /** The full command line of the jailed JVM. */
    List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary);
        cmd.addAll(jvmOptions);
        switch (mode) {
            case JAR:
                cmd.add("-jar");
                break;
            case MODULE:
                cmd.add("-m");
                break;
            default:
                String cp = System.getProperty("java.class.path", "");
                if (!cp.isEmpty()) {
                    cmd.add("-cp");
                    cmd.add(cp);
                }
        }
        cmd.add(mainSpec);
        cmd.addAll(args);
        return cmd;
    }

    /** Reads the running JVM. {@code args} are the arguments its main method received. */
    static JvmCommand current(String[] args) throws IOException {
        Path javaHome = Path.of(System.getProperty("java.home")).toAbsolutePath().normalize();
        Path cwd = Path.of(System.getProperty("user.dir"));
        Set<Path> paths = new LinkedHashSet<>();
        String moduleMain = System.getProperty("jdk.module.main");
        String command = System.getProperty("sun.java.command", "");
        String classPath = System.getProperty("java.class.path", "");
        Mode mode;
        String mainSpec;
        if (moduleMain != null && !moduleMain.isEmpty()) {
            mode = Mode.MODULE;
            String cls = System.getProperty("jdk.module.main.class");
            mainSpec = cls == null || cls.isEmpty() ? moduleMain : moduleMain + "/" + cls;
        } else {
            String main = mainToken(command, args);
            if (main.isEmpty()) {
                throw new IOException("cannot tell how this JVM was started: sun.java.command is '" + command
                        + "'; SelfJail needs a JVM started by the java launcher");
            }
            if (main.equals(classPath) && main.endsWith(".jar") && Files.isRegularFile(cwd.resolve(main))) {
                mode = Mode.JAR;
                Path jar = cwd.resolve(main).toAbsolutePath().normalize();
                manifestClassPath(jar, paths);
            } else {
                mode = Mode.CLASS;
            }
            mainSpec = main;
        }
        addPathList(classPath, cwd, paths);
        addPathList(System.getProperty("jdk.module.path", ""), cwd, paths);
        addPathList(System.getProperty("jdk.module.upgrade.path", ""), cwd, paths);

        List<String> options = inputArguments(mode, mainSpec, args);
        for (String o : options) {
            optionPaths(o, cwd, paths);
        }
        return new JvmCommand(javaHome, mode, options, mainSpec, List.of(args), paths);
    }

    /** {@code sun.java.command} is the main class (or jar) and the arguments joined by spaces. */
    static String mainToken(String command, String[] args) {
        String suffix = args.length == 0 ? "" : " " + String.join(" ", args);
        if (!suffix.isEmpty() && command.endsWith(suffix)) {
            return command.substring(0, command.length() - suffix.length());
        }
        if (args.length == 0) {
            return command.strip();
        }
        int sp = command.indexOf(' ');
        return sp < 0 ? command : command.substring(0, sp);
    }

    private static List<String> inputArguments(Mode mode, String mainSpec, String[] args) {
        List<String> in;
        if (ModuleLayer.boot().findModule("java.management").isPresent()) {
            in = Management.inputArguments();
        } else {
            in = fromArgv(mainSpec, args);
        }
        List<String> out = new ArrayList<>(in.size());
        for (String o : in) {
            // Set by the launcher for -m; passing -m again sets it again.
            if (mode == Mode.MODULE && o.startsWith("-Djdk.module.main=")) {
                continue;
            }
            out.add(o);
        }
        return out;
    }

    /**
     * The JVM options from the process's argv: everything before the main class, -jar or -m, with
     * -cp/-classpath/--class-path dropped (added back from java.class.path).
     */
    private static List<String> fromArgv(String mainSpec, String[] args) {
        Optional<String[]> argv = ProcessHandle.current().info().arguments();
        if (argv.isEmpty()) {
            return List.of();
        }
        String[] a = argv.get();
        int end = a.length - args.length;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < end; i++) {
            String s = a[i];
            if (s.equals("-cp") || s.equals("-classpath") || s.equals("--class-path")) {
                i++;
                continue;
            }
            if (s.equals("-jar") || s.equals("-m") || s.equals("--module")) {
                break;
            }
            if (s.startsWith("--module=") || s.startsWith("--class-path=") || s.equals(mainSpec) && i == end - 1) {
                break;
            }
            out.add(s);
        }
        return out;
    }

    /** Files named by JVM options that the jailed JVM opens. */
    private static void optionPaths(String o, Path cwd, Set<Path> paths) {
        String[][] fileOptions = {
            {"-XX:SharedArchiveFile=", ":"}, {"-javaagent:", "="}, {"-agentpath:", "="},
            {"-Xbootclasspath/a:", ":"}, {"-Djava.library.path=", ":"}, {"--module-path=", ":"},
            {"-p=", ":"}, {"--upgrade-module-path=", ":"}, {"-XX:Flags=", ""}, {"-XX:VMOptionsFile=", ""},
            {"-Djava.security.policy==", ""}, {"-Djava.security.policy=", ""},
            {"-Djava.util.logging.config.file=", ""},
        };
        for (String[] f : fileOptions) {
            if (o.startsWith(f[0])) {
                String v = o.substring(f[0].length());
                if (f[0].equals("-javaagent:") || f[0].equals("-agentpath:")) {
                    int eq = v.indexOf('=');
                    addPath(eq < 0 ? v : v.substring(0, eq), cwd, paths);
                } else if (f[1].equals(":")) {
                    addPathList(v, cwd, paths);
                } else {
                    addPath(v, cwd, paths);
                }
                return;
            }
        }
        if (o.startsWith("--patch-module=")) {
            int eq = o.indexOf('=', "--patch-module=".length());
            if (eq > 0) {
                addPathList(o.substring(eq + 1), cwd, paths);
            }
        }
    }

    private static void addPathList(String list, Path cwd, Set<Path> paths) {
        if (list.isEmpty()) {
            return;
        }
        for (String e : list.split(File.pathSeparator)) {
            if (e.endsWith("/*") || e.equals("*")) {
                // A class-path wildcard: the directory's jars.
                e = e.substring(0, e.length() - 1);
                if (e.isEmpty()) {
                    e = ".";
                }
            }
            addPath(e, cwd, paths);
        }
    }

    private static void addPath(String p, Path cwd, Set<Path> paths) {
        if (p.isEmpty()) {
            return;
        }
        Path abs = cwd.resolve(p).toAbsolutePath().normalize();
        if (Files.exists(abs)) {
            paths.add(abs);
        }
    }

    /** A jar's manifest Class-Path entries (URLs relative to the jar's directory). */
    private static void manifestClassPath(Path jar, Set<Path> paths) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            @Nullable String cp = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (cp == null) {
                return;
            }
            for (String e : cp.trim().split("\\s+")) {
                if (!e.isEmpty() && !e.contains(":")) {
                    addPath(java.net.URLDecoder.decode(e, java.nio.charset.StandardCharsets.UTF_8), jar.getParent(), paths);
                }
            }
        } catch (IOException e) {
            // the JVM could not read it either; nothing to add
        }
    }

    /** Kept apart so that java.management is only touched when it is in the boot layer. */
    private static final class Management {
        static List<String> inputArguments() {
            return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        }
    }
}
