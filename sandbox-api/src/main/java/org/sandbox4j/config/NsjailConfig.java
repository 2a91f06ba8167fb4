package org.sandbox4j.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads nsjail's configuration files (the protobuf text format of nsjail's {@code config.proto},
 * as in nsjail's {@code configs/*.cfg}) and translates each key into sandbox4j {@link Directive}s,
 * so the rest of the pipeline (checks, {@code --dry-run}, the builder calls) is the one every
 * sandbox4j config goes through (docs/config.md#nsjail-config-files).
 *
 * <p>Every key nsjail defines is either translated or refused with a {@link ConfigException} naming
 * the key and its line; none is silently ignored, except {@code name} and {@code description},
 * which only describe the file. A boolean set to nsjail's default, or a limit of 0 that means "none"
 * ({@code cgroup_mem_max: 0}), asks for nothing and is accepted.
 *
 * <p>nsjail's defaults are applied as nsjail applies them, as directives at the file's line 0 that
 * {@code --dry-run} shows: {@code time_limit} 600 s, {@code hostname} NSJAIL, and unless
 * {@code disable_rl} the rlimits as 4096 MiB, core 0, cpu 600 s, fsize 1 MiB, nofile 32. One
 * difference is deliberate: without {@code uidmap}/{@code gidmap} the jail runs as sandbox4j's
 * default 65534, not as the caller's own uid (nsjail's default), so a root caller never gets a
 * root-mapped jail by leaving the maps out.
 */
public final class NsjailConfig {
    private NsjailConfig() {}

    /** One key of the text format: a scalar (text) or a message (children). */
    private record Field(String key, int line, @Nullable String text, boolean quoted, @Nullable List<Field> children) {}

    /**
     * True when {@code text} looks like nsjail's format: its first key is followed by {@code :} or
     * {@code {}} (a sandbox4j config line is {@code name value}).
     */
    public static boolean looksLikeNsjail(String text) {
        for (String line : text.split("\r?\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            return t.matches("[A-Za-z_][A-Za-z0-9_]*\\s*(:|\\{).*");
        }
        return false;
    }

    /** Reads and translates an nsjail config file; relative paths resolve from its directory. */
    public static SandboxConfig load(Path file) throws IOException {
        String text = Files.readString(file);
        Path abs = file.toAbsolutePath().normalize();
        return parse(text, file.toString(), abs.getParent() == null ? abs : abs.getParent());
    }

    /**
     * Parses and translates nsjail config text.
     *
     * @throws ConfigException naming the source, the line, the key and what is wrong
     */
    public static SandboxConfig parse(String text, String source, Path baseDir) {
        List<Field> fields = new Parser(text, source).message(false);
        Translator t = new Translator(source);
        t.top(fields);
        return SandboxConfig.of(source, baseDir, t.out, t.command);
    }

    /**
     * A number as it is, or a user (group) name looked up in the host's /etc/passwd (/etc/group), as
     * nsjail does; null when there is no such name.
     */
    public static @Nullable String hostId(String v, boolean group) {
        if (v.matches("\\d+")) {
            return v;
        }
        try {
            for (String line : Files.readAllLines(Path.of(group ? "/etc/group" : "/etc/passwd"))) {
                String[] p = line.split(":");
                if (p.length > 2 && p[0].equals(v)) {
                    return p[2];
                }
            }
        } catch (IOException e) {
            // no such file: no such name
        }
        return null;
    }

    // ---- the text format --------------------------------------------------------------------

    private static final class Parser {
        private final String s;
        private final String source;
        private int pos;
        private int line = 1;

        Parser(String s, String source) {
            this.s = s;
            this.source = source;
        }

        private ConfigException error(String what) {
            return new ConfigException(source, line, "nsjail config: " + what);
        }

        private void skip() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '\n') {
                    line++;
                    pos++;
                } else if (Character.isWhitespace(c) || c == ';' || c == ',') {
                    pos++;
                } else if (c == '#') {
                    while (pos < s.length() && s.charAt(pos) != '\n') {
                        pos++;
                    }
                } else {
                    return;
                }
            }
        }

        List<Field> message(boolean nested) {
            return message(nested, 0);
        }

        private List<Field> message(boolean nested, int openedAt) {
            List<Field> out = new ArrayList<>();
            while (true) {
                skip();
                if (pos >= s.length()) {
                    if (nested) {
                        line = openedAt;
                        throw error("the '{' opened on this line is never closed");
                    }
                    return out;
                }
                char c = s.charAt(pos);
                if (c == '}') {
                    if (!nested) {
                        throw error("'}' without a matching '{'");
                    }
                    pos++;
                    return out;
                }
                int start = pos;
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                    pos++;
                }
                if (start == pos) {
                    throw error("expected a key, found '" + c + "'");
                }
                String key = s.substring(start, pos);
                int keyLine = line;
                skip();
                boolean colon = pos < s.length() && s.charAt(pos) == ':';
                if (colon) {
                    pos++;
                    skip();
                }
                if (pos < s.length() && (s.charAt(pos) == '{' || s.charAt(pos) == '<')) {
                    if (s.charAt(pos) == '<') {
                        throw error(key + ": write messages with { }, not < >");
                    }
                    pos++;
                    out.add(new Field(key, keyLine, null, false, message(true, keyLine)));
                    continue;
                }
                if (!colon) {
                    throw error(key + ": expected ':' or '{' after the key");
                }
                out.add(scalar(key, keyLine));
            }
        }

        private Field scalar(String key, int keyLine) {
            if (pos >= s.length()) {
                throw error(key + ": a value is missing at the end of the file");
            }
            char c = s.charAt(pos);
            if (c == '"' || c == '\'') {
                StringBuilder sb = new StringBuilder();
                // Adjacent string literals are one value ("a" "b" is "ab"), as in protobuf.
                while (pos < s.length() && (s.charAt(pos) == '"' || s.charAt(pos) == '\'')) {
                    string(sb);
                    int save = pos;
                    int saveLine = line;
                    skipSpaceOnly();
                    if (pos >= s.length() || (s.charAt(pos) != '"' && s.charAt(pos) != '\'')) {
                        pos = save;
                        line = saveLine;
                        break;
                    }
                }
                return new Field(key, keyLine, sb.toString(), true, null);
            }
            int start = pos;
            while (pos < s.length() && !Character.isWhitespace(s.charAt(pos)) && "{}#;,".indexOf(s.charAt(pos)) < 0) {
                pos++;
            }
            if (start == pos) {
                throw error(key + ": expected a value, found '" + c + "'");
            }
            return new Field(key, keyLine, s.substring(start, pos), false, null);
        }

        private void skipSpaceOnly() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                if (s.charAt(pos) == '\n') {
                    line++;
                }
                pos++;
            }
        }

        private void string(StringBuilder sb) {
            char q = s.charAt(pos++);
            int startLine = line;
            while (true) {
                if (pos >= s.length() || s.charAt(pos) == '\n') {
                    line = startLine;
                    throw error("a string opened with " + q + " is not closed on its line");
                }
                char c = s.charAt(pos++);
                if (c == q) {
                    return;
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw error("a string ends in a lone backslash");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n': sb.append('\n'); break;
                    case 't': sb.append('\t'); break;
                    case 'r': sb.append('\r'); break;
                    case 'a': sb.append('\007'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'v': sb.append('\013'); break;
                    case 'x': {
                        int st = pos;
                        while (pos < s.length() && pos - st < 2 && Character.digit(s.charAt(pos), 16) >= 0) {
                            pos++;
                        }
                        if (st == pos) {
                            throw error("\\x without hex digits");
                        }
                        sb.append((char) Integer.parseInt(s.substring(st, pos), 16));
                        break;
                    }
                    default:
                        if (e >= '0' && e <= '7') {
                            int st = pos - 1;
                            while (pos < s.length() && pos - st < 3 && s.charAt(pos) >= '0' && s.charAt(pos) <= '7') {
                                pos++;
                            }
                            sb.append((char) Integer.parseInt(s.substring(st, pos), 8));
                        } else {
                            sb.append(e); // \" \' \\ \?
                        }
                }
            }
        }
    }

    // ---- the keys -----------------------------------------------------------------------------

    private static final String[] RLIMITS = {"as", "core", "cpu", "fsize", "nofile", "nproc", "stack", "memlock",
        "rtprio", "msgqueue"};
    /** nsjail's default value of each rlimit (config.proto). */
    private static final Map<String, String> RLIMIT_DEFAULTS = Map.of("as", "4096", "core", "0", "cpu", "600",
            "fsize", "1", "nofile", "32", "nproc", "1024", "stack", "8", "memlock", "64", "rtprio", "0", "msgqueue", "1024");
    /** Those whose default type is VALUE; the others default to SOFT (the current soft limit). */
    private static final Set<String> VALUE_BY_DEFAULT = Set.of("as", "core", "cpu", "fsize", "nofile");
    /** Units: MiB for these, KiB for memlock, plain numbers otherwise (nsjail's). */
    private static final Set<String> MIB = Set.of("as", "core", "fsize", "stack");
    /** The rows of /proc/self/limits. */
    private static final Map<String, String> LIMIT_ROWS = Map.of("as", "Max address space", "core", "Max core file size",
            "cpu", "Max cpu time", "fsize", "Max file size", "nofile", "Max open files", "nproc", "Max processes",
            "stack", "Max stack size", "memlock", "Max locked memory", "rtprio", "Max realtime priority",
            "msgqueue", "Max msgqueue size");

    /** Booleans sandbox4j cannot do, with nsjail's default (a value equal to it asks for nothing). */
    private static final Map<String, String> UNSUPPORTED_BOOL = Map.ofEntries(
            Map.entry("daemon", "false"), Map.entry("silent", "false"), Map.entry("stderr_to_null", "false"),
            Map.entry("disable_no_new_privs", "false"), Map.entry("disable_tsc", "false"),
            Map.entry("no_pivotroot", "false"), Map.entry("clone_newtime", "false"), Map.entry("seccomp_log", "false"),
            Map.entry("seccomp_unotify", "false"), Map.entry("use_core_scheduling", "false"),
            Map.entry("iface_no_lo", "false"), Map.entry("persona_addr_compat_layout", "false"),
            Map.entry("persona_mmap_page_zero", "false"), Map.entry("persona_read_implies_exec", "false"),
            Map.entry("persona_addr_limit_3gb", "false"), Map.entry("persona_addr_no_randomize", "false"),
            Map.entry("use_cgroupv2", "false"), Map.entry("detect_cgroupv2", "false"));
    /** Numbers sandbox4j cannot do, where 0 means "not used". */
    private static final Set<String> UNSUPPORTED_ZERO = Set.of("port", "max_conns", "max_conns_per_ip", "max_cpus",
            "nice_level", "oom_score_adj", "cgroup_mem_max", "cgroup_mem_memsw_max", "cgroup_mem_swap_max",
            "cgroup_pids_max", "cgroup_net_cls_classid", "cgroup_cpu_ms_per_sec");
    /** Keys with no sandbox4j equivalent at any value (the jail's logging is sandbox4j's own). */
    private static final Set<String> UNSUPPORTED = Set.of("bindhost", "log_fd", "log_file", "log_level",
            "cgroup_mem_mount", "cgroup_mem_parent", "cgroup_pids_mount", "cgroup_pids_parent", "cgroup_net_cls_mount",
            "cgroup_net_cls_parent", "cgroup_cpu_mount", "cgroup_cpu_parent", "cgroupv2_mount", "iface_own",
            "macvlan_iface", "macvlan_vs_ip", "macvlan_vs_nm", "macvlan_vs_gw", "macvlan_vs_ma", "macvlan_vs_mo",
            "user_net", "seccomp_unotify_report", "traffic_rule");

    private static final class Translator {
        private final String source;
        final List<Directive> out = new ArrayList<>();
        final List<String> command = new ArrayList<>();
        private final Map<String, String> rlimitValue = new LinkedHashMap<>();
        private final Map<String, String> rlimitType = new LinkedHashMap<>();
        private final Map<String, Integer> rlimitLine = new LinkedHashMap<>();
        private final List<String> seccomp = new ArrayList<>();
        private int seccompLine;
        private boolean disableRl;
        private boolean sawTimeLimit;
        private boolean sawHostname;
        private boolean sharesUts;
        private boolean sawDev;
        private boolean sawUidmap;
        private boolean sawGidmap;

        Translator(String source) {
            this.source = source;
        }

        private ConfigException error(Field f, String what) {
            return new ConfigException(source, f.line(), f.key() + ": " + what);
        }

        private void emit(Field f, String name, String value) {
            out.add(new Directive(name, value, null, source, f.line(), 0));
        }

        private void emitDefault(String name, String value) {
            out.add(new Directive(name, value, null, source + " (nsjail's default)", -1, 0));
        }

        private String text(Field f) {
            if (f.children() != null) {
                throw error(f, "expected a value, not a { } message");
            }
            return f.text();
        }

        private boolean bool(Field f) {
            String v = text(f);
            if (f.quoted() || !(v.equals("true") || v.equals("false"))) {
                throw error(f, "expected true or false, not " + v);
            }
            return v.equals("true");
        }

        private long number(Field f) {
            String v = text(f);
            try {
                if (f.quoted()) {
                    throw new NumberFormatException();
                }
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw error(f, "expected a number, not " + v);
            }
        }

        private List<Field> children(Field f) {
            if (f.children() == null) {
                throw error(f, "expected a { } message");
            }
            return f.children();
        }

        void top(List<Field> fields) {
            for (Field f : fields) {
                key(f);
            }
            finish();
        }

        private void key(Field f) {
            String k = f.key();
            if (k.startsWith("rlimit_")) {
                rlimit(f);
                return;
            }
            if (k.startsWith("clone_new") && !k.equals("clone_newtime")) {
                boolean on = bool(f);
                String ns = k.substring("clone_new".length());
                if (!on) {
                    sharesUts |= ns.equals("uts");
                    if (ns.equals("net")) {
                        emit(f, "net", "host");
                    } else {
                        emit(f, "share", ns);
                    }
                }
                return;
            }
            String unsupportedDefault = UNSUPPORTED_BOOL.get(k);
            if (unsupportedDefault != null) {
                if (bool(f) != Boolean.parseBoolean(unsupportedDefault)) {
                    throw error(f, "is not supported by sandbox4j (docs/config.md#nsjail-config-files)");
                }
                return;
            }
            if (UNSUPPORTED_ZERO.contains(k)) {
                if (number(f) != 0) {
                    throw error(f, "is not supported by sandbox4j" + (k.startsWith("cgroup") ? " in nsjail configs" : "")
                            + " (docs/config.md#nsjail-config-files)");
                }
                return;
            }
            if (UNSUPPORTED.contains(k)) {
                throw error(f, "is not supported by sandbox4j (docs/config.md#nsjail-config-files)");
            }
            switch (k) {
                case "name":
                case "description":
                    text(f);
                    return;
                case "mode": {
                    String m = text(f);
                    if (!m.equals("ONCE") && !m.equals("o")) {
                        throw error(f, m + ": sandbox4j runs the command once (mode: ONCE); LISTEN, RERUN and EXECVE"
                                + " are not supported");
                    }
                    return;
                }
                case "chroot_dir":
                    emit(f, "chroot", text(f));
                    return;
                case "is_root_rw":
                    if (bool(f)) {
                        throw error(f, "make the root writable with mount { dst: \"/\" src: ... is_bind: true rw: true }");
                    }
                    return;
                case "hostname":
                    sawHostname = true;
                    emit(f, "hostname", text(f));
                    return;
                case "cwd":
                    emit(f, "cwd", text(f));
                    return;
                case "time_limit": {
                    sawTimeLimit = true;
                    long t = number(f);
                    if (t > 0) {
                        emit(f, "time-limit", Long.toString(t));
                    }
                    return;
                }
                case "keep_env":
                    if (bool(f)) {
                        System.getenv().forEach((n, v) -> emit(f, "env", n + "=" + v));
                    }
                    return;
                case "envar": {
                    String v = text(f);
                    emit(f, v.indexOf('=') > 0 ? "env" : "inherit-env", v);
                    return;
                }
                case "keep_caps":
                    if (bool(f)) {
                        throw error(f, "sandbox4j keeps named capabilities only; list them with cap: \"CAP_...\"");
                    }
                    return;
                case "cap":
                    emit(f, "cap-keep", text(f));
                    return;
                case "skip_setsid":
                    if (bool(f)) {
                        emit(f, "same-session", "");
                    }
                    return;
                case "forward_signals":
                    bool(f); // sandbox4j's init always forwards signals to the program
                    return;
                case "pass_fd":
                    emit(f, "keep-fd", Long.toString(number(f)));
                    return;
                case "disable_rl":
                    disableRl = bool(f);
                    return;
                case "uidmap":
                case "gidmap":
                    idmap(f);
                    return;
                case "mount_proc":
                    if (bool(f)) {
                        emit(f, "proc", "/proc");
                    }
                    return;
                case "mount":
                    mount(f);
                    return;
                case "seccomp_policy_file":
                    emit(f, "seccomp", text(f));
                    return;
                case "seccomp_string":
                    if (seccomp.isEmpty()) {
                        seccompLine = f.line();
                    }
                    seccomp.add(text(f));
                    return;
                case "exec_bin":
                    exec(f);
                    return;
                default:
                    throw error(f, "unknown nsjail key (not in nsjail's config.proto, or not known to sandbox4j)");
            }
        }

        private void rlimit(Field f) {
            String k = f.key().substring("rlimit_".length());
            boolean type = k.endsWith("_type");
            String res = type ? k.substring(0, k.length() - 5) : k;
            if (!List.of(RLIMITS).contains(res)) {
                throw error(f, "unknown rlimit");
            }
            if (type) {
                String t = text(f);
                if (!Set.of("VALUE", "SOFT", "HARD", "INF").contains(t)) {
                    throw error(f, "expected VALUE, SOFT, HARD or INF, not " + t);
                }
                rlimitType.put(res, t);
            } else {
                rlimitValue.put(res, Long.toString(number(f)));
            }
            rlimitLine.putIfAbsent(res, f.line());
        }

        private String lookupId(Field f, String v, boolean group) {
            if (v.isEmpty()) {
                return Integer.toUnsignedString(group ? org.sandbox4j.internal.LibC.getegid() : org.sandbox4j.internal.LibC.geteuid());
            }
            String id = hostId(v, group);
            if (id == null) {
                throw error(f, "no " + (group ? "group" : "user") + " '" + v + "' on the host; give a number");
            }
            return id;
        }

        private void idmap(Field f) {
            boolean gid = f.key().equals("gidmap");
            String inside = "";
            String outside = "";
            long count = 1;
            for (Field c : children(f)) {
                switch (c.key()) {
                    case "inside_id":
                        inside = text(c);
                        break;
                    case "outside_id":
                        outside = text(c);
                        break;
                    case "count":
                        count = number(c);
                        break;
                    case "use_newidmap":
                        bool(c); // sandbox4j uses newuidmap/newgidmap exactly when the caller is not root
                        break;
                    default:
                        throw error(c, "unknown key in " + f.key() + " (inside_id, outside_id, count, use_newidmap)");
                }
            }
            String in = lookupId(f, inside, gid);
            String outId = lookupId(f, outside, gid);
            boolean first = gid ? !sawGidmap : !sawUidmap;
            if (first) {
                // nsjail runs the program as the first map's inside id.
                emit(f, gid ? "gid" : "uid", in);
            }
            if (gid) {
                sawGidmap = true;
            } else {
                sawUidmap = true;
            }
            emit(f, gid ? "gid-map" : "uid-map", in + ":" + outId + ":" + count);
        }

        private void exec(Field f) {
            if (!command.isEmpty()) {
                throw error(f, "given twice");
            }
            String path = null;
            List<String> args = new ArrayList<>();
            for (Field c : children(f)) {
                switch (c.key()) {
                    case "path":
                        path = text(c);
                        break;
                    case "arg":
                        args.add(text(c));
                        break;
                    case "arg0":
                        throw error(c, "sandbox4j passes the path as argv[0]; arg0 is not supported");
                    case "exec_fd":
                        if (bool(c)) {
                            throw error(c, "execveat(2) of an fd is not supported; give the path");
                        }
                        break;
                    default:
                        throw error(c, "unknown key in exec_bin (path, arg, arg0, exec_fd)");
                }
            }
            if (path == null) {
                throw error(f, "needs a path");
            }
            command.add(path);
            command.addAll(args);
        }

        private void mount(Field f) {
            String src = null;
            String dst = null;
            String fstype = "";
            String options = "";
            String content = null;
            boolean bind = false;
            boolean rw = false;
            boolean mandatory = true;
            boolean symlink = false;
            boolean dir = false;
            String srcEnv = null;
            String dstEnv = null;
            for (Field c : children(f)) {
                switch (c.key()) {
                    case "src": src = text(c); break;
                    case "dst": dst = text(c); break;
                    case "fstype": fstype = text(c); break;
                    case "options": options = text(c); break;
                    case "src_content": content = text(c); break;
                    case "is_bind": bind = bool(c); break;
                    case "rw": rw = bool(c); break;
                    case "mandatory": mandatory = bool(c); break;
                    case "is_symlink": symlink = bool(c); break;
                    case "is_dir": dir = bool(c); break;
                    case "prefix_src_env": srcEnv = text(c); break;
                    case "prefix_dst_env": dstEnv = text(c); break;
                    case "nosuid":
                    case "nodev":
                        bool(c); // always: no_new_privs makes set-id bits inert, and binds are nodev by default
                        break;
                    case "noexec":
                        if (bool(c)) {
                            throw error(c, "noexec mounts are not supported by sandbox4j");
                        }
                        break;
                    default:
                        throw error(c, "unknown key in mount (src, dst, fstype, options, is_bind, rw, mandatory,"
                                + " src_content, is_symlink, is_dir, prefix_src_env, prefix_dst_env, nosuid, nodev, noexec)");
                }
            }
            if (dst == null) {
                throw error(f, "needs a dst");
            }
            if (srcEnv != null && src != null) {
                src = env(f, srcEnv) + src;
            }
            if (dstEnv != null) {
                dst = env(f, dstEnv) + dst;
            }
            if (content != null) {
                String body = content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
                out.add(new Directive("file", dst, body, source, f.line(), f.line()));
                return;
            }
            if (symlink) {
                if (src == null) {
                    throw error(f, "is_symlink needs src (the link's target)");
                }
                emit(f, "symlink", src + ":" + dst);
                return;
            }
            if (bind || (src != null && fstype.isEmpty())) {
                if (src == null) {
                    throw error(f, "a bind mount needs src");
                }
                if (!options.isEmpty()) {
                    throw error(f, "mount options \"" + options + "\" on a bind mount are not supported");
                }
                if (!mandatory && !Files.exists(Path.of(src))) {
                    return; // nsjail: a mount that is not mandatory is skipped when it cannot be made
                }
                if (src.startsWith("/dev/") || src.equals("/dev")) {
                    devices(f, src, dst);
                    return;
                }
                if (dst.equals("/")) {
                    emit(f, rw ? "chroot-rw" : "chroot", src);
                } else {
                    emit(f, rw ? "bind" : "ro-bind", src.equals(dst) ? src : src + ":" + dst);
                }
                return;
            }
            switch (fstype) {
                case "tmpfs": {
                    String size = null;
                    for (String o : options.split(",")) {
                        String t = o.trim();
                        if (t.isEmpty()) {
                            continue;
                        }
                        if (t.startsWith("size=")) {
                            size = t.substring(5).toLowerCase(Locale.ROOT);
                        } else {
                            throw error(f, "tmpfs option \"" + t + "\" is not supported (only size=)");
                        }
                    }
                    emit(f, "tmpfs", size == null ? dst : dst + ":" + size);
                    if (!rw) {
                        emit(f, "remount-ro", dst); // nsjail mounts it read-only unless rw: true
                    }
                    return;
                }
                case "proc":
                    emit(f, "proc", dst);
                    return;
                case "":
                    if (dir) {
                        emit(f, "dir", dst);
                        return;
                    }
                    throw error(f, "needs src, src_content, fstype or is_dir");
                default:
                    throw error(f, "fstype \"" + fstype + "\" is not supported (bind, tmpfs, proc; /dev with the dev directive)");
            }
        }

        /** sandbox4j's own current soft or hard limit of {@code r}, in the units of /proc/self/limits. */
        private String current(String r, boolean hard) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                    if (line.startsWith(LIMIT_ROWS.get(r))) {
                        String[] cols = line.substring(26).trim().split("\\s+");
                        String v = cols[hard ? 1 : 0];
                        return v.equals("unlimited") ? "inf" : v;
                    }
                }
            } catch (IOException e) {
                // fall through
            }
            throw new ConfigException(source, rlimitLine.getOrDefault(r, 0), "cannot read the current limit of " + r
                    + " from /proc/self/limits");
        }

        /**
         * nsjail configs bind device nodes one by one (/dev/null, /dev/urandom); sandbox4j's binds
         * are nodev, and its {@code dev /dev} gives exactly the harmless nodes (null, zero, full,
         * random, urandom, tty), so each such bind becomes that one directive, once.
         */
        private void devices(Field f, String src, String dst) {
            if (!src.equals(dst) || !(src.equals("/dev") || Set.of("null", "zero", "full", "random", "urandom", "tty")
                    .contains(src.substring(5)))) {
                throw error(f, "binding " + src + " is not supported: sandbox4j's binds are nodev; /dev/null, zero, full,"
                        + " random, urandom and tty come from its minimal /dev (bind them at the same path)");
            }
            if (!sawDev) {
                sawDev = true;
                emit(f, "dev", "/dev");
            }
        }

        private String env(Field f, String name) {
            String v = System.getenv(name);
            if (v == null) {
                throw error(f, "the environment variable " + name + " (prefix_*_env) is not set");
            }
            return v;
        }

        private void finish() {
            if (!seccomp.isEmpty()) {
                out.add(new Directive("seccomp-string", "", String.join("\n", seccomp), source, seccompLine, seccompLine));
            }
            // nsjail sets soft = hard = the value of every rlimit, from its type: VALUE (the number,
            // nsjail's default when not given), SOFT or HARD (sandbox4j's current limit), INF.
            for (String r : RLIMITS) {
                if (disableRl) {
                    break;
                }
                String type = rlimitType.getOrDefault(r, VALUE_BY_DEFAULT.contains(r) ? "VALUE" : "SOFT");
                String value;
                switch (type) {
                    case "INF":
                        value = "inf";
                        break;
                    case "SOFT":
                    case "HARD":
                        value = current(r, type.equals("HARD"));
                        break;
                    default:
                        value = rlimitValue.getOrDefault(r, RLIMIT_DEFAULTS.get(r))
                                + (MIB.contains(r) ? "m" : r.equals("memlock") ? "k" : "");
                }
                Integer line = rlimitLine.get(r);
                if (line == null) {
                    emitDefault("rlimit", r + "=" + value);
                } else {
                    out.add(new Directive("rlimit", r + "=" + value, null, source, line, 0));
                }
            }
            if (!sawTimeLimit) {
                emitDefault("time-limit", "600");
            }
            if (!sawHostname && !sharesUts) {
                emitDefault("hostname", "NSJAIL");
            }
        }
    }
}
