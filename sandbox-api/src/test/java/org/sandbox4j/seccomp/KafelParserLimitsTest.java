package org.sandbox4j.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Arch;
import org.sandbox4j.TextFuzz;

/**
 * The pathological policies of issue #10 (class 5) and the limits that refuse them: each is refused
 * with a line and column (or accepted) within 1 s of CPU, where before it overflowed the stack, ran for
 * seconds or exhausted the heap. Each limit has a control just inside it that is accepted.
 */
@Tag("unit")
class KafelParserLimitsTest {

    private static <T> T timed(String name, Supplier<T> work) {
        return TextFuzz.timed("KafelParserLimitsTest." + name, work);
    }

    private static SeccompParseException refused(String name, String text) {
        return timed(name, () -> assertThrows(SeccompParseException.class, () -> SeccompPolicy.parse(text)));
    }

    private static String nested(String open, String close, int depth) {
        return "ALLOW { read(fd) { " + open.repeat(depth) + "fd == 1" + close.repeat(depth) + " } } DEFAULT KILL";
    }

    private static SeccompAction read(SeccompPolicy p, long fd) {
        return p.evaluate(Arch.X86_64, SeccompData.of(Arch.X86_64, 0, fd));
    }

    @Test
    void fiftyThousandNestedParenthesesAreRefusedAtTheDepthLimit() {
        SeccompParseException e = refused("fiftyThousandParentheses", nested("(", ")", 50_000));
        assertEquals(1, e.line());
        assertEquals(20 + KafelParser.MAX_DEPTH, e.column(), "at the parenthesis that is one too deep");
        assertTrue(e.getMessage().contains("deeper than 200 levels"), e.getMessage());
        // control: exactly the limit is accepted and means what it says
        SeccompPolicy p = timed("twoHundredParentheses", () -> SeccompPolicy.parse(nested("(", ")", KafelParser.MAX_DEPTH)));
        assertEquals(SeccompAction.ALLOW, read(p, 1));
        assertEquals(SeccompAction.KILL_PROCESS, read(p, 2));
        refused("twoHundredOneParentheses", nested("(", ")", KafelParser.MAX_DEPTH + 1));
    }

    @Test
    void fiftyThousandNegationsAreRefusedAtTheDepthLimit() {
        SeccompParseException e = refused("fiftyThousandNegations", nested("!", "", 50_000));
        assertTrue(e.getMessage().contains("deeper than 200 levels"), e.getMessage());
        SeccompPolicy p = SeccompPolicy.parse(nested("!", "", KafelParser.MAX_DEPTH)); // even: fd == 1
        assertEquals(SeccompAction.ALLOW, read(p, 1));
        assertEquals(SeccompAction.KILL_PROCESS, read(p, 2));
    }

    /** The 758-byte shape: each policy uses the previous one twice, doubling per level before. */
    private static String doubling(int levels) {
        StringBuilder sb = new StringBuilder("POLICY p0 { ALLOW { read, write(fd) { fd == 1 || fd == 2 } } }\n");
        for (int i = 1; i <= levels; i++) {
            sb.append("POLICY p").append(i).append(" { USE p").append(i - 1).append(", USE p").append(i - 1).append(" }\n");
        }
        return sb.append("USE p").append(levels).append(" DEFAULT KILL\n").toString();
    }

    @Test
    void policiesUsedTwicePerLevelAreIncludedOnce() {
        String text = doubling(22);
        assertTrue(text.length() > 700 && text.length() < 800, "the issue's size: " + text.length());
        SeccompPolicy p = timed("doublingPolicies22", () -> SeccompPolicy.parse(text));
        SeccompPolicy base = SeccompPolicy.parse("POLICY p0 { ALLOW { read, write(fd) { fd == 1 || fd == 2 } } }"
                + " USE p0 DEFAULT KILL");
        assertEquals(base.rules(), p.rules(), "2^22 copies of p0 would be 12 million rules");
        assertEquals(3, p.rules().size());
    }

    @Test
    void thirtyLevelsOfPoliciesDoNotExhaustTheHeap() {
        SeccompPolicy p = timed("doublingPolicies30", () -> SeccompPolicy.parse(doubling(30)));
        assertEquals(3, p.rules().size());
        // and a chain far longer than any stack: expanded without recursion
        SeccompPolicy chain = timed("doublingPolicies20000", () -> SeccompPolicy.parse(doubling(20_000)));
        assertEquals(3, chain.rules().size());
    }

    @Test
    void aPolicyUsedAgainAddsNothingAndKeepsTheOrder() {
        SeccompPolicy p = SeccompPolicy.parse("POLICY a { ALLOW { read } }\n"
                + "POLICY b { USE a, ERRNO(1) { read, write }, USE a, ALLOW { write } }\nUSE b, a DEFAULT KILL");
        assertEquals(List.of(new SeccompPolicy.Rule("read", SeccompAction.ALLOW, List.of()),
                new SeccompPolicy.Rule("read", SeccompAction.errno(1), List.of()),
                new SeccompPolicy.Rule("write", SeccompAction.errno(1), List.of()),
                new SeccompPolicy.Rule("write", SeccompAction.ALLOW, List.of())), p.rules());
        // the same decisions as the rule list written out with its duplicates
        SeccompPolicy spelled = SeccompPolicy.parse("ALLOW { read } ERRNO(1) { read, write } ALLOW { read }"
                + " ALLOW { write } ALLOW { read } DEFAULT KILL");
        for (String call : List.of("read", "write", "close")) {
            int nr = Syscalls.number(Arch.X86_64, call).getAsInt();
            assertEquals(spelled.evaluate(Arch.X86_64, SeccompData.of(Arch.X86_64, nr)),
                    p.evaluate(Arch.X86_64, SeccompData.of(Arch.X86_64, nr)), call);
        }
    }

    /** {@code (fd == 0 || count == 0) && (fd == 1 || count == 1) && ...}: 2^n alternatives in DNF. */
    private static String andOverOr(int n) {
        StringBuilder sb = new StringBuilder("ALLOW { write(fd, buf, count) { ");
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? " && " : "").append("(fd == ").append(i).append(" || count == ").append(i).append(")");
        }
        return sb.append(" } } DEFAULT KILL").toString();
    }

    @Test
    void andOverOrIsRefusedBeforeItMultiplies() {
        String text = andOverOr(22);
        assertTrue(text.length() > 650 && text.length() < 720, "the issue's size: " + text.length());
        SeccompParseException e = refused("andOverOr22", text);
        assertTrue(e.getMessage().contains("more than " + KafelParser.MAX_EXPANDED + " rules and conditions"),
                e.getMessage());
        assertEquals(1, e.line());
        assertEquals(text.indexOf("&& (fd == 12") + 1, e.column(), "at the && whose product is too large");
        // the negation multiplies too: !((a && b) || (c && d) || ...) is an AND of ORs
        StringBuilder not = new StringBuilder("ALLOW { write(fd, buf, count) { !(");
        for (int i = 0; i < 22; i++) {
            not.append(i > 0 ? " || " : "").append("(fd == ").append(i).append(" && count == ").append(i).append(")");
        }
        e = refused("notOverOrOverAnd", not.append(") } } DEFAULT KILL").toString());
        assertEquals(33, e.column(), "at the '!'");
        assertTrue(e.getMessage().contains("more than " + KafelParser.MAX_EXPANDED), e.getMessage());
    }

    @Test
    void andOverOrWithinTheLimitDecidesLikeTheExpression() {
        int n = 10;
        SeccompPolicy p = timed("andOverOr10", () -> SeccompPolicy.parse(andOverOr(n)));
        assertEquals(1 << n, p.rules().size());
        // 1024 rules of 10 conditions are too long for the kernel: refused, not a crash
        assertThrows(IllegalStateException.class, () -> p.compile(Arch.X86_64));
        Random r = new Random(3);
        for (int k = 0; k < 2000; k++) {
            long fd = r.nextInt(n + 2);
            long count = r.nextInt(n + 2);
            boolean want = true;
            for (int i = 0; i < n; i++) {
                want &= fd == i || count == i;
            }
            SeccompData d = SeccompData.of(Arch.X86_64, 1, fd, 0, count);
            assertEquals(want ? SeccompAction.ALLOW : SeccompAction.KILL_PROCESS, p.evaluate(Arch.X86_64, d));
        }
    }

    @Test
    void policiesOverOneMebibyteAreRefused() {
        String pad = "DEFAULT ALLOW\n/*" + " ".repeat(KafelParser.MAX_INPUT_CHARS - 18) + "*/";
        assertEquals(KafelParser.MAX_INPUT_CHARS, pad.length());
        SeccompPolicy p = timed("exactlyOneMebibyte", () -> SeccompPolicy.parse(pad));
        assertEquals(SeccompAction.ALLOW, p.defaultAction());
        SeccompParseException e = refused("oneMebibytePlusOne", pad + " ");
        assertTrue(e.getMessage().contains("at most 1048576 (1 MiB)"), e.getMessage());
    }

    @Test
    void longNamesAndNumbersAreRefusedQuicklyWithShortMessages() {
        SeccompParseException e = refused("halfMebibyteName", "ALLOW { " + "r".repeat(1 << 19) + " } DEFAULT KILL");
        assertTrue(e.getMessage().length() < 200, e.getMessage());
        e = refused("unknownSyscall", "ALLOW { " + "r".repeat(KafelParser.MAX_NAME) + " } DEFAULT KILL");
        assertTrue(e.getMessage().contains("unknown system call") && e.getMessage().length() < 300, e.getMessage());
        e = refused("hugeNumber", "ALLOW { read(fd) { fd == " + "9".repeat(500_000) + " } } DEFAULT KILL");
        assertTrue(e.getMessage().startsWith("line 1, column 26: bad number '999") && e.getMessage().length() < 100,
                e.getMessage());
    }

    @Test
    void manyDefinesStayLinear() {
        StringBuilder sb = new StringBuilder("#define D0 1\n");
        for (int i = 1; i < 40_000; i++) {
            sb.append("#define D").append(i).append(" D").append(i - 1).append("|").append(i % 64).append('\n');
        }
        String text = sb.append("ALLOW { read(fd) { fd == D39999 } } DEFAULT KILL").toString();
        SeccompPolicy p = timed("fortyThousandDefines", () -> SeccompPolicy.parse(text)); // copied per line before
        assertEquals(SeccompAction.ALLOW, read(p, 63));
    }

    @Test
    void longConjunctionsAreRefusedEarlyByTheCompiler() {
        StringBuilder sb = new StringBuilder("ALLOW { read(fd) { fd != 0");
        for (int i = 1; i < 60_000; i++) {
            sb.append(" && fd != ").append(i);
        }
        SeccompPolicy p = timed("sixtyThousandConditions", () -> SeccompPolicy.parse(sb.append(" } } DEFAULT KILL").toString()));
        IllegalStateException e = timed("sixtyThousandConditionsCompile",
                () -> assertThrows(IllegalStateException.class, () -> p.compile(Arch.X86_64)));
        assertTrue(e.getMessage().startsWith("policy compiles to more than 4096 instructions"), e.getMessage());
    }

    @Test
    void alternatingActionsCompileQuicklyAndDecideLikeThePolicy() {
        // 460 adjacent numbers with alternating outcomes: the optimal search took seconds here
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 460; i++) {
            sb.append(i % 2 == 0 ? "ALLOW" : "ERRNO(1)").append(" { SYSCALL[").append(i).append("] }\n");
        }
        SeccompPolicy p = SeccompPolicy.parse(sb.append("DEFAULT KILL").toString());
        SeccompProgram prog = timed("alternating460Compile", () -> p.compile(Arch.X86_64));
        for (int nr = -2; nr < 470; nr++) {
            SeccompData d = SeccompData.of(Arch.X86_64, nr);
            assertEquals(p.evaluate(Arch.X86_64, d), BpfInterpreter.run(prog, d).action(), "nr " + nr);
        }
        // far more ranges than the kernel's instruction limit: refused before any search
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 38_000; i++) {
            many.append(i % 2 == 0 ? "ALLOW" : "ERRNO(1)").append(" { SYSCALL[").append(3 * i).append("] }\n");
        }
        SeccompPolicy big = timed("thirtyEightThousandRulesParse", () -> SeccompPolicy.parse(many.append("DEFAULT KILL").toString()));
        IllegalStateException e = timed("thirtyEightThousandRulesCompile",
                () -> assertThrows(IllegalStateException.class, () -> big.compile(Arch.X86_64)));
        assertTrue(e.getMessage().contains("ranges of system call numbers"), e.getMessage());
    }

    /** {@code fd | buf | fd ...} with {@code n} operands, against count. */
    private static String side(int n) {
        StringBuilder sb = new StringBuilder("fd");
        for (int i = 1; i < n; i++) {
            sb.append(i % 2 == 1 ? " | buf" : " & fd");
        }
        return sb.toString();
    }

    @Test
    void conditionsOverSeveralArgumentsAreBounded() {
        // at most 16 arguments and constants a side, after folding constants: a comparison then needs
        // at most 5 of BPF's 16 scratch words
        String ok = "ALLOW { write { " + side(KafelParser.MAX_OPERANDS) + " != count } } DEFAULT KILL";
        SeccompPolicy p = timed("sixteenOperands", () -> SeccompPolicy.parse(ok));
        assertEquals(1, p.rules().size());
        p.compile(Arch.X86_64);
        SeccompParseException e = refused("seventeenOperands",
                "ALLOW { write { " + side(KafelParser.MAX_OPERANDS + 1) + " != count } } DEFAULT KILL");
        assertTrue(e.getMessage().contains("more than 16 arguments and constants"), e.getMessage());
        // as written, 200 operands a side (kafel's limit on an expression's depth); constants fold
        SeccompPolicy folded = SeccompPolicy.parse("ALLOW { read { fd == 1" + "&1".repeat(199) + " } } DEFAULT KILL");
        assertEquals(SeccompAction.ALLOW, read(folded, 1));
        e = refused("twoHundredOneOperands", "ALLOW { read { fd == 1" + "&1".repeat(200) + " } } DEFAULT KILL");
        assertTrue(e.getMessage().contains("more than 200 operands"), e.getMessage());
        // parentheses inside a side count against the nesting limit
        e = refused("fiftyThousandOperandParentheses",
                "ALLOW { read { fd == " + "(".repeat(50_000) + "1" + ")".repeat(50_000) + " } } DEFAULT KILL");
        assertTrue(e.getMessage().contains("deeper than 200 levels"), e.getMessage());
        // a mebibyte of the largest conditions, OR-ed: parsed in bounded time, refused by the
        // compiler before it builds more than the kernel's 4096 instructions
        StringBuilder big = new StringBuilder("ALLOW { write { ");
        String cond = "(" + side(KafelParser.MAX_OPERANDS) + ") <= (" + side(KafelParser.MAX_OPERANDS) + ")";
        while (big.length() + cond.length() + 40 < KafelParser.MAX_INPUT_CHARS) {
            big.append(cond).append(" || ");
        }
        big.append("fd == 1 } } DEFAULT KILL");
        SeccompPolicy wide = timed("mebibyteOfTwoSided", () -> SeccompPolicy.parse(big.toString()));
        assertTrue(wide.rules().size() == 2, "identical conditions are dropped: " + wide.rules().size());
        StringBuilder distinct = new StringBuilder("ALLOW { write { ");
        for (int i = 0; distinct.length() < KafelParser.MAX_INPUT_CHARS - 200; i++) {
            distinct.append("(fd | buf | ").append(i).append(") <= (count & buf & ").append(i).append(") || ");
        }
        distinct.append("fd == 1 } } DEFAULT KILL");
        SeccompPolicy many = timed("mebibyteOfDistinctTwoSided", () -> SeccompPolicy.parse(distinct.toString()));
        assertTrue(many.rules().size() > 20_000, "rules: " + many.rules().size());
        timed("mebibyteOfDistinctTwoSidedCompile",
                () -> assertThrows(IllegalStateException.class, () -> many.compile(Arch.X86_64)));
    }
}
