package org.sandbox4j.internal;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A logger made on its first use. SLF4J's initialization (finding a provider on the class path and
 * starting it) costs a cold JVM tens of milliseconds; the classes on the spawn path log only when
 * something goes wrong, so a JVM that starts jails without trouble never pays it.
 */
public final class LazyLog {
    private final Class<?> owner;
    private volatile @Nullable Logger logger;

    /** A logger named after {@code owner}, made on the first {@link #get()}. */
    public LazyLog(Class<?> owner) {
        this.owner = owner;
    }

    /** The logger, made now if this is the first call. */
    public Logger get() {
        Logger l = logger;
        if (l == null) {
            l = LoggerFactory.getLogger(owner);
            logger = l;
        }
        return l;
    }
}
