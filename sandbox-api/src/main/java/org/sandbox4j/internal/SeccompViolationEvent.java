package org.sandbox4j.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The JFR event of one call a jail's seccomp filter refused or killed (committed when the jail ends,
 * from the launcher's report), so production monitoring sees violations without parsing logs.
 */
@Name("org.sandbox4j.SeccompViolation")
@Label("Seccomp Violation")
@Category({"sandbox4j", "Seccomp"})
@Description("A system call a jail's seccomp filter refused or killed")
@StackTrace(false)
public final class SeccompViolationEvent extends jdk.jfr.Event {
    @Label("System Call")
    public String syscall;

    @Label("Number")
    public int number;

    @Label("Arguments")
    public String arguments;

    @Label("Thread Id In The Jail")
    public int pid;

    @Label("Program")
    public String program;

    @Label("Action")
    public String action;

    @Label("Launcher Pid")
    public long launcherPid;

    /** Emits one event (cheap when JFR does not record it). */
    public static void emit(org.sandbox4j.seccomp.SeccompViolation v, long launcherPid) {
        SeccompViolationEvent e = new SeccompViolationEvent();
        if (!e.isEnabled()) {
            return;
        }
        e.syscall = v.name();
        e.number = v.nr();
        e.arguments = v.describeArgs();
        e.pid = v.pid();
        e.program = v.program();
        e.action = v.action().toString();
        e.launcherPid = launcherPid;
        e.commit();
    }
}
