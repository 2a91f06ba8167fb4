package org.sandbox4j.runtime;

import java.util.List;
import org.sandbox4j.seccomp.ArgCondition;
import org.sandbox4j.seccomp.SeccompAction;
import org.sandbox4j.seccomp.SeccompPolicy;

/**
 * Writes a {@link SeccompPolicy} as kafel text (nsjail's {@code seccomp_string}) that {@link
 * org.sandbox4j.seccomp.KafelParser} reads back into an equal policy: one action block per rule, in
 * the policy's order, so first-match order is kept.
 */
final class Kafel {
    private Kafel() {}

    static String write(SeccompPolicy p) {
        StringBuilder b = new StringBuilder("POLICY sandbox4j {\n");
        List<SeccompPolicy.Rule> rules = p.rules();
        for (int i = 0; i < rules.size(); i++) {
            SeccompPolicy.Rule r = rules.get(i);
            b.append("  ").append(action(r.action())).append(" { ").append(r.syscall());
            if (!r.conditions().isEmpty()) {
                b.append("(a0, a1, a2, a3, a4, a5) { ");
                for (int j = 0; j < r.conditions().size(); j++) {
                    b.append(j == 0 ? "" : " && ").append(condition(r.conditions().get(j)));
                }
                b.append(" }");
            }
            b.append(" }").append(i + 1 < rules.size() ? "," : "").append('\n');
        }
        return b.append("}\nUSE sandbox4j DEFAULT ").append(action(p.defaultAction())).append('\n').toString();
    }

    private static String condition(ArgCondition c) {
        String a = "a" + c.index();
        String v = "0x" + Long.toHexString(c.value());
        return switch (c.op()) {
            case MASKED_EQ -> "(" + a + " & 0x" + Long.toHexString(c.mask()) + ") == " + v;
            case MASKED_NE -> "(" + a + " & 0x" + Long.toHexString(c.mask()) + ") != " + v;
            default -> a + " " + c.op().symbol() + " " + v;
        };
    }

    private static String action(SeccompAction a) {
        String s = a.toString();
        if (s.equals("KILL_PROCESS") || s.equals("KILL_THREAD") || s.equals("ALLOW") || s.equals("LOG")
                || s.equals("TRAP") || s.equals("USER_NOTIF") || s.startsWith("ERRNO(") || s.startsWith("TRACE(")) {
            return s;
        }
        throw new IllegalArgumentException("no kafel spelling for the seccomp action " + s);
    }
}
