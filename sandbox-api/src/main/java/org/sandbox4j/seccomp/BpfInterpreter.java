package org.sandbox4j.seccomp;

/**
 * Runs a classic-BPF seccomp program over a {@link SeccompData} the way the kernel does, so that a
 * policy can be tested in plain Java. It also counts the instructions executed (the RET included),
 * the cost a filter adds to each system call.
 *
 * <pre>{@code
 * SeccompProgram p = policy.compile(Arch.X86_64);
 * BpfInterpreter.Result r = BpfInterpreter.run(p, SeccompData.of(Arch.X86_64, 1, 1));
 * assert r.action().equals(SeccompAction.ALLOW);
 * }</pre>
 */
public final class BpfInterpreter {
    private BpfInterpreter() {}

    /** The outcome of one run: the raw return value, its action and the instructions executed. */
    public record Result(int returnValue, int instructions) {
        /** The action the kernel takes for {@link #returnValue()}. */
        public SeccompAction action() {
            return SeccompAction.fromKernelValue(returnValue);
        }
    }

    /** Runs {@code program} on {@code data}. */
    public static Result run(SeccompProgram program, SeccompData data) {
        int a = 0;
        int x = 0;
        int[] mem = new int[16];
        int n = program.length();
        int pc = 0;
        int count = 0;
        while (true) {
            if (pc >= n) {
                throw new IllegalStateException("fell off the end of the program");
            }
            count++;
            int code = program.code(pc);
            int k = program.k(pc);
            switch (Bpf.cls(code)) {
                case Bpf.LD:
                    switch (code & 0xe0) {
                        case Bpf.ABS:
                            if ((code & 0x18) != Bpf.W || (k & 3) != 0 || k < 0 || k >= SeccompData.SIZE) {
                                throw new IllegalStateException("bad load at " + pc + ": " + k);
                            }
                            a = data.word(k);
                            break;
                        case Bpf.IMM: a = k; break;
                        case Bpf.MEM: a = mem[k & 15]; break;
                        case Bpf.LEN: a = SeccompData.SIZE; break;
                        default: throw new IllegalStateException("unsupported load at " + pc);
                    }
                    pc++;
                    break;
                case Bpf.LDX:
                    switch (code & 0xe0) {
                        case Bpf.IMM: x = k; break;
                        case Bpf.MEM: x = mem[k & 15]; break;
                        case Bpf.LEN: x = SeccompData.SIZE; break;
                        default: throw new IllegalStateException("unsupported ldx at " + pc);
                    }
                    pc++;
                    break;
                case Bpf.ST:
                    mem[k & 15] = a;
                    pc++;
                    break;
                case Bpf.STX:
                    mem[k & 15] = x;
                    pc++;
                    break;
                case Bpf.ALU: {
                    int v = (code & Bpf.X) != 0 ? x : k;
                    switch (code & 0xf0) {
                        case Bpf.ADD: a += v; break;
                        case Bpf.SUB: a -= v; break;
                        case Bpf.MUL: a *= v; break;
                        case Bpf.DIV: a = v == 0 ? 0 : Integer.divideUnsigned(a, v); break;
                        case Bpf.MOD: a = v == 0 ? 0 : Integer.remainderUnsigned(a, v); break;
                        case Bpf.OR: a |= v; break;
                        case Bpf.AND: a &= v; break;
                        case Bpf.XOR: a ^= v; break;
                        case Bpf.LSH: a = (v & 0xffffffffL) >= 32 ? 0 : a << v; break;
                        case Bpf.RSH: a = (v & 0xffffffffL) >= 32 ? 0 : a >>> v; break;
                        case Bpf.NEG: a = -a; break;
                        default: throw new IllegalStateException("bad alu op at " + pc);
                    }
                    if ((code & 0xf0) == Bpf.DIV && v == 0) {
                        return new Result(0, count); // the kernel ends the program returning 0
                    }
                    pc++;
                    break;
                }
                case Bpf.JMP: {
                    int op = code & 0xf0;
                    if (op == Bpf.JA) {
                        pc += 1 + k;
                        break;
                    }
                    int v = (code & Bpf.X) != 0 ? x : k;
                    boolean t;
                    switch (op) {
                        case Bpf.JEQ: t = a == v; break;
                        case Bpf.JGT: t = Integer.compareUnsigned(a, v) > 0; break;
                        case Bpf.JGE: t = Integer.compareUnsigned(a, v) >= 0; break;
                        case Bpf.JSET: t = (a & v) != 0; break;
                        default: throw new IllegalStateException("bad jump at " + pc);
                    }
                    pc += 1 + (t ? program.jt(pc) : program.jf(pc));
                    break;
                }
                case Bpf.RET:
                    return new Result((code & 0x18) == Bpf.A ? a : k, count);
                default: // MISC
                    if ((code & 0xf8) == Bpf.TXA) {
                        a = x;
                    } else {
                        x = a;
                    }
                    pc++;
            }
        }
    }
}
