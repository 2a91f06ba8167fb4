package org.sandbox4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API, checked against a listing in the repository (src/test/resources/api/sandbox-api.txt):
 * every public or protected type, constructor, method and field of the exported packages (all but
 * {@code org.sandbox4j.internal}), one per line. An unlisted change fails here, so that a change of the
 * API is a visible, reviewed change of that file. After a deliberate change:
 * {@code mvn -pl sandbox-api test -Dtest=ApiListingTest -Dsandbox4j.api.regenerate=true}, and say in
 * CHANGELOG.md what changed for users.
 */
class ApiListingTest {
    static final Path LISTING = Path.of(System.getProperty("sandbox4j.test.api", "src/test/resources/api/sandbox-api.txt"));

    /** The listing of the classes compiled from src/main/java. */
    static List<String> listing() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Sandbox.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        TreeSet<String> lines = new TreeSet<>();
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.walk(classes)) {
            s.filter(p -> p.toString().endsWith(".class")).forEach(p -> {
                String rel = classes.relativize(p).toString();
                names.add(rel.substring(0, rel.length() - ".class".length()).replace('/', '.'));
            });
        }
        for (String n : names) {
            // META-INF.versions.22: the multi-release FFM classes, internal ones
            if (n.endsWith("module-info") || n.endsWith("package-info") || n.startsWith("org.sandbox4j.internal.")
                    || n.startsWith("META-INF.")) {
                continue;
            }
            Class<?> c = Class.forName(n, false, ApiListingTest.class.getClassLoader());
            if (!visible(c)) {
                continue;
            }
            String type = c.getName();
            lines.add(type + " : " + kind(c) + extendsAndImplements(c));
            for (Field f : c.getDeclaredFields()) {
                if (member(f.getModifiers()) && !f.isSynthetic()) {
                    lines.add(type + " : field " + Modifier.toString(f.getModifiers()) + " " + f.getGenericType().getTypeName()
                            + " " + f.getName());
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (member(k.getModifiers()) && !k.isSynthetic() && !c.isEnum()) {
                    lines.add(type + " : " + k.toGenericString());
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (member(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                    lines.add(type + " : " + m.toGenericString());
                }
            }
        }
        return new ArrayList<>(lines);
    }

    /** A public or protected type that every enclosing type lets out. */
    private static boolean visible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (k.isAnonymousClass() || k.isLocalClass() || k.isSynthetic()
                    || !(Modifier.isPublic(k.getModifiers()) || Modifier.isProtected(k.getModifiers()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean member(int mod) {
        return Modifier.isPublic(mod) || Modifier.isProtected(mod);
    }

    private static String kind(Class<?> c) {
        int m = c.getModifiers() & (Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC | Modifier.FINAL | Modifier.ABSTRACT);
        if (c.isInterface()) {
            m &= ~(Modifier.ABSTRACT | Modifier.STATIC);
        }
        if (c.isEnum() || c.isRecord()) {
            m &= ~(Modifier.FINAL | Modifier.STATIC | Modifier.ABSTRACT);
        }
        String mods = Modifier.toString(m) + (c.isSealed() ? " sealed" : "");
        String k = c.isAnnotation() ? "@interface" : c.isInterface() ? "interface" : c.isEnum() ? "enum" : c.isRecord() ? "record" : "class";
        return mods.strip() + " " + k;
    }

    private static String extendsAndImplements(Class<?> c) {
        StringBuilder b = new StringBuilder();
        java.lang.reflect.Type sup = c.getGenericSuperclass();
        if (sup != null && sup != Object.class && !c.isEnum() && !c.isRecord()) {
            b.append(" extends ").append(sup.getTypeName());
        }
        java.lang.reflect.Type[] in = c.getGenericInterfaces();
        for (int i = 0; i < in.length; i++) {
            b.append(i == 0 ? (c.isInterface() ? " extends " : " implements ") : ", ").append(in[i].getTypeName());
        }
        return b.toString();
    }

    @Test
    void thePublicApiIsTheListedOne() throws Exception {
        List<String> now = listing();
        assertTrue(now.size() > 500, "only " + now.size() + " API lines found");
        if (Boolean.getBoolean("sandbox4j.api.regenerate")) {
            Files.createDirectories(LISTING.getParent());
            Files.write(LISTING, now, StandardCharsets.UTF_8);
        }
        List<String> listed = Files.readAllLines(LISTING, StandardCharsets.UTF_8);
        List<String> added = new ArrayList<>(now);
        added.removeAll(listed);
        List<String> removed = new ArrayList<>(listed);
        removed.removeAll(now);
        assertEquals("", (added.isEmpty() ? "" : "not in the listing:\n  " + String.join("\n  ", added) + "\n")
                + (removed.isEmpty() ? "" : "listed but gone:\n  " + String.join("\n  ", removed) + "\n"),
                "the public API changed; if deliberately, run mvn -pl sandbox-api test -Dtest=ApiListingTest"
                        + " -Dsandbox4j.api.regenerate=true and note the change in CHANGELOG.md");
    }
}
