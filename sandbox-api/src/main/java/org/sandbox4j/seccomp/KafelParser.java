package org.sandbox4j.seccomp;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.Arch;
import org.sandbox4j.internal.TextFiles;

/**
 * Parser for nsjail's kafel policy language, deciding as kafel does except where {@code
 * docs/seccomp.md} ("Text format") lists a difference.
 *
 * <pre>
 * file      := (define | include | policy | statement | 'DEFAULT' action)*
 * define    := '#define' NAME value            (up to the end of the line)
 * include   := '#include' (' ' '"' FILE '"')+ (';' | newline)
 * policy    := 'POLICY' NAME '{' [statement (',' statement)*] '}'
 * statement := 'USE' NAME | block            (at the top level also 'USE' a ',' b: sandbox4j's own)
 * block     := action '{' [rule (',' rule)*] '}'
 * action    := ALLOW | KILL | KILL_PROCESS | KILL_THREAD | DENY | LOG | TRAP ['(' 0 ')'] | USER_NOTIF
 *            | ERRNO '(' value ')' | TRACE '(' value ')'
 * rule      := syscall [ '(' [NAME (',' NAME)*] ')' ] [ '{' [expr (',' expr)*] '}' ]
 * syscall   := NAME | 'SYSCALL' '[' value ']'   (a NAME #define'd to a number is that number)
 * expr      := and ('||' and)* ; and := unary ('&&' unary)* ; unary := '!' unary | '(' expr ')' | cmp
 * cmp       := operand OP operand  (OP one of == != &lt; &lt;= &gt; &gt;=; at most one side an argument)
 *            | '(' arg '&amp;' value ')' ('==' | '!=') value | arg '&amp;' value
 * value     := number | NAME of a #define | value '|' value
 * </pre>
 *
 * A rule's conditions name its arguments as declared, or, without a declaration, by the kernel's
 * names ({@link SyscallArgNames}: {@code read { fd == 0 }}); a {@code #define} of the same name
 * wins over either, as in kafel. {@code ,} between conditions means {@code ||}. Comments: {@code
 * //}, {@code /* ... *}{@code /} and lines starting with {@code #} other than {@code #define} and
 * {@code #include}.
 *
 * <p>{@code #include} reads each file relative to the directory of the file that names it, as if
 * its text stood there; it needs a policy read from a file ({@link SeccompPolicy#parse(Path)}).
 * A file that includes itself directly or through others is refused with the chain.
 *
 * <p>Hostile input is refused quickly with a {@link SeccompParseException}, never a stack overflow,
 * exhausted heap or minutes of work: the text and every file it includes total at most {@link
 * #MAX_INPUT_CHARS}, at most {@link #MAX_INCLUDES} files are included, nested at most {@link
 * #MAX_INCLUDE_DEPTH} deep; expressions nest at most {@link #MAX_DEPTH} levels, and the rules and
 * conditions the policy expands to (conditions turned into disjunctive normal form, where {@code &&}
 * over {@code ||} multiplies) total at most {@link #MAX_EXPANDED}, checked before each product is
 * built. {@code USE} is expanded lazily and a policy already included is not included again (its
 * rules would be shadowed by their first copies anyway), so policies that use each other twice per
 * level stay linear instead of doubling per level.
 */
final class KafelParser {
    /** The longest policy text accepted, in characters (1 MiB), counting every included file. */
    static final int MAX_INPUT_CHARS = 1 << 20;
    /** The deepest nesting of parentheses and {@code !} in a condition. */
    static final int MAX_DEPTH = 200;
    /**
     * The most rules plus conditions the whole text may expand to (each rule of the disjunctive normal
     * form counts its conditions, or 1 without any). A program that large could never be loaded (the
     * kernel takes 4096 BPF instructions), so the cap only refuses, early, what would fail later.
     */
    static final int MAX_EXPANDED = 1 << 16;
    /** How deep {@code #include}s may nest (kafel's limit). */
    static final int MAX_INCLUDE_DEPTH = 16;
    /** How many files one policy may include in all, counting a file each time it is included. */
    static final int MAX_INCLUDES = 256;
    /** kafel's keywords: none may name a policy. */
    private static final Set<String> KEYWORDS = Set.of("POLICY", "USE", "DEFAULT", "ALLOW", "KILL", "KILL_PROCESS",
            "KILL_THREAD", "DENY", "LOG", "TRAP", "USER_NOTIF", "ERRNO", "TRACE", "SYSCALL", "ON", "define");

    /**
     * The most arguments and constants one side of a comparison may combine with {@code &} and
     * {@code |} after folding constants: more than kafel's samples use, and few enough that a
     * comparison never needs more than 5 of BPF's 16 scratch words (kafel refuses what would need
     * more than 16 in its code, such as its test's chain of 30).
     */
    static final int MAX_OPERANDS = 16;

    /** Names (system calls, arguments, constants, policies) longer than this are refused. */
    static final int MAX_NAME = 128;

    /** A condition that always holds (one alternative without conditions) ... */
    private static final List<List<ArgCondition>> TRUE = List.of(List.of());

    private final Map<String, Long> defines;
    private final Map<String, List<Item>> policies = new LinkedHashMap<>();
    /** Rules plus conditions produced so far, against {@link #MAX_EXPANDED}. */
    private long expanded;
    /** Current nesting of parentheses and '!' in a condition. */
    private int depth;
    /** Operands written so far on the side of a comparison being parsed, against {@link #MAX_DEPTH}. */
    private int written;
    /** The arguments the rule being parsed may name. */
    private Args args = Args.NONE;

    /** What a policy body holds: a system call entry, or a reference to another policy. */
    private sealed interface Item permits Entry, Use {}

    /** One syscall entry: its rules in DNF (each inner list is an AND of conditions). */
    private record Entry(String syscall, SeccompAction action, List<List<ArgCondition>> dnf, @Nullable Set<Arch> on)
            implements Item {}

    /** {@code USE name}, expanded only when the policy is finally used. */
    private record Use(String name) implements Item {}

    private record Tok(String text, int line, int col, Source src) {}

    /**
     * The argument names a rule's conditions may use: declared ones, or the kernel's; {@code
     * ambiguous} holds kernel names whose position differs between architectures, with the reason.
     */
    private record Args(Map<String, Integer> index, Map<String, String> ambiguous, String what) {
        static final Args NONE = new Args(Map.of(), Map.of(), "this rule");

        boolean has(String name) {
            return index.containsKey(name) || ambiguous.containsKey(name);
        }
    }

    /** One text being read: the policy, or a file it includes. */
    private static final class Source {
        final String text;
        /** The file, as its includer named it (resolved); null for a policy given as a string. */
        final @Nullable Path file;
        /** The file's real path, for cycle detection; null for a string. */
        final @Nullable Path real;
        final @Nullable Source includer;
        /** The line of the {@code #include} in the includer. */
        final int includedAt;
        int pos;
        int line = 1;
        int col = 1;

        Source(String text, @Nullable Path file, @Nullable Path real, @Nullable Source includer, int includedAt) {
            this.text = text;
            this.file = file;
            this.real = real;
            this.includer = includer;
            this.includedAt = includedAt;
        }

        @Nullable String label() {
            return file == null ? null : file.toString();
        }

        int depth() {
            int d = 0;
            for (Source s = includer; s != null; s = s.includer) {
                d++;
            }
            return d;
        }

        /** {@code a.policy -> b.policy}: the files from the outermost down to this one. */
        String chain() {
            String me = file == null ? "the policy text" : file.toString();
            return includer == null ? me : includer.chain() + " -> " + me;
        }
    }

    /**
     * A condition in disjunctive normal form while it is built: alternatives (mutable, each owned by
     * this object alone) and their total size, kept so that limits are checked before work is done.
     * No alternative is false; one empty alternative is true.
     */
    private static final class Dnf {
        final List<List<ArgCondition>> alts;
        long size;
        /**
         * A bit expression not (yet) compared, such as {@code (count | 2)}: it may still turn out to
         * be the left operand of {@code (count | 2) & fd == 2}; see {@link #resolve}.
         */
        ArgCondition.@Nullable Expr bare;
        @Nullable Tok bareAt;

        Dnf(List<List<ArgCondition>> alts, long size) {
            this.alts = alts;
            this.size = size;
        }

        static Dnf bare(ArgCondition.Expr e, Tok at) {
            Dnf d = new Dnf(new ArrayList<>(), 1);
            d.bare = e;
            d.bareAt = at;
            return d;
        }

        static Dnf of(ArgCondition c) {
            List<List<ArgCondition>> alts = new ArrayList<>(1);
            List<ArgCondition> conj = new ArrayList<>(1);
            conj.add(c);
            alts.add(conj);
            return new Dnf(alts, 1);
        }

        static Dnf constant(boolean value) {
            List<List<ArgCondition>> alts = new ArrayList<>(1);
            if (value) {
                alts.add(new ArrayList<>());
            }
            return new Dnf(alts, value ? 1 : 0);
        }
    }

    // ---------------------------------------------------------------- lexer state

    /** The text being lexed. */
    private Source src;
    /** Texts to go back to when {@link #src} ends: the rest of an includer, further files of one #include. */
    private final Deque<Source> pending = new ArrayDeque<>();
    /** Characters read so far, all files together, against {@link #MAX_INPUT_CHARS}. */
    private long totalChars;
    private int includes;
    /** Tokens lexed but not yet consumed (at most three: see {@link #isMaskParen()}). */
    private final List<Tok> ahead = new ArrayList<>(4);

    KafelParser(String text) {
        this(text, null, null);
    }

    /**
     * A parser of {@code text}, the content of {@code file} (null for a string), whose includes are
     * resolved against the file's directory.
     */
    KafelParser(String text, @Nullable Path file, @Nullable Path real) {
        this.defines = new HashMap<>();
        this.src = new Source(text, file, real, null, 0);
        this.totalChars = text.length();
    }

    /** A parser of a #define's value, sharing the definitions (not copied, so many lines stay linear). */
    private KafelParser(String text, Map<String, Long> defines) {
        this.defines = defines;
        this.src = new Source(text, null, null, null, 0);
        this.totalChars = text.length();
    }

    /** Parses the policy in {@code file}, resolving its includes against the file's directory. */
    static SeccompPolicy parse(Path file) {
        String text;
        Path real;
        try {
            real = file.toRealPath();
            text = TextFiles.readUtf8(real, MAX_INPUT_CHARS);
        } catch (TextFiles.TooLargeException e) {
            throw new SeccompParseException("the policy is larger than " + MAX_INPUT_CHARS + " bytes (1 MiB), the limit",
                    file.toString(), 1, 1);
        } catch (CharacterCodingException e) {
            throw new SeccompParseException("the policy is not UTF-8 text", file.toString(), 1, 1);
        } catch (IOException e) {
            throw new SeccompParseException("cannot read the policy: " + describe(e), file.toString(), 1, 1);
        }
        return new KafelParser(text, file, real).parse();
    }

    private static String describe(IOException e) {
        return e instanceof NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
    }

    SeccompPolicy parse() {
        if (src.text.length() > MAX_INPUT_CHARS) {
            throw new SeccompParseException("the policy is " + src.text.length() + " characters long; at most "
                    + MAX_INPUT_CHARS + " (1 MiB) are accepted", src.label(), 1, 1);
        }
        List<Item> top = new ArrayList<>();
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
                top.add(use());
                // sandbox4j also reads "USE a, b" (kafel: "USE a, USE b")
                while (peekIs(",") && la(1) != null && isIdent(la(1).text()) && !KEYWORDS.contains(la(1).text())) {
                    next();
                    top.add(use());
                }
                accept(",");
            } else if (w.equals("DEFAULT")) {
                next();
                if (dflt != null) {
                    throw error(t, "DEFAULT given twice");
                }
                dflt = action();
            } else {
                block(top);
                accept(",");
            }
        }
        if (dflt == null) {
            dflt = SeccompAction.KILL_PROCESS; // kafel's default when a policy names none
        }
        // A rule equal to an earlier one can never decide (the first copy matches first): drop it.
        Set<SeccompPolicy.Rule> rules = new LinkedHashSet<>();
        for (Entry e : expand(top)) {
            Set<Arch> on = e.on();
            if (on != null && on.isEmpty()) {
                continue; // ON names only architectures sandbox4j does not compile for
            }
            for (List<ArgCondition> conj : e.dnf()) {
                rules.add(on == null ? new SeccompPolicy.Rule(e.syscall(), e.action(), conj)
                        : new SeccompPolicy.Rule(e.syscall(), e.action(), conj, on));
            }
        }
        SeccompPolicy.Builder b = SeccompPolicy.builder(dflt);
        for (SeccompPolicy.Rule r : rules) {
            b.rule(r);
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
            case "TRAP": {
                if (accept("(")) { // kafel's TRAP(n) hands n to the SIGSYS handler; only 0 is supported here
                    Tok vt = peek();
                    long v = value();
                    expect(")");
                    if (v != 0) {
                        throw error(vt, "TRAP(n) with n other than 0 is not supported; write TRAP");
                    }
                }
                return SeccompAction.TRAP;
            }
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
        boolean numbered = true;
        if (name.text().equals("SYSCALL")) {
            expect("[");
            Tok vt = peek();
            long nr = value();
            expect("]");
            syscall = syscallNumber(vt == null ? name : vt, nr);
        } else {
            if (!isIdent(name.text()) || KEYWORDS.contains(name.text())) {
                throw error(name, "expected a system call name, found " + quote(name.text()));
            }
            checkLength(name);
            Long defined = defines.get(name.text());
            if (defined != null) { // kafel: a #define'd number names the system call of that number
                syscall = syscallNumber(name, defined);
            } else {
                numbered = false;
                syscall = null;
            }
        }
        Set<Arch> on = archGuard();
        if (syscall == null) {
            if (on != null && on.isEmpty()) {
                syscall = name.text(); // only for architectures sandbox4j never compiles for: unchecked
            } else {
                try {
                    syscall = SeccompPolicy.syscallKey(name.text());
                } catch (IllegalArgumentException e) {
                    throw error(name, e.getMessage());
                }
                for (Arch a : on == null ? Set.<Arch>of() : on) {
                    if (SyscallTable.of(a).number(syscall).isEmpty()) {
                        throw error(name, quote(name.text()) + " is not a system call on " + a.name().toLowerCase(Locale.ROOT));
                    }
                }
            }
        }
        Args declared = null;
        if (accept("(")) {
            Map<String, Integer> names = new LinkedHashMap<>();
            if (!peekIs(")")) {
                do {
                    Tok a = ident("argument name");
                    if (names.size() == 6) {
                        throw error(a, "a system call has at most 6 arguments");
                    }
                    if (names.containsKey(a.text())) {
                        throw error(a, "argument name " + quote(a.text()) + " declared twice");
                    }
                    names.put(a.text(), names.size());
                } while (accept(","));
            }
            expect(")");
            declared = new Args(names, Map.of(), name.text() + "(" + String.join(", ", names.keySet()) + ")");
        }
        List<List<ArgCondition>> dnf = TRUE;
        if (accept("{")) {
            if (!peekIs("}")) {
                args = declared != null ? declared : kernelArgs(syscall, numbered ? name.text() : null);
                dnf = simplify(resolve(bool()));
                args = Args.NONE;
            }
            expect("}");
        }
        long size = 0;
        for (List<ArgCondition> conj : dnf) {
            size += Math.max(1, conj.size());
        }
        charge(name, size);
        return new Entry(syscall, action, dnf, on);
    }

    /** kafel's architecture names, aliases to one name each. */
    private static final Map<String, String> KAFEL_ARCHES = Map.ofEntries(Map.entry("arm", "arm"),
            Map.entry("aarch64", "aarch64"), Map.entry("arm64", "aarch64"), Map.entry("x86_64", "x86_64"),
            Map.entry("amd64", "x86_64"), Map.entry("x86", "x86"), Map.entry("i386", "x86"), Map.entry("mips", "mips"),
            Map.entry("mipso32", "mips"), Map.entry("mips64", "mips64"), Map.entry("riscv64", "riscv64"),
            Map.entry("rv64", "riscv64"), Map.entry("m68k", "m68k"));

    /**
     * {@code ON arch} or {@code ON { a, b }} after a call: null without a guard, else the
     * architectures sandbox4j compiles for among those named (empty when it names only others).
     */
    private @Nullable Set<Arch> archGuard() {
        if (!accept("ON")) {
            return null;
        }
        boolean list = accept("{");
        Set<String> seen = new HashSet<>();
        Set<Arch> ours = EnumSet.noneOf(Arch.class);
        do {
            Tok t = ident("an architecture");
            String arch = KAFEL_ARCHES.get(t.text());
            if (arch == null) {
                throw error(t, "unknown architecture " + quote(t.text()) + " (kafel's: " + String.join(", ",
                        new java.util.TreeSet<>(KAFEL_ARCHES.keySet())) + ")");
            }
            if (!seen.add(arch)) {
                throw error(t, "architecture " + quote(t.text()) + " given twice");
            }
            for (Arch a : Arch.values()) {
                if (a.name().toLowerCase(Locale.ROOT).equals(arch)) {
                    ours.add(a);
                }
            }
        } while (list && accept(","));
        if (list) {
            expect("}");
        }
        return ours;
    }

    private String syscallNumber(Tok at, long nr) {
        if (nr == -1 || nr == 0xffffffffL) { // what a tracer's skipped call shows, as in kafel
            return SeccompPolicy.SKIPPED_CALL;
        }
        if (nr < 0 || nr >= SeccompPolicy.X32_SYSCALL_BIT) {
            throw error(at, "system call number out of range (0.." + (SeccompPolicy.X32_SYSCALL_BIT - 1) + ", or -1)");
        }
        return Long.toString(nr);
    }

    /**
     * The kernel's argument names of {@code syscall}; {@code numbered} is the spelling of a call
     * given by number ({@code SYSCALL[n]} or a #define), whose arguments have no names.
     */
    private static Args kernelArgs(String syscall, @Nullable String numbered) {
        if (numbered != null) {
            return new Args(Map.of(), Map.of(), numbered + " (a call given by number has no known argument"
                    + " names: declare them, as in SYSCALL[n](a, b) { a == 1 })");
        }
        SyscallArgNames.Resolved r = SyscallArgNames.resolve(syscall);
        if (r == null) {
            return new Args(Map.of(), Map.of(), syscall + " (its argument names are not known here: declare them,"
                    + " as in " + syscall + "(a, b) { a == 1 })");
        }
        return new Args(r.index(), r.ambiguous(), r.signature());
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
    private Dnf or() {
        Dnf r = and();
        Tok op;
        while ((op = acceptTok("||")) != null) {
            r = resolve(r);
            Dnf rhs = resolve(and());
            check(op, r.size + rhs.size);
            r.alts.addAll(rhs.alts);
            r.size += rhs.size;
        }
        return r;
    }

    private Dnf and() {
        Dnf r = unary();
        Tok op;
        while ((op = acceptTok("&&")) != null) {
            r = resolve(r);
            Dnf rhs = resolve(unary());
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

    /** {@code expr (',' expr)*}: kafel's comma between conditions is an OR. */
    private Dnf bool() {
        Dnf r = or();
        Tok op;
        while ((op = acceptTok(",")) != null) {
            r = resolve(r);
            Dnf rhs = resolve(or());
            check(op, r.size + rhs.size);
            r.alts.addAll(rhs.alts);
            r.size += rhs.size;
        }
        return r;
    }

    private Dnf unary() {
        Tok t = peek();
        if (t == null) {
            throw error(eofTok(), "expected a condition");
        }
        boolean not = t.text().equals("!");
        if (!not && !t.text().equals("(")) {
            return comparison(null, t);
        }
        if (++depth > MAX_DEPTH) {
            throw error(t, "conditions nest deeper than " + MAX_DEPTH + " levels of parentheses and '!'");
        }
        next();
        Dnf r;
        if (not) {
            r = negate(t, resolve(unary()));
        } else {
            r = bool();
            expect(")");
        }
        depth--;
        Tok after = peek();
        ArgCondition.Expr bare = r.bare;
        if (bare != null && after != null && (after.text().equals("&") || after.text().equals("|")
                || isCmp(after.text()))) { // (count | 2) & ...: the parentheses held an operand
            return comparison(bare, t);
        }
        return r;
    }

    /**
     * A bit expression standing alone as a condition: {@code arg & mask} (some bit set, sandbox4j's
     * own; kafel requires a comparison) is {@code (arg & mask) != 0}; anything else is an error.
     */
    private Dnf resolve(Dnf d) {
        ArgCondition.Expr e = d.bare;
        if (e == null) {
            return d;
        }
        Tok at = Objects.requireNonNull(d.bareAt);
        if (!(e instanceof ArgCondition.Expr.And)) {
            throw error(at, "expected a comparison (== != < <= > >=) after " + quote(e.toString()));
        }
        return condition(at, e, "!=", new ArgCondition.Expr.Const(0));
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

    /** Whether {@code t} names an argument of the rule (a #define of the name wins, as in kafel). */
    private boolean isArg(@Nullable Tok t) {
        return t != null && args.has(t.text()) && !defines.containsKey(t.text());
    }

    /**
     * {@code e1 op e2}, each side built from arguments and constants with {@code &} (binding tighter)
     * and {@code |}, as in kafel; {@code first} is a leading operand already read in parentheses.
     */
    private Dnf comparison(ArgCondition.@Nullable Expr first, Tok start) {
        written = 0;
        ArgCondition.Expr l = bitOr(first, start);
        Tok opTok = peek();
        if (opTok == null || !isCmp(opTok.text())) {
            return Dnf.bare(l, start);
        }
        next();
        written = 0;
        ArgCondition.Expr r = bitOr(null, opTok);
        return condition(opTok, l, opTok.text(), r);
    }

    /**
     * The condition {@code l op r}: decided now when no argument is read, the one-argument form where
     * it fits ({@code fd == 1}, {@code (flags & 3) != 0}), else the two-sided form.
     */
    private Dnf condition(Tok at, ArgCondition.Expr l, String op, ArgCondition.Expr r) {
        if (l instanceof ArgCondition.Expr.Const a && r instanceof ArgCondition.Expr.Const b) {
            return Dnf.constant(holds(op, a.value(), b.value())); // kafel decides it at compile time
        }
        if (l instanceof ArgCondition.Expr.Const) { // value OP e  ==  e OP' value
            ArgCondition.Expr t = l;
            l = r;
            r = t;
            op = switch (op) {
                case "<" -> ">";
                case "<=" -> ">=";
                case ">" -> "<";
                case ">=" -> "<=";
                default -> op;
            };
        }
        ArgCondition.Op o = switch (op) {
            case "==" -> ArgCondition.Op.EQ;
            case "!=" -> ArgCondition.Op.NE;
            case "<" -> ArgCondition.Op.LT;
            case "<=" -> ArgCondition.Op.LE;
            case ">" -> ArgCondition.Op.GT;
            default -> ArgCondition.Op.GE;
        };
        if (r instanceof ArgCondition.Expr.Const k) {
            long v = k.value();
            if (l instanceof ArgCondition.Expr.Arg a) {
                return Dnf.of(new ArgCondition(a.index(), o, v, -1L));
            }
            if (l instanceof ArgCondition.Expr.And m && m.left() instanceof ArgCondition.Expr.Arg a
                    && m.right() instanceof ArgCondition.Expr.Const c
                    && (o == ArgCondition.Op.EQ || o == ArgCondition.Op.NE)) {
                boolean eq = o == ArgCondition.Op.EQ;
                if ((v & ~c.value()) != 0) { // bits the mask clears can never be set: kafel decides as the constant
                    return Dnf.constant(!eq);
                }
                return Dnf.of(eq ? ArgCondition.maskedEq(a.index(), c.value(), v)
                        : ArgCondition.maskedNe(a.index(), c.value(), v));
            }
        }
        return Dnf.of(ArgCondition.compare(l, o, r));
    }

    /** {@code a | b | ...}. */
    private ArgCondition.Expr bitOr(ArgCondition.@Nullable Expr first, Tok start) {
        ArgCondition.Expr e = bitAnd(first, start);
        while (accept("|")) {
            e = combine(start, false, e, bitAnd(null, start));
        }
        return e;
    }

    /** {@code a & b & ...}. */
    private ArgCondition.Expr bitAnd(ArgCondition.@Nullable Expr first, Tok start) {
        ArgCondition.Expr e = first != null ? first : operand();
        while (accept("&")) {
            e = combine(start, true, e, operand());
        }
        return e;
    }

    /** An argument, a constant, or a parenthesized bit expression. */
    private ArgCondition.Expr operand() {
        Tok t = peek();
        if (t != null && t.text().equals("(")) {
            if (++depth > MAX_DEPTH) {
                throw error(t, "conditions nest deeper than " + MAX_DEPTH + " levels of parentheses and '!'");
            }
            next();
            ArgCondition.Expr e = bitOr(null, t);
            expect(")");
            depth--;
            return e;
        }
        if (++written > MAX_DEPTH) { // kafel's limit on the depth of an expression
            throw error(t == null ? eofTok() : t, "one side of a comparison has more than " + MAX_DEPTH + " operands");
        }
        if (t != null && isArg(t)) {
            next();
            return new ArgCondition.Expr.Arg(argIndex(t));
        }
        return new ArgCondition.Expr.Const(atom());
    }

    /**
     * {@code a & b} or {@code a | b}, constants folded ({@code 1|2|4} is one constant, {@code fd | 1 |
     * 2} is {@code fd | 3}); at most {@link #MAX_OPERANDS} arguments and constants remain.
     */
    private ArgCondition.Expr combine(Tok at, boolean and, ArgCondition.Expr a, ArgCondition.Expr b) {
        if (a instanceof ArgCondition.Expr.Const) {
            ArgCondition.Expr t = a;
            a = b;
            b = t;
        }
        if (b instanceof ArgCondition.Expr.Const y) {
            if (a instanceof ArgCondition.Expr.Const x) {
                return new ArgCondition.Expr.Const(and ? x.value() & y.value() : x.value() | y.value());
            }
            if (and && a instanceof ArgCondition.Expr.And p && p.right() instanceof ArgCondition.Expr.Const x) {
                return new ArgCondition.Expr.And(p.left(), new ArgCondition.Expr.Const(x.value() & y.value()));
            }
            if (!and && a instanceof ArgCondition.Expr.Or p && p.right() instanceof ArgCondition.Expr.Const x) {
                return new ArgCondition.Expr.Or(p.left(), new ArgCondition.Expr.Const(x.value() | y.value()));
            }
        }
        if (a.leaves() + b.leaves() > MAX_OPERANDS) {
            throw error(at, "one side of a comparison has more than " + MAX_OPERANDS + " arguments and constants");
        }
        return and ? new ArgCondition.Expr.And(a, b) : new ArgCondition.Expr.Or(a, b);
    }

    private String operator() {
        Tok o = next();
        String op = o == null ? "" : o.text();
        if (!isCmp(op)) {
            throw error(o == null ? eofTok() : o, "expected a comparison operator");
        }
        return op;
    }

    /** {@code a op b} on unsigned 64-bit values, as kafel compares. */
    private static boolean holds(String op, long a, long b) {
        int c = Long.compareUnsigned(a, b);
        return switch (op) {
            case "==" -> c == 0;
            case "!=" -> c != 0;
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
        };
    }

    private static boolean isCmp(String op) {
        return op.equals("==") || op.equals("!=") || op.equals("<") || op.equals("<=")
                || op.equals(">") || op.equals(">=");
    }

    private int argIndex(Tok a) {
        String why = args.ambiguous().get(a.text());
        if (why != null) {
            throw error(a, why);
        }
        Integer idx = args.index().get(a.text());
        if (idx == null) {
            throw error(a, quote(a.text()) + " is not an argument of " + args.what());
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
        } else if (args.has(s)) {
            throw error(t, "argument " + quote(s) + " cannot stand here");
        } else if (args != Args.NONE && isIdent(s)) {
            throw error(t, quote(s) + " is neither an argument of " + args.what() + " nor a #define'd constant");
        } else {
            throw error(t, "unknown constant " + quote(s) + " (define it with #define)");
        }
        return neg ? -v : v;
    }

    // ---------------------------------------------------------------- tokens

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
    private @Nullable Tok acceptTok(String s) {
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

    private @Nullable Tok peek() {
        return la(0);
    }

    /** The token {@code k} places ahead, not consumed; null past the end. */
    private @Nullable Tok la(int k) {
        while (ahead.size() <= k) {
            Tok t = lex();
            if (t == null) {
                return null;
            }
            ahead.add(t);
        }
        return ahead.get(k);
    }

    private @Nullable Tok next() {
        return ahead.isEmpty() ? lex() : ahead.remove(0);
    }

    /** Where the text ended (only called once the lexer has reached it). */
    private Tok eofTok() {
        return new Tok("", src.line, src.col, src);
    }

    SeccompParseException error(Tok t, String msg) {
        return error(t.src(), t.line(), t.col(), msg);
    }

    /** A problem at {@code line}/{@code col} of {@code in}, naming the includes that led there. */
    private static SeccompParseException error(Source in, int line, int col, String msg) {
        StringBuilder via = new StringBuilder();
        for (Source s = in; s.includer != null; s = s.includer) {
            String by = s.includer.label();
            via.append(via.length() == 0 ? " (included from " : ", from ")
                    .append(by == null ? "the policy text" : by).append(" line ").append(s.includedAt);
        }
        if (via.length() > 0) {
            via.append(')');
        }
        return new SeccompParseException(msg + via, in.label(), line, col);
    }

    private SeccompParseException error(int line, int col, String msg) {
        return error(src, line, col, msg);
    }

    // ---------------------------------------------------------------- lexer

    private void advance() {
        if (src.text.charAt(src.pos) == '\n') {
            src.line++;
            src.col = 1;
        } else {
            src.col++;
        }
        src.pos++;
    }

    private boolean atEnd() {
        return src.pos >= src.text.length();
    }

    private char ch() {
        return src.text.charAt(src.pos);
    }

    /** Whether only blanks precede the current position on its line. */
    private boolean atLineStart() {
        for (int i = src.pos - 1; i >= 0 && src.text.charAt(i) != '\n'; i--) {
            if (!Character.isWhitespace(src.text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private @Nullable Tok lex() {
        while (true) {
            while (!atEnd()) {
                char ch = ch();
                String text = src.text;
                if (Character.isWhitespace(ch)) {
                    advance();
                } else if (text.startsWith("//", src.pos)) {
                    while (!atEnd() && ch() != '\n') {
                        advance();
                    }
                } else if (text.startsWith("/*", src.pos)) {
                    int l = src.line;
                    int c = src.col;
                    while (!atEnd() && !text.startsWith("*/", src.pos)) {
                        advance();
                    }
                    if (atEnd()) {
                        throw error(l, c, "unterminated comment");
                    }
                    advance();
                    advance();
                } else if (text.startsWith("#include", src.pos)) {
                    include();
                } else if (ch == '#' && atLineStart()) {
                    directive();
                } else {
                    break;
                }
            }
            if (!atEnd()) {
                break;
            }
            if (pending.isEmpty()) {
                return null;
            }
            src = pending.pop();
        }
        int l = src.line;
        int c = src.col;
        int start = src.pos;
        char ch = ch();
        if (Character.isLetterOrDigit(ch) || ch == '_') {
            while (!atEnd() && (Character.isLetterOrDigit(ch()) || ch() == '_')) {
                advance();
            }
        } else {
            String[] ops = {"&&", "||", "==", "!=", "<=", ">="};
            boolean two = false;
            for (String op : ops) {
                if (src.text.startsWith(op, src.pos)) {
                    two = true;
                }
            }
            advance();
            if (two) {
                advance();
            } else if ("{}(),[]!<>&|-".indexOf(ch) < 0) {
                throw error(l, c, "unexpected character '" + ch + "'");
            }
        }
        return new Tok(src.text.substring(start, src.pos), l, c, src);
    }

    private void directive() {
        int l = src.line;
        int c = src.col;
        int end = src.text.indexOf('\n', src.pos);
        if (end < 0) {
            end = src.text.length();
        }
        String text = src.text.substring(src.pos, end).trim();
        if (text.matches("#\\s+define\\b.*")) { // kafel's lexer reads '#' and 'define' as two tokens
            text = "#define" + text.substring(text.indexOf("define") + "define".length());
        }
        String[] f = text.split("\\s+");
        if (f[0].equals("#define")) {
            if (f.length != 3 || !isIdent(f[1])) {
                throw error(l, c, "expected '#define NAME value'");
            }
            if (f[1].length() > MAX_NAME) {
                throw error(l, c, "a name of " + f[1].length() + " characters; at most " + MAX_NAME + " are accepted");
            }
            // The value may name earlier constants: the sub-parser reads this parser's table.
            KafelParser sub = new KafelParser(f[2], defines);
            long v;
            try {
                v = sub.value();
                if (sub.peek() != null) {
                    throw sub.error(sub.peek(), "unexpected");
                }
            } catch (SeccompParseException e) {
                throw error(l, c, "bad #define value " + quote(f[2]));
            }
            Long old = defines.putIfAbsent(f[1], v);
            if (old != null && old != v) { // kafel accepts the same value again
                throw error(l, c, quote(f[1]) + " is already defined (as " + old + ")");
            }
        }
        while (src.pos < end) {
            advance();
        }
    }

    /**
     * {@code #include "a" "b"}, ended by a newline or ';' as in kafel (a space before each name, and
     * an ending even on the last line): the files' texts are read in order before the rest of this one.
     */
    private void include() {
        int l = src.line;
        int c = src.col;
        for (int i = 0; i < "#include".length(); i++) {
            advance();
        }
        List<Source> files = new ArrayList<>();
        while (true) {
            boolean blank = false;
            while (!atEnd() && (ch() == ' ' || ch() == '\t')) {
                advance();
                blank = true;
            }
            if (atEnd()) {
                throw error(l, c, "unterminated #include: end it with a newline or ';'");
            }
            if (ch() == ';' || ch() == '\n') {
                advance();
                break;
            }
            if (ch() != '"') {
                throw error(src.line, src.col, "expected a file name in double quotes after #include, found '"
                        + ch() + "'");
            }
            if (!blank) {
                throw error(src.line, src.col, "put a space before each #include file name");
            }
            int nl = src.line;
            int nc = src.col;
            advance();
            int start = src.pos;
            while (!atEnd() && ch() != '"' && ch() != '\n') {
                advance();
            }
            if (atEnd() || ch() == '\n') {
                throw error(nl, nc, "unterminated file name");
            }
            String name = src.text.substring(start, src.pos);
            advance();
            if (name.isEmpty()) {
                throw error(nl, nc, "empty file name");
            }
            files.add(open(name, l, nl, nc));
        }
        if (files.isEmpty()) {
            throw error(l, c, "#include names no file");
        }
        pending.push(src);
        for (int i = files.size() - 1; i > 0; i--) {
            pending.push(files.get(i));
        }
        src = files.get(0);
    }

    /** Reads the file {@code name} that the current text includes at line {@code at}. */
    private Source open(String name, int at, int l, int c) {
        if (src.file == null) {
            throw error(l, c, "#include \"" + name + "\" needs the directory of the including file: parse the"
                    + " policy from its file (SeccompPolicy.parse(Path)), or inline the included text");
        }
        if (++includes > MAX_INCLUDES) {
            throw error(l, c, "more than " + MAX_INCLUDES + " files included");
        }
        Path named = src.file.resolveSibling(name);
        Path file = named.normalize();
        if (src.depth() + 1 > MAX_INCLUDE_DEPTH) {
            throw error(l, c, "#include nests deeper than " + MAX_INCLUDE_DEPTH + " files (" + file + " here)");
        }
        Path real;
        try {
            real = named.toRealPath();
        } catch (IOException e) {
            throw error(l, c, "cannot include " + quote(name) + ": " + file + ": " + describe(e));
        }
        for (Source s = src; s != null; s = s.includer) {
            if (real.equals(s.real)) {
                throw error(l, c, "#include cycle: " + src.chain() + " -> " + file);
            }
        }
        if (!Files.isRegularFile(real)) {
            throw error(l, c, "cannot include " + quote(name) + ": " + file + " is not a regular file");
        }
        String text;
        try {
            text = TextFiles.readUtf8(real, (int) (MAX_INPUT_CHARS - totalChars));
        } catch (TextFiles.TooLargeException e) {
            throw error(l, c, "the policy and the files it includes are larger than " + MAX_INPUT_CHARS
                    + " characters (1 MiB), the limit");
        } catch (CharacterCodingException e) {
            throw error(l, c, "cannot include " + quote(name) + ": " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw error(l, c, "cannot include " + quote(name) + ": " + file + ": " + describe(e));
        }
        totalChars += text.length();
        if (totalChars > MAX_INPUT_CHARS) {
            throw error(l, c, "the policy and the files it includes are larger than " + MAX_INPUT_CHARS
                    + " characters (1 MiB), the limit");
        }
        return new Source(text, file, real, src, at);
    }
}
