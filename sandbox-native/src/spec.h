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

#include "wire.h"

struct spec_op {
  int32_t index;     /* the Java-side op index, reported back in status records */
  uint16_t kind, flags;
  uint32_t mode;
  char *a, *b;       /* NUL-terminated copies; "" when unused */
  char *data;        /* FILE: raw bytes (may contain NUL); TMPFS: decimal size; else "" */
  uint32_t data_len;
};

/* The instructions seccomp.c puts in front of a supervised filter (the hand-off of the listener). */
#define SV_PREFIX 16u

struct spec_rlimit { uint32_t resource; uint64_t soft, hard; };

/* CGROUP (repeatable, docs/architecture.md): one cgroup directory the jail is placed in before it
 * is released (Java created it and wrote its limits), the counters to read back when the jail
 * ended, and removed then. */
struct spec_cg_stat { char *file, *key; }; /* key "" = the file's first number */
struct spec_cgroup {
  uint32_t flags;
  char *path;
  struct spec_cg_stat stats[SPEC_MAX_CG_STATS];
  uint32_t n_stats;
};

/* IDMAP: one range of uid_map (kind 0) or gid_map (kind 1). With any IDMAP record of a kind the
 * map is exactly those ranges (the IDS host id is then unused for that kind). */
struct spec_idmap { uint32_t kind, inside, outside, count; };
struct spec_fdmap { int from, to; };

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
