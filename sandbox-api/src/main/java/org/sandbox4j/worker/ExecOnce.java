package org.sandbox4j.worker;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sandbox4j.Arch;
import org.sandbox4j.SandboxException;
import org.sandbox4j.internal.LauncherBinary;
import org.sandbox4j.seccomp.ArgCondition;
import org.sandbox4j.seccomp.SeccompPolicy;
import org.sandbox4j.seccomp.SeccompProgram;
import org.sandbox4j.seccomp.Syscalls;

/**
 * A seccomp program that lets a jail's program be started (one {@code execve}) and then forbids
 * every further {@code execve}: the program cannot replace itself with a shell or anything else.
 *
 * <pre>{@code
 * SeccompProgram p = ExecOnce.wrap(SeccompProfiles.policy(SeccompProfiles.DOCUMENT_PARSER));
 * Sandbox s = Sandbox.builder()....seccomp(p).build();
 * }</pre>
 *
 * <p>A seccomp filter keeps no state, so it cannot count calls. What it can see is the address of
 * the instruction that made the call. The launcher installs the filter and then calls {@code
 * execve} itself, from its own code, and the launcher is a static, position-dependent executable:
 * its code lies at fixed addresses (about 0x400000), known from its ELF header. So the filter
 * allows {@code execve} only from the launcher's code range, and stops anything from ever being
 * mapped there once the launcher is gone: {@code mmap}, {@code mprotect}, {@code pkey_mprotect},
 * {@code mremap} and {@code shmat} with a non-zero address below the end of that range fail with
 * EPERM (programs pass such addresses only to place mappings at fixed low addresses, which
 * position-independent programs never do). {@code execveat} is always refused. Everything else is
 * decided by the wrapped policy.
 *
 * <p>Limits: the target program must be position independent (PIE, as every Debian binary is)
 * or lie above the guarded range; {@link #checkTarget(Path)} checks that.
 */
public final class ExecOnce {
    private static final int LD_ABS_W = 0x20;
    private static final int JEQ_K = 0x15;
    private static final int JGE_K = 0x35;
    private static final int RET_K = 0x06;
    private static final int RET_ALLOW = 0x7fff0000;
    private static final int RET_EPERM = 0x00050000 | 1;

    private ExecOnce() {}

    /** The launcher's executable code range {@code [start, end)} and the guarded end (page-rounded). */
    record CodeRange(long start, long end, long guardEnd) {}

    /**
     * Compiles {@code base} for the running architecture and puts the exec-once check in front.
     *
     * @throws SandboxException when the launcher binary cannot be read
     * @throws IllegalStateException when the launcher is position independent (its code address is
     *     then not known in advance)
     */
    public static SeccompProgram wrap(SeccompPolicy base) throws SandboxException {
        Arch arch = Arch.current();
        CodeRange r = launcherCode(LauncherBinary.bytes());
        SeccompPolicy.Builder b = SeccompPolicy.builder(base.defaultAction());
        b.errno(SeccompPolicy.Errno.EPERM, "execveat");
        ArgCondition nonZero0 = ArgCondition.ne(0, 0);
        ArgCondition low0 = ArgCondition.lt(0, r.guardEnd());
        for (String mem : new String[] {"mmap", "mprotect", "pkey_mprotect"}) {
            b.rule(mem, org.sandbox4j.seccomp.SeccompAction.errno(SeccompPolicy.Errno.EPERM), nonZero0, low0);
        }
        b.rule("mremap", org.sandbox4j.seccomp.SeccompAction.errno(SeccompPolicy.Errno.EPERM),
                ArgCondition.ne(4, 0), ArgCondition.lt(4, r.guardEnd()));
        b.rule("shmat", org.sandbox4j.seccomp.SeccompAction.errno(SeccompPolicy.Errno.EPERM),
                ArgCondition.ne(1, 0), ArgCondition.lt(1, r.guardEnd()));
        b.include(base);
        SeccompProgram main = b.build().compile(arch);
        int execve = Syscalls.number(arch, "execve").orElseThrow();
        return SeccompProgram.fromBytes(arch, prefix(arch.auditArch(), execve, r, main.toBytes()));
    }

    /**
     * Checks that {@code program} (an ELF file) will not be mapped into the guarded range: it must be
     * position independent or start above the launcher's code.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static void checkTarget(Path program) throws IOException, SandboxException {
        byte[] elf = Files.readAllBytes(program);
        ByteBuffer bb = elfHeader(elf, program.toString());
        int type = bb.getShort(16) & 0xffff;
        if (type == 3) {
            return; // ET_DYN: placed by the kernel far above the launcher
        }
        CodeRange launcher = launcherCode(LauncherBinary.bytes());
        long lowest = Long.MAX_VALUE;
        long phoff = bb.getLong(32);
        int phentsize = bb.getShort(54) & 0xffff;
        int phnum = bb.getShort(56) & 0xffff;
        for (int i = 0; i < phnum; i++) {
            int o = (int) (phoff + (long) i * phentsize);
            if (bb.getInt(o) == 1) {
                lowest = Math.min(lowest, bb.getLong(o + 16));
            }
        }
        if (lowest < launcher.guardEnd()) {
            throw new IllegalArgumentException(program + " is a position-dependent executable loaded at 0x"
                    + Long.toHexString(lowest) + ", inside the range ExecOnce guards; rebuild it with -pie");
        }
    }

    static CodeRange launcherCode(byte[] elf) {
        ByteBuffer bb = elfHeader(elf, "the launcher");
        int type = bb.getShort(16) & 0xffff;
        if (type != 2) {
            throw new IllegalStateException("the launcher is not a position-dependent executable (ELF type " + type
                    + "); ExecOnce needs its code at a fixed address");
        }
        long phoff = bb.getLong(32);
        int phentsize = bb.getShort(54) & 0xffff;
        int phnum = bb.getShort(56) & 0xffff;
        long start = Long.MAX_VALUE;
        long end = 0;
        long maxEnd = 0;
        for (int i = 0; i < phnum; i++) {
            int o = (int) (phoff + (long) i * phentsize);
            if (bb.getInt(o) != 1) {
                continue; // not PT_LOAD
            }
            long vaddr = bb.getLong(o + 16);
            long memsz = bb.getLong(o + 40);
            maxEnd = Math.max(maxEnd, vaddr + memsz);
            if ((bb.getInt(o + 4) & 1) != 0) { // PF_X
                start = Math.min(start, vaddr);
                end = Math.max(end, vaddr + memsz);
            }
        }
        if (end == 0 || (start >>> 32) != ((end - 1) >>> 32)) {
            throw new IllegalStateException("cannot find the launcher's code segment");
        }
        long guardEnd = (maxEnd + 0xffffL) & ~0xffffL;
        return new CodeRange(start, end, guardEnd);
    }

    private static ByteBuffer elfHeader(byte[] elf, String what) {
        if (elf.length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F' || elf[4] != 2) {
            throw new IllegalArgumentException(what + " is not a 64-bit ELF file");
        }
        return ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The check, in front of {@code main}: on the native arch, execve is allowed only when the
     * instruction pointer lies in the launcher's code, refused with EPERM otherwise; everything else
     * (and every other arch) goes to {@code main}. Jumps are relative, so {@code main} is unchanged.
     */
    static byte[] prefix(int auditArch, int execveNr, CodeRange r, byte[] main) {
        ByteBuffer bb = ByteBuffer.allocate(11 * 8 + main.length).order(ByteOrder.LITTLE_ENDIAN);
        insn(bb, LD_ABS_W, 0, 0, 4);                        // 0: A = arch
        insn(bb, JEQ_K, 0, 9, auditArch);                   // 1: foreign arch -> main (11)
        insn(bb, LD_ABS_W, 0, 0, 0);                        // 2: A = nr
        insn(bb, JEQ_K, 0, 7, execveNr);                    // 3: not execve -> main (11)
        insn(bb, LD_ABS_W, 0, 0, 12);                       // 4: A = ip >> 32
        insn(bb, JEQ_K, 0, 4, (int) (r.start() >>> 32));    // 5: other upper half -> deny (10)
        insn(bb, LD_ABS_W, 0, 0, 8);                        // 6: A = ip & 0xffffffff
        insn(bb, JGE_K, 0, 2, (int) r.start());             // 7: below start -> deny (10)
        insn(bb, JGE_K, 1, 0, (int) r.end());               // 8: at or past end -> deny (10)
        insn(bb, RET_K, 0, 0, RET_ALLOW);                   // 9
        insn(bb, RET_K, 0, 0, RET_EPERM);                   // 10
        bb.put(main);
        return bb.array();
    }

    private static void insn(ByteBuffer bb, int code, int jt, int jf, int k) {
        bb.putShort((short) code).put((byte) jt).put((byte) jf).putInt(k);
    }
}
