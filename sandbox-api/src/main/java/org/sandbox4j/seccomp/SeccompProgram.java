package org.sandbox4j.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.sandbox4j.Arch;

/**
 * A compiled seccomp filter: an array of classic-BPF instructions ({@code struct sock_filter}, 8
 * bytes each, little-endian: u16 code, u8 jt, u8 jf, u32 k) for one architecture, ready for
 * {@code seccomp(SECCOMP_SET_MODE_FILTER)}.
 *
 * <pre>{@code
 * SeccompProgram p = policy.compile(Arch.X86_64);
 * Files.write(Path.of("filter.bpf"), p.toBytes());
 * System.out.println(p.disassemble());
 * }</pre>
 */
public final class SeccompProgram {
    private final Arch arch;
    private final byte[] code;
    private final List<String> skipped;

    SeccompProgram(Arch arch, byte[] code, List<String> skipped) {
        this.arch = arch;
        this.code = code;
        this.skipped = List.copyOf(skipped);
    }

    /**
     * Wraps instructions read from a file or resource.
     *
     * @throws IllegalArgumentException if the bytes are not a whole number of instructions, are
     *     empty or longer than the kernel accepts, or jump outside the program
     */
    public static SeccompProgram fromBytes(Arch arch, byte[] bytes) {
        if (bytes.length == 0 || bytes.length % 8 != 0 || bytes.length / 8 > Bpf.MAX_INSNS) {
            throw new IllegalArgumentException(
                    "a seccomp program is 1.." + Bpf.MAX_INSNS + " instructions of 8 bytes; got "
                            + bytes.length + " bytes");
        }
        SeccompProgram p = new SeccompProgram(arch, bytes.clone(), List.of());
        int n = p.length();
        for (int pc = 0; pc < n; pc++) {
            int code = p.code(pc);
            if (Bpf.cls(code) == Bpf.JMP) {
                long far = (code & 0xf0) == Bpf.JA
                        ? pc + 1 + (p.k(pc) & 0xffffffffL)
                        : pc + 1 + Math.max(p.jt(pc), p.jf(pc));
                if (far >= n) {
                    throw new IllegalArgumentException("instruction " + pc + " jumps past the end");
                }
            }
        }
        int last = p.code(n - 1);
        if (Bpf.cls(last) != Bpf.RET) {
            throw new IllegalArgumentException("the last instruction must be a RET");
        }
        return p;
    }

    /** The architecture this filter was compiled for. */
    public Arch arch() {
        return arch;
    }

    /** The instructions, 8 bytes each. */
    public byte[] toBytes() {
        return code.clone();
    }

    /** The number of instructions. */
    public int length() {
        return code.length / 8;
    }

    /**
     * Names of the policy's system calls that the architecture does not have, left out of this
     * program (for example {@code open} on aarch64). Empty for programs read with {@link
     * #fromBytes}.
     */
    public List<String> skippedSyscalls() {
        return skipped;
    }

    int code(int pc) {
        return (code[pc * 8] & 0xff) | (code[pc * 8 + 1] & 0xff) << 8;
    }

    int jt(int pc) {
        return code[pc * 8 + 2] & 0xff;
    }

    int jf(int pc) {
        return code[pc * 8 + 3] & 0xff;
    }

    int k(int pc) {
        return ByteBuffer.wrap(code, pc * 8 + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /** A listing in the style of {@code bpf_dbg}/libseccomp's PFC comments, one line each. */
    public String disassemble() {
        StringBuilder sb = new StringBuilder();
        boolean nrInA = false;
        for (int pc = 0; pc < length(); pc++) {
            int c = code(pc);
            int k = k(pc);
            String text;
            String note = "";
            switch (Bpf.cls(c)) {
                case Bpf.LD:
                    if ((c & 0xe0) == Bpf.ABS) {
                        text = "ld [" + k + "]";
                        note = field(k);
                        nrInA = k == 0;
                    } else if ((c & 0xe0) == Bpf.IMM) {
                        text = "ld #0x" + Integer.toHexString(k);
                        nrInA = false;
                    } else if ((c & 0xe0) == Bpf.MEM) {
                        text = "ld M[" + k + "]";
                        nrInA = false;
                    } else {
                        text = "ld len";
                        nrInA = false;
                    }
                    break;
                case Bpf.LDX:
                    text = "ldx " + ((c & 0xe0) == Bpf.MEM ? "M[" + k + "]" : "#0x" + Integer.toHexString(k));
                    break;
                case Bpf.ST:
                    text = "st M[" + k + "]";
                    break;
                case Bpf.STX:
                    text = "stx M[" + k + "]";
                    break;
                case Bpf.ALU:
                    text = alu(c & 0xf0) + ((c & Bpf.X) != 0 ? " x" : " #0x" + Integer.toHexString(k));
                    nrInA = false;
                    break;
                case Bpf.JMP:
                    if ((c & 0xf0) == Bpf.JA) {
                        text = "ja " + (pc + 1 + k);
                    } else {
                        String op = switch (c & 0xf0) {
                            case Bpf.JEQ -> "jeq";
                            case Bpf.JGT -> "jgt";
                            case Bpf.JGE -> "jge";
                            default -> "jset";
                        };
                        text = String.format("%-4s %s jt %d jf %d", op,
                                (c & Bpf.X) != 0 ? "x" : "#0x" + Integer.toHexString(k),
                                pc + 1 + jt(pc), pc + 1 + jf(pc));
                        if (nrInA && (c & Bpf.X) == 0 && Integer.compareUnsigned(k, 4096) < 0) {
                            note = Syscalls.name(arch, k);
                        } else if (k == Arch.X86_64.auditArch() || k == Arch.AARCH64.auditArch()) {
                            note = k == Arch.X86_64.auditArch() ? "AUDIT_ARCH_X86_64" : "AUDIT_ARCH_AARCH64";
                        }
                    }
                    break;
                case Bpf.RET:
                    text = (c & 0x18) == Bpf.A ? "ret a" : "ret #0x" + Integer.toHexString(k);
                    if ((c & 0x18) != Bpf.A) {
                        note = SeccompAction.fromKernelValue(k).toString();
                    }
                    break;
                default:
                    text = (c & 0xf8) == Bpf.TXA ? "txa" : "tax";
            }
            sb.append(String.format("%4d: %-34s%s%n", pc, text, note.isEmpty() ? "" : "; " + note));
        }
        return sb.toString();
    }

    private static String field(int off) {
        if (off == 0) {
            return "nr";
        } else if (off == 4) {
            return "arch";
        } else if (off == 8 || off == 12) {
            return off == 8 ? "ip lo" : "ip hi";
        }
        int arg = (off - 16) / 8;
        return "arg" + arg + ((off & 4) == 0 ? " lo" : " hi");
    }

    private static String alu(int op) {
        return switch (op) {
            case Bpf.ADD -> "add";
            case Bpf.SUB -> "sub";
            case Bpf.MUL -> "mul";
            case Bpf.DIV -> "div";
            case Bpf.OR -> "or";
            case Bpf.AND -> "and";
            case Bpf.LSH -> "lsh";
            case Bpf.RSH -> "rsh";
            case Bpf.NEG -> "neg";
            case Bpf.MOD -> "mod";
            default -> "xor";
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompProgram p && p.arch == arch && Arrays.equals(p.code, code);
    }

    @Override
    public int hashCode() {
        return arch.hashCode() * 31 + Arrays.hashCode(code);
    }

    @Override
    public String toString() {
        return "SeccompProgram[" + arch + ", " + length() + " instructions]";
    }
}
