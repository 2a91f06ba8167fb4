package org.sandbox4j.internal;

/** Which {@link NativeCalls} this JVM uses, chosen on first use. */
final class NativeChoice {
    private NativeChoice() {}

    /**
     * Set to {@code jna} to keep JNA on JDK 22+ (a comparison or a workaround; the default is FFM
     * whenever the jar holds it).
     */
    static final String PROPERTY = "sandbox4j.native";

    static final NativeCalls INSTANCE = choose();

    private static NativeCalls choose() {
        if (Runtime.version().feature() >= 22 && !"jna".equals(System.getProperty(PROPERTY))) {
            try {
                // Only in META-INF/versions/22 of the jar (and on the test class path on JDK 22+).
                return (NativeCalls) Class.forName("org.sandbox4j.internal.FfmCalls").getDeclaredConstructor().newInstance();
            } catch (ClassNotFoundException e) {
                // a jar built without a JDK 22+ compiler: JNA
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new IllegalStateException("cannot start the FFM native calls: " + e, e);
            }
        }
        return new JnaCalls();
    }
}
