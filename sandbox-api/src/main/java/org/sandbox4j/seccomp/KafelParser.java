package org.sandbox4j.seccomp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 */
final class KafelParser {
    private final String src;
    private int pos;
    private int line = 1;
    private int col = 1;
    private final Map<String, Long> defines = new HashMap<>();
    private final Map<String, List<Entry>> policies = new LinkedHashMap<>();

    /** One syscall entry: its rules in DNF (each inner list is an AND of conditions). */
    private record Entry(String syscall, SeccompAction action, List<List<ArgCondition>> dnf) {}

    private record Tok(String text, int line, int col) {}

    KafelParser(String src) {
        this.src = src;
    }

    SeccompPolicy parse() {
        List<Entry> top = new ArrayList<>();
        List<Entry> used = null;
        SeccompAction dflt = null;
        Tok t;
        while ((t = peek()) != null) {
            String w = t.text();
            if (w.equals("POLICY")) {
                next();
                Tok name = ident("policy name");
                if (policies.containsKey(name.text())) {
                    throw error(name, "policy '" + name.text() + "' defined twice");
                }
                expect("{");
                List<Entry> body = new ArrayList<>();
                policies.put(name.text(), body);
                body(body, "}");
                expect("}");
            } else if (w.equals("USE")) {
                next();
                if (used != null) {
                    throw error(t, "only one top-level USE ... DEFAULT statement is supported");
                }
                used = new ArrayList<>();
                do {
                    Tok name = ident("policy name");
                    List<Entry> p = policies.get(name.text());
                    if (p == null) {
                        throw error(name, "unknown policy '" + name.text() + "'");
                    }
                    used.addAll(p);
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
            throw error(eofTok(), "no default action: end the policy with 'USE name DEFAULT action'");
        }
        List<Entry> all = new ArrayList<>(top);
        if (used != null) {
            all.addAll(used);
        }
        SeccompPolicy.Builder b = SeccompPolicy.builder(dflt);
        for (Entry e : all) {
            for (List<ArgCondition> conj : e.dnf()) {
                b.rule(e.syscall(), e.action(), conj);
            }
        }
        return b.build();
    }

    private void body(List<Entry> out, String end) {
        while (peek() != null && !peek().text().equals(end)) {
            if (peek().text().equals("USE")) {
                next();
                Tok name = ident("policy name");
                List<Entry> p = policies.get(name.text());
                if (p == null) {
                    throw error(name, "unknown policy '" + name.text() + "'");
                }
                out.addAll(p);
            } else {
                block(out);
            }
            accept(",");
        }
    }

    private void block(List<Entry> out) {
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
                        + "USER_NOTIF), found '" + t.text() + "'");
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
                throw error(name, "expected a system call name, found '" + name.text() + "'");
            }
            try {
                syscall = SeccompPolicy.syscallKey(name.text());
            } catch (IllegalArgumentException e) {
                throw error(name, e.getMessage());
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
                    args.put(a.text(), args.size());
                } while (accept(","));
            }
            expect(")");
            expect("{");
            dnf = or(args);
            expect("}");
        }
        return new Entry(syscall, action, dnf);
    }

    // Expressions are turned into disjunctive normal form: a list of AND-ed condition lists, each of
    // which becomes one rule with the block's action.
    private List<List<ArgCondition>> or(Map<String, Integer> args) {
        List<List<ArgCondition>> r = new ArrayList<>(and(args));
        while (accept("||")) {
            r.addAll(and(args));
        }
        return r;
    }

    private List<List<ArgCondition>> and(Map<String, Integer> args) {
        List<List<ArgCondition>> r = unary(args);
        while (accept("&&")) {
            List<List<ArgCondition>> rhs = unary(args);
            List<List<ArgCondition>> prod = new ArrayList<>();
            for (List<ArgCondition> a : r) {
                for (List<ArgCondition> b : rhs) {
                    List<ArgCondition> c = new ArrayList<>(a);
                    c.addAll(b);
                    prod.add(c);
                }
            }
            r = prod;
        }
        return r;
    }

    private List<List<ArgCondition>> unary(Map<String, Integer> args) {
        Tok t = peek();
        if (t == null) {
            throw error(eofTok(), "expected a condition");
        }
        if (accept("!")) {
            List<List<ArgCondition>> inner = unary(args);
            // !(c1 || c2 ...) with each ci an AND: De Morgan gives an AND of ORs of negations.
            List<List<ArgCondition>> r = List.of(List.of());
            for (List<ArgCondition> conj : inner) {
                List<List<ArgCondition>> next = new ArrayList<>();
                for (List<ArgCondition> a : r) {
                    for (ArgCondition c : conj) {
                        List<ArgCondition> x = new ArrayList<>(a);
                        x.add(c.negate());
                        next.add(x);
                    }
                }
                r = next;
            }
            return r;
        }
        if (t.text().equals("(") && !isMaskParen(args)) {
            next();
            List<List<ArgCondition>> r = or(args);
            expect(")");
            return r;
        }
        return List.of(List.of(comparison(args)));
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
            throw error(a, "'" + a.text() + "' is not an argument of this rule");
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
                throw error(t, "bad number '" + s + "'");
            }
        } else if (defines.containsKey(s)) {
            v = defines.get(s);
        } else {
            throw error(t, "unknown constant '" + s + "' (define it with #define)");
        }
        return neg ? -v : v;
    }

    // ---------------------------------------------------------------- lexer

    private Tok ident(String what) {
        Tok t = next();
        if (t == null || !isIdent(t.text())) {
            throw error(t == null ? eofTok() : t, "expected " + what);
        }
        return t;
    }

    private static boolean isIdent(String s) {
        return !s.isEmpty() && (Character.isLetter(s.charAt(0)) || s.charAt(0) == '_');
    }

    private void expect(String s) {
        Tok t = next();
        if (t == null || !t.text().equals(s)) {
            throw error(t == null ? eofTok() : t, "expected '" + s + "'"
                    + (t == null ? " before the end" : ", found '" + t.text() + "'"));
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
            KafelParser sub = new KafelParser(f[2]);
            sub.defines.putAll(defines);
            try {
                defines.put(f[1], sub.value());
            } catch (SeccompParseException e) {
                throw new SeccompParseException("bad #define value '" + f[2] + "'", l, c);
            }
        } else if (f[0].equals("#include")) {
            throw new SeccompParseException("#include is not supported; inline the file", l, c);
        }
        while (pos < end) {
            advance();
        }
    }
}
