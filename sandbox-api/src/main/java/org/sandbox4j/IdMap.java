package org.sandbox4j;

/**
 * One range of a jail's uid or gid map: ids {@code inside .. inside+count-1} of the jail's user
 * namespace are host ids {@code outside .. outside+count-1} (nsjail's {@code -U inside:outside:count}).
 * Ids are unsigned 32-bit values held in an {@code int}; 4294967295 ({@code -1}) is never an id.
 *
 * <p>Who may map what: a root JVM (launcher) any ranges; an unprivileged one only the ranges
 * {@code /etc/subuid} and {@code /etc/subgid} grant it, through shadow's {@code newuidmap} and
 * {@code newgidmap} (Debian package {@code uidmap}), plus its own id with count 1. See
 * docs/threat-model.md, "Id ranges".
 *
 * @param inside the first id inside the jail
 * @param outside the first host id it maps to
 * @param count how many consecutive ids (at least 1)
 */
public record IdMap(int inside, int outside, int count) {
    /** The most ranges one map may have (the kernel's limit of lines in uid_map). */
    public static final int MAX_RANGES = 340;

    /** Checks that the range is not empty and stays below id 4294967295 on both sides. */
    public IdMap {
        String text = text(inside, outside, count);
        if (count == 0) {
            throw new IllegalArgumentException("id range " + text + " is empty (count 0)");
        }
        long c = Integer.toUnsignedLong(count);
        if (Integer.toUnsignedLong(inside) + c > 0xFFFF_FFFFL || Integer.toUnsignedLong(outside) + c > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("id range " + text + " goes past id 4294967294");
        }
    }

    private static String text(int inside, int outside, int count) {
        return Integer.toUnsignedString(inside) + ":" + Integer.toUnsignedString(outside) + ":" + Integer.toUnsignedString(count);
    }

    /**
     * Parses {@code inside:outside:count} (nsjail's spelling; count defaults to 1 when omitted:
     * {@code inside:outside}).
     *
     * @throws IllegalArgumentException naming the text and what is wrong
     */
    public static IdMap parse(String text) {
        String[] f = text.trim().split(":", -1);
        if (f.length < 2 || f.length > 3) {
            throw new IllegalArgumentException("expected INSIDE:OUTSIDE[:COUNT], e.g. 0:100000:65536, not '" + text + "'");
        }
        int[] v = new int[3];
        v[2] = 1;
        for (int i = 0; i < f.length; i++) {
            try {
                long n = Long.parseLong(f[i].trim());
                if (n < 0 || n > 0xFFFF_FFFEL) {
                    throw new NumberFormatException();
                }
                v[i] = (int) n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + f[i] + "' in id range '" + text + "' is not an id (0 to 4294967294)");
            }
        }
        return new IdMap(v[0], v[1], v[2]);
    }

    /** Whether {@code id} (inside) falls in this range. */
    public boolean coversInside(int id) {
        long d = Integer.toUnsignedLong(id) - Integer.toUnsignedLong(inside);
        return d >= 0 && d < Integer.toUnsignedLong(count);
    }

    /** Whether the two ranges share an id inside or on the host. */
    public boolean overlaps(IdMap o) {
        return overlap(inside, o.inside, count, o.count) || overlap(outside, o.outside, count, o.count);
    }

    private static boolean overlap(int a, int b, int ca, int cb) {
        long x = Integer.toUnsignedLong(a);
        long y = Integer.toUnsignedLong(b);
        return x < y + Integer.toUnsignedLong(cb) && y < x + Integer.toUnsignedLong(ca);
    }

    /** {@code inside:outside:count}, as {@link #parse} reads it. */
    @Override
    public String toString() {
        return text(inside, outside, count);
    }
}
