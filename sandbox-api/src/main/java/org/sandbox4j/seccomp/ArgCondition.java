package org.sandbox4j.seccomp;

/**
 * A test on one system call argument, as the kernel sees it: the full 64-bit register value,
 * compared unsigned (as libseccomp does).
 *
 * <p>Width pitfall: an {@code int} argument such as a file descriptor of -1 usually reaches the
 * kernel sign-extended, as {@code 0xffffffffffffffff}, not {@code 0xffffffff}; {@code eq(0, -1)}
 * matches the former. Where the kernel itself only reads 32 bits (ioctl's request, personality),
 * compare with {@link #maskedEq(int, long, long) maskedEq(i, 0xffffffffL, value)} so a caller
 * cannot slip past the filter by setting the upper half.
 *
 * <pre>{@code
 * ArgCondition stdout = ArgCondition.eq(0, 1);                      // fd == 1
 * ArgCondition small = ArgCondition.lt(2, 4096);                    // count < 4096
 * ArgCondition tiocsti = ArgCondition.maskedEq(1, 0xffffffffL, 0x5412);
 * }</pre>
 */
public record ArgCondition(int index, Op op, long value, long mask) {
    /** The comparison. */
    public enum Op {
        /** {@code arg == value}. */
        EQ("=="),
        /** {@code arg != value}. */
        NE("!="),
        /** {@code arg < value}, unsigned. */
        LT("<"),
        /** {@code arg <= value}, unsigned. */
        LE("<="),
        /** {@code arg > value}, unsigned. */
        GT(">"),
        /** {@code arg >= value}, unsigned. */
        GE(">="),
        /** {@code (arg & mask) == value}. */
        MASKED_EQ("&=="),
        /** {@code (arg & mask) != value}; used for kafel's negated mask tests. */
        MASKED_NE("&!=");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        /** The operator as written in the text format. */
        public String symbol() {
            return symbol;
        }
    }

    /**
     * Checks the condition; {@code mask} is ignored (set to all ones) unless {@code op} is a masked
     * test.
     *
     * @throws IllegalArgumentException if {@code index} is outside 0..5, {@code op} is null, or a
     *     masked {@code value} has bits outside {@code mask}
     */
    public ArgCondition {
        if (index < 0 || index > 5) {
            throw new IllegalArgumentException("argument index must be 0..5, was " + index);
        }
        if (op == null) {
            throw new IllegalArgumentException("op must not be null");
        }
        if (op != Op.MASKED_EQ && op != Op.MASKED_NE) {
            mask = -1L;
        } else if ((value & ~mask) != 0) {
            // (arg & mask) == value could never hold; libseccomp silently compares value & mask
            // instead. Either reading surprises someone, so the ambiguous form is refused.
            throw new IllegalArgumentException(String.format(
                    "masked comparison value 0x%x has bits outside the mask 0x%x", value, mask));
        }
    }

    /** {@code arg[index] == value}. */
    public static ArgCondition eq(int index, long value) {
        return new ArgCondition(index, Op.EQ, value, -1L);
    }

    /** {@code arg[index] != value}. */
    public static ArgCondition ne(int index, long value) {
        return new ArgCondition(index, Op.NE, value, -1L);
    }

    /** {@code arg[index] < value}, compared unsigned. */
    public static ArgCondition lt(int index, long value) {
        return new ArgCondition(index, Op.LT, value, -1L);
    }

    /** {@code arg[index] <= value}, compared unsigned. */
    public static ArgCondition le(int index, long value) {
        return new ArgCondition(index, Op.LE, value, -1L);
    }

    /** {@code arg[index] > value}, compared unsigned. */
    public static ArgCondition gt(int index, long value) {
        return new ArgCondition(index, Op.GT, value, -1L);
    }

    /** {@code arg[index] >= value}, compared unsigned. */
    public static ArgCondition ge(int index, long value) {
        return new ArgCondition(index, Op.GE, value, -1L);
    }

    /**
     * {@code (arg & mask) == value}.
     *
     * @throws IllegalArgumentException if {@code value} has bits outside {@code mask}
     */
    public static ArgCondition maskedEq(int index, long mask, long value) {
        return new ArgCondition(index, Op.MASKED_EQ, value, mask);
    }

    /** {@code (arg & mask) != value}. */
    public static ArgCondition maskedNe(int index, long mask, long value) {
        return new ArgCondition(index, Op.MASKED_NE, value, mask);
    }

    /** Whether an argument value satisfies this condition (unsigned 64-bit compare). */
    public boolean test(long arg) {
        switch (op) {
            case EQ: return arg == value;
            case NE: return arg != value;
            case LT: return Long.compareUnsigned(arg, value) < 0;
            case LE: return Long.compareUnsigned(arg, value) <= 0;
            case GT: return Long.compareUnsigned(arg, value) > 0;
            case GE: return Long.compareUnsigned(arg, value) >= 0;
            case MASKED_EQ: return (arg & mask) == value;
            case MASKED_NE: return (arg & mask) != value;
            default: throw new AssertionError(op);
        }
    }

    /** The negation, used to turn {@code !(a && b)} into rules. */
    public ArgCondition negate() {
        switch (op) {
            case EQ: return new ArgCondition(index, Op.NE, value, mask);
            case NE: return new ArgCondition(index, Op.EQ, value, mask);
            case LT: return new ArgCondition(index, Op.GE, value, mask);
            case LE: return new ArgCondition(index, Op.GT, value, mask);
            case GT: return new ArgCondition(index, Op.LE, value, mask);
            case GE: return new ArgCondition(index, Op.LT, value, mask);
            case MASKED_EQ: return new ArgCondition(index, Op.MASKED_NE, value, mask);
            case MASKED_NE: return new ArgCondition(index, Op.MASKED_EQ, value, mask);
            default: throw new AssertionError(op);
        }
    }

    @Override
    public String toString() {
        if (op == Op.MASKED_EQ || op == Op.MASKED_NE) {
            return "(arg" + index + " & 0x" + Long.toHexString(mask) + ") "
                    + (op == Op.MASKED_EQ ? "==" : "!=") + " 0x" + Long.toHexString(value);
        }
        return "arg" + index + " " + op.symbol + " 0x" + Long.toHexString(value);
    }
}
