package org.sandbox4j.seccomp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;

/**
 * Compiles a {@link SeccompPolicy} to classic BPF.
 *
 * <p>Layout: the architecture check, then per accepted architecture a load of the system call
 * number and a search tree over <em>runs</em> (maximal ranges of numbers that share one outcome),
 * then the argument-condition blocks, then one RET per distinct action. The tree is chosen by
 * dynamic programming to minimise the expected number of instructions executed, weighting each
 * allowed system call of the table as 1 and each denied one as a small epsilon: comparisons
 * ({@code jge}/{@code jgt}) split ranges, and a region made only of single-number runs is finished
 * by a chain of {@code jeq}, heaviest first, whose fall-through covers the gaps.
 */
final class SeccompCompiler {
    /** Weight of a real system call whose outcome is not "runs" (denied, trapped ...). */
    private static final double DENIED_WEIGHT = 0.02;
    /** Weight of any leaf, so that even empty gaps are not pushed arbitrarily deep. */
    private static final double LEAF_EPSILON = 0.001;
    /**
     * The most runs the optimal search handles; it is cubic in their number (about 20 ms of CPU at 128
     * runs, seconds at 460, which a policy alternating actions over adjacent numbers reaches). Above,
     * the tree is balanced by weight instead: a few comparisons more, in linear time.
     */
    static final int OPTIMAL_TREE_MAX_RUNS = 128;

    private final SeccompPolicy policy;
    private final Arch arch;
    private final Set<String> skipped = new LinkedHashSet<>();
    private final Map<SeccompAction, Insn> rets = new LinkedHashMap<>();
    private final Map<Outcome, Insn> blocks = new HashMap<>();
    private final List<Insn> blockCode = new ArrayList<>();

    private final java.util.function.Function<Arch, SyscallTable> tables;

    SeccompCompiler(SeccompPolicy policy, Arch arch) {
        this(policy, arch, SyscallTable::of);
    }

    /** With other tables than the built-in ones: tests compile as an older sandbox4j would. */
    SeccompCompiler(SeccompPolicy policy, Arch arch, java.util.function.Function<Arch, SyscallTable> tables) {
        this.policy = policy;
        this.arch = arch;
        this.tables = tables;
    }

    // ---------------------------------------------------------------- outcomes

    /** What happens to one system call number: a plain action or ordered conditional rules. */
    record Outcome(List<SeccompPolicy.Rule> rules, SeccompAction fallback) {
        boolean isPlain() {
            return rules.isEmpty();
        }

        /** The weight factor: 1 for a call that may run, epsilon for one that never does. */
        double factor() {
            if (!isPlain()) {
                return 1;
            }
            return fallback.equals(SeccompAction.ALLOW) || fallback.equals(SeccompAction.LOG)
                    ? 1 : DENIED_WEIGHT;
        }
    }

    /**
     * The outcome of the rules for one number: rules after the first unconditional one can never
     * match, and trailing rules whose action equals the fallback change nothing.
     */
    private static Outcome outcome(List<SeccompPolicy.Rule> rules, SeccompAction dflt) {
        List<SeccompPolicy.Rule> kept = new ArrayList<>();
        SeccompAction fallback = dflt;
        for (SeccompPolicy.Rule r : rules) {
            if (r.conditions().isEmpty()) {
                fallback = r.action();
                break;
            }
            kept.add(new SeccompPolicy.Rule("", r.action(), r.conditions()));
        }
        while (!kept.isEmpty() && kept.get(kept.size() - 1).action().equals(fallback)) {
            kept.remove(kept.size() - 1);
        }
        return new Outcome(List.copyOf(kept), fallback);
    }

    /** A maximal range of numbers sharing a non-default outcome. */
    record Run(long start, long end, Outcome outcome, double weight) {}

    private List<Run> runs(Arch a, Outcome dflt, SyscallTable table) {
        Map<Integer, List<SeccompPolicy.Rule>> byNr = new TreeMap<>();
        List<SeccompPolicy.Rule> skippedCall = new ArrayList<>(); // number -1, the highest unsigned
        for (SeccompPolicy.Rule r : policy.rules()) {
            if (!r.appliesTo(a)) { // kafel's "ON arch": not part of this architecture's dispatch
                continue;
            }
            OptionalInt nr = r.number(table);
            if (nr.isEmpty()) {
                skipped.add(r.syscall());
                continue;
            }
            if (nr.getAsInt() == -1) {
                skippedCall.add(r);
                continue;
            }
            byNr.computeIfAbsent(nr.getAsInt(), k -> new ArrayList<>()).add(r);
        }
        List<long[]> ranges = new ArrayList<>();
        List<Outcome> outs = new ArrayList<>();
        // Numbers above the table's highest are calls of a newer kernel than the table: ENOSYS
        // (SeccompPolicy.UNKNOWN_SYSCALL), from top + 1 up to the x32 bit (x86_64) or -2.
        long top = table.maxNumber();
        long ceiling = a == Arch.X86_64 ? SeccompPolicy.X32_SYSCALL_BIT - 1 : 0xfffffffeL;
        Outcome unknown = new Outcome(List.of(), SeccompPolicy.UNKNOWN_SYSCALL);
        long unknownFrom = top + 1;
        for (Map.Entry<Integer, List<SeccompPolicy.Rule>> e : byNr.entrySet()) {
            long nr = e.getKey();
            boolean aboveTop = nr > top;
            if (aboveTop) { // a rule naming such a number by hand still decides for it
                addRun(ranges, outs, unknownFrom, nr - 1, unknown, dflt);
                unknownFrom = nr + 1;
            }
            addRun(ranges, outs, nr, nr, outcome(e.getValue(),
                    aboveTop ? SeccompPolicy.UNKNOWN_SYSCALL : policy.defaultAction()), dflt);
        }
        addRun(ranges, outs, unknownFrom, ceiling, unknown, dflt);
        // -1 is excluded, as libseccomp does: a tracer sets it to skip a call (the kernel answers ENOSYS).
        if (a == Arch.X86_64) {
            addRun(ranges, outs, SeccompPolicy.X32_SYSCALL_BIT, 0xfffffffeL,
                    new Outcome(List.of(), SeccompAction.KILL_PROCESS), dflt);
        }
        // Rules for -1 itself (kafel's SYSCALL[-1]) decide for exactly 0xffffffff, else the default.
        addRun(ranges, outs, 0xffffffffL, 0xffffffffL, outcome(skippedCall, policy.defaultAction()), dflt);
        if (ranges.size() > Bpf.MAX_INSNS) { // each range needs a comparison: refuse before any work
            throw new IllegalStateException("policy compiles to more than " + Bpf.MAX_INSNS + " instructions ("
                    + ranges.size() + " ranges of system call numbers with different outcomes); the kernel accepts at"
                    + " most " + Bpf.MAX_INSNS);
        }
        List<Run> result = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            long[] r = ranges.get(i);
            double w = count(table, r[0], r[1]) * outs.get(i).factor() + LEAF_EPSILON;
            result.add(new Run(r[0], r[1], outs.get(i), w));
        }
        return result;
    }

    /** Appends [lo, hi] with outcome {@code o}, merged into the previous run when adjacent and equal. */
    private static void addRun(List<long[]> ranges, List<Outcome> outs, long lo, long hi, Outcome o,
            Outcome dflt) {
        if (lo > hi || o.equals(dflt)) {
            return;
        }
        int last = outs.size() - 1;
        if (last >= 0 && ranges.get(last)[1] == lo - 1 && outs.get(last).equals(o)) {
            ranges.get(last)[1] = hi;
        } else {
            ranges.add(new long[] {lo, hi});
            outs.add(o);
        }
    }

    private static int count(SyscallTable t, long lo, long hi) {
        int n = 0;
        for (int nr : t.entries().values()) {
            if (nr >= lo && nr <= hi) {
                n++;
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- search tree

    /** A node of the decision tree over the system call number in A. */
    private interface Node {}

    private record Leaf(Outcome outcome) implements Node {}

    private record Cmp(int op, long k, Node whenTrue, Node whenFalse) implements Node {}

    /**
     * The optimal tree over runs; state (i, j, lo, hi) is "the number lies between run i and run j,
     * and is known to be at least start(i) (lo) / at most end(j) (hi)". Gaps between runs carry the
     * default outcome.
     */
    private static final class TreeBuilder {
        private final List<Run> runs;
        private final Outcome dflt;
        private final double[] gapWeight; // gap g lies below run g; gap m above the last run
        private final boolean[] gapEmpty;
        private final double[] prefixRun;
        private final double[] prefixGap;
        private final double[][][] cost;
        private final int[][][] choice;
        private final int m;
        /** multiRuns[r]: how many of runs 0..r-1 span more than one number. */
        private final int[] multiRuns;
        /** fullGaps[g]: how many of gaps 0..g-1 are not empty. */
        private final int[] fullGaps;
        /** chainBase[i][j - i]: the sorted-weight sum of chainCost for runs i..j; null before use. */
        private final double[][] chainBase;

        TreeBuilder(List<Run> runs, Outcome dflt, SyscallTable table) {
            this.runs = runs;
            this.dflt = dflt;
            this.m = runs.size();
            gapWeight = new double[m + 1];
            gapEmpty = new boolean[m + 1];
            for (int g = 0; g <= m; g++) {
                long lo = g == 0 ? 0 : runs.get(g - 1).end() + 1;
                long hi = g == m ? 0xffffffffL : runs.get(g).start() - 1;
                gapEmpty[g] = lo > hi;
                gapWeight[g] = gapEmpty[g] ? 0 : count(table, lo, hi) * dflt.factor() + LEAF_EPSILON;
            }
            prefixRun = new double[m + 1];
            prefixGap = new double[m + 2];
            for (int i = 0; i < m; i++) {
                prefixRun[i + 1] = prefixRun[i] + runs.get(i).weight();
            }
            for (int g = 0; g <= m; g++) {
                prefixGap[g + 1] = prefixGap[g] + gapWeight[g];
            }
            multiRuns = new int[m + 1];
            for (int r = 0; r < m; r++) {
                multiRuns[r + 1] = multiRuns[r] + (runs.get(r).start() != runs.get(r).end() ? 1 : 0);
            }
            fullGaps = new int[m + 2];
            for (int g = 0; g <= m; g++) {
                fullGaps[g + 1] = fullGaps[g] + (gapEmpty[g] ? 0 : 1);
            }
            boolean optimal = m <= OPTIMAL_TREE_MAX_RUNS;
            chainBase = new double[optimal ? m : 0][];
            cost = new double[optimal ? m + 1 : 0][m + 1][4];
            choice = new int[optimal ? m + 1 : 0][m + 1][4];
            for (double[][] a : cost) {
                for (double[] b : a) {
                    Arrays.fill(b, -1);
                }
            }
        }

        Node build() {
            if (m > OPTIMAL_TREE_MAX_RUNS) {
                return balanced(0, m - 1, gapEmpty[0], gapEmpty[m]);
            }
            return node(0, m - 1, gapEmpty[0], gapEmpty[m]);
        }

        /**
         * A tree over runs i..j split at the weighted median with {@code jge}: depth logarithmic in the
         * number of runs, time linear overall (prefix sums; recursion depth stays logarithmic).
         */
        private Node balanced(int i, int j, boolean lo, boolean hi) {
            if (j < i) {
                return new Leaf(dflt);
            }
            lo |= gapEmpty[i];
            hi |= gapEmpty[j + 1];
            if (i == j) {
                Node self = new Leaf(runs.get(i).outcome());
                if (!hi) {
                    self = new Cmp(Bpf.JGT, runs.get(i).end(), new Leaf(dflt), self);
                }
                return lo ? self : new Cmp(Bpf.JGE, runs.get(i).start(), self, new Leaf(dflt));
            }
            // the first r > i with at least half of the range's run weight below it
            double half = (prefixRun[i] + prefixRun[j + 1]) / 2;
            int a = i + 1;
            int b = j;
            while (a < b) {
                int mid = (a + b) >>> 1;
                if (prefixRun[mid] >= half) {
                    b = mid;
                } else {
                    a = mid + 1;
                }
            }
            return new Cmp(Bpf.JGE, runs.get(a).start(), balanced(a, j, true, hi), balanced(i, a - 1, lo, false));
        }

        private double weight(int i, int j, boolean lo, boolean hi) {
            double w = prefixRun[j + 1] - prefixRun[i];
            if (j >= i) {
                w += prefixGap[j + 1] - prefixGap[i + 1]; // inner gaps i+1..j
            }
            if (!lo) {
                w += gapWeight[i];
            }
            if (!hi && j + 1 != i) {
                w += gapWeight[j + 1];
            }
            return w;
        }

        private boolean isLeaf(int i, int j, boolean lo, boolean hi) {
            return j < i || (i == j && lo && hi);
        }

        // The prefix counts make these O(1) and chainBase computes each run range's sort once: the
        // search stays cubic in the number of runs, but without an extra sort per state (a policy with
        // a few hundred alternating runs took seconds).
        private boolean allSingles(int i, int j) {
            return multiRuns[j + 1] == multiRuns[i];
        }

        private boolean hasGap(int i, int j, boolean lo, boolean hi) {
            if (!lo || !hi) {
                return true;
            }
            return j > i && fullGaps[j + 1] != fullGaps[i + 1]; // a gap among i+1..j
        }

        /**
         * For runs i..j (all singles): the sum over their weights sorted heaviest first of weight times
         * rank. Filled for all j of one i at once, keeping the weights sorted by insertion; the sum is
         * taken in the same order as a fresh sort would give, so the result is bit for bit the same.
         */
        private double chainBase(int i, int j) {
            if (chainBase[i] == null) {
                int n = 0;
                while (i + n < m && runs.get(i + n).start() == runs.get(i + n).end()) {
                    n++;
                }
                double[] base = new double[n];
                double[] w = new double[n];
                for (int k = 1; k <= n; k++) {
                    double x = runs.get(i + k - 1).weight();
                    int at = k - 1;
                    while (at > 0 && w[at - 1] > x) {
                        w[at] = w[at - 1];
                        at--;
                    }
                    w[at] = x;
                    double c = 0;
                    for (int p = 1; p <= k; p++) {
                        c += w[k - p] * p;
                    }
                    base[k - 1] = c;
                }
                chainBase[i] = base;
            }
            return chainBase[i][j - i];
        }

        private double chainCost(int i, int j, boolean lo, boolean hi) {
            int k = j - i + 1;
            double c = chainBase(i, j);
            if (hasGap(i, j, lo, hi)) {
                c += (weight(i, j, lo, hi) - (prefixRun[j + 1] - prefixRun[i])) * k;
            } else {
                c -= lightest(i, j); // the lightest run is the fall-through: no jeq for it
            }
            return c;
        }

        private double lightest(int i, int j) {
            double min = Double.MAX_VALUE;
            for (int r = i; r <= j; r++) {
                min = Math.min(min, runs.get(r).weight());
            }
            return min;
        }

        private int idx(boolean lo, boolean hi) {
            return (lo ? 2 : 0) | (hi ? 1 : 0);
        }

        /** Choice encoding: 0 leaf, 1 chain, 2+2r jge start(r), 3+2r jgt end(r). */
        private double solve(int i, int j, boolean lo, boolean hi) {
            if (j < i) {
                return 0;
            }
            lo |= gapEmpty[i];
            hi |= gapEmpty[j + 1];
            double[] cell = cost[i][j];
            int s = idx(lo, hi);
            if (cell[s] >= 0) {
                return cell[s];
            }
            double best;
            int how;
            if (isLeaf(i, j, lo, hi)) {
                best = 0;
                how = 0;
            } else {
                best = Double.MAX_VALUE;
                how = -1;
                double w = weight(i, j, lo, hi);
                if (allSingles(i, j)) {
                    best = chainCost(i, j, lo, hi);
                    how = 1;
                }
                for (int r = i; r <= j; r++) {
                    if (r > i || !lo) { // jge start(r): [r..j] | [i..r-1]
                        double c = w + solve(r, j, true, hi) + solve(i, r - 1, lo, false);
                        if (c < best) {
                            best = c;
                            how = 2 + 2 * r;
                        }
                    }
                    if (r < j || !hi) { // jgt end(r): [r+1..j] | [i..r]
                        double c = w + solve(r + 1, j, false, hi) + solve(i, r, lo, true);
                        if (c < best) {
                            best = c;
                            how = 3 + 2 * r;
                        }
                    }
                }
            }
            cell[s] = best;
            choice[i][j][s] = how;
            return best;
        }

        private Node node(int i, int j, boolean lo, boolean hi) {
            if (j < i) {
                return new Leaf(dflt);
            }
            lo |= gapEmpty[i];
            hi |= gapEmpty[j + 1];
            solve(i, j, lo, hi);
            int how = choice[i][j][idx(lo, hi)];
            if (how == 0) {
                return new Leaf(runs.get(i).outcome());
            }
            if (how == 1) {
                List<Run> chain = new ArrayList<>(runs.subList(i, j + 1));
                chain.sort((a, b) -> Double.compare(b.weight(), a.weight()));
                Node tail;
                int n = chain.size();
                if (hasGap(i, j, lo, hi)) {
                    tail = new Leaf(dflt);
                } else {
                    tail = new Leaf(chain.get(n - 1).outcome());
                    n--;
                }
                for (int p = n - 1; p >= 0; p--) {
                    tail = new Cmp(Bpf.JEQ, chain.get(p).start(), new Leaf(chain.get(p).outcome()), tail);
                }
                return tail;
            }
            int r = (how - 2) / 2;
            if ((how & 1) == 0) {
                return new Cmp(Bpf.JGE, runs.get(r).start(), node(r, j, true, hi), node(i, r - 1, lo, false));
            }
            return new Cmp(Bpf.JGT, runs.get(r).end(), node(r + 1, j, false, hi), node(i, r, lo, true));
        }
    }

    // ---------------------------------------------------------------- code generation

    /** An instruction with symbolic jump targets, before layout. */
    static final class Insn {
        final int code;
        final long k;
        Insn jt;
        Insn jf;
        boolean longT;
        boolean longF;
        int pos;

        Insn(int code, long k, Insn jt, Insn jf) {
            this.code = code;
            this.k = k;
            this.jt = jt;
            this.jf = jf;
        }

        boolean isCond() {
            return Bpf.cls(code) == Bpf.JMP && (code & 0xf0) != Bpf.JA;
        }

        int size() {
            return 1 + (longT ? 1 : 0) + (longF ? 1 : 0);
        }
    }

    private Insn ret(SeccompAction a) {
        return rets.computeIfAbsent(a, x -> new Insn(Bpf.RET | Bpf.K, x.toKernelValue(), null, null));
    }

    private static Insn ld(int off) {
        return new Insn(Bpf.LD_ABS, off, null, null);
    }

    private static Insn jmp(int op, long k, Insn t, Insn f) {
        return new Insn(Bpf.JMP | op | Bpf.K, k & 0xffffffffL, t, f);
    }

    /** The code of an outcome: a shared RET, or a shared argument-condition block. */
    private Insn target(Outcome o) {
        if (o.isPlain()) {
            return ret(o.fallback());
        }
        Insn existing = blocks.get(o);
        if (existing != null) {
            return existing;
        }
        // Build rule by rule from the last: each rule's failure continues with the next rule.
        Insn next = ret(o.fallback());
        List<List<Insn>> parts = new ArrayList<>();
        int size = blockCode.size();
        for (int r = o.rules().size() - 1; r >= 0; r--) {
            SeccompPolicy.Rule rule = o.rules().get(r);
            Insn fail = next;
            Insn pass = ret(rule.action());
            List<Insn> code = new ArrayList<>();
            for (int c = rule.conditions().size() - 1; c >= 0; c--) {
                List<Insn> cc = condition(rule.conditions().get(c), pass, fail);
                code.addAll(0, cc);
                pass = cc.get(0);
                size += cc.size();
                if (size > Bpf.MAX_INSNS) { // stop before huge condition lists cost time and memory
                    throw new IllegalStateException("policy compiles to more than " + Bpf.MAX_INSNS
                            + " instructions (argument conditions alone); the kernel accepts at most " + Bpf.MAX_INSNS);
                }
            }
            parts.add(0, code);
            next = code.get(0);
        }
        for (List<Insn> p : parts) {
            blockCode.addAll(p);
        }
        blocks.put(o, next);
        return next;
    }

    /** Instructions testing one 64-bit condition: the high word, then the low word. */
    private static List<Insn> condition(ArgCondition c, Insn pass, Insn fail) {
        if (c.isTwoSided()) {
            return twoSided(c, pass, fail);
        }
        int lo = 16 + 8 * c.index();
        int hi = lo + 4;
        long vHi = c.value() >>> 32;
        long vLo = c.value() & 0xffffffffL;
        List<Insn> out = new ArrayList<>();
        switch (c.op()) {
            case EQ:
            case NE: {
                Insn okT = c.op() == ArgCondition.Op.EQ ? pass : fail;
                Insn okF = c.op() == ArgCondition.Op.EQ ? fail : pass;
                Insn ldLo = ld(lo);
                out.add(ld(hi));
                out.add(jmp(Bpf.JEQ, vHi, ldLo, okF));
                out.add(ldLo);
                out.add(jmp(Bpf.JEQ, vLo, okT, okF));
                return out;
            }
            case GT:
            case GE:
            case LT:
            case LE: {
                boolean greater = c.op() == ArgCondition.Op.GT || c.op() == ArgCondition.Op.GE;
                Insn above = greater ? pass : fail; // high word above vHi
                Insn below = greater ? fail : pass; // high word below vHi
                Insn ldLo = ld(lo);
                out.add(ld(hi));
                if (vHi == 0xffffffffL) {
                    out.add(jmp(Bpf.JEQ, vHi, ldLo, below));
                } else if (vHi == 0) {
                    out.add(jmp(Bpf.JGT, vHi, above, ldLo));
                } else {
                    Insn eq = jmp(Bpf.JEQ, vHi, ldLo, below);
                    out.add(jmp(Bpf.JGT, vHi, above, eq));
                    out.add(eq);
                }
                out.add(ldLo);
                switch (c.op()) {
                    case GT: out.add(jmp(Bpf.JGT, vLo, pass, fail)); break;
                    case GE: out.add(jmp(Bpf.JGE, vLo, pass, fail)); break;
                    case LT: out.add(jmp(Bpf.JGE, vLo, fail, pass)); break;
                    default: out.add(jmp(Bpf.JGT, vLo, fail, pass)); break;
                }
                return out;
            }
            case MASKED_EQ:
            case MASKED_NE: {
                boolean eq = c.op() == ArgCondition.Op.MASKED_EQ;
                Insn match = eq ? pass : fail;
                Insn differ = eq ? fail : pass;
                long mHi = c.mask() >>> 32;
                long mLo = c.mask() & 0xffffffffL;
                // value has no bits outside mask (checked by ArgCondition): a word whose mask is zero
                // always matches and needs no code.
                Insn loStart = match;
                if (mLo != 0) {
                    List<Insn> l = maskedWord(lo, mLo, vLo, match, differ);
                    loStart = l.get(0);
                    out.addAll(l);
                }
                if (mHi != 0) {
                    out.addAll(0, maskedWord(hi, mHi, vHi, loStart, differ));
                }
                if (out.isEmpty()) { // mask 0, value 0: always equal
                    out.add(new Insn(Bpf.JMP | Bpf.JA, 0, match, null));
                }
                return out;
            }
            default:
                throw new AssertionError(c.op());
        }
    }

    /** The scratch words of classic BPF (M[0..15]). */
    static final int SCRATCH = 16;

    /**
     * {@code left op right} over 64 bits, as kafel compiles it: per 32-bit half (the high halves, then
     * the low ones, unsigned), the left side is computed into A and the right one into X through
     * scratch memory, or is a constant; {@code &} and {@code |} work on each half alone.
     */
    private static List<Insn> twoSided(ArgCondition c, Insn pass, Insn fail) {
        ArgCondition.Expr l = Objects.requireNonNull(c.left());
        ArgCondition.Expr r = Objects.requireNonNull(c.right());
        List<Insn> lo = new ArrayList<>();
        List<Insn> hi = new ArrayList<>();
        Insn loStart;
        Insn hiStart;
        switch (c.op()) {
            case EQ:
            case NE: {
                Insn okT = c.op() == ArgCondition.Op.EQ ? pass : fail;
                Insn okF = c.op() == ArgCondition.Op.EQ ? fail : pass;
                loStart = half(lo, l, r, false, okF, okT, okF);
                hiStart = half(hi, l, r, true, okF, loStart, okF);
                break;
            }
            default: {
                boolean greater = c.op() == ArgCondition.Op.GT || c.op() == ArgCondition.Op.GE;
                boolean orEqual = c.op() == ArgCondition.Op.GE || c.op() == ArgCondition.Op.LE;
                Insn above = greater ? pass : fail;
                Insn below = greater ? fail : pass;
                loStart = half(lo, l, r, false, above, orEqual ? pass : fail, below);
                hiStart = half(hi, l, r, true, above, loStart, below);
                break;
            }
        }
        List<Insn> out = new ArrayList<>(hi);
        out.addAll(lo);
        if (out.isEmpty() || out.get(0) != hiStart) { // decided by constants alone: one jump to it
            out.clear();
            out.add(new Insn(Bpf.JMP | Bpf.JA, 0, hiStart, null));
        }
        return out;
    }

    /**
     * Appends code comparing one half ({@code hi}) of {@code l} and {@code r} and going to {@code gt},
     * {@code eq} or {@code lt}; returns where it starts, or the target itself when no code is needed.
     */
    private static Insn half(List<Insn> out, ArgCondition.Expr l, ArgCondition.Expr r, boolean hi,
            Insn gt, Insn eq, Insn lt) {
        Long kl = constHalf(l, hi);
        Long kr = constHalf(r, hi);
        if (kl != null && kr != null) {
            int cmp = Long.compare(kl, kr);
            return cmp > 0 ? gt : cmp == 0 ? eq : lt;
        }
        if (gt == eq && eq == lt) {
            return eq;
        }
        boolean swap = kl != null || (kr == null
                && Math.max(need(l, hi), 1 + need(r, hi)) < Math.max(need(r, hi), 1 + need(l, hi)));
        if (swap) { // the other way round, r against l, needs less (or takes the constant as k)
            return half(out, r, l, hi, lt, eq, gt);
        }
        int start = out.size();
        int src;
        if (kr != null) {
            eval(out, l, hi, 0);
            src = Bpf.K;
        } else {
            eval(out, r, hi, 0);
            out.add(new Insn(Bpf.ST, 0, null, null));
            eval(out, l, hi, 1);
            out.add(new Insn(Bpf.LDX | Bpf.MEM, 0, null, null));
            src = Bpf.X;
        }
        long k = kr == null ? 0 : kr;
        if (gt == eq) {
            out.add(new Insn(Bpf.JMP | Bpf.JGE | src, k, gt, lt));
        } else if (eq == lt) {
            out.add(new Insn(Bpf.JMP | Bpf.JGT | src, k, gt, eq));
        } else if (gt == lt) {
            out.add(new Insn(Bpf.JMP | Bpf.JEQ | src, k, eq, gt));
        } else {
            Insn isEq = new Insn(Bpf.JMP | Bpf.JEQ | src, k, eq, lt);
            out.add(new Insn(Bpf.JMP | Bpf.JGT | src, k, gt, isEq));
            out.add(isEq);
        }
        return out.get(start);
    }

    /** One half of {@code e} if it is known without reading arguments ({@code x & 0}, constants). */
    static @Nullable Long constHalf(ArgCondition.Expr e, boolean hi) {
        if (e instanceof ArgCondition.Expr.Const c) {
            return hi ? c.value() >>> 32 : c.value() & 0xffffffffL;
        }
        if (e instanceof ArgCondition.Expr.And a) {
            Long x = constHalf(a.left(), hi);
            Long y = constHalf(a.right(), hi);
            if (x != null && y != null) {
                return x & y;
            }
            return Long.valueOf(0).equals(x) || Long.valueOf(0).equals(y) ? Long.valueOf(0) : null;
        }
        if (e instanceof ArgCondition.Expr.Or o) {
            Long x = constHalf(o.left(), hi);
            Long y = constHalf(o.right(), hi);
            if (x != null && y != null) {
                return x | y;
            }
            Long ones = 0xffffffffL;
            return ones.equals(x) || ones.equals(y) ? ones : null;
        }
        return null;
    }

    /** How many scratch words computing one half of {@code e} into A takes. */
    static int need(ArgCondition.Expr e, boolean hi) {
        if (constHalf(e, hi) != null || e instanceof ArgCondition.Expr.Arg) {
            return 0;
        }
        ArgCondition.Expr l = e instanceof ArgCondition.Expr.And a ? a.left() : ((ArgCondition.Expr.Or) e).left();
        ArgCondition.Expr r = e instanceof ArgCondition.Expr.And a ? a.right() : ((ArgCondition.Expr.Or) e).right();
        if (constHalf(l, hi) != null) {
            return need(r, hi);
        }
        if (constHalf(r, hi) != null) {
            return need(l, hi);
        }
        int x = need(l, hi);
        int y = need(r, hi);
        return Math.max(Math.max(x, y), Math.min(x, y) + 1);
    }

    /** Appends code leaving one half of {@code e} in A, using scratch words from {@code sp} up. */
    private static void eval(List<Insn> out, ArgCondition.Expr e, boolean hi, int sp) {
        Long k = constHalf(e, hi);
        if (k != null) {
            out.add(new Insn(Bpf.LD | Bpf.IMM, k, null, null));
            return;
        }
        if (e instanceof ArgCondition.Expr.Arg a) {
            out.add(ld(16 + 8 * a.index() + (hi ? 4 : 0)));
            return;
        }
        boolean and = e instanceof ArgCondition.Expr.And;
        ArgCondition.Expr l = and ? ((ArgCondition.Expr.And) e).left() : ((ArgCondition.Expr.Or) e).left();
        ArgCondition.Expr r = and ? ((ArgCondition.Expr.And) e).right() : ((ArgCondition.Expr.Or) e).right();
        int op = and ? Bpf.AND : Bpf.OR;
        long identity = and ? 0xffffffffL : 0;
        Long kl = constHalf(l, hi);
        Long kr = constHalf(r, hi);
        if (kl != null || kr != null) {
            eval(out, kl != null ? r : l, hi, sp);
            long c = kl != null ? kl : kr;
            if (c != identity) {
                out.add(new Insn(Bpf.ALU | op | Bpf.K, c, null, null));
            }
            return;
        }
        if (sp >= SCRATCH) {
            throw new IllegalStateException("condition needs more than " + SCRATCH + " scratch words: " + e);
        }
        boolean leftFirst = need(l, hi) >= need(r, hi);
        eval(out, leftFirst ? l : r, hi, sp);
        out.add(new Insn(Bpf.ST, sp, null, null));
        eval(out, leftFirst ? r : l, hi, sp + 1);
        out.add(new Insn(Bpf.LDX | Bpf.MEM, sp, null, null));
        out.add(new Insn(Bpf.ALU | op | Bpf.X, 0, null, null));
    }

    private static List<Insn> maskedWord(int off, long mask, long value, Insn t, Insn f) {
        List<Insn> out = new ArrayList<>();
        out.add(ld(off));
        if (mask != 0xffffffffL) {
            out.add(new Insn(Bpf.ALU | Bpf.AND | Bpf.K, mask, null, null));
        }
        out.add(jmp(Bpf.JEQ, value, t, f));
        return out;
    }

    /** Emits the tree in pre-order; leaves become jumps to shared code. */
    private Insn emitTree(Node n, List<Insn> code) {
        if (n instanceof Leaf l) {
            return target(l.outcome());
        }
        Cmp c = (Cmp) n;
        Insn self = jmp(c.op(), c.k(), null, null);
        code.add(self);
        self.jf = emitTree(c.whenFalse(), code);
        self.jt = emitTree(c.whenTrue(), code);
        return self;
    }

    SeccompProgram compile() {
        List<Arch> arches = new ArrayList<>();
        arches.add(arch);
        for (Arch a : Arch.values()) {
            if (a != arch && policy.extraArches().contains(a)) {
                arches.add(a);
            }
        }
        Outcome dflt = new Outcome(List.of(), policy.defaultAction());
        List<Insn> code = new ArrayList<>();
        code.add(ld(4));
        List<Insn> archChecks = new ArrayList<>();
        for (int i = 0; i < arches.size(); i++) {
            Insn check = jmp(Bpf.JEQ, arches.get(i).auditArch(), null, null);
            archChecks.add(check);
            code.add(check);
        }
        Insn kill = ret(SeccompAction.KILL_PROCESS);
        for (int i = 0; i < arches.size(); i++) {
            Arch a = arches.get(i);
            SyscallTable table = tables.apply(a);
            List<Run> runs = runs(a, dflt, table);
            Node tree = new TreeBuilder(runs, dflt, table).build();
            Insn ldNr = ld(0);
            code.add(ldNr);
            archChecks.get(i).jt = ldNr;
            archChecks.get(i).jf = i + 1 < arches.size() ? archChecks.get(i + 1) : kill;
            if (tree instanceof Leaf l) {
                Insn always = new Insn(Bpf.JMP | Bpf.JA, 0, target(l.outcome()), null);
                code.add(always);
            } else {
                emitTree(tree, code);
            }
        }
        code.addAll(blockCode);
        code.addAll(rets.values());
        return new SeccompProgram(arch, layout(code), List.copyOf(skipped));
    }

    /** Resolves targets to offsets, inserting {@code ja} trampolines for jumps beyond 255. */
    static byte[] layout(List<Insn> code) {
        boolean changed = true;
        int total = 0;
        while (changed) {
            changed = false;
            total = 0;
            for (Insn i : code) {
                i.pos = total;
                total += i.size();
            }
            for (Insn i : code) {
                if (!i.isCond()) {
                    continue;
                }
                if (!i.longT && Objects.requireNonNull(i.jt).pos - i.pos - 1 > 255) {
                    i.longT = true;
                    changed = true;
                }
                if (!i.longF && Objects.requireNonNull(i.jf).pos - i.pos - 1 > 255) {
                    i.longF = true;
                    changed = true;
                }
            }
        }
        if (total > Bpf.MAX_INSNS) {
            throw new IllegalStateException(
                    "policy compiles to " + total + " instructions; the kernel accepts at most "
                            + Bpf.MAX_INSNS);
        }
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(total * 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (Insn i : code) {
            if (i.isCond()) {
                int extra = 0;
                int jt;
                int jf;
                if (i.longT) {
                    jt = extra++;
                } else {
                    jt = i.jt.pos - i.pos - 1;
                }
                if (i.longF) {
                    jf = extra++;
                } else {
                    jf = i.jf.pos - i.pos - 1;
                }
                put(out, i.code, jt, jf, i.k);
                int at = i.pos + 1;
                if (i.longT) {
                    put(out, Bpf.JMP | Bpf.JA, 0, 0, i.jt.pos - at - 1);
                    at++;
                }
                if (i.longF) {
                    put(out, Bpf.JMP | Bpf.JA, 0, 0, i.jf.pos - at - 1);
                }
            } else if (Bpf.cls(i.code) == Bpf.JMP) {
                put(out, i.code, 0, 0, Objects.requireNonNull(i.jt).pos - i.pos - 1);
            } else {
                put(out, i.code, 0, 0, i.k);
            }
        }
        return out.array();
    }

    private static void put(java.nio.ByteBuffer b, int code, int jt, int jf, long k) {
        if (jt < 0 || jf < 0 || jt > 255 || jf > 255) {
            throw new IllegalStateException("bad jump offsets " + jt + "/" + jf);
        }
        b.putShort((short) code).put((byte) jt).put((byte) jf).putInt((int) k);
    }
}
