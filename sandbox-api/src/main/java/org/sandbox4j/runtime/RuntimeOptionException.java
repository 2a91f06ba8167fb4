package org.sandbox4j.runtime;

/**
 * A builder call that a runtime or an export format cannot honour, thrown by {@code build()} (for
 * {@link JailRuntime#GVISOR}) or by {@link JailExport}: it names the call and says why, so nothing is
 * silently dropped on the way to another runtime.
 */
public final class RuntimeOptionException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String option;
    private final String target;

    /**
     * An option {@code target} cannot honour.
     *
     * @param target the runtime that cannot honour the option
     * @param option the builder call, as the caller wrote it
     * @param why what the runtime lacks
     */
    public RuntimeOptionException(String target, String option, String why) {
        super(target + " cannot honour " + option + ": " + why + " (see docs/runtimes.md)");
        this.option = option;
        this.target = target;
    }

    /** The builder call, as written: {@code landlock(...)}. */
    public String option() {
        return option;
    }

    /** The runtime or format that refused it: {@code gvisor}, {@code bwrap}, ... */
    public String target() {
        return target;
    }
}
