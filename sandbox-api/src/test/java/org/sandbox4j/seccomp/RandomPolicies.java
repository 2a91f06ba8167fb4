package org.sandbox4j.seccomp;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;

/** Random policies and inputs for the property and differential tests. */
final class RandomPolicies {
    static final long[] INTERESTING = {0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x5412, 0x7fffffffL,
        0x80000000L, 0xffffffffL, 0x100000000L, 0x100005412L, 0xffffffff00000000L, -1L, -2L,
        Long.MIN_VALUE, Long.MAX_VALUE};

    private RandomPolicies() {}

    static long value(Random r) {
        switch (r.nextInt(4)) {
            case 0: return INTERESTING[r.nextInt(INTERESTING.length)];
            case 1: return r.nextInt(64);
            case 2: return r.nextLong();
            default: return (long) r.nextInt(4) << 32 | r.nextInt(8);
        }
    }

    static SeccompAction action(Random r, boolean libseccompSafe) {
        switch (r.nextInt(libseccompSafe ? 7 : 8)) {
            case 0: return SeccompAction.ALLOW;
            case 1: return SeccompAction.KILL_PROCESS;
            case 2: return SeccompAction.KILL_THREAD;
            case 3: return SeccompAction.TRAP;
            case 4: return SeccompAction.LOG;
            case 5: return SeccompAction.errno(1 + r.nextInt(40));
            case 6: return SeccompAction.trace(r.nextInt(100));
            default: return SeccompAction.USER_NOTIF;
        }
    }

    static ArgCondition condition(Random r, int index, boolean libseccompSafe) {
        ArgCondition.Op[] ops = ArgCondition.Op.values();
        ArgCondition.Op op = ops[r.nextInt(libseccompSafe ? ops.length - 1 : ops.length)];
        long v = value(r);
        long mask = r.nextBoolean() ? value(r) : 0xffffffffL;
        if (op == ArgCondition.Op.MASKED_EQ || op == ArgCondition.Op.MASKED_NE) {
            v &= mask;
        }
        return new ArgCondition(index, op, v, mask);
    }

    /** A random side of a two-sided condition: arguments and constants under & and |. */
    static ArgCondition.Expr expr(Random r, int depth) {
        switch (r.nextInt(depth == 0 ? 2 : 5)) {
            case 0: return new ArgCondition.Expr.Arg(r.nextInt(6));
            case 1: return new ArgCondition.Expr.Const(value(r));
            case 2: return new ArgCondition.Expr.Arg(r.nextInt(3));
            case 3: return new ArgCondition.Expr.And(expr(r, depth - 1), expr(r, depth - 1));
            default: return new ArgCondition.Expr.Or(expr(r, depth - 1), expr(r, depth - 1));
        }
    }

    /** A random two-sided condition ({@code fd != count}, {@code (fd & buf) <= 5}, ...). */
    static ArgCondition twoSided(Random r) {
        ArgCondition.Op op = ArgCondition.Op.values()[r.nextInt(6)];
        while (true) {
            ArgCondition.Expr left = expr(r, 3);
            ArgCondition.Expr right = r.nextBoolean() ? new ArgCondition.Expr.Arg(r.nextInt(3)) : expr(r, 3);
            if (Math.min(left.lowestArg(), right.lowestArg()) <= 5) {
                return ArgCondition.compare(left, op, right);
            }
        }
    }

    /**
     * A random policy over {@code names}. With {@code libseccompSafe}, it stays within what
     * libseccomp gives the same meaning: rule actions differ from the default, each syscall has
     * one rule, whose conditions use distinct arguments.
     */
    static SeccompPolicy policy(Random r, List<String> names, boolean libseccompSafe) {
        SeccompAction dflt = r.nextInt(3) == 0 ? SeccompAction.ALLOW : action(r, libseccompSafe);
        SeccompPolicy.Builder b = SeccompPolicy.builder(dflt);
        int n = 1 + r.nextInt(r.nextBoolean() ? 12 : 120);
        for (int i = 0; i < n; i++) {
            String name = !libseccompSafe && r.nextInt(25) == 0 ? "-1" : names.get(r.nextInt(names.size()));
            SeccompAction a = action(r, libseccompSafe);
            if (libseccompSafe) {
                while (a.equals(dflt)) {
                    a = action(r, true);
                }
                if (b.build().rules().stream().anyMatch(x -> x.syscall().equals(Syscalls.canonical(name)))) {
                    continue;
                }
            }
            if (r.nextInt(3) > 0) {
                if (!libseccompSafe && r.nextInt(6) == 0) { // kafel's "name ON arch"
                    b.rule(new SeccompPolicy.Rule(name, a, List.of(), java.util.Set.of(Arch.values()[r.nextInt(2)])));
                } else {
                    b.rule(name, a);
                }
                continue;
            }
            // libseccomp 2.5.4 mis-merges several conditional rules of one syscall (a jump reaches a
            // compare without reloading the argument word), so safe policies have one rule each.
            int rules = libseccompSafe ? 1 : 1 + r.nextInt(3);
            for (int k = 0; k < rules; k++) {
                List<ArgCondition> conds = new ArrayList<>();
                int count = r.nextInt(4);
                List<Integer> args = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
                java.util.Collections.shuffle(args, r);
                for (int c = 0; c < count; c++) {
                    conds.add(!libseccompSafe && r.nextInt(4) == 0 ? twoSided(r)
                            : condition(r, libseccompSafe ? args.get(c) : r.nextInt(6), libseccompSafe));
                }
                b.rule(name, libseccompSafe ? a : action(r, false), conds);
            }
        }
        if (!libseccompSafe && r.nextInt(5) == 0) {
            b.allowArch(Arch.values()[r.nextInt(2)]);
        }
        return b.build();
    }

    /** Inputs for one syscall number: plain, then with arguments from the policy's constants. */
    static List<SeccompData> inputs(Random r, Arch arch, int nr, SeccompPolicy p, int variants) {
        List<SeccompData> out = new ArrayList<>();
        out.add(SeccompData.of(arch, nr));
        List<Long> constants = new ArrayList<>();
        for (SeccompPolicy.Rule rule : p.rules()) {
            for (ArgCondition c : rule.conditions()) {
                if (c.isTwoSided()) {
                    constantsOf(c.left(), constants);
                    constantsOf(c.right(), constants);
                }
                constants.add(c.value());
                constants.add(c.value() + 1);
                constants.add(c.value() - 1);
                constants.add(c.value() ^ 0x100000000L);
            }
        }
        for (int v = 1; v < variants; v++) {
            long[] args = new long[6];
            for (int i = 0; i < 6; i++) {
                args[i] = !constants.isEmpty() && r.nextInt(3) > 0
                        ? constants.get(r.nextInt(constants.size())) : value(r);
            }
            if (r.nextBoolean()) { // two-sided conditions: arguments equal, or equal in one half
                int i = r.nextInt(6);
                int j = r.nextInt(3);
                long d = r.nextInt(3) - 1;
                args[j] = switch (r.nextInt(3)) {
                    case 0 -> args[i] + d;
                    case 1 -> args[i] ^ (1L << (32 + r.nextInt(32)));
                    default -> args[i] ^ (1L << r.nextInt(32));
                };
            }
            out.add(new SeccompData(nr, arch.auditArch(), r.nextLong(), args));
        }
        return out;
    }

    private static void constantsOf(ArgCondition.@Nullable Expr e, List<Long> out) {
        if (e instanceof ArgCondition.Expr.Const c) {
            out.add(c.value());
            out.add(c.value() + 1);
            out.add(c.value() - 1);
        } else if (e instanceof ArgCondition.Expr.And a) {
            constantsOf(a.left(), out);
            constantsOf(a.right(), out);
        } else if (e instanceof ArgCondition.Expr.Or o) {
            constantsOf(o.left(), out);
            constantsOf(o.right(), out);
        }
    }
}
