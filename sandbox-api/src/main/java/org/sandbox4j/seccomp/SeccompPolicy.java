package org.sandbox4j.seccomp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import org.sandbox4j.Arch;

/**
 * An immutable seccomp policy: a default action and an ordered list of rules, each naming a system
 * call, optional argument conditions (all must hold) and an action. For one system call the rules
 * are tried in the order they were added; the first whose conditions all hold decides, and if none
 * does the default action applies. A call of a foreign architecture is killed (see
 * {@link Builder#allowArch(Arch...)}), and so is, on x86_64, any number of the x32 ABI
 * ({@code nr >= 0x40000000}, except -1, which a tracer uses to skip a call, as in libseccomp). A
 * number above the highest of the architecture's {@link SyscallTable} (a call of a newer kernel,
 * which no policy can name) gets ENOSYS whatever the default action, unless a rule names it.
 *
 * <pre>{@code
 * SeccompPolicy policy = SeccompPolicy.builder(SeccompAction.KILL_PROCESS)
 *         .allow(SyscallGroup.BASIC_IO, SyscallGroup.MEMORY, SyscallGroup.PROCESS_EXIT)
 *         .rule("socket", SeccompAction.ALLOW, ArgCondition.eq(0, 1))   // AF_UNIX only
 *         .errno(13, "openat")
 *         .build();
 * SeccompProgram bpf = policy.compile(Arch.current());
 * }</pre>
 *
 * <p>System calls are named by their kernel names or aliases ({@link Syscalls}); a name missing on
 * one architecture (like {@code open} on aarch64) is skipped when compiling for it and listed in
 * {@link SeccompProgram#skippedSyscalls()}. A decimal number ({@code "59"}) names that number on
 * every architecture the policy is compiled for; {@code "-1"} names number -1 (0xffffffff), what a
 * tracer sets to skip a call, which otherwise gets the default action.
 */
public final class SeccompPolicy {
    /** Numbers at or above this are the x32 ABI on x86_64 and are always killed there. */
    static final int X32_SYSCALL_BIT = 0x40000000;
    /**
     * What every compiled policy answers for a number above the highest its architecture's table
     * knows (unless a rule names that number): a call of a kernel newer than the table, which no
     * policy could name, so neither an allow-list's nor a deny-list's default fits. ENOSYS is what
     * the kernel itself answers for a number it does not know, and what libc treats as "fall back".
     */
    static final SeccompAction UNKNOWN_SYSCALL = SeccompAction.errno(Errno.ENOSYS);
    /**
     * The rule key of system call number -1 ({@code 0xffffffff} as {@code seccomp_data.nr}): what a
     * tracer sets to skip a call, and what kafel's {@code SYSCALL[-1]} names.
     */
    static final String SKIPPED_CALL = "-1";

    /**
     * One rule: a system call (canonical name or decimal number), conditions and an action, for the
     * architectures in {@code arches} (kafel's {@code read ON x86_64}; all of them unless given).
     */
    public record Rule(String syscall, SeccompAction action, List<ArgCondition> conditions, Set<Arch> arches) {
        private static final Set<Arch> ALL_ARCHES = Collections.unmodifiableSet(EnumSet.allOf(Arch.class));

        /** A rule for every architecture. */
        public Rule(String syscall, SeccompAction action, List<ArgCondition> conditions) {
            this(syscall, action, conditions, ALL_ARCHES);
        }

        /** Copies {@code conditions}; all architectures are kept as one shared set. */
        public Rule {
            conditions = List.copyOf(conditions);
            if (arches.isEmpty()) {
                throw new IllegalArgumentException("a rule needs at least one architecture");
            }
            arches = arches.size() == ALL_ARCHES.size() ? ALL_ARCHES
                    : Collections.unmodifiableSet(EnumSet.copyOf(arches));
        }

        /** Whether the rule takes part in a program's dispatch for {@code arch}. */
        public boolean appliesTo(Arch arch) {
            return arches.contains(arch);
        }

        /** Whether every condition holds for {@code data}. */
        public boolean matches(SeccompData data) {
            for (ArgCondition c : conditions) {
                if (!c.test(data)) {
                    return false;
                }
            }
            return true;
        }

        /** The number of this rule's system call on {@code arch}, empty if it has none there. */
        public OptionalInt number(Arch arch) {
            return number(SyscallTable.of(arch));
        }

        /** The number of this rule's system call in {@code table}. */
        OptionalInt number(SyscallTable table) {
            if (syscall.equals(SKIPPED_CALL)) {
                return OptionalInt.of(-1);
            }
            if (isNumber(syscall)) {
                return OptionalInt.of(Integer.parseInt(syscall));
            }
            return table.number(syscall);
        }

        @Override
        public String toString() {
            return syscall + (arches == ALL_ARCHES ? "" : " ON " + arches)
                    + (conditions.isEmpty() ? "" : " " + conditions) + " -> " + action;
        }
    }

    private final SeccompAction defaultAction;
    private final List<Rule> rules;
    private final Set<Arch> extraArches;

    private SeccompPolicy(Builder b, List<Rule> rules) {
        this.defaultAction = b.defaultAction;
        this.rules = List.copyOf(rules);
        this.extraArches = Collections.unmodifiableSet(EnumSet.copyOf(b.arches));
    }

    /** Starts a policy whose unmatched system calls get {@code defaultAction}. */
    public static Builder builder(SeccompAction defaultAction) {
        return new Builder(defaultAction);
    }

    /** A builder holding this policy's settings, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder(defaultAction);
        b.rules.addAll(rules);
        b.arches.addAll(extraArches);
        return b;
    }

    /**
     * Parses a policy in sandbox4j's dialect of nsjail's kafel language; see {@code
     * docs/seccomp.md}. Safe on untrusted text: at most 1 MiB, conditions nested at most 200
     * levels, at most 65,536 rules and conditions after expansion; anything beyond is refused
     * with a line and column, in milliseconds. A text with an {@code #include} is refused: it has no
     * directory to resolve the file in; use {@link #parse(java.nio.file.Path)}.
     *
     * @throws SeccompParseException naming the line and column of the first problem
     */
    public static SeccompPolicy parse(String text) {
        return new KafelParser(text).parse();
    }

    /**
     * Parses the policy in {@code file} (UTF-8), as {@link #parse(String)} does, and also resolves
     * its {@code #include "other.policy"} lines, each relative to the directory of the file that
     * names it. A file that includes itself, directly or through others, is refused with the chain;
     * the policy and its includes total at most 1 MiB, at most 256 files, nested at most 16 deep.
     * Includes follow symbolic links and are read when parsed: parse files that whoever may
     * change them is trusted with the policy.
     *
     * <pre>{@code
     * SeccompPolicy p = SeccompPolicy.parse(Path.of("/etc/myapp/worker.policy"));
     * }</pre>
     *
     * @throws SeccompParseException naming the file, line and column of the first problem (a file
     *     that cannot be read is reported at line 1, column 1 of the file, or at the #include)
     */
    public static SeccompPolicy parse(java.nio.file.Path file) {
        return KafelParser.parse(file);
    }

    /** What a system call that no rule matches gets. */
    public SeccompAction defaultAction() {
        return defaultAction;
    }

    /** The rules in evaluation order. */
    public List<Rule> rules() {
        return rules;
    }

    /** Architectures accepted besides the one compiled for. */
    public Set<Arch> extraArches() {
        return extraArches;
    }

    /** Compiles to a classic-BPF seccomp filter for {@code arch}. */
    public SeccompProgram compile(Arch arch) {
        return new SeccompCompiler(this, arch).compile();
    }

    /**
     * The action the policy prescribes for {@code data} when compiled for {@code arch}, evaluated
     * directly (no BPF): the reference the compiler is tested against.
     */
    public SeccompAction evaluate(Arch arch, SeccompData data) {
        Arch dataArch = null;
        for (Arch a : Arch.values()) {
            if (a.auditArch() == data.arch() && (a == arch || extraArches.contains(a))) {
                dataArch = a;
            }
        }
        if (dataArch == null) {
            return SeccompAction.KILL_PROCESS;
        }
        if (dataArch == Arch.X86_64 && Integer.compareUnsigned(data.nr(), X32_SYSCALL_BIT) >= 0
                && data.nr() != -1) {
            return SeccompAction.KILL_PROCESS;
        }
        for (Rule r : rules) {
            OptionalInt nr = r.number(dataArch);
            if (r.appliesTo(dataArch) && nr.isPresent() && nr.getAsInt() == data.nr() && r.matches(data)) {
                return r.action();
            }
        }
        if (Integer.compareUnsigned(data.nr(), SyscallTable.of(dataArch).maxNumber()) > 0 && data.nr() != -1) {
            return UNKNOWN_SYSCALL;
        }
        return defaultAction;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompPolicy p && p.defaultAction.equals(defaultAction)
                && p.rules.equals(rules) && p.extraArches.equals(extraArches);
    }

    @Override
    public int hashCode() {
        return Objects.hash(defaultAction, rules, extraArches);
    }

    @Override
    public String toString() {
        return "SeccompPolicy[default=" + defaultAction + ", " + rules.size() + " rules"
                + (extraArches.isEmpty() ? "" : ", also " + extraArches) + "]";
    }

    static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    /** Resolves a user-supplied name or number to the form stored in a rule. */
    static String syscallKey(String nameOrNumber) {
        String s = nameOrNumber.trim();
        if (s.equals(SKIPPED_CALL)) {
            return s;
        }
        if (isNumber(s)) {
            long n = Long.parseLong(s);
            if (n >= X32_SYSCALL_BIT) {
                throw new IllegalArgumentException("system call number out of range: " + s);
            }
            return Long.toString(n);
        }
        return Syscalls.canonical(s);
    }

    /** Collects rules; not thread-safe. */
    public static final class Builder {
        private final SeccompAction defaultAction;
        private final List<Rule> rules = new ArrayList<>();
        private final Set<Arch> arches = EnumSet.noneOf(Arch.class);
        private boolean clone3Enosys;

        private Builder(SeccompAction defaultAction) {
            this.defaultAction = Objects.requireNonNull(defaultAction, "defaultAction");
        }

        /** Allows the named system calls unconditionally. */
        public Builder allow(String... syscalls) {
            return action(SeccompAction.ALLOW, syscalls);
        }

        /**
         * Allows every call of the groups. Groups that create threads or processes also answer
         * {@code clone3} with ENOSYS (unless the policy has its own clone3 rule), so that glibc
         * falls back to {@code clone}.
         */
        public Builder allow(SyscallGroup... groups) {
            for (SyscallGroup g : groups) {
                for (String s : g.syscalls()) {
                    rules.add(new Rule(syscallKey(s), SeccompAction.ALLOW, List.of()));
                }
                clone3Enosys |= g.needsClone3Enosys();
            }
            return this;
        }

        /** Adds a rule: {@code action} when all {@code conditions} hold. */
        public Builder rule(String syscall, SeccompAction action, ArgCondition... conditions) {
            Objects.requireNonNull(action, "action");
            rules.add(new Rule(syscallKey(syscall), action, Arrays.asList(conditions)));
            return this;
        }

        /**
         * Adds {@code rule} as it is, with its architectures: {@code new Rule("read", ALLOW, List.of(),
         * Set.of(Arch.X86_64))} allows read only in the program for x86_64.
         */
        public Builder rule(Rule rule) {
            rules.add(new Rule(syscallKey(rule.syscall()), rule.action(), rule.conditions(), rule.arches()));
            return this;
        }

        /** Adds a rule with conditions given as a list. */
        public Builder rule(String syscall, SeccompAction action, List<ArgCondition> conditions) {
            return rule(syscall, action, conditions.toArray(new ArgCondition[0]));
        }

        /** Fails the named calls with {@code errno}. */
        public Builder errno(int errno, String... syscalls) {
            return action(SeccompAction.errno(errno), syscalls);
        }

        /** Kills the process on the named calls. */
        public Builder kill(String... syscalls) {
            return action(SeccompAction.KILL_PROCESS, syscalls);
        }

        /** Logs and allows the named calls. */
        public Builder log(String... syscalls) {
            return action(SeccompAction.LOG, syscalls);
        }

        /** Sends SIGSYS on the named calls. */
        public Builder trap(String... syscalls) {
            return action(SeccompAction.TRAP, syscalls);
        }

        /** Gives the named calls {@code action} unconditionally. */
        public Builder action(SeccompAction action, String... syscalls) {
            for (String s : syscalls) {
                rule(s, action);
            }
            return this;
        }

        /** Appends all rules of {@code other} (its default action and arches are ignored). */
        public Builder include(SeccompPolicy other) {
            rules.addAll(other.rules);
            return this;
        }

        /**
         * Also accepts system calls of these architectures (each dispatched on its own numbers)
         * instead of killing them; the architecture compiled for is always accepted.
         */
        public Builder allowArch(Arch... arches) {
            this.arches.addAll(Arrays.asList(arches));
            return this;
        }

        /**
         * The policy: the rules in the order they were added, plus {@code clone3} answered with
         * ENOSYS when an allowed group needs that and no rule names {@code clone3}.
         */
        public SeccompPolicy build() {
            List<Rule> all = new ArrayList<>(rules);
            if (clone3Enosys && rules.stream().noneMatch(r -> r.syscall().equals("clone3"))) {
                all.add(new Rule("clone3", SeccompAction.errno(Errno.ENOSYS), List.of()));
            }
            return new SeccompPolicy(this, all);
        }
    }

    /** The errno values policies use. */
    public static final class Errno {
        /** Operation not permitted. */
        public static final int EPERM = 1;
        /** No such file or directory. */
        public static final int ENOENT = 2;
        /** Permission denied. */
        public static final int EACCES = 13;
        /** Function not implemented (what the kernel answers for an unknown call). */
        public static final int ENOSYS = 38;

        private Errno() {}
    }
}
