package org.sandbox4j.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.sandbox4j.seccomp.SeccompViolation;

/**
 * What the result pipe (fd 5) held once the launcher closed it: the seccomp supervisor's records
 * ({@link Wire#SV_RECORD_MAGIC}), the cgroup counters ({@link Wire#CG_RESULT_MAGIC}) and the result
 * record ({@link Wire#RESULT_MAGIC}), last. The layouts are in sandbox-native/src/wire.h; report.c
 * writes them. Parsing stops at the first byte that starts no known record.
 */
public final class ResultRecords {
    /** A call the learning supervisor recorded. */
    public record Learned(int arch, int nr, long[] args, long count, String comm) {}

    /** The result record's {kind, value, flags}, or null when there was none. */
    public int @Nullable [] result;
    /** The cgroup counters in spec order ({@link Wire#CG_UNREADABLE} for one not read), or null. */
    public long @Nullable [] cgroupCounters;
    public final List<SeccompViolation> violations = new ArrayList<>();
    public final List<Learned> learned = new ArrayList<>();
    /** Violations or learned calls the launcher had no room for. */
    public long lost;

    private ResultRecords() {}

    public static ResultRecords parse(byte[] b) {
        ResultRecords r = new ResultRecords();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int off = 0;
        while (off + 8 <= b.length) {
            int magic = bb.getInt(off);
            if (magic == Wire.RESULT_MAGIC && off + Wire.RESULT_BYTES <= b.length) {
                r.result = new int[] {bb.getInt(off + 4), bb.getInt(off + 8), bb.getInt(off + 12)};
                off += Wire.RESULT_BYTES;
            } else if (magic == Wire.SV_RECORD_MAGIC && off + Wire.SV_RECORD_BYTES <= b.length) {
                int kind = bb.getInt(off + 4);
                long[] args = new long[6];
                for (int i = 0; i < 6; i++) {
                    args[i] = bb.getLong(off + 32 + 8 * i);
                }
                int n = 0;
                while (n < 16 && b[off + 80 + n] != 0) {
                    n++;
                }
                String comm = new String(b, off + 80, n, StandardCharsets.UTF_8);
                int arch = bb.getInt(off + 8);
                int nr = bb.getInt(off + 12);
                int count = bb.getInt(off + 24);
                if (kind == Wire.SV_REC_VIOLATION) {
                    r.violations.add(SeccompViolation.fromRecord(arch, nr, args, bb.getInt(off + 16),
                            bb.getInt(off + 20), comm));
                } else if (kind == Wire.SV_REC_LEARNED) {
                    r.learned.add(new Learned(arch, nr, args, Integer.toUnsignedLong(count), comm));
                } else if (kind == Wire.SV_REC_LOST) {
                    r.lost += Integer.toUnsignedLong(count);
                }
                off += Wire.SV_RECORD_BYTES;
            } else if (magic == Wire.CG_RESULT_MAGIC) {
                int n = bb.getInt(off + 4);
                if (n < 0 || n > 64 || b.length - (off + 8) < 8L * n) {
                    break;
                }
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = bb.getLong(off + 8 + 8 * i);
                }
                r.cgroupCounters = v;
                off += 8 + 8 * n;
            } else {
                break;
            }
        }
        return r;
    }
}
