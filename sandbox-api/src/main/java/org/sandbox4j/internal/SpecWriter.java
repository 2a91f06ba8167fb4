package org.sandbox4j.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the launcher's spec (docs/architecture.md, "The wire between Java and the launcher"). Pure
 * encoding: the values were validated by the builder. {@link #toSpec()} hands the bytes over with what
 * the spawn path needs to know of them (recorded as they were written, never read back from the bytes).
 */
public final class SpecWriter {
    private static final byte[] EMPTY = new byte[0];

    /**
     * An encoded spec and the facts the spawn path decides by: the FLAGS record's clone flags and
     * options, the SECCOMP record's supervise word and where it is, whether it has CGROUP records.
     */
    public record Spec(byte[] bytes, int cloneFlags, int options, int supervise, int superviseAt, boolean cgroups) {
        /** Whether the FLAGS options have {@code option} (a {@code Wire.OPT_*}). */
        public boolean has(int option) {
            return (options & option) != 0;
        }

        /** The same spec without the seccomp supervisor (the SECCOMP record's second word 0). */
        public Spec withoutSupervision() {
            if (supervise == 0) {
                return this;
            }
            byte[] copy = bytes.clone();
            ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(superviseAt, 0);
            return new Spec(copy, cloneFlags, options, 0, -1, cgroups);
        }
    }

    private ByteBuffer buf;
    private int cloneFlags;
    private int options;
    private int supervise;
    private int superviseAt = -1;
    private boolean cgroups;

    public SpecWriter() {
        this(512);
    }

    public SpecWriter(int capacity) {
        buf = ByteBuffer.allocate(Math.max(capacity, 64)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Starts a spec with the header. */
    public SpecWriter header() {
        ensure(8);
        buf.putInt(Wire.SPEC_MAGIC).putShort((short) Wire.SPEC_VERSION).putShort((short) 0);
        return this;
    }

    /** Appends a spec written by another writer (the precomputed part of a spec), with its facts. */
    public SpecWriter raw(Spec prefix) {
        int at = buf.position();
        ensure(prefix.bytes().length);
        buf.put(prefix.bytes());
        cloneFlags = prefix.cloneFlags();
        options = prefix.options();
        supervise = prefix.supervise();
        superviseAt = prefix.superviseAt() < 0 ? -1 : at + prefix.superviseAt();
        cgroups = prefix.cgroups();
        return this;
    }

    public SpecWriter flags(int cloneFlags, int options) {
        begin(Wire.REC_FLAGS, 8);
        buf.putInt(cloneFlags).putInt(options);
        this.cloneFlags = cloneFlags;
        this.options = options;
        return this;
    }

    public SpecWriter ids(int uid, int gid, int hostUid, int hostGid) {
        begin(Wire.REC_IDS, 16);
        buf.putInt(uid).putInt(gid).putInt(hostUid).putInt(hostGid);
        return this;
    }

    /** One range of the uid map ({@link Wire#IDMAP_UID}) or gid map ({@link Wire#IDMAP_GID}). */
    public SpecWriter idmap(int kind, int inside, int outside, int count) {
        begin(Wire.REC_IDMAP, 16);
        buf.putInt(kind).putInt(inside).putInt(outside).putInt(count);
        return this;
    }

    public SpecWriter hostname(String name) {
        byte[] b = utf8(name);
        begin(Wire.REC_HOSTNAME, 4 + b.length);
        string(b);
        return this;
    }

    public SpecWriter root(int kind, int flags, String path) {
        byte[] p = utf8(path);
        begin(Wire.REC_ROOT, 12 + p.length);
        buf.putInt(kind).putInt(flags);
        string(p);
        return this;
    }

    public SpecWriter op(int index, int kind, int flags, int mode, String a, String b, byte[] data) {
        byte[] ba = utf8(a);
        byte[] bb = utf8(b);
        begin(Wire.REC_OP, 12 + 12 + ba.length + bb.length + data.length);
        buf.putInt(index).putShort((short) kind).putShort((short) flags).putInt(mode);
        string(ba);
        string(bb);
        string(data);
        return this;
    }

    public SpecWriter exec(String path) {
        byte[] p = utf8(path);
        begin(Wire.REC_EXEC, 4 + p.length);
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
        begin(Wire.REC_CWD, 4 + p.length);
        string(p);
        return this;
    }

    public SpecWriter rlimit(int resource, long soft, long hard) {
        begin(Wire.REC_RLIMIT, 24);
        buf.putInt(resource).putInt(0).putLong(soft).putLong(hard);
        return this;
    }

    public SpecWriter caps(long keep) {
        begin(Wire.REC_CAPS, 8);
        buf.putLong(keep);
        return this;
    }

    public SpecWriter fdmap(int launcherFd, int targetFd) {
        begin(Wire.REC_FDMAP, 8);
        buf.putInt(launcherFd).putInt(targetFd);
        return this;
    }

    public SpecWriter timeLimit(long millis) {
        begin(Wire.REC_TIME_LIMIT, 8);
        buf.putLong(millis);
        return this;
    }

    public SpecWriter seccomp(int flags, byte[] program) {
        return seccomp(flags, 0, program);
    }

    /** {@code RET ALLOW}: the program a learning spec carries (the record needs one). */
    public static final byte[] RET_ALLOW_PROGRAM = {0x06, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f};

    /** The SECCOMP record, {@code supervise} one of 0, {@link Wire#SUPERVISE_REPORT}, {@link Wire#SUPERVISE_LEARN}. */
    public SpecWriter seccomp(int flags, int supervise, byte[] program) {
        begin(Wire.REC_SECCOMP, 8 + program.length);
        buf.putInt(flags);
        this.supervise = supervise;
        this.superviseAt = buf.position();
        buf.putInt(supervise).put(program);
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
        begin(Wire.REC_LANDLOCK, len);
        buf.putInt(plan.minAbi()).putInt((int) plan.scopeMask()).putLong(plan.fsMask()).putLong(plan.netMask());
        for (int i = 0; i < paths.size(); i++) {
            buf.putShort((short) Wire.LL_RULE_PATH).putShort((short) 0).putInt(0).putLong(plan.paths().get(i).access());
            string(paths.get(i));
        }
        for (org.sandbox4j.landlock.LandlockPlan.Port p : plan.ports()) {
            buf.putShort((short) Wire.LL_RULE_PORT).putShort((short) 0).putInt(0).putLong(p.access()).putLong(p.port());
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
        begin(Wire.REC_CGROUP, len);
        cgroups = true;
        buf.putInt(flags).putInt(0);
        string(p);
        buf.putInt(stats.size());
        for (byte[] b : names) {
            string(b);
        }
        return this;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf.array(), buf.position());
    }

    /** The spec written so far, with its facts. */
    public Spec toSpec() {
        return new Spec(toByteArray(), cloneFlags, options, supervise, superviseAt, cgroups);
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
