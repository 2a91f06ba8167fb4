package org.sandbox4j.landlock;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable Landlock ruleset: which rights are restricted ("handled") and where each is allowed.
 * Everything handled and not allowed by a rule is denied. Built once, used by jails and lockdown.
 *
 * <pre>{@code
 * LandlockRuleset rules = LandlockRuleset.builder()
 *         .readOnly("/usr", "/etc/ssl")       // read and execute beneath these
 *         .readWrite(dataDir)                  // every file-system right beneath this
 *         .allowTcpConnect(443)                // TCP connect only to port 443 (ABI 4+)
 *         .denyTcpBind()                       // no TCP listening socket
 *         .build();
 * }</pre>
 *
 * <p>By default every file-system right the library knows is handled, so reads outside the rules are
 * denied too. {@link Builder#allowEverywhere(AccessFs...)} leaves rights unrestricted ({@link
 * Builder#allowReadEverywhere()}: a read-only file system except the given paths). TCP rights are
 * handled only when one of the TCP methods is called. Paths are those the restricted process sees:
 * inside a jail, paths inside the jail.
 */
public final class LandlockRuleset {
    /** Read files, list directories, execute. */
    public static final Set<AccessFs> READ_ONLY =
            Collections.unmodifiableSet(EnumSet.of(AccessFs.EXECUTE, AccessFs.READ_FILE, AccessFs.READ_DIR));
    /** Every file-system right. */
    public static final Set<AccessFs> READ_WRITE = Collections.unmodifiableSet(EnumSet.allOf(AccessFs.class));

    /** Rights Landlock accepts on a rule for a path that is not a directory. */
    public static final Set<AccessFs> FILE_RIGHTS = Collections.unmodifiableSet(EnumSet.of(AccessFs.EXECUTE,
            AccessFs.WRITE_FILE, AccessFs.READ_FILE, AccessFs.TRUNCATE, AccessFs.IOCTL_DEV));

    /** A rule: {@code rights} beneath {@code path}. */
    public record PathRule(String path, Set<AccessFs> rights) {
        /** Copies {@code rights} into an unmodifiable set. */
        public PathRule {
            rights = Collections.unmodifiableSet(EnumSet.copyOf(rights));
        }
    }

    /** A rule: {@code rights} on TCP port {@code port}. */
    public record PortRule(int port, Set<AccessNet> rights) {
        /** Copies {@code rights} into an unmodifiable set. */
        public PortRule {
            rights = Collections.unmodifiableSet(EnumSet.copyOf(rights));
        }
    }

    private final Set<AccessFs> handledFs;
    private final Set<AccessNet> handledNet;
    private final Set<Scope> scopes;
    private final List<PathRule> pathRules;
    private final List<PortRule> portRules;
    private final Compatibility compatibility;

    private LandlockRuleset(Builder b) {
        this.handledFs = Collections.unmodifiableSet(copy(b.handledFs, AccessFs.class));
        this.handledNet = Collections.unmodifiableSet(copy(b.handledNet, AccessNet.class));
        this.scopes = Collections.unmodifiableSet(copy(b.scopes, Scope.class));
        List<PathRule> pr = new ArrayList<>();
        b.paths.forEach((p, r) -> {
            EnumSet<AccessFs> rights = copy(r, AccessFs.class);
            rights.retainAll(handledFs);
            if (!rights.isEmpty()) {
                pr.add(new PathRule(p, rights));
            }
        });
        this.pathRules = List.copyOf(pr);
        List<PortRule> ports = new ArrayList<>();
        b.ports.forEach((p, r) -> ports.add(new PortRule(p, r)));
        this.portRules = List.copyOf(ports);
        this.compatibility = b.compatibility;
    }

    private static <E extends Enum<E>> EnumSet<E> copy(Set<E> s, Class<E> type) {
        return s.isEmpty() ? EnumSet.noneOf(type) : EnumSet.copyOf(s);
    }

    /** A builder: every file-system right handled, no TCP right, no rule, {@link Compatibility#STRICT}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The file-system rights this ruleset restricts. */
    public Set<AccessFs> handledFs() {
        return handledFs;
    }

    /** The network rights this ruleset restricts (empty: no TCP restriction). */
    public Set<AccessNet> handledNet() {
        return handledNet;
    }

    /** The IPC scopes this ruleset restricts to the domain (empty: none). ABI 6+. */
    public Set<Scope> scopes() {
        return scopes;
    }

    /** The path rules in the order they were added, each holding only handled rights. */
    public List<PathRule> pathRules() {
        return pathRules;
    }

    /** The TCP port rules in the order they were added. */
    public List<PortRule> portRules() {
        return portRules;
    }

    /** What applying does when the kernel cannot enforce all of the ruleset. */
    public Compatibility compatibility() {
        return compatibility;
    }

    /** The lowest Landlock ABI that enforces all of this ruleset. */
    public int requiredAbi() {
        int abi = 1;
        for (AccessFs a : handledFs) {
            abi = Math.max(abi, a.abi());
        }
        if (!handledNet.isEmpty()) {
            abi = Math.max(abi, 4);
        }
        if (!scopes.isEmpty()) {
            abi = Math.max(abi, 6);
        }
        return abi;
    }

    /** The same rules with another compatibility level. */
    public LandlockRuleset withCompatibility(Compatibility c) {
        Builder b = new Builder();
        b.handledFs.clear();
        b.handledFs.addAll(handledFs);
        b.handledNet.addAll(handledNet);
        b.scopes.addAll(scopes);
        pathRules.forEach(r -> b.paths.put(r.path(), EnumSet.copyOf(r.rights())));
        portRules.forEach(r -> b.ports.put(r.port(), EnumSet.copyOf(r.rights())));
        b.compatibility = c;
        return new LandlockRuleset(b);
    }

    @Override
    public String toString() {
        return "LandlockRuleset[handledFs=" + handledFs + ", handledNet=" + handledNet
                + (scopes.isEmpty() ? "" : ", scopes=" + scopes) + ", paths=" + pathRules
                + ", ports=" + portRules + ", " + compatibility + "]";
    }

    /** Builds a {@link LandlockRuleset}; each call checks its arguments at once. Not thread-safe. */
    public static final class Builder {
        private final EnumSet<AccessFs> handledFs = EnumSet.allOf(AccessFs.class);
        private final EnumSet<AccessNet> handledNet = EnumSet.noneOf(AccessNet.class);
        private final EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        private final Map<String, EnumSet<AccessFs>> paths = new LinkedHashMap<>();
        private final Map<Integer, EnumSet<AccessNet>> ports = new LinkedHashMap<>();
        private Compatibility compatibility = Compatibility.STRICT;

        Builder() {}

        /** Read files, list directories and execute beneath each path. */
        public Builder readOnly(String... paths) {
            for (String p : paths) {
                allow(p, READ_ONLY);
            }
            return this;
        }

        /** Like {@link #readOnly(String...)}. */
        public Builder readOnly(Path... paths) {
            for (Path p : paths) {
                readOnly(p.toAbsolutePath().normalize().toString());
            }
            return this;
        }

        /** Every file-system right beneath each path. */
        public Builder readWrite(String... paths) {
            for (String p : paths) {
                allow(p, READ_WRITE);
            }
            return this;
        }

        /** Like {@link #readWrite(String...)}. */
        public Builder readWrite(Path... paths) {
            for (Path p : paths) {
                readWrite(p.toAbsolutePath().normalize().toString());
            }
            return this;
        }

        /** Allows {@code rights} beneath {@code path} (added to what other calls allow there). */
        public Builder allow(String path, AccessFs... rights) {
            return allow(path, EnumSet.copyOf(Arrays.asList(rights)));
        }

        /** Allows {@code rights} beneath {@code path}. */
        public Builder allow(String path, Set<AccessFs> rights) {
            if (path.isEmpty() || path.charAt(0) != '/' || path.indexOf('\0') >= 0 || path.length() > 4095) {
                throw new IllegalArgumentException("Landlock rule path must be absolute, without NUL: '" + path + "'");
            }
            for (String c : path.split("/")) {
                if (c.equals(".") || c.equals("..")) {
                    throw new IllegalArgumentException("Landlock rule path must not contain . or ..: '" + path + "'");
                }
            }
            if (rights.isEmpty()) {
                throw new IllegalArgumentException("no rights given for " + path);
            }
            paths.computeIfAbsent(path, k -> EnumSet.noneOf(AccessFs.class)).addAll(rights);
            return this;
        }

        /** Leaves these rights unrestricted everywhere (they are no longer handled). */
        public Builder allowEverywhere(AccessFs... rights) {
            handledFs.removeAll(Arrays.asList(rights));
            return this;
        }

        /** Reading files and listing directories stay unrestricted: only changes and exec are confined. */
        public Builder allowReadEverywhere() {
            return allowEverywhere(AccessFs.READ_FILE, AccessFs.READ_DIR);
        }

        /** Restricts TCP connect to these ports (none: no outgoing TCP connection at all). ABI 4+. */
        public Builder allowTcpConnect(int... ports) {
            return net(AccessNet.CONNECT_TCP, ports);
        }

        /** Restricts TCP bind to these ports (none: no TCP bind at all). ABI 4+. */
        public Builder allowTcpBind(int... ports) {
            return net(AccessNet.BIND_TCP, ports);
        }

        /** No outgoing TCP connections. */
        public Builder denyTcpConnect() {
            return allowTcpConnect();
        }

        /** No TCP bind (no listening sockets, no explicit local ports). */
        public Builder denyTcpBind() {
            return allowTcpBind();
        }

        private Builder net(AccessNet right, int... list) {
            for (int p : list) {
                if (p < 0 || p > 65535) {
                    throw new IllegalArgumentException("TCP port out of range: " + p);
                }
            }
            handledNet.add(right);
            for (int p : list) {
                ports.computeIfAbsent(p, k -> EnumSet.noneOf(AccessNet.class)).add(right);
            }
            return this;
        }

        /**
         * Restricts these IPCs to the domain: no connection to an abstract unix socket, or no signal,
         * to a process outside the jail (ABI 6+).
         */
        public Builder scope(Scope... scopes) {
            this.scopes.addAll(Arrays.asList(scopes));
            return this;
        }

        /** {@link Compatibility#STRICT} (default) or {@link Compatibility#BEST_EFFORT}. */
        public Builder compatibility(Compatibility c) {
            this.compatibility = c;
            return this;
        }

        /**
         * The immutable ruleset.
         *
         * @throws IllegalStateException when nothing would be restricted
         */
        public LandlockRuleset build() {
            if (handledFs.isEmpty() && handledNet.isEmpty() && scopes.isEmpty()) {
                throw new IllegalStateException("the Landlock ruleset restricts nothing: every file-system right is"
                        + " allowed everywhere and no TCP rule was given");
            }
            return new LandlockRuleset(this);
        }
    }
}
