package org.sandbox4j.seccomp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parser for the common part of nsjail's kafel policy language.
 *
 * <pre>
 * file      := (define | policy | use | block)*
 * define    := '#define' NAME value            (up to the end of the line)
 * policy    := 'POLICY' NAME '{' (block | 'USE' NAME) (',' ...)* '}'
 * use       := 'USE' NAME (',' NAME)* 'DEFAULT' action
 * block     := action '{' rule (',' rule)* '}'
 * action    := ALLOW | KILL | KILL_PROCESS | KILL_THREAD | DENY | LOG | TRAP | USER_NOTIF
 *            | ERRNO '(' value ')' | TRACE '(' value ')'
 * rule      := syscall [ '(' NAME (',' NAME)* ')' '{' expr '}' ]
 * syscall   := NAME | 'SYSCALL' '[' value ']'
 * expr      := and ('||' and)* ; and := unary ('&&' unary)* ; unary := '!' unary | '(' expr ')' | cmp
 * cmp       := operand OP operand  (OP one of == != &lt; &lt;= &gt; &gt;=; one side an argument)
 *            | '(' arg '&amp;' value ')' ('==' | '!=') value | arg '&amp;' value
 * value     := number | NAME of a #define | value '|' value
 * </pre>
 *
 * Comments: {@code //}, {@code /* ... *}{@code /} and lines starting with {@code #} other than
 * {@code #define}.
 *
 * <p>Hostile input is refused quickly with a {@link SeccompParseException}, never a stack overflow,
 * exhausted heap or minutes of work: the text is at most {@link #MAX_INPUT_CHARS}, expressions nest at
 * most {@link #MAX_DEPTH} levels, and the rules and conditions the policy expands to (conditions turned
 * into disjunctive normal form, where {@code &&} over {@code ||} multiplies) total at most {@link
 * #MAX_EXPANDED}, checked before each product is built. {@code USE} is expanded lazily and a policy
 * already included is not included again (its rules would be shadowed by their first copies anyway), so
 * policies that use each other twice per level stay linear instead of doubling per level.
 */
final class KafelParser {
    /** The longest policy text accepted, in characters (1 MiB). */
    static final int MAX_INPUT_CHARS = 1 << 20;
    /** The deepest nesting of parentheses and {@code !} in a condition. */
    static final int MAX_DEPTH = 200;
    /**
     * The most rules plus conditions the whole text may expand to (each rule of the disjunctive normal
     * form counts its conditions, or 1 without any). A program that large could never be loaded (the
     * kernel takes 4096 BPF instructions), so the cap only refuses, early, what would fail later.
     */
    static final int MAX_EXPANDED = 1 << 16;
    /** kafel's keywords: none may name a policy. */
    private static final Set<String> KEYWORDS = Set.of("POLICY", "USE", "DEFAULT", "ALLOW", "KILL", "KILL_PROCESS",
            "KILL_THREAD", "DENY", "LOG", "TRAP", "USER_NOTIF", "ERRNO", "TRACE", "SYSCALL");

    /** Names (system calls, arguments, constants, policies) longer than this are refused. */
    static final int MAX_NAME = 128;

    private final String src;
    private int pos;
    private int line = 1;
    private int col = 1;
    private final Map<String, Long> defines;
    private final Map<String, List<Item>> policies = new LinkedHashMap<>();
    /** Rules plus conditions produced so far, against {@link #MAX_EXPANDED}. */
    private long expanded;
    /** Current nesting of parentheses and '!' in a condition. */
    private int depth;

    /** What a policy body holds: a system call entry, or a reference to another policy. */
    private sealed interface Item permits Entry, Use {}

    /** One syscall entry: its rules in DNF (each inner list is an AND of conditions). */
    private record Entry(String syscall, SeccompAction action, List<List<ArgCondition>> dnf) implements Item {}

    /** {@code USE name}, expanded only when the policy is finally used. */
    private record Use(String name) implements Item {}

    private record Tok(String text, int line, int col) {}

    /**
     * A condition in disjunctive normal form while it is built: alternatives (mutable, each owned by
     * this object alone) and their total size, kept so that limits are checked before work is done.
     */
    private static final class Dnf {
        final List<List<ArgCondition>> alts;
        long size;

        Dnf(List<List<ArgCondition>> alts, long size) {
            this.alts = alts;
            this.size = size;
        }

        static Dnf of(ArgCondition c) {
            List<List<ArgCondition>> alts = new ArrayList<>(1);
            List<ArgCondition> conj = new ArrayList<>(1);
            conj.add(c);
            alts.add(conj);
            return new Dnf(alts, 1);
        }
    }

    KafelParser(String src) {
        this(src, new HashMap<>());
    }

    private KafelParser(String src, Map<String, Long> defines) {
        this.src = src;
        this.defines = defines;
    }

    SeccompPolicy parse() {
        if (src.length() > MAX_INPUT_CHARS) {
            throw new SeccompParseException("the policy is " + src.length() + " characters long; at most "
                    + MAX_INPUT_CHARS + " (1 MiB) are accepted", 1, 1);
        }
        List<Item> top = new ArrayList<>();
        List<Item> used = null;
        SeccompAction dflt = null;
        Tok t;
        while ((t = peek()) != null) {
            String w = t.text();
            if (w.equals("POLICY")) {
                next();
                Tok name = ident("policy name");
                if (KEYWORDS.contains(name.text())) {
                    throw error(name, quote(name.text()) + " is a keyword and cannot name a policy");
                }
                if (policies.containsKey(name.text())) {
                    throw error(name, "policy " + quote(name.text()) + " defined twice");
                }
                expect("{");
                List<Item> body = new ArrayList<>();
                body(body, "}");
                expect("}");
                policies.put(name.text(), body);
            } else if (w.equals("USE")) {
                next();
                if (used != null) {
                    throw error(t, "only one top-level USE ... DEFAULT statement is supported");
                }
                used = new ArrayList<>();
                do {
                    used.add(use());
                } while (accept(","));
                Tok d = next();
                if (d == null || !d.text().equals("DEFAULT")) {
                    throw error(d == null ? eofTok() : d, "expected DEFAULT after USE");
                }
                dflt = action();
            } else if (w.equals("DEFAULT")) {
                next();
                dflt = action();
            } else {
                block(top);
                accept(",");
            }
        }
        if (dflt == null) {
            dflt = SeccompAction.KILL_PROCESS; // kafel's default when a policy names none
        }
        List<Item> all = new ArrayList<>(top);
        if (used != null) {
            all.addAll(used);
        }
        // A rule equal to an earlier one can never decide (the first copy matches first): drop it.
        Set<SeccompPolicy.Rule> rules = new LinkedHashSet<>();
        for (Entry e : expand(all)) {
            for (List<ArgCondition> conj : e.dnf()) {
                rules.add(new SeccompPolicy.Rule(e.syscall(), e.action(), conj));
            }
        }
        SeccompPolicy.Builder b = SeccompPolicy.builder(dflt);
        for (SeccompPolicy.Rule r : rules) {
            b.rule(r.syscall(), r.action(), r.conditions());
        }
        return b.build();
    }

    /**
     * The entries of {@code items} with every {@code USE} replaced by the policy's items, depth first
     * and without recursion (a chain of policies may be long). A policy already included is skipped:
     * each of its rules already stands earlier, so a second copy could never match first.
     */
    private List<Entry> expand(List<Item> items) {
        List<Entry> out = new ArrayList<>();
        Set<String> included = new HashSet<>();
        Deque<Iterator<Item>> stack = new ArrayDeque<>();
        stack.push(items.iterator());
        while (!stack.isEmpty()) {
            Iterator<Item> it = stack.peek();
            if (!it.hasNext()) {
                stack.pop();
                continue;
            }
            Item item = it.next();
            if (item instanceof Use u) {
                if (included.add(u.name())) {
                    stack.push(policies.get(u.name()).iterator());
                }
            } else {
                out.add((Entry) item);
            }
        }
        return out;
    }

    /** {@code NAME} after USE: a policy defined above. */
    private Use use() {
        Tok name = ident("policy name");
        if (!policies.containsKey(name.text())) {
            throw error(name, "unknown policy " + quote(name.text()));
        }
        return new Use(name.text());
    }

    private void body(List<Item> out, String end) {
        while (peek() != null && !peek().text().equals(end)) {
            if (peek().text().equals("USE")) {
                next();
                out.add(use());
            } else {
                block(out);
            }
            accept(",");
        }
    }

    private void block(List<Item> out) {
        SeccompAction action = action();
        expect("{");
        if (!peekIs("}")) {
            do {
                out.add(rule(action));
            } while (accept(","));
        }
        expect("}");
    }

    private SeccompAction action() {
        Tok t = next();
        if (t == null) {
            throw error(eofTok(), "expected an action");
        }
        switch (t.text()) {
            case "ALLOW": return SeccompAction.ALLOW;
            case "KILL":
            case "DENY":
            case "KILL_PROCESS": return SeccompAction.KILL_PROCESS;
            case "KILL_THREAD": return SeccompAction.KILL_THREAD;
            case "LOG": return SeccompAction.LOG;
            case "TRAP": return SeccompAction.TRAP;
            case "USER_NOTIF": return SeccompAction.USER_NOTIF;
            case "ERRNO":
            case "TRACE": {
                expect("(");
                Tok vt = peek();
                long v = value();
                expect(")");
                long max = t.text().equals("ERRNO") ? 4095 : 65535;
                if (v < 0 || v > max) {
                    throw error(vt, t.text() + " value must be 0.." + max);
                }
                return t.text().equals("ERRNO") ? SeccompAction.errno((int) v) : SeccompAction.trace((int) v);
            }
            default:
                throw error(t, "expected an action (ALLOW, KILL, ERRNO(n), LOG, TRAP, TRACE(n), "
                        + "USER_NOTIF), found " + quote(t.text()));
        }
    }

    private Entry rule(SeccompAction action) {
        Tok name = next();
        if (name == null) {
            throw error(eofTok(), "expected a system call name");
        }
        String syscall;
        if (name.text().equals("SYSCALL")) {
            expect("[");
            Tok vt = peek();
            long nr = value();
            expect("]");
            if (nr < 0 || nr >= SeccompPolicy.X32_SYSCALL_BIT) {
                throw error(vt, "system call number out of range");
            }
            syscall = Long.toString(nr);
        } else {
            if (!isIdent(name.text())) {
                throw error(name, "expected a system call name, found " + quote(name.text()));
            }
            checkLength(name);
            Long defined = defines.get(name.text());
            if (defined != null && !Syscalls.isKnown(name.text())) {
                // kafel: a #define'd number names the system call of that number
                if (defined < 0 || defined >= SeccompPolicy.X32_SYSCALL_BIT) {
                    throw error(name, "system call number out of range");
                }
                syscall = Long.toString(defined);
            } else {
                try {
                    syscall = SeccompPolicy.syscallKey(name.text());
                } catch (IllegalArgumentException e) {
                    throw error(name, e.getMessage());
                }
            }
        }
        List<List<ArgCondition>> dnf = List.of(List.of());
        if (accept("(")) {
            Map<String, Integer> args = new HashMap<>();
            if (!peekIs(")")) {
                do {
                    Tok a = ident("argument name");
                    if (args.size() == 6) {
                        throw error(a, "a system call has at most 6 arguments");
                    }
                    if (args.containsKey(a.text())) {
                        throw error(a, "argument name " + quote(a.text()) + " declared twice");
                    }
                    args.put(a.text(), args.size());
                } while (accept(","));
            }
            expect(")");
            expect("{");
            dnf = simplify(or(args));
            expect("}");
        }
        long size = 0;
        for (List<ArgCondition> conj : dnf) {
            size += Math.max(1, conj.size());
        }
        charge(name, size);
        return new Entry(syscall, action, dnf);
    }

    /**
     * Counts {@code size} rules and conditions against {@link #MAX_EXPANDED}. Every rule is charged
     * where it is written, used or not, so that the parse as a whole stays bounded; a policy used
     * several times is expanded once, so using it costs nothing more.
     */
    private void charge(Tok at, long size) {
        expanded += size;
        if (expanded > MAX_EXPANDED) {
            throw tooLarge(at);
        }
    }

    /** Refuses a condition whose expansion would exceed what is left of the budget. */
    private void check(Tok at, long size) {
        if (size > MAX_EXPANDED - expanded) {
            throw tooLarge(at);
        }
    }

    private SeccompParseException tooLarge(Tok at) {
        return error(at, "the policy expands to more than " + MAX_EXPANDED + " rules and conditions (each"
                + " condition is turned into disjunctive normal form, where && over || multiplies the"
                + " alternatives): write fewer or simpler conditions");
    }

    /**
     * Drops repeated conditions within an alternative and repeated alternatives: neither changes
     * which calls match, and the compiled program gets shorter.
     */
    private static List<List<ArgCondition>> simplify(Dnf d) {
        Set<List<ArgCondition>> alts = new LinkedHashSet<>();
        for (List<ArgCondition> conj : d.alts) {
            alts.add(List.copyOf(new LinkedHashSet<>(conj)));
        }
        return List.copyOf(alts);
    }

    // Expressions are turned into disjunctive normal form: a list of AND-ed condition lists, each of
    // which becomes one rule with the block's action. Sizes are computed before each product is
    // built, so an exponential expansion is refused after a bounded amount of work.
    private Dnf or(Map<String, Integer> args) {
        Dnf r = and(args);
        Tok op;
        while ((op = acceptTok("||")) != null) {
            Dnf rhs = and(args);
            check(op, r.size + rhs.size);
            r.alts.addAll(rhs.alts);
            r.size += rhs.size;
        }
        return r;
    }

    private Dnf and(Map<String, Integer> args) {
        Dnf r = unary(args);
        Tok op;
        while ((op = acceptTok("&&")) != null) {
            Dnf rhs = unary(args);
            // every alternative of r joined with every one of rhs
            long size = sat(sat(r.alts.size(), rhs.size) + sat(rhs.alts.size(), r.size));
            check(op, size);
            if (rhs.alts.size() == 1) {
                // the common a && b && c ...: extend in place, so a long chain stays linear
                for (List<ArgCondition> a : r.alts) {
                    a.addAll(rhs.alts.get(0));
                }
                r.size = size;
                continue;
            }
            List<List<ArgCondition>> prod = new ArrayList<>();
            for (List<ArgCondition> a : r.alts) {
                for (List<ArgCondition> b : rhs.alts) {
                    List<ArgCondition> c = new ArrayList<>(a.size() + b.size());
                    c.addAll(a);
                    c.addAll(b);
                    prod.add(c);
                }
            }
            r = new Dnf(prod, size);
        }
        return r;
    }

    private Dnf unary(Map<String, Integer> args) {
        Tok t = peek();
        if (t == null) {
            throw error(eofTok(), "expected a condition");
        }
        boolean not = t.text().equals("!");
        boolean paren = !not && t.text().equals("(") && !isMaskParen(args);
        if (!not && !paren) {
            return Dnf.of(comparison(args));
        }
        if (++depth > MAX_DEPTH) {
            throw error(t, "conditions nest deeper than " + MAX_DEPTH + " levels of parentheses and '!'");
        }
        next();
        Dnf r;
        if (not) {
            r = negate(t, unary(args));
        } else {
            r = or(args);
            expect(")");
        }
        depth--;
        return r;
    }

    /**
     * {@code !(c1 || c2 ...)} with each ci an AND: De Morgan gives an AND of ORs of negations, that is
     * one alternative per choice of one condition from each ci.
     */
    private Dnf negate(Tok at, Dnf inner) {
        long count = 1;
        for (List<ArgCondition> conj : inner.alts) {
            count = sat(count, conj.size());
        }
        long size = sat(count, inner.alts.size());
        check(at, size);
        List<List<ArgCondition>> r = new ArrayList<>();
        r.add(new ArrayList<>());
        for (List<ArgCondition> conj : inner.alts) {
            List<List<ArgCondition>> next = new ArrayList<>(r.size() * conj.size());
            for (List<ArgCondition> a : r) {
                for (ArgCondition c : conj) {
                    List<ArgCondition> x = new ArrayList<>(inner.alts.size());
                    x.addAll(a);
                    x.add(c.negate());
                    next.add(x);
                }
            }
            r = next;
        }
        return new Dnf(r, size);
    }

    /** {@code a * b} for sizes, saturating instead of overflowing. */
    private static long sat(long a, long b) {
        return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
    }

    /** {@code a + b} for sizes already saturated. */
    private static long sat(long sum) {
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** Whether the '(' ahead opens {@code (arg & mask)} rather than a sub-expression. */
    private boolean isMaskParen(Map<String, Integer> args) {
        int save = pos;
        int sl = line;
        int sc = col;
        try {
            next();
            Tok a = next();
            Tok amp = next();
            return a != null && amp != null && args.containsKey(a.text()) && amp.text().equals("&");
        } finally {
            pos = save;
            line = sl;
            col = sc;
        }
    }

    private ArgCondition comparison(Map<String, Integer> args) {
        Tok start = peek();
        if (accept("(")) { // (arg & mask) == value
            Tok a = ident("argument name");
            int idx = argIndex(args, a);
            expect("&");
            long mask = value();
            expect(")");
            Tok op = next();
            if (op == null || !(op.text().equals("==") || op.text().equals("!="))) {
                throw error(op == null ? eofTok() : op, "expected == or != after a masked argument");
            }
            Tok vt = peek();
            long v = value();
            try {
                return op.text().equals("==") ? ArgCondition.maskedEq(idx, mask, v) : ArgCondition.maskedNe(idx, mask, v);
            } catch (IllegalArgumentException e) {
                throw error(vt == null ? eofTok() : vt, e.getMessage());
            }
        }
        Tok lhs = Objects2.require(peek(), this);
        boolean argLeft = args.containsKey(lhs.text());
        int idx;
        long v;
        String op;
        if (argLeft) {
            next();
            idx = args.get(lhs.text());
            if (accept("&")) { // arg & mask: some bit set
                long mask = value();
                if (peekIs("==") || peekIs("!=")) {
                    throw error(peek(), "write (arg & mask) == value with parentheses");
                }
                return ArgCondition.maskedNe(idx, mask, 0);
            }
            Tok o = next();
            op = o == null ? "" : o.text();
            if (!isCmp(op)) {
                throw error(o == null ? eofTok() : o, "expected a comparison operator");
            }
            Tok r = peek();
            if (r != null && args.containsKey(r.text())) {
                throw error(r, "comparing two arguments is not supported by seccomp");
            }
            v = value();
        } else {
            v = value();
            Tok o = next();
            op = o == null ? "" : o.text();
            if (!isCmp(op)) {
                throw error(o == null ? eofTok() : o, "expected a comparison operator");
            }
            Tok a = ident("argument name");
            idx = argIndex(args, a);
            op = switch (op) { // value OP arg  ==  arg OP' value
                case "<" -> ">";
                case "<=" -> ">=";
                case ">" -> "<";
                case ">=" -> "<=";
                default -> op;
            };
        }
        if (start == null) {
            throw error(eofTok(), "expected a condition");
        }
        return switch (op) {
            case "==" -> ArgCondition.eq(idx, v);
            case "!=" -> ArgCondition.ne(idx, v);
            case "<" -> ArgCondition.lt(idx, v);
            case "<=" -> ArgCondition.le(idx, v);
            case ">" -> ArgCondition.gt(idx, v);
            default -> ArgCondition.ge(idx, v);
        };
    }

    private static final class Objects2 {
        static Tok require(Tok t, KafelParser p) {
            if (t == null) {
                throw p.error(p.eofTok(), "expected a condition");
            }
            return t;
        }
    }

    private static boolean isCmp(String op) {
        return op.equals("==") || op.equals("!=") || op.equals("<") || op.equals("<=")
                || op.equals(">") || op.equals(">=");
    }

    private int argIndex(Map<String, Integer> args, Tok a) {
        Integer idx = args.get(a.text());
        if (idx == null) {
            throw error(a, quote(a.text()) + " is not an argument of this rule");
        }
        return idx;
    }

    private long value() {
        long v = atom();
        while (accept("|")) {
            v |= atom();
        }
        return v;
    }

    private long atom() {
        Tok t = next();
        if (t == null) {
            throw error(eofTok(), "expected a value");
        }
        String s = t.text();
        boolean neg = false;
        if (s.equals("-")) {
            neg = true;
            t = next();
            if (t == null) {
                throw error(eofTok(), "expected a number");
            }
            s = t.text();
        }
        long v;
        if (Character.isDigit(s.charAt(0))) {
            try {
                if (s.startsWith("0x") || s.startsWith("0X")) {
                    v = Long.parseUnsignedLong(s.substring(2), 16);
                } else if (s.startsWith("0b") || s.startsWith("0B")) {
                    v = Long.parseUnsignedLong(s.substring(2), 2);
                } else if (s.length() > 1 && s.startsWith("0")) {
                    v = Long.parseUnsignedLong(s.substring(1), 8);
                } else {
                    v = Long.parseUnsignedLong(s);
                }
            } catch (NumberFormatException e) {
                throw error(t, "bad number " + quote(s));
            }
        } else if (defines.containsKey(s)) {
            v = defines.get(s);
        } else {
            throw error(t, "unknown constant " + quote(s) + " (define it with #define)");
        }
        return neg ? -v : v;
    }

    // ---------------------------------------------------------------- lexer

    private Tok ident(String what) {
        Tok t = next();
        if (t == null || !isIdent(t.text())) {
            throw error(t == null ? eofTok() : t, "expected " + what);
        }
        checkLength(t);
        return t;
    }

    private static boolean isIdent(String s) {
        return !s.isEmpty() && (Character.isLetter(s.charAt(0)) || s.charAt(0) == '_');
    }

    private void expect(String s) {
        Tok t = next();
        if (t == null || !t.text().equals(s)) {
            throw error(t == null ? eofTok() : t, "expected '" + s + "'"
                    + (t == null ? " before the end" : ", found " + quote(t.text())));
        }
    }

    /** The token {@code s} if it comes next (consumed), else null. */
    private Tok acceptTok(String s) {
        Tok t = peek();
        if (t != null && t.text().equals(s)) {
            next();
            return t;
        }
        return null;
    }

    /** A token or name as shown in a message: quoted, and shortened if long. */
    static String quote(String s) {
        return "'" + (s.length() > 40 ? s.substring(0, 37) + "..." : s) + "'";
    }

    private void checkLength(Tok t) {
        if (t.text().length() > MAX_NAME) {
            throw error(t, "a name of " + t.text().length() + " characters; at most " + MAX_NAME + " are accepted");
        }
    }

    private boolean accept(String s) {
        if (peekIs(s)) {
            next();
            return true;
        }
        return false;
    }

    private boolean peekIs(String s) {
        Tok t = peek();
        return t != null && t.text().equals(s);
    }

    private Tok peek() {
        int p = pos;
        int l = line;
        int c = col;
        Tok t = next();
        pos = p;
        line = l;
        col = c;
        return t;
    }

    // One token of lookahead, remembered: the grammar peeks several times at each token, and each
    // peek would otherwise skip the same whitespace and comments again.
    private int cachedAt = -1;
    private Tok cachedTok;
    private int cachedEnd;
    private int cachedLine;
    private int cachedCol;

    private Tok eofTok() {
        return new Tok("", line, col);
    }

    SeccompParseException error(Tok t, String msg) {
        return new SeccompParseException(msg, t.line(), t.col());
    }

    private void advance() {
        if (src.charAt(pos) == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        pos++;
    }

    private Tok next() {
        if (cachedAt == pos) {
            pos = cachedEnd;
            line = cachedLine;
            col = cachedCol;
            return cachedTok;
        }
        int from = pos;
        Tok t = lex();
        cachedAt = from;
        cachedTok = t;
        cachedEnd = pos;
        cachedLine = line;
        cachedCol = col;
        return t;
    }

    private Tok lex() {
        while (pos < src.length()) {
            char ch = src.charAt(pos);
            if (Character.isWhitespace(ch)) {
                advance();
            } else if (src.startsWith("//", pos)) {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    advance();
                }
            } else if (src.startsWith("/*", pos)) {
                int l = line;
                int c = col;
                while (pos < src.length() && !src.startsWith("*/", pos)) {
                    advance();
                }
                if (pos >= src.length()) {
                    throw new SeccompParseException("unterminated comment", l, c);
                }
                advance();
                advance();
            } else if (ch == '#' && (col == 1 || src.substring(src.lastIndexOf('\n', pos - 1) + 1, pos).isBlank())) {
                directive();
            } else {
                break;
            }
        }
        if (pos >= src.length()) {
            return null;
        }
        int l = line;
        int c = col;
        int start = pos;
        char ch = src.charAt(pos);
        if (Character.isLetterOrDigit(ch) || ch == '_') {
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                advance();
            }
        } else {
            String[] ops = {"&&", "||", "==", "!=", "<=", ">="};
            boolean two = false;
            for (String op : ops) {
                if (src.startsWith(op, pos)) {
                    two = true;
                }
            }
            advance();
            if (two) {
                advance();
            } else if ("{}(),[]!<>&|-".indexOf(ch) < 0) {
                throw new SeccompParseException("unexpected character '" + ch + "'", l, c);
            }
        }
        return new Tok(src.substring(start, pos), l, c);
    }

    private void directive() {
        int l = line;
        int c = col;
        int end = src.indexOf('\n', pos);
        if (end < 0) {
            end = src.length();
        }
        String text = src.substring(pos, end).trim();
        String[] f = text.split("\\s+");
        if (f[0].equals("#define")) {
            if (f.length != 3 || !isIdent(f[1])) {
                throw new SeccompParseException("expected '#define NAME value'", l, c);
            }
            if (f[1].length() > MAX_NAME) {
                throw new SeccompParseException("a name of " + f[1].length() + " characters; at most " + MAX_NAME
                        + " are accepted", l, c);
            }
            // The value may name earlier constants: the sub-parser reads this parser's table (shared,
            // not copied, so that many #define lines stay linear).
            if (defines.containsKey(f[1])) {
                throw new SeccompParseException(quote(f[1]) + " is already defined", l, c);
            }
            KafelParser sub = new KafelParser(f[2], defines);
            try {
                defines.put(f[1], sub.value());
            } catch (SeccompParseException e) {
                throw new SeccompParseException("bad #define value " + quote(f[2]), l, c);
            }
        } else if (f[0].equals("#include")) {
            throw new SeccompParseException("#include is not supported; inline the file", l, c);
        }
        while (pos < end) {
            advance();
        }
    }
}
