package org.sandbox4j.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the launcher's spec (docs/architecture.md, "The wire between Java and the launcher"). Pure
 * encoding: the values were validated by the builder.
 */
public final class SpecWriter {
    public static final int MAGIC = 0x4A344253;
    public static final int VERSION = 1;

    public static final int FLAGS = 1;
    public static final int IDS = 2;
    public static final int HOSTNAME = 3;
    public static final int ROOT = 4;
    public static final int OP = 5;
    public static final int EXEC = 6;
    public static final int ARGV = 7;
    public static final int ENV = 8;
    public static final int CWD = 9;
    public static final int RLIMIT = 10;
    public static final int CAPS = 11;
    public static final int FDMAP = 12;
    public static final int TIME_LIMIT = 13;
    public static final int SECCOMP = 14;
    public static final int LANDLOCK = 15;
    public static final int CGROUP = 16;
    public static final int IDMAP = 17;
    public static final int IDMAP_UID = 0;
    public static final int IDMAP_GID = 1;

    public static final int LL_RULE_PATH = 1;
    public static final int LL_RULE_PORT = 2;

    public static final int OPT_INIT = 0x1;
    public static final int OPT_NEW_SESSION = 0x2;
    public static final int OPT_NO_NEW_PRIVS = 0x4;
    public static final int OPT_DIE_WITH_PARENT = 0x8;
    public static final int OPT_ROOT_READONLY = 0x10;
    public static final int OPT_LOOPBACK_UP = 0x20;

    public static final int ROOT_TMPFS = 0;
    public static final int ROOT_BIND = 1;
    public static final int ROOT_HOST = 2;
    public static final int ROOT_CHROOT = 3;

    public static final int OP_BIND = 1;
    public static final int OP_TMPFS = 2;
    public static final int OP_PROC = 3;
    public static final int OP_DEV = 4;
    public static final int OP_SYMLINK = 5;
    public static final int OP_DIR = 6;
    public static final int OP_FILE = 7;
    public static final int OP_HIDE = 8;
    public static final int OP_REMOUNT_RO = 9;

    public static final int OPF_READ_ONLY = 0x1;
    public static final int OPF_ALLOW_DEVICES = 0x2;
    public static final int OPF_OPTIONAL = 0x4;
    public static final int OPF_WITH_PTS = 0x8;
    /** BIND: open the source with RESOLVE_NO_SYMLINKS (launchers before it refuse the flag). */
    public static final int OPF_NO_SYMLINKS = 0x10;
    /** ROOT (BIND, CHROOT): open the directory with RESOLVE_NO_SYMLINKS. */
    public static final int ROOT_F_NO_SYMLINKS = 0x2;

    private static final byte[] EMPTY = new byte[0];

    private ByteBuffer buf;

    public SpecWriter() {
        this(512);
    }

    public SpecWriter(int capacity) {
        buf = ByteBuffer.allocate(Math.max(capacity, 64)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Starts a spec with the header. */
    public SpecWriter header() {
        ensure(8);
        buf.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0);
        return this;
    }

    /** Appends bytes written by another writer (the precomputed part of a spec). */
    public SpecWriter raw(byte[] bytes) {
        ensure(bytes.length);
        buf.put(bytes);
        return this;
    }

    public SpecWriter flags(int cloneFlags, int options) {
        begin(FLAGS, 8);
        buf.putInt(cloneFlags).putInt(options);
        return this;
    }

    public SpecWriter ids(int uid, int gid, int hostUid, int hostGid) {
        begin(IDS, 16);
        buf.putInt(uid).putInt(gid).putInt(hostUid).putInt(hostGid);
        return this;
    }

    /** One range of the uid map ({@link #IDMAP_UID}) or gid map ({@link #IDMAP_GID}). */
    public SpecWriter idmap(int kind, int inside, int outside, int count) {
        begin(IDMAP, 16);
        buf.putInt(kind).putInt(inside).putInt(outside).putInt(count);
        return this;
    }

    public SpecWriter hostname(String name) {
        byte[] b = utf8(name);
        begin(HOSTNAME, 4 + b.length);
        string(b);
        return this;
    }

    public SpecWriter root(int kind, int flags, String path) {
        byte[] p = utf8(path);
        begin(ROOT, 12 + p.length);
        buf.putInt(kind).putInt(flags);
        string(p);
        return this;
    }

    public SpecWriter op(int index, int kind, int flags, int mode, String a, String b, byte[] data) {
        byte[] ba = utf8(a);
        byte[] bb = utf8(b);
        begin(OP, 12 + 12 + ba.length + bb.length + data.length);
        buf.putInt(index).putShort((short) kind).putShort((short) flags).putInt(mode);
        string(ba);
        string(bb);
        string(data);
        return this;
    }

    public SpecWriter exec(String path) {
        byte[] p = utf8(path);
        begin(EXEC, 4 + p.length);
        string(p);
        return this;
    }

    public SpecWriter strings(int type, List<String> values) {
        byte[][] bs = new byte[values.size()][];
        int len = 4;
        for (int i = 0; i < bs.length; i++) {
            bs[i] = utf8(values.get(i));
            len += 4 + bs[i].length;
        }
        begin(type, len);
        buf.putInt(bs.length);
        for (byte[] b : bs) {
            string(b);
        }
        return this;
    }

    public SpecWriter cwd(String path) {
        byte[] p = utf8(path);
        begin(CWD, 4 + p.length);
        string(p);
        return this;
    }

    public SpecWriter rlimit(int resource, long soft, long hard) {
        begin(RLIMIT, 24);
        buf.putInt(resource).putInt(0).putLong(soft).putLong(hard);
        return this;
    }

    public SpecWriter caps(long keep) {
        begin(CAPS, 8);
        buf.putLong(keep);
        return this;
    }

    public SpecWriter fdmap(int launcherFd, int targetFd) {
        begin(FDMAP, 8);
        buf.putInt(launcherFd).putInt(targetFd);
        return this;
    }

    public SpecWriter timeLimit(long millis) {
        begin(TIME_LIMIT, 8);
        buf.putLong(millis);
        return this;
    }

    public SpecWriter seccomp(int flags, byte[] program) {
        return seccomp(flags, 0, program);
    }

    /** SECCOMP record's second word: the launcher reports refused calls (spec.h SUPERVISE_*). */
    public static final int SUPERVISE_REPORT = 1;
    /** SECCOMP record's second word: the launcher learns every call; the program is unused. */
    public static final int SUPERVISE_LEARN = 2;
    /** {@code RET ALLOW}: the program a learning spec carries (the record needs one). */
    public static final byte[] RET_ALLOW_PROGRAM = {0x06, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f};

    /** The SECCOMP record, {@code supervise} one of 0, {@link #SUPERVISE_REPORT}, {@link #SUPERVISE_LEARN}. */
    public SpecWriter seccomp(int flags, int supervise, byte[] program) {
        begin(SECCOMP, 8 + program.length);
        buf.putInt(flags).putInt(supervise).put(program);
        return this;
    }

    /** The LANDLOCK record of a resolved ruleset (docs/architecture.md). */
    public SpecWriter landlock(org.sandbox4j.landlock.LandlockPlan plan) {
        List<byte[]> paths = new java.util.ArrayList<>();
        int len = 24;
        for (org.sandbox4j.landlock.LandlockPlan.Path p : plan.paths()) {
            byte[] b = utf8(p.path());
            paths.add(b);
            len += 16 + 4 + b.length;
        }
        len += plan.ports().size() * 24;
        begin(LANDLOCK, len);
        buf.putInt(plan.minAbi()).putInt((int) plan.scopeMask()).putLong(plan.fsMask()).putLong(plan.netMask());
        for (int i = 0; i < paths.size(); i++) {
            buf.putShort((short) LL_RULE_PATH).putShort((short) 0).putInt(0).putLong(plan.paths().get(i).access());
            string(paths.get(i));
        }
        for (org.sandbox4j.landlock.LandlockPlan.Port p : plan.ports()) {
            buf.putShort((short) LL_RULE_PORT).putShort((short) 0).putInt(0).putLong(p.access()).putLong(p.port());
        }
        return this;
    }

    /** A CGROUP record: a directory the launcher moves the jail into, and the counters it reads at the end. */
    public SpecWriter cgroup(int flags, String path, List<String[]> stats) {
        byte[] p = utf8(path);
        List<byte[]> names = new java.util.ArrayList<>();
        int len = 8 + 4 + p.length + 4;
        for (String[] st : stats) {
            for (String n : st) {
                byte[] b = utf8(n);
                names.add(b);
                len += 4 + b.length;
            }
        }
        begin(CGROUP, len);
        buf.putInt(flags).putInt(0);
        string(p);
        buf.putInt(stats.size());
        for (byte[] b : names) {
            string(b);
        }
        return this;
    }

    /** Whether an encoded spec holds a record of {@code type}. */
    public static boolean has(byte[] spec, int type) {
        ByteBuffer bb = ByteBuffer.wrap(spec).order(ByteOrder.LITTLE_ENDIAN);
        int off = 8;
        while (off + 8 <= spec.length) {
            if (bb.getShort(off) == type) {
                return true;
            }
            off += 8 + bb.getInt(off + 4);
        }
        return false;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf.array(), buf.position());
    }

    private void begin(int type, int length) {
        ensure(8 + length);
        buf.putShort((short) type).putShort((short) 0).putInt(length);
    }

    private void string(byte[] b) {
        buf.putInt(b.length).put(b);
    }

    private void ensure(int more) {
        if (buf.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
                    .order(ByteOrder.LITTLE_ENDIAN);
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    private static byte[] utf8(String s) {
        return s.isEmpty() ? EMPTY : s.getBytes(StandardCharsets.UTF_8);
    }
}
