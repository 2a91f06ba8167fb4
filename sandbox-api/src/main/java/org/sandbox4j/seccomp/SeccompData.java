package org.sandbox4j.seccomp;

import java.util.Arrays;

/**
 * The kernel's {@code struct seccomp_data}, the input of a seccomp filter: system call number,
 * {@code AUDIT_ARCH_*} value, instruction pointer and the six arguments as 64-bit values.
 *
 * <pre>{@code
 * SeccompData write = SeccompData.of(Arch.X86_64, 1, 1, 0x1000, 12);  // write(1, buf, 12)
 * }</pre>
 */
public record SeccompData(int nr, int arch, long instructionPointer, long[] args) {
    /** Size of the structure in bytes: the limit of {@code BPF_LD|BPF_ABS} loads. */
    public static final int SIZE = 64;

    /** Checks there are at most six arguments and pads them to six with zeros. */
    public SeccompData {
        if (args.length > 6) {
            throw new IllegalArgumentException("at most 6 arguments, got " + args.length);
        }
        args = Arrays.copyOf(args, 6);
    }

    /** A call of {@code nr} on {@code arch} with the given arguments (missing ones are 0). */
    public static SeccompData of(org.sandbox4j.Arch arch, int nr, long... args) {
        return new SeccompData(nr, arch.auditArch(), 0, args);
    }

    /** A copy of the six arguments. */
    @Override
    public long[] args() {
        return args.clone();
    }

    /** Argument {@code i} (0..5). */
    public long arg(int i) {
        return args[i];
    }

    /** The 32-bit word at byte offset {@code off} (a multiple of 4 below 64), little-endian. */
    public int word(int off) {
        switch (off) {
            case 0: return nr;
            case 4: return arch;
            case 8: return (int) instructionPointer;
            case 12: return (int) (instructionPointer >>> 32);
            default:
                long a = args[(off - 16) / 8];
                return (off & 4) == 0 ? (int) a : (int) (a >>> 32);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompData d && d.nr == nr && d.arch == arch
                && d.instructionPointer == instructionPointer && Arrays.equals(d.args, args);
    }

    @Override
    public int hashCode() {
        return (nr * 31 + arch) * 31 + Arrays.hashCode(args);
    }

    @Override
    public String toString() {
        return "SeccompData[nr=" + nr + ", arch=0x" + Integer.toHexString(arch) + ", args="
                + Arrays.toString(args) + "]";
    }
}
