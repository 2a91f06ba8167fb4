package org.sandbox4j.mount;

import java.util.Arrays;

/**
 * One step of building a jail's file system, executed by the launcher in the order the builder
 * calls were made. Each op knows the builder call it came from, so a failure can name it.
 */
public sealed interface MountOp {

    /** The path inside the jail this op creates or changes. */
    String target();

    /** The builder call, as a user would write it: {@code readOnly("/usr")}. */
    String describe();

    /**
     * A bind mount of a host file or directory; {@code noSymlinks}: the source is opened refusing a
     * symbolic link in any component ({@link BindOption#NO_SYMLINKS}).
     */
    record Bind(String source, String target, boolean readOnly, boolean allowDevices, boolean optional,
            boolean noSymlinks) implements MountOp {
        /** Checks that both paths are absolute and normalized ({@link JailPath}). */
        public Bind {
            source = JailPath.check("bind source", source);
            target = JailPath.checkNotRoot("bind target", target);
        }

        /** A bind that follows symbolic links in its source. */
        public Bind(String source, String target, boolean readOnly, boolean allowDevices, boolean optional) {
            this(source, target, readOnly, allowDevices, optional, false);
        }

        @Override
        public String describe() {
            String call = readOnly ? "readOnly" : "readWrite";
            String args = source.equals(target) && !noSymlinks ? q(source) : q(source) + ", " + q(target);
            return (optional ? call + "IfExists" : call) + "(" + args + (noSymlinks ? ", NO_SYMLINKS" : "") + ")";
        }
    }

    /**
     * An empty tmpfs; {@code sizeBytes} 0 means no size given: the default cap (256 MiB and 65536
     * inodes, docs/resources.md). The builder's {@code tmpfs(target, sizeBytes)} refuses 0, since the
     * kernel would read an explicit 0 as unlimited.
     */
    record Tmpfs(String target, long sizeBytes, int mode, boolean readOnly) implements MountOp {
        /** Checks the target, the size (0 or more) and the permission bits. */
        public Tmpfs {
            target = JailPath.checkNotRoot("tmpfs target", target);
            if (sizeBytes < 0) {
                throw new IllegalArgumentException("tmpfs size must be >= 0: " + sizeBytes);
            }
            checkMode(mode);
        }

        @Override
        public String describe() {
            return "tmpfs(" + q(target) + (sizeBytes > 0 ? ", " + sizeBytes : "") + ")";
        }
    }

    /** A new procfs for the jail's pid namespace; /proc/sys and similar are read-only. */
    record Proc(String target) implements MountOp {
        /** Checks that the mount point is absolute and normalized ({@link JailPath}). */
        public Proc {
            target = JailPath.checkNotRoot("proc target", target);
        }

        @Override
        public String describe() {
            return "proc(" + q(target) + ")";
        }
    }

    /** A minimal /dev: null, zero, full, random, urandom, tty, fd links, and pts when asked. */
    record Dev(String target, boolean withPts) implements MountOp {
        /** Checks that the mount point is absolute and normalized ({@link JailPath}). */
        public Dev {
            target = JailPath.checkNotRoot("dev target", target);
        }

        @Override
        public String describe() {
            return "dev(" + q(target) + ")";
        }
    }

    /** A symbolic link at {@code target} whose text is {@code linkText}. */
    record Symlink(String linkText, String target) implements MountOp {
        /** Checks the link text (non-empty, no NUL) and the link's path. */
        public Symlink {
            if (linkText.isEmpty() || linkText.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("symlink text must be non-empty and without NUL");
            }
            target = JailPath.checkNotRoot("symlink path", target);
        }

        @Override
        public String describe() {
            return "symlink(" + q(linkText) + ", " + q(target) + ")";
        }
    }

    /** A directory (with its parents). */
    record Dir(String target, int mode) implements MountOp {
        /** Checks the path and the permission bits. */
        public Dir {
            target = JailPath.checkNotRoot("directory path", target);
            checkMode(mode);
        }

        @Override
        public String describe() {
            return "dir(" + q(target) + ")";
        }
    }

    /** A file written from bytes. */
    record File(String target, byte[] content, int mode) implements MountOp {
        /** Checks the path and the permission bits and copies {@code content}. */
        public File {
            target = JailPath.checkNotRoot("file path", target);
            content = content.clone();
            checkMode(mode);
        }

        /** A copy of the file's bytes. */
        @Override
        public byte[] content() {
            return content.clone();
        }

        @Override
        public String describe() {
            return "file(" + q(target) + ", <" + content.length + " bytes>)";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof File f && f.target.equals(target) && f.mode == mode && Arrays.equals(f.content, content);
        }

        @Override
        public int hashCode() {
            return target.hashCode() * 31 + Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** Makes a path unreadable: an empty read-only tmpfs over a directory, /dev/null over a file. */
    record Hide(String target) implements MountOp {
        /** Checks that the path is absolute and normalized ({@link JailPath}). */
        public Hide {
            target = JailPath.checkNotRoot("hidden path", target);
        }

        @Override
        public String describe() {
            return "hide(" + q(target) + ")";
        }
    }

    /** Makes an existing mount point read-only (recursively). */
    record RemountReadOnly(String target) implements MountOp {
        /** Checks that the path is absolute and normalized ({@link JailPath}). */
        public RemountReadOnly {
            target = JailPath.check("remount target", target);
        }

        @Override
        public String describe() {
            return "remountReadOnly(" + q(target) + ")";
        }
    }

    private static String q(String s) {
        return '"' + s + '"';
    }

    private static void checkMode(int mode) {
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("permissions must be between 0 and 07777: " + Integer.toOctalString(mode));
        }
    }
}
