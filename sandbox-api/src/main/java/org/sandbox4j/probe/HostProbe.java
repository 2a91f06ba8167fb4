package org.sandbox4j.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;
import org.sandbox4j.Sandbox;
import org.sandbox4j.internal.LibC;
import org.sandbox4j.SandboxException;
import org.sandbox4j.SandboxSetupException;
import org.sandbox4j.SandboxedProcess;
import org.sandbox4j.SetupStep;
import org.sandbox4j.internal.HostDiagnosis;
import org.sandbox4j.internal.LauncherBinary;

/**
 * The result of probing the host: one {@link Feature} per mechanism sandbox4j uses, in a fixed
 * order. Probes are real where that is cheap and harmless: a jail is started (of a program that does
 * not exist, so setup runs to the final execve, which fails with ENOENT as expected), system calls
 * are made with arguments that do nothing, a child cgroup is created and removed.
 *
 * @param arch the running architecture
 * @param features the features, in report order
 */
public record HostProbe(Arch arch, List<Feature> features) {
    /** The program the probe jail tries to execute: absent, so nothing runs. */
    static final String NO_PROGRAM = "/sandbox4j-probe-does-not-exist";

    // System call numbers shared by x86_64 and aarch64 (the unified table from 424 on).
    private static final long SYS_PIDFD_OPEN = 434;
    private static final long SYS_CLOSE_RANGE = 436;
    private static final long SYS_MOUNT_SETATTR = 442;
    private static final long SYS_LANDLOCK_CREATE_RULESET = 444;
    private static final int ENOSYS = 38;
    private static final int EOPNOTSUPP = 95;

    /** Copies {@code features}. */
    public HostProbe {
        features = List.copyOf(features);
    }

    /** The feature named {@code name}, if probed. */
    public Optional<Feature> feature(String name) {
        return features.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** True when a jail could be started here ({@code sandbox4j run} will work). */
    public boolean jailsWork() {
        return feature("jail").map(f -> f.status() == Status.OK).orElse(false);
    }

    /** Probes this host. Takes a few tens of milliseconds (one jail is started). */
    public static HostProbe run() {
        List<Feature> f = new ArrayList<>();
        Arch arch = Arch.current();
        f.add(new Feature("arch", Status.OK, arch + " (" + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + ", resource prefix " + arch.resourcePrefix() + ")", ""));
        f.add(launcher(arch));
        f.add(jail());
        f.add(unprivilegedUserns());
        f.add(containerSeccomp());
        f.add(seccompActions());
        f.add(landlock());
        f.add(cgroup());
        f.add(syscall("pidfd", SYS_PIDFD_OPEN, "pidfd_open(2): race-free waiting for and killing the jail",
                "Linux 5.3+; without it sandbox4j falls back to waitpid and kill", ProcessHandle.current().pid(), 0L));
        f.add(syscall("close_range", SYS_CLOSE_RANGE, "close_range(2): closes inherited fds in one call",
                "Linux 5.9+; without it the launcher closes fds one by one", 0x7ffffff0L, 0x7fffffffL, 0L));
        f.add(syscall("mount_setattr", SYS_MOUNT_SETATTR, "mount_setattr(2): recursive read-only and idmapped mounts",
                "Linux 5.12+; without it read-only binds use remount per submount", -1L, 0L, 0L, 0L, 0L));
        f.add(tiocsti());
        f.add(container(f.stream().anyMatch(x -> x.name().equals("jail") && x.status() == Status.OK)));
        return new HostProbe(arch, f);
    }

    private static Feature launcher(Arch arch) {
        try {
            int size = LauncherBinary.bytes().length;
            return new Feature("launcher", Status.OK, arch.resourcePrefix() + "/" + LauncherBinary.FILE_NAME + " in the jar, "
                    + size / 1024 + " KiB", "");
        } catch (SandboxException e) {
            return new Feature("launcher", Status.MISSING, String.valueOf(e.getMessage()),
                    "use a sandbox-api jar built with its native module for " + arch.resourcePrefix()
                            + ", or -D" + LauncherBinary.PROPERTY + "=/path/to/launcher");
        }
    }

    /** A real jail: every setup step up to the final execve, as this user. */
    private static Feature jail() {
        String who = "uid " + uid();
        long t0 = System.nanoTime();
        try {
            SandboxedProcess p = Sandbox.builder().build().start(NO_PROGRAM);
            p.destroyForcibly();
            return new Feature("jail", Status.RESTRICTED, "a probe jail ran a program that should not exist (" + NO_PROGRAM + ")",
                    "remove " + NO_PROGRAM + " from the host");
        } catch (SandboxSetupException e) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (e.step() == SetupStep.EXECVE && e.errno() == 2) {
                return new Feature("jail", Status.OK, "as " + who + ": user, mount, pid, net, ipc, uts, cgroup namespaces,"
                        + " tmpfs root, seccomp filter, all set up (" + ms + " ms); the launcher runs", "");
            }
            String hint = e.hint();
            return new Feature("jail", Status.RESTRICTED, "as " + who + ": " + e.step().action() + " failed: "
                    + e.errnoName() + (e.path().isEmpty() ? "" : " " + e.path()),
                    hint != null ? hint : "see docs/troubleshooting.md");
        } catch (SandboxException e) {
            return new Feature("jail", Status.MISSING, "the launcher could not be started: " + e.getMessage(),
                    "check that " + System.getProperty("java.io.tmpdir") + " or memfds are executable (vm.memfd_noexec),"
                            + " or give -D" + LauncherBinary.PROPERTY + "=/path; see docs/troubleshooting.md");
        } catch (IOException | RuntimeException e) {
            return new Feature("jail", Status.MISSING, "the launcher could not be started: " + e, "see docs/troubleshooting.md");
        }
    }

    private static Feature unprivilegedUserns() {
        String max = read("/proc/sys/user/max_user_namespaces");
        String clone = read("/proc/sys/kernel/unprivileged_userns_clone");
        String apparmor = read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
        String sysctls = "user.max_user_namespaces=" + orNa(max) + ", kernel.unprivileged_userns_clone=" + orNa(clone)
                + ", kernel.apparmor_restrict_unprivileged_userns=" + orNa(apparmor);
        if (max == null) {
            return new Feature("userns-unprivileged", Status.MISSING, "the kernel has no user namespaces (" + sysctls + ")",
                    "a kernel built with CONFIG_USER_NS=y");
        }
        if ("0".equals(max)) {
            return new Feature("userns-unprivileged", Status.RESTRICTED, "disabled for everyone (" + sysctls + ")",
                    "sysctl -w user.max_user_namespaces=15000");
        }
        if ("0".equals(clone)) {
            return new Feature("userns-unprivileged", Status.RESTRICTED, "only root may create them (" + sysctls + ")",
                    "sysctl -w kernel.unprivileged_userns_clone=1");
        }
        if ("1".equals(apparmor)) {
            return new Feature("userns-unprivileged", Status.RESTRICTED, "AppArmor denies them to unconfined programs ("
                    + sysctls + ")", appArmorFix());
        }
        if (max.matches("\\d+") && Long.parseLong(max) < 100) {
            return new Feature("userns-unprivileged", Status.RESTRICTED, "allowed, but at most " + max + " user namespaces"
                    + " per user at once: more concurrent jails fail with ENOSPC (" + sysctls + ")",
                    "sysctl -w user.max_user_namespaces=15000");
        }
        return new Feature("userns-unprivileged", Status.OK, "allowed for unprivileged users (" + sysctls + ")", "");
    }

    /** The exact commands for the installed launcher (issue 14), then the other ways out. */
    static String appArmorFix() {
        String launcher = org.sandbox4j.internal.InstalledLauncher.DEFAULT_LAUNCHER.toString();
        return "as root: 'sandbox4j install-launcher' then 'apparmor_parser -r "
                + org.sandbox4j.internal.InstalledLauncher.DEFAULT_PROFILE + "', and run java with -Dsandbox4j.launcher="
                + launcher + "; or an AppArmor profile with 'userns,' for java; or sysctl -w"
                + " kernel.apparmor_restrict_unprivileged_userns=0; or --best-effort (docs/deployment.md)";
    }

    // ---- container detection (issue 14) --------------------------------------------------------

    private static Feature container(boolean jailsWork) {
        java.util.Set<String> files = new java.util.LinkedHashSet<>();
        for (String marker : new String[] {"/.dockerenv", "/run/.containerenv"}) {
            if (java.nio.file.Files.exists(java.nio.file.Path.of(marker))) {
                files.add(marker);
            }
        }
        return container(read("/proc/self/status"), read("/proc/1/cgroup"), files, System.getenv(), jailsWork,
                org.sandbox4j.landlock.Landlock.abi());
    }

    /**
     * Whether this JVM runs in a container, from the facts a runtime leaves: its marker files
     * ({@code /.dockerenv}, Podman's {@code /run/.containerenv}), {@code KUBERNETES_SERVICE_HOST} or
     * {@code container=} in the environment, the runtime's name in pid 1's cgroup, a seccomp filter
     * (Seccomp: 2) and a bounding set without CAP_SYS_ADMIN; and what works there.
     */
    static Feature container(@Nullable String status, @Nullable String pid1Cgroup, java.util.Set<String> markerFiles,
            java.util.Map<String, String> env, boolean jailsWork, int landlockAbi) {
        List<String> found = new ArrayList<>();
        for (String m : markerFiles) {
            found.add(m.equals("/.dockerenv") ? "Docker's /.dockerenv" : m.equals("/run/.containerenv")
                    ? "Podman's /run/.containerenv" : m);
        }
        if (env.containsKey("KUBERNETES_SERVICE_HOST")) {
            found.add("Kubernetes (KUBERNETES_SERVICE_HOST)");
        }
        if (env.containsKey("container")) {
            found.add("container=" + env.get("container"));
        }
        if (pid1Cgroup != null) {
            for (String rt : new String[] {"kubepods", "docker", "libpod", "containerd", "lxc"}) {
                if (pid1Cgroup.contains(rt)) {
                    found.add("pid 1's cgroup names " + rt);
                    break;
                }
            }
        }
        boolean filtered = "2".equals(field(status, "Seccomp"));
        String bnd = field(status, "CapBnd");
        boolean noSysAdmin = bnd != null && bnd.matches("[0-9a-fA-F]+") && (Long.parseUnsignedLong(bnd, 16) & (1L << 21)) == 0;
        if (found.isEmpty() && !(filtered && noSysAdmin)) {
            return new Feature("container", Status.OK, "no container runtime markers"
                    + (filtered ? " (a seccomp filter, but CAP_SYS_ADMIN in the bounding set)" : ""), "");
        }
        if (filtered) {
            found.add("a seccomp filter");
        }
        if (noSysAdmin) {
            found.add("no CAP_SYS_ADMIN in the bounding set");
        }
        String where = "in a container (" + String.join(", ", found) + ")";
        if (jailsWork) {
            return new Feature("container", Status.OK, where + "; full jails work here", "");
        }
        String be = landlockAbi >= 6 ? "Landlock ABI " + landlockAbi + " (files, tcp, scopes)"
                : landlockAbi >= 4 ? "Landlock ABI " + landlockAbi + " (files, tcp; no scopes before ABI 6)"
                : landlockAbi >= 1 ? "Landlock ABI " + landlockAbi + " (files only; TCP rules need ABI 4)"
                : "no Landlock (seccomp and rlimits only)";
        return new Feature("container", Status.RESTRICTED, where + "; namespaces are refused, so only best effort"
                + " runs here: " + be + ", seccomp, rlimits, no capabilities",
                "for full jails: Docker/Podman --security-opt seccomp=unconfined --security-opt systempaths=unconfined"
                + " (plus apparmor=unconfined on AppArmor hosts); Kubernetes securityContext seccompProfile"
                + " {type: Unconfined} and procMount: Unmasked; or --best-effort / Sandbox.Builder.bestEffort();"
                + " see docs/deployment.md");
    }

    private static Feature containerSeccomp() {
        String status = read("/proc/self/status");
        String mode = field(status, "Seccomp");
        String filters = field(status, "Seccomp_filters");
        if (mode == null) {
            return new Feature("host-seccomp", Status.MISSING, "the kernel reports no seccomp state",
                    "a kernel with CONFIG_SECCOMP_FILTER=y");
        }
        if (mode.equals("0")) {
            return new Feature("host-seccomp", Status.OK, "this JVM runs without a seccomp filter (not in a filtered container)", "");
        }
        String hint = HostDiagnosis.userNamespaceRefused(1);
        return new Feature("host-seccomp", Status.RESTRICTED, "this JVM already runs under " + orNa(filters)
                + " seccomp filter(s) (mode " + mode + "), typically a container's profile; it may block unshare/clone"
                + " of namespaces (see the jail line)", hint == null ? "run the container with a profile that allows"
                + " namespace creation" : hint);
    }

    private static Feature seccompActions() {
        String avail = read("/proc/sys/kernel/seccomp/actions_avail");
        if (avail == null) {
            return new Feature("seccomp", Status.MISSING, "no /proc/sys/kernel/seccomp/actions_avail: seccomp filters are"
                    + " unavailable or the kernel is older than 4.14", "a kernel with CONFIG_SECCOMP_FILTER=y, 4.14 or newer");
        }
        List<String> missing = new ArrayList<>();
        for (String a : new String[] {"kill_process", "kill_thread", "trap", "errno", "log", "user_notif", "allow"}) {
            if (!(" " + avail + " ").contains(" " + a + " ")) {
                missing.add(a);
            }
        }
        if (missing.isEmpty()) {
            return new Feature("seccomp", Status.OK, "filters with actions " + avail, "");
        }
        return new Feature("seccomp", Status.RESTRICTED, "actions " + avail + "; missing " + missing
                + " (policies using them cannot be installed)", "a newer kernel (kill_process 4.14, user_notif 5.0)");
    }

    private static Feature landlock() {
        long abi;
        int errno;
        try {
            abi = syscall(SYS_LANDLOCK_CREATE_RULESET, 0L, 0L, 1L /* LANDLOCK_CREATE_RULESET_VERSION */);
            errno = LibC.errno();
        } catch (RuntimeException | LinkageError e) {
            return new Feature("landlock", Status.MISSING, "could not call syscall(2) through " + org.sandbox4j.internal.NativeCalls.get().name() + ": " + e,
                    "with JNA, check that it can load libc (jna.tmpdir must allow exec)");
        }
        if (abi < 0) {
            if (errno == ENOSYS) {
                return new Feature("landlock", Status.MISSING, "the kernel has no Landlock (ENOSYS)",
                        "Linux 5.13+ built with CONFIG_SECURITY_LANDLOCK=y");
            }
            if (errno == EOPNOTSUPP) {
                return new Feature("landlock", Status.RESTRICTED, "built in but not enabled at boot (EOPNOTSUPP)",
                        "add landlock to the lsm= kernel parameter (e.g. lsm=landlock,lockdown,yama,apparmor,bpf) and reboot");
            }
            return new Feature("landlock", Status.RESTRICTED, "landlock_create_ruleset failed with errno " + errno,
                    "see docs/troubleshooting.md");
        }
        StringBuilder what = new StringBuilder("ABI " + abi + ": file-system access rules");
        String[] byAbi = {
            null, null, ", renaming/linking across directories (REFER)", ", truncate", ", TCP bind/connect ports",
            ", ioctl on devices", ", scoping of abstract unix sockets and signals", ", audit logging flags",
            ", restrict all threads at once (TSYNC)"
        };
        for (int i = 2; i <= Math.min(abi, byAbi.length - 1); i++) {
            what.append(byAbi[i]);
        }
        if (abi >= byAbi.length) {
            what.append(", and more");
        }
        return new Feature("landlock", Status.OK, what.toString(), "");
    }

    /**
     * Where this user's jails would get their cgroups, and which controllers are there: creates (and
     * removes) the cgroup a jail with a memory, pids and CPU limit would get. On a delegated cgroup v2
     * this may move the JVM into a leaf of its cgroup, as a first jail with limits would.
     */
    private static Feature cgroup() {
        org.sandbox4j.internal.Cgroups.Host h = org.sandbox4j.internal.Cgroups.host();
        String kind;
        if (h.v2Usable()) {
            kind = "v2 at " + h.v2Mount() + ", this process in " + h.v2Own() + " (controllers there: "
                    + orNone(read(h.v2Mount().resolve(rel(h.v2Own())).resolve("cgroup.controllers").toString())) + ")";
        } else if (!h.v1Mounts().isEmpty()) {
            kind = "v1 (" + String.join(", ", h.v1Mounts().keySet()) + ")" + (h.v2Mount() != null ? ", with a controller-less v2 at "
                    + h.v2Mount() : "");
        } else {
            return new Feature("cgroup", Status.MISSING, "no cgroup hierarchy with controllers is mounted",
                    "mount cgroup2 at /sys/fs/cgroup");
        }
        try {
            org.sandbox4j.internal.Cgroups.Jail j = org.sandbox4j.internal.Cgroups.create(
                    new org.sandbox4j.cgroup.CgroupLimits(64L << 20, 0, 64, 100_000, 100_000, null,
                            org.sandbox4j.landlock.Compatibility.STRICT), true, false, false);
            List<String> parents = j.paths().stream().map(p -> String.valueOf(p.getParent())).distinct().toList();
            j.cleanup();
            return new Feature("cgroup", Status.OK, kind + "; jails get their cgroups (memory, pids, cpu limits) under "
                    + String.join(", ", parents), "");
        } catch (org.sandbox4j.SandboxSetupException e) {
            return new Feature("cgroup", Status.RESTRICTED, kind + "; memoryLimit/pidsLimit/cpuLimit would fail: "
                    + e.getMessage().lines().findFirst().orElse(""), e.hint() == null ? "" : e.hint());
        }
    }

    private static String orNone(@Nullable String s) {
        return s == null || s.isBlank() ? "none" : s.strip();
    }

    private static Feature syscall(String name, long nr, String what, String fixIfMissing, long... args) {
        long r;
        int errno;
        try {
            r = syscall(nr, args);
            errno = LibC.errno();
        } catch (RuntimeException | LinkageError e) {
            return new Feature(name, Status.MISSING, "could not call syscall(2) through " + org.sandbox4j.internal.NativeCalls.get().name() + ": " + e,
                    "with JNA, check that it can load libc (jna.tmpdir must allow exec)");
        }
        if (r >= 0 && name.equals("pidfd")) {
            closeFd((int) r);
        }
        if (r < 0 && errno == ENOSYS) {
            return new Feature(name, Status.MISSING, what + ": not in this kernel (ENOSYS)", fixIfMissing);
        }
        if (r < 0 && errno == 1) {
            return new Feature(name, Status.RESTRICTED, what + ": refused (EPERM), perhaps by a container's seccomp profile",
                    "allow it in the container's seccomp profile");
        }
        return new Feature(name, Status.OK, what, "");
    }

    private static Feature tiocsti() {
        String legacy = read("/proc/sys/dev/tty/legacy_tiocsti");
        String detail = legacy == null ? "the kernel allows TIOCSTI on a program's controlling terminal"
                : "0".equals(legacy) ? "dev.tty.legacy_tiocsti=0: the kernel refuses TIOCSTI to all but CAP_SYS_ADMIN"
                : "dev.tty.legacy_tiocsti=1: TIOCSTI works on a program's own controlling terminal";
        return new Feature("tiocsti", Status.OK, detail + "; jails get a new session (no controlling terminal) and the"
                + " default seccomp filter refuses TIOCSTI", "");
    }

    /** {@code syscall(nr, args...)}; returns -1 with errno in {@link LibC#errno()}. */
    private static long syscall(long nr, long... args) {
        return LibC.syscall(nr, args);
    }

    private static void closeFd(int fd) {
        LibC.close(fd);
    }

    private static String rel(String cgroupPath) {
        String p = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
        return p;
    }

    private static String uid() {
        String s = field(read("/proc/self/status"), "Uid");
        return s == null ? "?" : s.split("\\s+")[0];
    }

    private static @Nullable String field(@Nullable String status, String name) {
        if (status == null) {
            return null;
        }
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    private static String orNa(@Nullable String s) {
        return s == null ? "n/a" : s;
    }

    private static @Nullable String read(String path) {
        return org.sandbox4j.internal.ProcFiles.read(path);
    }

    /** One line per feature: {@code OK         landlock             ABI 7: ...}, the fix after {@code ->}. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        for (Feature f : features) {
            sb.append(String.format(Locale.ROOT, "%-10s %-20s %s", f.status(), f.name(), f.detail()));
            if (!f.fix().isEmpty()) {
                sb.append(" -> fix: ").append(f.fix());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The probe as one JSON object: {@code {"arch":..., "jailsWork":..., "features":[{name,status,detail,fix}]}}. */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\"arch\":").append(json(arch.name().toLowerCase(Locale.ROOT)))
                .append(",\"jailsWork\":").append(jailsWork()).append(",\"features\":[");
        for (int i = 0; i < features.size(); i++) {
            Feature f = features.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"name\":").append(json(f.name())).append(",\"status\":")
                    .append(json(f.status().name())).append(",\"detail\":").append(json(f.detail())).append(",\"fix\":")
                    .append(json(f.fix())).append('}');
        }
        return sb.append("]}").toString();
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
