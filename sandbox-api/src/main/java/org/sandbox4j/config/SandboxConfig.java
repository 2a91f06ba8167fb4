package org.sandbox4j.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Sandbox;
import org.sandbox4j.internal.TextFiles;

/**
 * A parsed sandbox4j configuration file: an ordered list of {@link Directive}s, each of which is one
 * {@link Sandbox.Builder} call. The format (docs/config.md):
 *
 * <pre>
 * # pdftotext.jail - what pdftotext needs, nothing else
 * ro-system                      # /usr, /bin, /lib ... read-only
 * tmpfs /tmp:64m
 * bind ./out:/out                # relative host paths: from this file's directory
 * rlimit as=1g
 * time-limit 30
 * seccomp-string &lt;&lt;EOF
 *   POLICY p { ERRNO(1) { socket } } USE p DEFAULT ALLOW
 * EOF
 * </pre>
 *
 * <p>One directive per line: its name (the {@code sandbox4j run} option without {@code --}), then
 * its value, the rest of the line. {@code #} at the start of a line, or after a space, starts a
 * comment. Text in double quotes may hold spaces at its ends, {@code #}, {@code \"} and
 * {@code \\} ({@code env GREETING="hello # world "}). {@code <<TAG} at the end of a line starts a heredoc: the following lines up to a line
 * that is just {@code TAG} are the directive's body (a seccomp policy, a file's content).
 *
 * <pre>{@code
 * Sandbox sandbox = SandboxConfig.load(Path.of("pdftotext.jail")).applyTo(Sandbox.builder()).build();
 * }</pre>
 */
public final class SandboxConfig {
    /** The longest configuration accepted: 1 MiB (characters for {@link #parse}, bytes for {@link #load}). */
    public static final int MAX_SIZE = TextFiles.MAX_BYTES;

    /**
     * The most directives one file may hold. Real jails need tens; applying one costs microseconds
     * (a seccomp policy is compiled to describe it), so the cap keeps even a hostile file fast.
     */
    public static final int MAX_DIRECTIVES = 4096;

    /**
     * The most seccomp directives one file may hold. The last one wins, so one is all a jail needs;
     * each is parsed and compiled when applied, which for a hostile policy costs milliseconds.
     */
    public static final int MAX_SECCOMP_DIRECTIVES = 8;

    /** {@code <<TAG} at the end of a line; compiled once (it ran per line). */
    private static final Pattern HEREDOC = Pattern.compile("(?:^|\\s)<<\\s*([A-Za-z_][A-Za-z0-9_]*)$");

    private final String source;
    private final Path baseDir;
    private final List<Directive> directives;
    private final List<String> command;

    private SandboxConfig(String source, Path baseDir, List<Directive> directives, List<String> command) {
        this.source = source;
        this.baseDir = baseDir;
        this.directives = List.copyOf(directives);
        this.command = List.copyOf(command);
    }

    static SandboxConfig of(String source, Path baseDir, List<Directive> directives, List<String> command) {
        return new SandboxConfig(source, baseDir, directives, command);
    }

    /** The command the file names (nsjail's {@code exec_bin}); empty for sandbox4j's own format. */
    public List<String> command() {
        return command;
    }

    /**
     * Reads and parses a configuration file: sandbox4j's format, or nsjail's protobuf text format
     * when the file looks like one ({@link NsjailConfig#looksLikeNsjail}). Nothing is applied yet;
     * the syntax and the directive names are checked, the values when {@link #applyTo} runs.
     *
     * @throws ConfigException naming the file, the line and the mistake
     */
    public static SandboxConfig load(Path file) throws IOException {
        String text;
        try {
            text = TextFiles.readUtf8(file, MAX_SIZE);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigException(file.toString(), 0, file + ": not UTF-8 text");
        } catch (TextFiles.TooLargeException e) {
            throw new ConfigException(file.toString(), 1, "the file is larger than " + MAX_SIZE
                    + " bytes (1 MiB), the limit for a configuration file");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("config file " + file + " does not exist", e);
        }
        Path abs = file.toAbsolutePath().normalize();
        Path base = abs.getParent() == null ? abs : abs.getParent();
        // nsjail's protobuf text configs are read too (NsjailConfig): "key: value" and "key {" lines.
        if (NsjailConfig.looksLikeNsjail(text)) {
            return NsjailConfig.parse(text, file.toString(), base);
        }
        return parse(text, file.toString(), base);
    }

    /**
     * Parses configuration text.
     *
     * @param source the name used in messages (a file name)
     * @param baseDir where relative host paths are resolved
     */
    public static SandboxConfig parse(String text, String source, Path baseDir) {
        if (text.length() > MAX_SIZE) {
            throw new ConfigException(source, 1, "the configuration is " + text.length() + " characters long; at most "
                    + MAX_SIZE + " (1 MiB) are accepted");
        }
        List<Directive> out = new ArrayList<>();
        int seccomps = 0;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = stripComment(lines[i], source, lineNo).strip();
            if (line.isEmpty()) {
                continue;
            }
            int sp = indexOfSpace(line);
            String rawName = sp < 0 ? line : line.substring(0, sp);
            String rest = sp < 0 ? "" : line.substring(sp).strip();
            if (out.size() == MAX_DIRECTIVES) {
                throw new ConfigException(source, lineNo, "more than " + MAX_DIRECTIVES + " directives in one file");
            }
            String name = canonical(rawName);
            if (!Directives.exists(name)) {
                String hint = Directives.suggestion(name);
                if (rawName.endsWith(":") || rest.startsWith("{") || rest.startsWith(":")) {
                    hint = " (this looks like nsjail's protobuf config; sandbox4j's format is one 'name value' per line,"
                            + " see docs/config.md and docs/coming-from-nsjail-bwrap-firejail.md)";
                }
                throw new ConfigException(source, lineNo, "unknown directive '" + Directive.shorten(rawName) + "'" + hint);
            }
            if ((name.equals("seccomp") || name.equals("seccomp-string") || name.equals("no-seccomp")) && ++seccomps > MAX_SECCOMP_DIRECTIVES) {
                throw new ConfigException(source, lineNo, "more than " + MAX_SECCOMP_DIRECTIVES + " seccomp directives in"
                        + " one file; the last one wins, so keep that one");
            }
            String body = null;
            int bodyLine = 0;
            Matcher m = HEREDOC.matcher(rest);
            if (m.find()) {
                String tag = m.group(1);
                rest = rest.substring(0, m.start()).strip();
                StringBuilder sb = new StringBuilder();
                int j = i + 1;
                while (j < lines.length && !lines[j].strip().equals(tag)) {
                    if (sb.length() > 0 || j > i + 1) {
                        sb.append('\n');
                    }
                    sb.append(lines[j]);
                    j++;
                }
                if (j >= lines.length) {
                    throw new ConfigException(source, lineNo, "the heredoc <<" + tag + " opened here is never closed:"
                            + " end it with a line that is just " + tag);
                }
                body = sb.toString();
                bodyLine = lineNo + 1;
                i = j;
                Directives.Kind kind = Directives.kind(name);
                if (kind != Directives.Kind.VALUE_OR_BODY && kind != Directives.Kind.VALUE_AND_BODY) {
                    throw new ConfigException(source, lineNo, name + " takes no heredoc (only seccomp-string and file do)");
                }
            } else {
                rest = unquote(rest, source, lineNo);
            }
            out.add(new Directive(name, rest, body, source, lineNo, bodyLine));
        }
        return new SandboxConfig(source, baseDir, out, List.of());
    }

    /** The directives, in file order. */
    public List<Directive> directives() {
        return directives;
    }

    /** The file name given to {@link #load} or {@link #parse}. */
    public String source() {
        return source;
    }

    /** Where relative host paths are resolved: the file's directory. */
    public Path baseDir() {
        return baseDir;
    }

    /** Applies every directive in order to {@code builder} and returns it. */
    public Sandbox.Builder applyTo(Sandbox.Builder builder) {
        return applyTo(builder, s -> {});
    }

    /**
     * Applies every directive in order; {@code log} receives one line per directive: its place and
     * the builder call it made ({@code jail.conf:3: tmpfs /tmp -> tmpfs("/tmp")}).
     *
     * @throws ConfigException at the first directive whose value is wrong, naming its line
     */
    public Sandbox.Builder applyTo(Sandbox.Builder builder, Consumer<String> log) {
        MountTargets targets = new MountTargets();
        for (Directive d : directives) {
            targets.check(d);
            String call = Directives.apply(builder, d, baseDir);
            log.accept(d.where() + ": " + d.spelled() + " -> " + call);
        }
        return builder;
    }

    /**
     * Remembers which directive mounted what, so that two mounts on one path are reported with both
     * lines (the builder would only name its two calls).
     */
    public static final class MountTargets {
        private final Map<String, Directive> byTarget = new HashMap<>();

        /** No mount seen yet. */
        public MountTargets() {}

        /** Checks {@code d} against the earlier mount directives. */
        public void check(Directive d) {
            String target;
            try {
                target = target(d);
            } catch (java.nio.file.InvalidPathException e) { // a NUL byte: found by SandboxConfigFuzzTest
                throw d.error("not a path: " + e.getReason());
            }
            if (target == null) {
                return;
            }
            Directive prev = byTarget.putIfAbsent(target, d);
            if (prev != null) {
                throw d.error(target + " is already the target of " + prev.where() + " (" + prev.spelled()
                        + "); each path inside the jail can be the target of one mount");
            }
        }

        private static @Nullable String target(Directive d) {
            String v = d.value();
            switch (d.name()) {
                case "ro-bind":
                case "bind":
                case "ro-bind-no-symlinks":
                case "bind-no-symlinks": {
                    int colon = v.lastIndexOf(":/");
                    return colon > 0 ? v.substring(colon + 1) : (v.startsWith("/") ? Path.of(v).normalize().toString() : null);
                }
                case "ro-bind-try":
                case "proc":
                case "dev":
                case "dev-pts":
                case "dir":
                case "file":
                case "hide":
                    return v.startsWith("/") ? Path.of(v).normalize().toString() : null;
                case "tmpfs": {
                    int colon = Directives.tmpfsSizeColon(v);
                    String t = colon > 0 ? v.substring(0, colon) : v;
                    return t.startsWith("/") ? Path.of(t).normalize().toString() : null;
                }
                default:
                    return null;
            }
        }
    }

    /** {@code ro_bind}, {@code --ro-bind}, {@code RO-BIND} all mean {@code ro-bind}. */
    public static String canonical(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        int start = 0;
        while (start < n.length() && n.charAt(start) == '-') { // one cut, not one copy per dash
            start++;
        }
        return n.substring(start);
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Removes a comment: '#' at the start or after whitespace, outside double quotes. */
    private static String stripComment(String line, String source, int lineNo) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /**
     * Removes double quotes, which may stand anywhere in the value ({@code env A="x y"}): inside
     * them, {@code \\"}, {@code \\\\}, {@code \\n} and {@code \\t} are escapes and '#' is text; outside,
     * {@code \\"} is a literal quote and other characters stay as they are.
     */
    private static String unquote(String v, String source, int lineNo) {
        if (v.indexOf('"') < 0) {
            return v;
        }
        StringBuilder sb = new StringBuilder();
        boolean quoted = false;
        int openedAt = -1;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' && i + 1 < v.length() && (quoted || v.charAt(i + 1) == '"')) {
                char n = v.charAt(++i);
                sb.append(n == 'n' ? '\n' : n == 't' ? '\t' : n);
            } else if (c == '"') {
                quoted = !quoted;
                openedAt = i;
            } else {
                sb.append(c);
            }
        }
        if (quoted) {
            throw new ConfigException(source, lineNo, "the quote opened at column " + (openedAt + 1) + " of the value "
                    + v + " has no closing \"");
        }
        return sb.toString();
    }
}
