package org.sandbox4j.mount;

/**
 * How the launcher opens the host source of a bind ({@code readOnly(source, target, options...)}).
 */
public enum BindOption {
    /**
     * Refuse the bind (setup fails with {@code ELOOP}) when any component of the source path is a
     * symbolic link, instead of following it. Use it for every source a jail (or anyone less trusted
     * than the caller) could have written: a directory another jail binds read-write, a writable
     * chroot, a build output shared with workers. Such a writer could otherwise replace a directory
     * on the path with a link and choose what this jail gets (anything the launcher's user can
     * read). Pass the path with its links already resolved, as in
     * {@code readOnly(path.toRealPath().toString(), target, NO_SYMLINKS)}.
     */
    NO_SYMLINKS
}
