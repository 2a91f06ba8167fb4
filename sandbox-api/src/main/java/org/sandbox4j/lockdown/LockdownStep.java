package org.sandbox4j.lockdown;

/** The steps of {@link Lockdown.Builder#apply()}, in the order they run. */
public enum LockdownStep {
    /**
     * Checks, seccomp compilation, the Landlock ruleset, the search for pre-existing channels
     * ({@link PreexistingChannel}): nothing applied to the process yet.
     */
    PREPARE(false),
    /** Resource limits (process-wide). Lowered hard limits cannot be raised again without CAP_SYS_RESOURCE. */
    RLIMITS(false),
    /**
     * Per thread (the broadcast): no_new_privs, the Landlock domain, the capability drop. Irreversible
     * on every thread it reached.
     */
    THREADS(true),
    /** The seccomp filter, installed with TSYNC on all threads at once. Irreversible. */
    SECCOMP(true),
    /** Reading every thread's /proc status to prove the result. */
    VERIFY(false);

    private final boolean irreversible;

    LockdownStep(boolean irreversible) {
        this.irreversible = irreversible;
    }

    /** Whether what this step did can never be undone in this process. */
    public boolean irreversible() {
        return irreversible;
    }
}
