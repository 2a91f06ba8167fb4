package org.sandbox4j.internal;

/**
 * The numbers of the wire between Java and the launcher: a mirror of sandbox-native/src/wire.h,
 * the one place they are defined (docs/architecture.md, "The wire between Java and the launcher").
 * Same names, same values; {@code WireHeaderTest} parses wire.h and fails on any difference, so
 * a change starts in wire.h and is copied here.
 */
public final class Wire {
    private Wire() {}

    // ---- fds

    public static final int FD_SPEC = 3;
    public static final int FD_STATUS = 4;
    public static final int FD_RESULT = 5;
    public static final int FD_LIFELINE = 6;
    public static final int FD_FIRST_KEPT = 7;
    public static final int ZFD_SOCK = 3;
    public static final int ZFD_DEATH = 5;
    public static final int ZFD_LIFELINE = 6;
    public static final int STEP_EXIT = 125;

    // ---- spec (fd 3): header {magic, u16 version, u16 0}, then records {u16 type, u16 0, u32 len}

    public static final int SPEC_MAGIC = 0x4A344253;
    public static final int SPEC_VERSION = 1;
    public static final int SPEC_MAX_BYTES = 16777216;
    public static final int SPEC_MAX_PATH = 4095;
    public static final int SPEC_MAX_HOSTNAME = 64;
    public static final int SPEC_MAX_FILTER = 4096;
    public static final int SPEC_MAX_FDMAPS = 1024;
    public static final int SPEC_ID_DEFAULT = 0xFFFFFFFF;
    public static final int SPEC_MAX_IDMAPS = 340;
    public static final int SPEC_MAX_CGROUPS = 8;
    public static final int SPEC_MAX_CG_STATS = 8;
    public static final int SPEC_MAX_CG_NAME = 64;
    public static final int REC_FLAGS = 1;
    public static final int REC_IDS = 2;
    public static final int REC_HOSTNAME = 3;
    public static final int REC_ROOT = 4;
    public static final int REC_OP = 5;
    public static final int REC_EXEC = 6;
    public static final int REC_ARGV = 7;
    public static final int REC_ENV = 8;
    public static final int REC_CWD = 9;
    public static final int REC_RLIMIT = 10;
    public static final int REC_CAPS = 11;
    public static final int REC_FDMAP = 12;
    public static final int REC_TIME_LIMIT = 13;
    public static final int REC_SECCOMP = 14;
    public static final int REC_LANDLOCK = 15;
    public static final int REC_CGROUP = 16;
    public static final int REC_IDMAP = 17;
    public static final int REC_MAX = 17;
    public static final int NS_USER = 0x10000000;
    public static final int NS_MOUNT = 0x00020000;
    public static final int NS_PID = 0x20000000;
    public static final int NS_NET = 0x40000000;
    public static final int NS_IPC = 0x08000000;
    public static final int NS_UTS = 0x04000000;
    public static final int NS_CGROUP = 0x02000000;
    public static final int NS_ALL = 0x7E020000;
    public static final int OPT_INIT = 0x1;
    public static final int OPT_NEW_SESSION = 0x2;
    public static final int OPT_NO_NEW_PRIVS = 0x4;
    public static final int OPT_DIE_WITH_PARENT = 0x8;
    public static final int OPT_ROOT_READONLY = 0x10;
    public static final int OPT_LOOPBACK_UP = 0x20;
    public static final int OPT_ALL = 0x3f;
    public static final int ROOT_TMPFS = 0;
    public static final int ROOT_BIND = 1;
    public static final int ROOT_HOST = 2;
    public static final int ROOT_CHROOT = 3;
    public static final int ROOT_F_WRITABLE = 0x1;
    public static final int ROOT_F_NO_SYMLINKS = 0x2;
    public static final int OP_BIND = 1;
    public static final int OP_TMPFS = 2;
    public static final int OP_PROC = 3;
    public static final int OP_DEV = 4;
    public static final int OP_SYMLINK = 5;
    public static final int OP_DIR = 6;
    public static final int OP_FILE = 7;
    public static final int OP_HIDE = 8;
    public static final int OP_REMOUNT_RO = 9;
    public static final int OP_KIND_MAX = 9;
    public static final int OPF_READ_ONLY = 0x1;
    public static final int OPF_ALLOW_DEVICES = 0x2;
    public static final int OPF_OPTIONAL = 0x4;
    public static final int OPF_WITH_PTS = 0x8;
    public static final int OPF_NO_SYMLINKS = 0x10;
    public static final int SUPERVISE_REPORT = 1;
    public static final int SUPERVISE_LEARN = 2;
    public static final int CG_F_V2 = 0x1;
    public static final int CG_F_INTO = 0x2;
    public static final int CG_F_ALL = 0x3;
    public static final int IDMAP_UID = 0;
    public static final int IDMAP_GID = 1;
    public static final int LL_RULE_PATH = 1;
    public static final int LL_RULE_PORT = 2;

    // ---- status (fd 4): one record on a setup failure, EOF (close-on-exec) on exec

    public static final int STATUS_MAGIC = 0x52344253;
    public static final int STATUS_HEADER = 20;

    // ---- result (fd 5): seccomp records, the cgroup counters, then one result record

    public static final int RESULT_MAGIC = 0x58344253;
    public static final int RESULT_BYTES = 16;
    public static final int RESULT_EXITED = 1;
    public static final int RESULT_SIGNALED = 2;
    public static final int RESULT_F_TIME_LIMIT = 0x1;
    public static final int RESULT_F_LIFELINE = 0x2;
    public static final int RESULT_F_CORE = 0x4;
    public static final int SV_RECORD_MAGIC = 0x56344253;
    public static final int SV_RECORD_BYTES = 96;
    public static final int SV_REC_VIOLATION = 1;
    public static final int SV_REC_LEARNED = 2;
    public static final int SV_REC_LOST = 3;
    public static final int CG_RESULT_MAGIC = 0x47344253;
    public static final long CG_UNREADABLE = -1L;

    // ---- prestarted launcher requests (ZFD_SOCK, SOCK_SEQPACKET)

    public static final int REQ_MAGIC = 0x5A344253;
    public static final int REPLY_MAGIC = 0x59344253;
    public static final int REQ_VERSION = 1;
    public static final int REQ_F_SPEC_MEMFD = 0x1;
    public static final int REQ_F_LOCK = 0x2;
    public static final int REQ_HEADER = 16;
    public static final int REQ_INLINE_MAX = 65536;
    public static final int REQ_FIXED_FDS = 5;
    public static final int REPLY_BYTES = 8;
    public static final int LOCK_F_WRITES = 0x1;
    public static final int LOCK_F_NO_HOST_IDS = 0x2;
    public static final int LOCK_F_NO_CAPS = 0x4;
    public static final int LOCK_F_NO_NEWNS = 0x8;
    public static final int LOCK_F_ALL = 0xf;

    // ---- setup steps: the step of a status record (SetupStep in Java, by name)

}
