package org.sandbox4j.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.sandbox4j.Namespace;
import org.sandbox4j.SetupStep;

/**
 * The Java side of the wire agrees with sandbox-native/src/wire.h, the one place its numbers are
 * defined: {@link Wire} has exactly wire.h's names and values, {@link Namespace#cloneFlag()} its
 * NS_* and {@link SetupStep} its WIRE_STEPS. A change to the wire starts in wire.h; this test
 * then names what Java lacks.
 */
class WireHeaderTest {
    static final Path WIRE_H = Path.of(System.getProperty("sandbox4j.test.wireh", "../sandbox-native/src/wire.h"));
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+(\\w+)\\s+(0[xX][0-9A-Fa-f]+|\\d+)[uU]?\\b");
    private static final Pattern ENUM_BODY = Pattern.compile("(?s)\\benum\\s+\\w+\\s*\\{(.*?)\\}");
    private static final Pattern ENUM_ITEM = Pattern.compile("\\b([A-Z][A-Z0-9_]*)\\s*=\\s*(0[xX][0-9A-Fa-f]+|\\d+)");
    private static final Pattern STEP = Pattern.compile("\\bX\\((\\w+),\\s*\"(\\w+)\"\\)");

    static String header() throws IOException {
        return Files.readString(WIRE_H);
    }

    /** Every number wire.h defines, by name. */
    static Map<String, BigInteger> numbers(String h) {
        Map<String, BigInteger> m = new TreeMap<>();
        Matcher d = DEFINE.matcher(h);
        while (d.find()) {
            m.put(d.group(1), parse(d.group(2)));
        }
        Matcher e = ENUM_BODY.matcher(h);
        while (e.find()) {
            Matcher i = ENUM_ITEM.matcher(e.group(1));
            while (i.find()) {
                m.put(i.group(1), parse(i.group(2)));
            }
        }
        return m;
    }

    private static BigInteger parse(String v) {
        return v.startsWith("0x") || v.startsWith("0X") ? new BigInteger(v.substring(2), 16) : new BigInteger(v);
    }

    private static BigInteger unsigned(Field f) throws IllegalAccessException {
        if (f.getType() == long.class) {
            return new BigInteger(Long.toUnsignedString(f.getLong(null)));
        }
        return BigInteger.valueOf(Integer.toUnsignedLong(f.getInt(null)));
    }

    @Test
    void wireJavaHasExactlyTheHeadersNumbers() throws Exception {
        Map<String, BigInteger> c = numbers(header());
        assertTrue(c.size() > 80, "wire.h parsed to only " + c.size() + " numbers: " + c.keySet());
        Map<String, BigInteger> java = new TreeMap<>();
        for (Field f : Wire.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && Modifier.isPublic(mod)
                    && (f.getType() == int.class || f.getType() == long.class)) {
                java.put(f.getName(), unsigned(f));
            }
        }
        Map<String, String> diff = new LinkedHashMap<>();
        Set<String> names = new TreeSet<>(c.keySet());
        names.addAll(java.keySet());
        for (String n : names) {
            BigInteger a = c.get(n);
            BigInteger b = java.get(n);
            if (a == null) {
                diff.put(n, "in Wire.java only");
            } else if (b == null) {
                diff.put(n, "missing in Wire.java (wire.h: 0x" + a.toString(16) + ")");
            } else if (!a.equals(b)) {
                diff.put(n, "wire.h 0x" + a.toString(16) + ", Wire.java 0x" + b.toString(16));
            }
        }
        assertEquals(Map.of(), diff, "Wire.java differs from " + WIRE_H + "; copy the change from wire.h");
    }

    @Test
    void namespacesAreTheHeadersCloneFlags() throws Exception {
        Map<String, BigInteger> c = numbers(header());
        int all = 0;
        for (Namespace ns : Namespace.values()) {
            BigInteger v = c.get("NS_" + ns.name());
            assertEquals(v == null ? null : v.intValue(), ns.cloneFlag(), "NS_" + ns.name());
            all |= ns.cloneFlag();
        }
        assertEquals(c.get("NS_ALL").intValue(), all, "NS_ALL is every namespace");
    }

    @Test
    void setupStepsAreTheHeadersSteps() throws Exception {
        Matcher m = STEP.matcher(header());
        Set<SetupStep> seen = EnumSet.noneOf(SetupStep.class);
        while (m.find()) {
            SetupStep s = SetupStep.valueOf(m.group(1)); // throws for a step Java does not have
            assertEquals(s, SetupStep.fromWire(m.group(2)), m.group(0));
            assertTrue(seen.add(s), "twice in WIRE_STEPS: " + s);
        }
        // Java's own: the launcher could not start (LAUNCH), a step newer than the library (UNKNOWN).
        Set<SetupStep> javaOnly = EnumSet.complementOf(EnumSet.copyOf(seen));
        assertEquals(EnumSet.of(SetupStep.LAUNCH, SetupStep.UNKNOWN), javaOnly,
                "SetupStep constants the launcher never sends (add them to WIRE_STEPS in wire.h)");
    }
}
