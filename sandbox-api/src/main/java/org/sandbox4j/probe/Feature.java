package org.sandbox4j.probe;

/**
 * One probed feature of the host.
 *
 * @param name a short stable name, e.g. {@code landlock} or {@code userns-unprivileged}
 * @param status what the probe found
 * @param detail what was found, in words ({@code "ABI 7: file system, TCP, scopes, audit flags"})
 * @param fix what to do about it when not OK; "" when OK
 */
public record Feature(String name, Status status, String detail, String fix) {
    @Override
    public String toString() {
        return status + " " + name + ": " + detail + (fix.isEmpty() ? "" : " (fix: " + fix + ")");
    }
}
