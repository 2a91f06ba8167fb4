package org.sandbox4j.seccomp;

import java.util.function.IntToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * A test on a system call argument, as the kernel sees it: the full 64-bit register value,
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
 * ArgCondition differ = ArgCondition.compare(new Expr.Arg(0), Op.NE, new Expr.Arg(2)); // fd != count
 * }</pre>
 *
 * <p>Two-sided form (kafel's): when {@code left} and {@code right} are set, the condition is {@code
 * left op right}, where each side is built from arguments and constants with {@code &} and {@code |}
 * (64-bit), compared unsigned over all 64 bits; {@code index} is then the lowest argument either side
 * reads, {@code value} is 0 and {@code mask} is -1. Without them it is the one-argument form above.
 */
public record ArgCondition(int index, Op op, long value, long mask, @Nullable Expr left, @Nullable Expr right) {
    /** One side of a two-sided condition: an argument, a constant, or {@code &} / {@code |} of two sides. */
    public sealed interface Expr {
        /** The 64-bit value for the call's arguments ({@code args.applyAsLong(i)} is argument {@code i}). */
        long eval(IntToLongFunction args);

        /** The lowest argument index read, or 6 if none. */
        int lowestArg();

        /** How many arguments and constants the expression has. */
        int leaves();

        /** Argument {@code index} (0..5). */
        record Arg(int index) implements Expr {
            /**
             * Argument {@code index}.
             *
             * @throws IllegalArgumentException if {@code index} is outside 0..5
             */
            public Arg {
                if (index < 0 || index > 5) {
                    throw new IllegalArgumentException("argument index must be 0..5, was " + index);
                }
            }

            @Override public long eval(IntToLongFunction args) {
                return args.applyAsLong(index);
            }

            @Override public int lowestArg() {
                return index;
            }

            @Override public int leaves() {
                return 1;
            }

            @Override public String toString() {
                return "arg" + index;
            }
        }

        /** A 64-bit constant. */
        record Const(long value) implements Expr {
            @Override public long eval(IntToLongFunction args) {
                return value;
            }

            @Override public int lowestArg() {
                return 6;
            }

            @Override public int leaves() {
                return 1;
            }

            @Override public String toString() {
                return "0x" + Long.toHexString(value);
            }
        }

        /** {@code left & right}. */
        record And(Expr left, Expr right) implements Expr {
            /** Both sides are required. */
            public And {
                java.util.Objects.requireNonNull(left, "left");
                java.util.Objects.requireNonNull(right, "right");
            }

            @Override public long eval(IntToLongFunction args) {
                return left.eval(args) & right.eval(args);
            }

            @Override public int lowestArg() {
                return Math.min(left.lowestArg(), right.lowestArg());
            }

            @Override public int leaves() {
                return left.leaves() + right.leaves();
            }

            @Override public String toString() {
                return "(" + left + " & " + right + ")";
            }
        }

        /** {@code left | right}. */
        record Or(Expr left, Expr right) implements Expr {
            /** Both sides are required. */
            public Or {
                java.util.Objects.requireNonNull(left, "left");
                java.util.Objects.requireNonNull(right, "right");
            }

            @Override public long eval(IntToLongFunction args) {
                return left.eval(args) | right.eval(args);
            }

            @Override public int lowestArg() {
                return Math.min(left.lowestArg(), right.lowestArg());
            }

            @Override public int leaves() {
                return left.leaves() + right.leaves();
            }

            @Override public String toString() {
                return "(" + left + " | " + right + ")";
            }
        }
    }

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

    /** The one-argument form. */
    public ArgCondition(int index, Op op, long value, long mask) {
        this(index, op, value, mask, null, null);
    }

    /**
     * Checks the condition; {@code mask} is ignored (set to all ones) unless {@code op} is a masked
     * test.
     *
     * @throws IllegalArgumentException if {@code index} is outside 0..5, {@code op} is null, or a
     *     masked {@code value} has bits outside {@code mask}
     */
    public ArgCondition {
        if ((left == null) != (right == null)) {
            throw new IllegalArgumentException("a two-sided condition needs both sides");
        }
        if (left != null) {
            if (op == Op.MASKED_EQ || op == Op.MASKED_NE) {
                throw new IllegalArgumentException("a two-sided condition compares with == != < <= > >=");
            }
            int lowest = Math.min(left.lowestArg(), right.lowestArg());
            if (lowest > 5) {
                throw new IllegalArgumentException("a two-sided condition must read an argument");
            }
            if (index != lowest || value != 0) {
                throw new IllegalArgumentException("a two-sided condition has index " + lowest + " and value 0");
            }
        }
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

    /**
     * {@code left op right} over all 64 bits, unsigned, as kafel compiles it ({@code (fd & buf) != 0},
     * {@code fd < count}).
     *
     * @throws IllegalArgumentException if {@code op} is a masked one or neither side reads an argument
     */
    public static ArgCondition compare(Expr left, Op op, Expr right) {
        return new ArgCondition(Math.min(left.lowestArg(), right.lowestArg()), op, 0, -1L, left, right);
    }

    /** Whether this is the two-sided form. */
    public boolean isTwoSided() {
        return left != null;
    }

    /** Whether the call's arguments satisfy this condition. */
    public boolean test(SeccompData data) {
        if (left != null && right != null) {
            return holds(op, left.eval(data::arg), right.eval(data::arg));
        }
        return test(data.arg(index));
    }

    private static boolean holds(Op op, long a, long b) {
        int c = Long.compareUnsigned(a, b);
        switch (op) {
            case EQ: return c == 0;
            case NE: return c != 0;
            case LT: return c < 0;
            case LE: return c <= 0;
            case GT: return c > 0;
            case GE: return c >= 0;
            default: throw new AssertionError(op);
        }
    }

    /**
     * Whether an argument value satisfies this one-argument condition (unsigned 64-bit compare).
     *
     * @throws IllegalStateException for a two-sided condition (use {@link #test(SeccompData)})
     */
    public boolean test(long arg) {
        if (left != null) {
            throw new IllegalStateException("a two-sided condition reads several arguments: " + this);
        }
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
            case EQ: return new ArgCondition(index, Op.NE, value, mask, left, right);
            case NE: return new ArgCondition(index, Op.EQ, value, mask, left, right);
            case LT: return new ArgCondition(index, Op.GE, value, mask, left, right);
            case LE: return new ArgCondition(index, Op.GT, value, mask, left, right);
            case GT: return new ArgCondition(index, Op.LE, value, mask, left, right);
            case GE: return new ArgCondition(index, Op.LT, value, mask, left, right);
            case MASKED_EQ: return new ArgCondition(index, Op.MASKED_NE, value, mask, left, right);
            case MASKED_NE: return new ArgCondition(index, Op.MASKED_EQ, value, mask, left, right);
            default: throw new AssertionError(op);
        }
    }

    @Override
    public String toString() {
        if (left != null) {
            return left + " " + op.symbol + " " + right;
        }
        if (op == Op.MASKED_EQ || op == Op.MASKED_NE) {
            return "(arg" + index + " & 0x" + Long.toHexString(mask) + ") "
                    + (op == Op.MASKED_EQ ? "==" : "!=") + " 0x" + Long.toHexString(value);
        }
        return "arg" + index + " " + op.symbol + " 0x" + Long.toHexString(value);
    }
}
