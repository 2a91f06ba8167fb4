/* wire.h - every number of the wire between Java and the launcher, in one place
 * (docs/architecture.md, "The wire between Java and the launcher").
 *
 * The Java side mirrors this file in org.sandbox4j.internal.Wire (same names, same values),
 * Namespace (NS_*) and SetupStep (WIRE_STEPS); WireHeaderTest parses this file and fails on any
 * difference, and the golden files under sandbox-api/src/test/resources/wire/ are written by one
 * side and read by the other (WireGoldenTest in Java, wire_test.c here).
 *
 * Format rules, so the test can read it: one `#define NAME VALUE` per line with VALUE a decimal or
 * hexadecimal literal (optionally with a u suffix), enums with explicit `NAME = VALUE`, and step
 * names as `X(NAME, "wire name")` lines of WIRE_STEPS. Nothing else defines a wire number. */
#ifndef SB4J_WIRE_H
#define SB4J_WIRE_H

/* ---- fds ---------------------------------------------------------------------------------- */
/* Per-jail launcher: 3 the spec (read to EOF), 4 status records, 5 result records, 6 the lifeline
 * (DIE_WITH_PARENT: HUP when the JVM is gone), 7.. the fds the spec's FDMAP records name. */
#define FD_SPEC 3
#define FD_STATUS 4
#define FD_RESULT 5
#define FD_LIFELINE 6
#define FD_FIRST_KEPT 7
/* Prestarted launcher (--zygote): 3 the request socket, 5 the death pipe, 6 the lifeline. */
#define ZFD_SOCK 3
#define ZFD_DEATH 5
#define ZFD_LIFELINE 6
/* Exit code (and RESULT_EXITED value) of a process whose setup failed. */
#define STEP_EXIT 125

/* ---- spec (fd 3): header {magic, u16 version, u16 0}, then records {u16 type, u16 0, u32 len} */
#define SPEC_MAGIC 0x4A344253u /* "SB4J" */
#define SPEC_VERSION 1u
#define SPEC_MAX_BYTES 16777216u
#define SPEC_MAX_PATH 4095u
#define SPEC_MAX_HOSTNAME 64u
#define SPEC_MAX_FILTER 4096u
#define SPEC_MAX_FDMAPS 1024u
#define SPEC_ID_DEFAULT 0xFFFFFFFFu
#define SPEC_MAX_IDMAPS 340u /* per map: the kernel's limit of lines in uid_map/gid_map */
#define SPEC_MAX_CGROUPS 8u
#define SPEC_MAX_CG_STATS 8u
#define SPEC_MAX_CG_NAME 64u

enum spec_record {
  REC_FLAGS = 1,
  REC_IDS = 2,
  REC_HOSTNAME = 3,
  REC_ROOT = 4,
  REC_OP = 5,
  REC_EXEC = 6,
  REC_ARGV = 7,
  REC_ENV = 8,
  REC_CWD = 9,
  REC_RLIMIT = 10,
  REC_CAPS = 11,
  REC_FDMAP = 12,
  REC_TIME_LIMIT = 13,
  REC_SECCOMP = 14,
  REC_LANDLOCK = 15,
  REC_CGROUP = 16,
  REC_IDMAP = 17,
  REC_MAX = 17
};

/* FLAGS: the clone flags (the namespaces the jail gets, Namespace.cloneFlag()) and options. */
#define NS_USER 0x10000000u   /* CLONE_NEWUSER */
#define NS_MOUNT 0x00020000u  /* CLONE_NEWNS */
#define NS_PID 0x20000000u    /* CLONE_NEWPID */
#define NS_NET 0x40000000u    /* CLONE_NEWNET */
#define NS_IPC 0x08000000u    /* CLONE_NEWIPC */
#define NS_UTS 0x04000000u    /* CLONE_NEWUTS */
#define NS_CGROUP 0x02000000u /* CLONE_NEWCGROUP */
#define NS_ALL 0x7E020000u

enum spec_option {
  OPT_INIT = 0x1,
  OPT_NEW_SESSION = 0x2,
  OPT_NO_NEW_PRIVS = 0x4,
  OPT_DIE_WITH_PARENT = 0x8,
  OPT_ROOT_READONLY = 0x10,
  OPT_LOOPBACK_UP = 0x20,
  OPT_ALL = 0x3f
};

/* ROOT: {u32 kind, u32 flags, string path} */
enum spec_root { ROOT_TMPFS = 0, ROOT_BIND = 1, ROOT_HOST = 2, ROOT_CHROOT = 3 };
#define ROOT_F_WRITABLE 0x1u
#define ROOT_F_NO_SYMLINKS 0x2u /* BIND, CHROOT: refuse a symlink in any component of the path */

/* OP: {i32 index, u16 kind, u16 flags, u32 mode, string a, string b, bytes data} */
enum spec_op_kind {
  OP_BIND = 1,
  OP_TMPFS = 2,
  OP_PROC = 3,
  OP_DEV = 4,
  OP_SYMLINK = 5,
  OP_DIR = 6,
  OP_FILE = 7,
  OP_HIDE = 8,
  OP_REMOUNT_RO = 9,
  OP_KIND_MAX = 9
};
#define OPF_READ_ONLY 0x1u
#define OPF_ALLOW_DEVICES 0x2u
#define OPF_OPTIONAL 0x4u
#define OPF_WITH_PTS 0x8u
#define OPF_NO_SYMLINKS 0x10u /* BIND: refuse a symlink in any component of the source */

/* SECCOMP: {u32 flags, u32 supervise, sock_filter[]}. supervise 0: the filter as it is; REPORT:
 * refused and killing returns go to the launcher, which reports them and then does what the filter
 * said; LEARN: every call goes to the launcher, which lets it run and records it. */
#define SUPERVISE_REPORT 1u
#define SUPERVISE_LEARN 2u

/* CGROUP: {u32 flags, u32 0, string path, u32 n, n x {string file, string key}} */
#define CG_F_V2 0x1u   /* a cgroup v2 directory: cgroup.kill ends everything in it */
#define CG_F_INTO 0x2u /* clone3(CLONE_INTO_CGROUP) into it where the kernel has it (v2, at most one) */
#define CG_F_ALL 0x3u

/* IDMAP: {u32 kind, u32 inside, u32 outside, u32 count} */
#define IDMAP_UID 0u
#define IDMAP_GID 1u

/* LANDLOCK rules: {u16 kind, u16 0, u32 0, u64 access, string path | u64 port} */
#define LL_RULE_PATH 1u
#define LL_RULE_PORT 2u

/* ---- status (fd 4): one record on a setup failure, EOF (close-on-exec) on exec ------------- */
/* {magic, i32 op index, u32 errno, u16 step len, u16 path len, u16 detail len, u16 0, step,
 * path, detail}; step is one of the WIRE_STEPS names. */
#define STATUS_MAGIC 0x52344253u /* "SB4R" */
#define STATUS_HEADER 20

/* ---- result (fd 5): seccomp records, the cgroup counters, then one result record ---------- */
#define RESULT_MAGIC 0x58344253u /* "SB4X": {magic, u32 kind, i32 value, u32 flags} */
#define RESULT_BYTES 16
#define RESULT_EXITED 1u
#define RESULT_SIGNALED 2u
#define RESULT_F_TIME_LIMIT 0x1u
#define RESULT_F_LIFELINE 0x2u
#define RESULT_F_CORE 0x4u
/* "SB4V" (96 bytes): {magic, u32 kind, u32 arch, u32 nr, u32 pid, u32 action, u32 count, u32 0,
 * u64 args[6], char comm[16]} */
#define SV_RECORD_MAGIC 0x56344253u
#define SV_RECORD_BYTES 96
#define SV_REC_VIOLATION 1u
#define SV_REC_LEARNED 2u
#define SV_REC_LOST 3u
/* "SB4G": {magic, u32 n, n x u64} the counters of the CGROUP records in spec order */
#define CG_RESULT_MAGIC 0x47344253u
#define CG_UNREADABLE 0xFFFFFFFFFFFFFFFFu

/* ---- prestarted launcher requests (ZFD_SOCK, SOCK_SEQPACKET) ------------------------------- */
/* Request: {magic, u16 version, u16 flags, u32 kept fds, u32 0}, then the spec (or, with
 * REQ_F_SPEC_MEMFD, nothing: the spec is in a memfd), fds by SCM_RIGHTS: stdin, stdout, stderr,
 * status, result, [memfd], kept. Reply: {magic, i32 pid (0: failed)} and a pidfd. */
#define REQ_MAGIC 0x5A344253u   /* "SB4Z" */
#define REPLY_MAGIC 0x59344253u /* "SB4Y" */
#define REQ_VERSION 1
#define REQ_F_SPEC_MEMFD 0x1u
#define REQ_F_LOCK 0x2u /* the body is a lockdown's limits (lockin.c), no fds; the reply's pid is 1 when taken */
#define REQ_HEADER 16
#define REQ_INLINE_MAX 65536
#define REQ_FIXED_FDS 5 /* stdin, stdout, stderr, status, result */
#define REPLY_BYTES 8
/* LOCK body: {u32 flags, u32 n, n x string path} */
#define LOCK_F_WRITES 0x1u      /* writes only beneath the LOCK's paths */
#define LOCK_F_NO_HOST_IDS 0x2u /* only the default id mapping (the JVM dropped its capabilities) */
#define LOCK_F_NO_CAPS 0x4u     /* no kept capabilities */
#define LOCK_F_NO_NEWNS 0x8u    /* the program may create no namespace (the JVM's filter forbids it) */
#define LOCK_F_ALL 0xfu

/* ---- setup steps: the step of a status record (SetupStep in Java, by name) ----------------- */
#define WIRE_STEPS(X)                   \
  X(SPEC, "spec")                       \
  X(CLONE, "clone")                     \
  X(UID_MAP, "uid_map")                 \
  X(GID_MAP, "gid_map")                 \
  X(SETGROUPS, "setgroups")             \
  X(MOUNT_PRIVATE, "mount_private")     \
  X(ROOT, "root")                       \
  X(BIND, "bind")                       \
  X(TMPFS, "tmpfs")                     \
  X(PROC, "proc")                       \
  X(DEV, "dev")                         \
  X(SYMLINK, "symlink")                 \
  X(MKDIR, "mkdir")                     \
  X(WRITE_FILE, "write_file")           \
  X(HIDE, "hide")                       \
  X(REMOUNT_RO, "remount_ro")           \
  X(PIVOT_ROOT, "pivot_root")           \
  X(CHROOT, "chroot")                   \
  X(CHDIR, "chdir")                     \
  X(HOSTNAME, "hostname")               \
  X(LOOPBACK, "loopback")               \
  X(RLIMIT, "rlimit")                   \
  X(IDENTITY, "identity")               \
  X(CAPS, "caps")                       \
  X(NO_NEW_PRIVS, "no_new_privs")       \
  X(LANDLOCK, "landlock")               \
  X(SECCOMP, "seccomp")                 \
  X(FDS, "fds")                         \
  X(SETSID, "setsid")                   \
  X(FORK, "fork")                       \
  X(EXECVE, "execve")                   \
  X(CGROUP, "cgroup")                   \
  X(LOCKDOWN, "lockdown")

#define WIRE_STEP_ENUM(name, wire) STEP_##name,
enum step { WIRE_STEPS(WIRE_STEP_ENUM) STEP_COUNT_ };
#undef WIRE_STEP_ENUM

#endif
