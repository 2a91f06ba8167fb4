package org.sandbox4j.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.examples.cli.Main.UsageException;

/**
 * nsjail's spellings of the common options, translated to sandbox4j directives so nsjail users can
 * keep their command lines (docs/coming-from-nsjail-bwrap-firejail.md). Only what has the same
 * meaning is accepted; an nsjail option with no equivalent fails with a message that says what to
 * use instead, never silently.
 */
final class NsjailOptions {
    private NsjailOptions() {}

    /** Options that take a value, with the directive they become ("" = handled by RunCommand). */
    static final Map<String, String> WITH_VALUE = Map.ofEntries(
            Map.entry("-c", "chroot"), Map.entry("--chroot", "chroot"),
            Map.entry("-u", "uid"), Map.entry("--user", "uid"),
            Map.entry("-g", "gid"), Map.entry("--group", "gid"),
            Map.entry("--seccomp_string", "seccomp-string"),
            Map.entry("-P", "seccomp"), Map.entry("--seccomp_policy", "seccomp"),
            Map.entry("-t", "time-limit"), Map.entry("--time_limit", "time-limit"),
            Map.entry("-R", "ro-bind"), Map.entry("--bindmount_ro", "ro-bind"),
            Map.entry("-B", "bind"), Map.entry("--bindmount", "bind"),
            Map.entry("-T", "tmpfs"), Map.entry("--tmpfsmount", "tmpfs"),
            Map.entry("-E", "env"),
            Map.entry("-D", "cwd"),
            Map.entry("-H", "hostname"),
            Map.entry("--cap", "cap-keep"),
            Map.entry("-C", "config"),
            Map.entry("-U", "uid-map"), Map.entry("--uid_mapping", "uid-map"),
            Map.entry("-G", "gid-map"), Map.entry("--gid_mapping", "gid-map"),
            Map.entry("-M", ""), Map.entry("--mode", ""),
            Map.entry("--rlimit_as", "as"), Map.entry("--rlimit_core", "core"), Map.entry("--rlimit_cpu", "cpu"),
            Map.entry("--rlimit_fsize", "fsize"), Map.entry("--rlimit_nofile", "nofile"),
            Map.entry("--rlimit_nproc", "nproc"), Map.entry("--rlimit_stack", "stack"),
            Map.entry("--cgroup_mem_max", "memory-max"), Map.entry("--cgroup_mem_swap_max", "swap-max"),
            Map.entry("--cgroup_mem_memsw_max", "memsw-max"),
            Map.entry("--cgroup_pids_max", "pids-max"), Map.entry("--cgroup_cpu_ms_per_sec", "cpu-max"),
            Map.entry("--cgroupv2_mount", "cgroup-parent"), Map.entry("--cgroup_mem_parent", "cgroup-parent"),
            Map.entry("--cgroup_pids_parent", "cgroup-parent"), Map.entry("--cgroup_cpu_parent", "cgroup-parent"));

    /** Flags (no value), with the directive they become ("" = handled by RunCommand). */
    static final Map<String, String> FLAGS = Map.ofEntries(
            Map.entry("-Mo", ""), Map.entry("--disable_proc", ""), Map.entry("--rw", ""), Map.entry("-e", ""),
            Map.entry("--keep_env", ""), Map.entry("-Q", ""), Map.entry("--really_quiet", ""),
            Map.entry("-N", "net"), Map.entry("--disable_clone_newnet", "net"),
            Map.entry("--skip_setsid", "same-session"),
            Map.entry("--disable_clone_newuser", "share"), Map.entry("--disable_clone_newns", "share"),
            Map.entry("--disable_clone_newpid", "share"), Map.entry("--disable_clone_newipc", "share"),
            Map.entry("--disable_clone_newuts", "share"), Map.entry("--disable_clone_newcgroup", "share"));

    /** nsjail options that have no meaning here, with what to do instead. */
    static final Map<String, String> UNSUPPORTED = Map.of(
            "--disable_no_new_privs", "sandbox4j always sets no_new_privs (a seccomp filter needs it); there is no way off",
            "-m", "nsjail's generic -m/--mount is not supported; use --ro-bind, --bind, --tmpfs, --proc or --dev",
            "--mount", "nsjail's generic -m/--mount is not supported; use --ro-bind, --bind, --tmpfs, --proc or --dev",
            "--config_file", "give nsjail's config file with --config FILE (read as nsjail's protobuf text format)",
            "--port", "nsjail's listen mode (-Ml/--port) is not supported: sandbox4j runs one command once, as -Mo",
            "-p", "nsjail's listen mode (-Ml/--port) is not supported: sandbox4j runs one command once, as -Mo");

    /** The share value for a {@code --disable_clone_new*} flag. */
    static String shared(String flag) {
        return flag.substring("--disable_clone_new".length());
    }

    /** {@code -M o}: only 'o' (launch once) exists here. */
    static void checkMode(String opt, String mode) throws UsageException {
        switch (mode) {
            case "o":
                return;
            case "l":
                throw new UsageException(opt + " " + mode + ": nsjail's listen mode (a TCP server jailing each connection)"
                        + " is not supported: sandbox4j runs one command once, as -Mo");
            case "r":
                throw new UsageException(opt + " " + mode + ": nsjail's re-run mode is not supported; loop in the shell:"
                        + " while sandbox4j run ...; do :; done");
            case "e":
                throw new UsageException(opt + " " + mode + ": nsjail's execve mode (no fork) is not supported; the closest"
                        + " is --exec-directly (the command is the jail's pid 1)");
            default:
                throw new UsageException(opt + " " + mode + ": unknown nsjail mode; sandbox4j supports -Mo (launch once)");
        }
    }

    /**
     * The value of {@code --rlimit_X N} as a {@code rlimit} directive value, with nsjail's units (MiB
     * for as, core, fsize, stack; seconds for cpu; a count otherwise) and its words: {@code max} or
     * {@code hard} (the current hard limit), {@code def} or {@code soft} (the current soft limit, so
     * no directive is needed: returns null), {@code inf}.
     */
    static @Nullable String rlimit(String opt, String resource, String v) throws UsageException {
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.equals("def") || t.equals("soft")) {
            return null;
        }
        if (t.equals("inf")) {
            return resource + "=inf";
        }
        if (t.equals("max") || t.equals("hard")) {
            String hard = currentHard(resource);
            return resource + "=" + hard + ":" + hard;
        }
        if (!t.matches("\\d+")) {
            throw new UsageException(opt + " " + v + ": expected a number, max, hard, def, soft or inf");
        }
        boolean mib = List.of("as", "core", "fsize", "stack").contains(resource);
        return resource + "=" + t + (mib ? "m" : "");
    }

    private static String currentHard(String resource) throws UsageException {
        String row = Map.of("as", "Max address space", "core", "Max core file size", "cpu", "Max cpu time", "fsize",
                "Max file size", "nofile", "Max open files", "nproc", "Max processes", "stack", "Max stack size").get(resource);
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith(row)) {
                    String[] cols = line.substring(26).trim().split("\\s+");
                    return cols[1].equals("unlimited") ? "inf" : cols[1];
                }
            }
        } catch (IOException e) {
            // fall through
        }
        throw new UsageException("cannot read the current hard limit of " + resource + " from /proc/self/limits");
    }

    /** nsjail's {@code --user}: a number, or a user name looked up in the host's /etc/passwd. */
    static String id(String opt, String v, boolean group) throws UsageException {
        if (v.contains(":")) {
            throw new UsageException(opt + " " + v + ": give the id inside with " + opt + " N and the ranges with "
                    + (group ? "-G/--gid_mapping" : "-U/--uid_mapping") + " INSIDE:OUTSIDE:COUNT");
        }
        String id = org.sandbox4j.config.NsjailConfig.hostId(v, group);
        if (id != null) {
            return id;
        }
        throw new UsageException(opt + " " + v + ": no such " + (group ? "group" : "user") + " on the host; give a number");
    }
}
