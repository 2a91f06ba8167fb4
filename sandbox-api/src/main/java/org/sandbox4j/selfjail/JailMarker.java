package org.sandbox4j.selfjail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The environment variable the outer JVM gives the jailed JVM, and its verification.
 *
 * <p>The variable names the namespaces the jail was given and the outer JVM's inode of each. The
 * jailed JVM accepts it only when facts an unjailed process cannot fake agree: for a new user
 * namespace, its uid map is not the initial namespace's identity map; for a new pid namespace, it is
 * pid 1 or 2; for a new mount namespace, its mount namespace differs from the one recorded. The
 * variable alone is never trusted: a process that merely has it set in its environment is not jailed.
 */
final class JailMarker {
    static final String ENV = "SANDBOX4J_SELFJAIL";
    private static final String VERSION = "v1";

    private JailMarker() {}

    /** The marker for a jail that has new namespaces of these kinds ("user", "pid", "mnt"). */
    static String create(boolean newUser, boolean newPid, boolean newMnt) {
        StringBuilder sb = new StringBuilder(VERSION);
        if (newUser) {
            sb.append(";user=").append(inode("user"));
        }
        if (newPid) {
            sb.append(";pid=").append(inode("pid"));
        }
        if (newMnt) {
            sb.append(";mnt=").append(inode("mnt"));
        }
        return sb.toString();
    }

    /** Verification of this process's marker. */
    enum State {
        /** No marker: not started by SelfJail. */
        ABSENT,
        /** A marker, and the namespaces it names are really new. */
        VERIFIED,
        /** A marker that the facts contradict (set by hand, or the jail shares what it claims new). */
        FORGED
    }

    static State check() {
        return check(System.getenv(ENV));
    }

    static State check(@Nullable String marker) {
        if (marker == null) {
            return State.ABSENT;
        }
        Map<String, String> m = parse(marker);
        if (m == null || m.isEmpty()) {
            return State.FORGED; // a marker that names no new namespace proves nothing
        }
        try {
            for (Map.Entry<String, String> e : m.entrySet()) {
                switch (e.getKey()) {
                    case "user":
                        if (inode("user").equals(e.getValue()) || initialUserNamespace()) {
                            return State.FORGED;
                        }
                        break;
                    case "pid":
                        long pid = ProcessHandle.current().pid();
                        if (inode("pid").equals(e.getValue()) || pid > 2) {
                            return State.FORGED;
                        }
                        break;
                    case "mnt":
                        if (inode("mnt").equals(e.getValue())) {
                            return State.FORGED;
                        }
                        break;
                    default:
                        return State.FORGED;
                }
            }
        } catch (IOException | RuntimeException e) {
            return State.FORGED; // /proc missing or unreadable: cannot verify, so not jailed
        }
        return State.VERIFIED;
    }

    private static @Nullable Map<String, String> parse(String marker) {
        String[] parts = marker.split(";");
        if (parts.length == 0 || !parts[0].equals(VERSION)) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                return null;
            }
            m.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return m;
    }

    /** {@code /proc/self/ns/KIND} is a link whose text is {@code KIND:[inode]}. */
    static String inode(String kind) {
        try {
            String t = Files.readSymbolicLink(Path.of("/proc/self/ns", kind)).toString();
            int a = t.indexOf('[');
            int b = t.indexOf(']');
            return a >= 0 && b > a ? t.substring(a + 1, b) : t;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/ns/" + kind + ": " + e.getMessage(), e);
        }
    }

    /** The initial user namespace maps every id to itself: {@code 0 0 4294967295}. */
    private static boolean initialUserNamespace() throws IOException {
        String map = Files.readString(Path.of("/proc/self/uid_map")).trim();
        String[] f = map.split("\\s+");
        return f.length == 3 && f[0].equals("0") && f[1].equals("0") && f[2].equals("4294967295");
    }
}
