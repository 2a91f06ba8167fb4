/* spec.h - the launcher's view of the spec (docs/architecture.md, "Spec (fd 3)").
 *
 * spec_decode() is the only code that touches untrusted bytes. It validates everything the
 * launcher later relies on (bounds, singletons, kinds, flags, absolute paths, cross-record rules)
 * so the mechanisms can trust the struct. It never reads past its buffer and never aborts. */
#ifndef SB4J_SPEC_H
#define SB4J_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

#define SPEC_MAGIC 0x4A344253u
#define SPEC_VERSION 1u
#define SPEC_MAX_BYTES (16u << 20)
#define SPEC_MAX_PATH 4095u
#define SPEC_MAX_HOSTNAME 64u
#define SPEC_MAX_FILTER 4096u
#define SPEC_MAX_FDMAPS 1024u
#define SPEC_ID_DEFAULT 0xFFFFFFFFu
#define SPEC_MAX_IDMAPS 340u /* per map: the kernel's limit of lines in uid_map/gid_map */

enum spec_record {
  REC_FLAGS = 1, REC_IDS, REC_HOSTNAME, REC_ROOT, REC_OP, REC_EXEC, REC_ARGV, REC_ENV, REC_CWD,
  REC_RLIMIT, REC_CAPS, REC_FDMAP, REC_TIME_LIMIT, REC_SECCOMP, REC_LANDLOCK, REC_CGROUP,
  REC_IDMAP, REC_MAX = REC_IDMAP
};

enum spec_option {
  OPT_INIT = 0x1, OPT_NEW_SESSION = 0x2, OPT_NO_NEW_PRIVS = 0x4, OPT_DIE_WITH_PARENT = 0x8,
  OPT_ROOT_READONLY = 0x10, OPT_LOOPBACK_UP = 0x20, OPT_ALL = 0x3f
};

enum spec_root { ROOT_TMPFS = 0, ROOT_BIND = 1, ROOT_HOST = 2, ROOT_CHROOT = 3 };
#define ROOT_F_WRITABLE 0x1u
#define ROOT_F_NO_SYMLINKS 0x2u /* BIND, CHROOT: refuse a symlink in any component of the path */

enum spec_op_kind {
  OP_BIND = 1, OP_TMPFS, OP_PROC, OP_DEV, OP_SYMLINK, OP_DIR, OP_FILE, OP_HIDE, OP_REMOUNT_RO,
  OP_KIND_MAX = OP_REMOUNT_RO
};
#define OPF_READ_ONLY 0x1u
#define OPF_ALLOW_DEVICES 0x2u
#define OPF_OPTIONAL 0x4u
#define OPF_WITH_PTS 0x8u
#define OPF_NO_SYMLINKS 0x10u /* BIND: refuse a symlink in any component of the source */

struct spec_op {
  int32_t index;     /* the Java-side op index, reported back in status records */
  uint16_t kind, flags;
  uint32_t mode;
  char *a, *b;       /* NUL-terminated copies; "" when unused */
  char *data;        /* FILE: raw bytes (may contain NUL); TMPFS: decimal size; else "" */
  uint32_t data_len;
};

/* The SECCOMP record's second word (supervise.c): 0 the filter as it is; REPORT refused and
 * killing returns go to the launcher, which reports them and then does what the filter said;
 * LEARN every call goes to the launcher, which lets it run and records it (the filter is unused). */
#define SUPERVISE_REPORT 1u
#define SUPERVISE_LEARN 2u
/* The instructions seccomp.c puts in front of a supervised filter (the hand-off of the listener). */
#define SV_PREFIX 16u

struct spec_rlimit { uint32_t resource; uint64_t soft, hard; };

/* CGROUP (repeatable, docs/architecture.md): one cgroup directory the jail is placed in before it
 * is released (Java created it and wrote its limits), the counters to read back when the jail
 * ended, and removed then. */
#define SPEC_MAX_CGROUPS 8u
#define SPEC_MAX_CG_STATS 8u
#define SPEC_MAX_CG_NAME 64u
#define CG_F_V2 0x1u   /* a cgroup v2 directory: cgroup.kill ends everything in it */
#define CG_F_INTO 0x2u /* clone3(CLONE_INTO_CGROUP) into it where the kernel has it (v2, at most one) */
#define CG_F_ALL 0x3u
struct spec_cg_stat { char *file, *key; }; /* key "" = the file's first number */
struct spec_cgroup {
  uint32_t flags;
  char *path;
  struct spec_cg_stat stats[SPEC_MAX_CG_STATS];
  uint32_t n_stats;
};

/* IDMAP: one range of uid_map (kind 0) or gid_map (kind 1). With any IDMAP record of a kind the
 * map is exactly those ranges (the IDS host id is then unused for that kind). */
#define IDMAP_UID 0u
#define IDMAP_GID 1u
struct spec_idmap { uint32_t kind, inside, outside, count; };
struct spec_fdmap { int from, to; };

#define LL_RULE_PATH 1u
#define LL_RULE_PORT 2u
struct spec_ll_rule {
  uint32_t kind;     /* LL_RULE_PATH or LL_RULE_PORT */
  uint64_t access;   /* allowed rights, a subset of the handled ones */
  char *path;        /* PATH: absolute path inside the jail */
  uint64_t port;     /* PORT: TCP port */
};

struct spec {
  uint32_t clone_flags, options;
  uint32_t uid, gid, host_uid, host_gid;
  char *hostname;                  /* NULL when absent */
  uint32_t root_kind, root_flags;
  char *root_path;
  struct spec_op *ops; size_t n_ops;
  char *exec_path;
  char **argv; size_t argc;        /* NULL-terminated */
  char **envp; size_t envc;        /* NULL-terminated */
  char *cwd;                       /* "/" when absent */
  struct spec_rlimit *rlimits; size_t n_rlimits;
  int has_caps; uint64_t caps_keep;
  struct spec_fdmap *fdmaps; size_t n_fdmaps;
  struct spec_idmap *idmaps; size_t n_idmaps; /* validated: no overlaps, ids below 2^32-1 */
  size_t n_uid_maps, n_gid_maps;
  uint64_t time_limit_ms;
  int has_seccomp; uint32_t seccomp_flags;
  uint32_t supervise;              /* SUPERVISE_*: the second word of the SECCOMP record */
  int lock_no_newns;               /* not on the wire: set by lockin_check (LOCK_F_NO_NEWNS) */
  struct sock_filter *filter; uint16_t filter_len;
  int has_landlock; uint32_t ll_min_abi;
  uint64_t ll_fs, ll_net;          /* handled rights */
  uint32_t ll_scoped;              /* LANDLOCK_SCOPE_* (ABI 6) */
  struct spec_ll_rule *ll_rules; size_t n_ll_rules;
  struct spec_cgroup *cgroups; size_t n_cgroups;
  char *arena_;                    /* owns every string */
  size_t arena_cap_;
};

struct spec_error {
  int op_index;                    /* -1 unless the problem is inside an OP record */
  char detail[200];
};

/* Returns 0 and fills *s, or -1 and fills *err (then *s holds nothing to free). */
int spec_decode(const uint8_t *buf, size_t len, struct spec *s, struct spec_error *err);
/* Frees everything, zeroing the bytes of the spec first (the zygote's clones see its memory). */
void spec_free(struct spec *s);
const char *spec_record_name(unsigned type);

#endif
