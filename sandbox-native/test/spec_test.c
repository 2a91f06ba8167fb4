/* spec_test - unit tests of the spec decoder plus a built-in mutation fuzz loop. Built with
 * AddressSanitizer and UndefinedBehaviorSanitizer by `make check`. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "specbuf.h"

static int failures, checks;
#define CHECK(c, ...)                                                    \
  do {                                                                   \
    checks++;                                                            \
    if (!(c)) {                                                          \
      failures++;                                                        \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);               \
      fprintf(stderr, __VA_ARGS__);                                      \
      fputc('\n', stderr);                                               \
    }                                                                    \
  } while (0)


/* Knobs to break one thing at a time in an otherwise valid spec. */
struct knobs {
  uint32_t magic, version, clone_flags, options;
  int omit; /* record type to leave out */
  int dup;  /* record type to repeat */
  const char *exec, *op_target, *hostname, *cwd, *op_data;
  uint16_t op_kind, op_flags;
  uint32_t op_mode;
  uint64_t soft, hard;
  uint32_t fd_from, fd_to;
  size_t filter_len, filter_extra_bytes;
  int trailing_in_flags, nul_in_exec, bad_type, bad_reserved;
  uint32_t seccomp_flags, supervise; /* the SECCOMP record's two words */
  int cg_count;                 /* CGROUP records (default 2: a v2 INTO one and a v1-style one) */
  uint32_t cg_flags, cg_n_stats;
  const char *cg_path, *cg_file, *cg_key, *tmpfs_data;
  const uint32_t (*idmaps)[4]; /* IDMAP records: kind, inside, outside, count */
  size_t n_idmaps;
};

static struct knobs defaults(void) {
  return (struct knobs){.magic = 0x4A344253u, .version = 1, .clone_flags = NS_ALL, .options = 0x3f,
                        .exec = "/bin/sh", .op_target = "/usr", .hostname = "jail", .cwd = "/tmp",
                        .op_kind = 1, .op_flags = 1, .soft = 10, .hard = 20, .fd_from = 7, .fd_to = 3,
                        .filter_len = 2, .cg_count = 2, .cg_flags = 3, .cg_n_stats = 2,
                        .cg_path = "/sys/fs/cgroup/jail", .cg_file = "memory.events", .cg_key = "oom_kill",
                        .tmpfs_data = "268435456,65536"};
}

static void rec(struct sbuf *b, const struct knobs *k, int type, void (*body)(struct sbuf *, const struct knobs *)) {
  if (k->omit == type) return;
  for (int i = 0; i < (k->dup == type ? 2 : 1); i++) {
    sb_begin(b, (uint16_t)type);
    body(b, k);
    sb_end(b);
  }
}
static void b_flags(struct sbuf *b, const struct knobs *k) {
  sb_u32(b, k->clone_flags);
  sb_u32(b, k->options);
  if (k->trailing_in_flags) sb_u16(b, 0);
}
static void b_ids(struct sbuf *b, const struct knobs *k) {
  (void)k;
  sb_u32(b, 1000); sb_u32(b, 1000); sb_u32(b, 0xFFFFFFFFu); sb_u32(b, 0xFFFFFFFFu);
}
static void b_host(struct sbuf *b, const struct knobs *k) { sb_str(b, k->hostname); }
static void b_root(struct sbuf *b, const struct knobs *k) { (void)k; sb_u32(b, 0); sb_u32(b, 0); sb_str(b, ""); }
static void b_exec(struct sbuf *b, const struct knobs *k) {
  if (k->nul_in_exec) sb_strn(b, "/bin\0sh", 7);
  else sb_str(b, k->exec);
}
static void b_argv(struct sbuf *b, const struct knobs *k) { (void)k; sb_u32(b, 2); sb_str(b, "sh"); sb_str(b, "-c"); }
static void b_env(struct sbuf *b, const struct knobs *k) { (void)k; sb_u32(b, 1); sb_str(b, "PATH=/bin"); }
static void b_cwd(struct sbuf *b, const struct knobs *k) { sb_str(b, k->cwd); }
static void b_rlimit(struct sbuf *b, const struct knobs *k) { sb_u32(b, 7); sb_u32(b, 0); sb_u64(b, k->soft); sb_u64(b, k->hard); }
static void b_caps(struct sbuf *b, const struct knobs *k) { (void)k; sb_u64(b, 1ull << 10); }
static void b_fdmap(struct sbuf *b, const struct knobs *k) { sb_u32(b, k->fd_from); sb_u32(b, k->fd_to); }
static void b_time(struct sbuf *b, const struct knobs *k) { (void)k; sb_u64(b, 5000); }
static void b_seccomp(struct sbuf *b, const struct knobs *k) {
  sb_u32(b, k->seccomp_flags); sb_u32(b, k->supervise);
  for (size_t i = 0; i < k->filter_len; i++) { sb_u16(b, 6); sb_u16(b, 0); sb_u32(b, 0x7fff0000u); }
  for (size_t i = 0; i < k->filter_extra_bytes; i++) sb_put(b, "", 1);
}

static void b_cgroup(struct sbuf *b, const struct knobs *k, int second) {
  sb_begin(b, 16);
  sb_u32(b, second ? 0 : k->cg_flags);
  sb_u32(b, 0);
  sb_str(b, second ? "/sys/fs/cgroup/pids/jail" : k->cg_path);
  sb_u32(b, second ? 1 : k->cg_n_stats);
  for (uint32_t i = 0; i < (second ? 1 : k->cg_n_stats); i++) {
    sb_str(b, i ? "memory.peak" : k->cg_file);
    sb_str(b, i ? "" : k->cg_key);
  }
  sb_end(b);
}

static struct sbuf build(const struct knobs *k) {
  struct sbuf b = {0};
  sb_u32(&b, k->magic);
  sb_u16(&b, (uint16_t)k->version);
  sb_u16(&b, 0);
  rec(&b, k, 1, b_flags);
  rec(&b, k, 2, b_ids);
  rec(&b, k, 3, b_host);
  rec(&b, k, 4, b_root);
  if (k->omit != 5) {
    sb_op(&b, 0, k->op_kind, k->op_flags, k->op_mode, k->op_kind == 1 ? "/usr" : k->op_kind == 5 ? "x" : "",
          k->op_target, k->op_data ? k->op_data : "", k->op_data ? (uint32_t)strlen(k->op_data) : 0);
    sb_op(&b, 1, 7, 0, 0600, "", "/etc/passwd", "root:x:0:0\0bin", 14);
    sb_op(&b, 2, 2, 0, 01777, "", "/tmp", k->tmpfs_data, strlen(k->tmpfs_data));
  }
  rec(&b, k, 6, b_exec);
  rec(&b, k, 7, b_argv);
  rec(&b, k, 8, b_env);
  rec(&b, k, 9, b_cwd);
  rec(&b, k, 10, b_rlimit);
  rec(&b, k, 11, b_caps);
  rec(&b, k, 12, b_fdmap);
  rec(&b, k, 13, b_time);
  rec(&b, k, 14, b_seccomp);
  for (int i = 0; i < k->cg_count; i++) b_cgroup(&b, k, i % 2);
  for (size_t i = 0; i < k->n_idmaps; i++) {
    sb_begin(&b, 17);
    for (int f = 0; f < 4; f++) sb_u32(&b, k->idmaps[i][f]);
    sb_end(&b);
  }
  if (k->bad_type) { sb_begin(&b, 99); sb_end(&b); }
  if (k->bad_reserved) { sb_u16(&b, 13); sb_u16(&b, 1); sb_u32(&b, 8); sb_u64(&b, 0); }
  return b;
}

static int decode(const struct sbuf *b, struct spec_error *e) {
  struct spec s;
  /* An exact-size heap copy, so ASan sees any read past the end. */
  uint8_t *copy = malloc(b->n ? b->n : 1);
  if (b->n) memcpy(copy, b->p, b->n);
  int rc = spec_decode(copy, b->n, &s, e);
  if (!rc) spec_free(&s);
  free(copy);
  return rc;
}

static void expect_reject(struct knobs k, const char *what, int op_index) {
  struct sbuf b = build(&k);
  struct spec_error e;
  int rc = decode(&b, &e);
  CHECK(rc == -1, "%s: accepted", what);
  if (rc == -1) CHECK(e.op_index == op_index, "%s: op index %d, wanted %d (%s)", what, e.op_index, op_index, e.detail);
  if (rc == -1 && getenv("VERBOSE")) printf("  %-28s -> %s\n", what, e.detail);
  free(b.p);
}

static void test_valid(void) {
  struct knobs k = defaults();
  struct sbuf b = build(&k);
  struct spec s;
  struct spec_error e;
  int rc = spec_decode(b.p, b.n, &s, &e);
  CHECK(rc == 0, "valid spec rejected: %s", e.detail);
  if (!rc) {
    CHECK(s.clone_flags == NS_ALL && s.options == 0x3f, "flags");
    CHECK(s.uid == 1000 && s.host_uid == 0xFFFFFFFFu, "ids");
    CHECK(s.hostname && !strcmp(s.hostname, "jail"), "hostname");
    CHECK(s.n_ops == 3 && s.ops[0].kind == 1 && !strcmp(s.ops[0].a, "/usr") && s.ops[1].index == 1, "ops");
    CHECK(s.ops[1].data_len == 14 && s.ops[1].data[10] == 0 && s.ops[1].mode == 0600, "file data");
    CHECK(!strcmp(s.exec_path, "/bin/sh") && s.argc == 2 && !strcmp(s.argv[1], "-c") && !s.argv[2], "argv");
    CHECK(s.envc == 1 && !strcmp(s.envp[0], "PATH=/bin") && !s.envp[1], "env");
    CHECK(!strcmp(s.cwd, "/tmp"), "cwd");
    CHECK(s.n_rlimits == 1 && s.rlimits[0].resource == 7 && s.rlimits[0].hard == 20, "rlimit");
    CHECK(s.has_caps && s.caps_keep == 1ull << 10, "caps");
    CHECK(s.n_fdmaps == 1 && s.fdmaps[0].from == 7 && s.fdmaps[0].to == 3, "fdmap");
    CHECK(s.time_limit_ms == 5000, "time");
    CHECK(s.has_seccomp && s.filter_len == 2 && s.filter[1].k == 0x7fff0000u, "seccomp");
    CHECK(s.supervise == 0, "seccomp not supervised");
    CHECK(s.ops[2].kind == 2 && !strcmp(s.ops[2].data, "268435456,65536"), "tmpfs size and inodes");
    CHECK(s.n_cgroups == 2 && s.cgroups[0].flags == 3 && !strcmp(s.cgroups[0].path, "/sys/fs/cgroup/jail") &&
              s.cgroups[0].n_stats == 2 && !strcmp(s.cgroups[0].stats[0].key, "oom_kill") &&
              !strcmp(s.cgroups[0].stats[1].file, "memory.peak") && !s.cgroups[0].stats[1].key[0] &&
              s.cgroups[1].flags == 0 && s.cgroups[1].n_stats == 1, "cgroups");
    spec_free(&s);
  }
  /* A supervised (LEARN) filter decodes with its mode. */
  k.supervise = 2;
  free(b.p);
  b = build(&k);
  rc = spec_decode(b.p, b.n, &s, &e);
  CHECK(rc == 0 && s.supervise == 2, "supervised spec rejected: %s", e.detail);
  if (!rc) spec_free(&s);
  k.supervise = 0;
  /* Minimal: only the required records, no CWD => "/". */
  k.omit = 3;
  free(b.p);
  b = build(&k);
  rc = spec_decode(b.p, b.n, &s, &e);
  CHECK(rc == 0, "spec without hostname rejected: %s", e.detail);
  if (!rc) {
    CHECK(s.hostname == NULL, "hostname absent");
    spec_free(&s);
  }
  free(b.p);
}

static void test_rejects(void) {
  struct knobs k;
  k = defaults(); k.magic = 0x12345678; expect_reject(k, "bad magic", -1);
  k = defaults(); k.version = 2; expect_reject(k, "version 2", -1);
  static const int required[] = {1, 2, 4, 6, 7, 8};
  for (size_t i = 0; i < 6; i++) { k = defaults(); k.omit = required[i]; expect_reject(k, "missing required", -1); }
  static const int singles[] = {1, 2, 3, 4, 6, 7, 8, 9, 11, 13, 14};
  for (size_t i = 0; i < 11; i++) { k = defaults(); k.dup = singles[i]; expect_reject(k, "repeated singleton", -1); }
  k = defaults(); k.dup = 12; expect_reject(k, "repeated fdmap target", -1);
  k = defaults(); k.dup = 10; expect_reject(k, "repeated rlimit resource", -1);
  k = defaults(); k.bad_type = 1; expect_reject(k, "unknown record type", -1);
  k = defaults(); k.bad_reserved = 1; expect_reject(k, "record reserved field", -1);
  k = defaults(); k.trailing_in_flags = 1; expect_reject(k, "trailing bytes in record", -1);
  k = defaults(); k.nul_in_exec = 1; expect_reject(k, "NUL inside a string", -1);
  k = defaults(); k.exec = "bin/sh"; expect_reject(k, "relative exec", -1);
  k = defaults(); k.cwd = "/a/../b"; expect_reject(k, "cwd with ..", -1);
  k = defaults(); k.op_target = "usr"; expect_reject(k, "relative op target", 0);
  k = defaults(); k.op_target = "/usr/./x"; expect_reject(k, "op target with .", 0);
  k = defaults(); k.op_kind = 10; expect_reject(k, "unknown op kind", 0);
  k = defaults(); k.op_kind = 0; expect_reject(k, "op kind 0", 0);
  k = defaults(); k.op_flags = 0x20; expect_reject(k, "bind flag 0x20", 0);
  k = defaults(); k.op_kind = 2; k.op_flags = 0x10; expect_reject(k, "NO_SYMLINKS on tmpfs", 0);
  k = defaults(); k.op_flags = 0x11; /* NO_SYMLINKS | READ_ONLY on a bind */
  { struct sbuf b = build(&k); struct spec_error e; CHECK(decode(&b, &e) == 0, "bind NO_SYMLINKS: %s", e.detail); free(b.p); }
  static const char *const bad_sizes[] = {"0", "000", "-1", "123bogus", "1k", " 1"};
  for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
    k = defaults(); k.op_kind = 2; k.op_flags = 0; k.op_data = bad_sizes[i];
    expect_reject(k, bad_sizes[i], 0);
  }
  k = defaults(); k.op_kind = 2; k.op_flags = 0; k.op_data = "4096";
  { struct sbuf b = build(&k); struct spec_error e; CHECK(decode(&b, &e) == 0, "tmpfs size 4096: %s", e.detail); free(b.p); }
  k = defaults(); k.op_kind = 3; k.op_flags = 1; expect_reject(k, "proc with flags", 0);
  k = defaults(); k.op_kind = 2; k.op_flags = 0; k.op_mode = 010000; expect_reject(k, "mode > 07777", 0);
  k = defaults(); k.op_kind = 3; k.op_flags = 0; k.op_mode = 0755; expect_reject(k, "mode on proc", 0);
  k = defaults(); k.soft = 30; expect_reject(k, "soft above hard", -1);
  k = defaults(); k.fd_from = 6; expect_reject(k, "launcher fd 6", -1);
  k = defaults(); k.fd_to = 2; expect_reject(k, "target fd 2", -1);
  k = defaults(); k.filter_len = 0; expect_reject(k, "empty filter", -1);
  k = defaults(); k.filter_len = 4097; expect_reject(k, "filter of 4097", -1);
  k = defaults(); k.supervise = 3; expect_reject(k, "unknown supervise mode", -1);
  k = defaults(); k.supervise = 1; k.seccomp_flags = 1; expect_reject(k, "supervised filter with TSYNC", -1);
  k = defaults(); k.supervise = 1; k.filter_len = 4096 - 15; expect_reject(k, "supervised filter without room for the prefix", -1);
  k = defaults(); k.filter_extra_bytes = 3; expect_reject(k, "filter not a multiple of 8", -1);
  k = defaults(); k.clone_flags = NS_ALL | 0x100; expect_reject(k, "clone flag CLONE_FILES", -1);
  k = defaults(); k.clone_flags = NS_ALL | 0x80; expect_reject(k, "CLONE_NEWTIME", -1);
  k = defaults(); k.options = 0x40; expect_reject(k, "unknown option", -1);
  k = defaults(); k.clone_flags = NS_ALL & ~0x00020000u; expect_reject(k, "tmpfs root without NEWNS", -1);
  k = defaults(); k.clone_flags = NS_ALL & ~0x04000000u; expect_reject(k, "hostname without NEWUTS", -1);
  k = defaults(); k.hostname = ""; expect_reject(k, "empty hostname", -1);
  k = defaults(); k.hostname = "01234567890123456789012345678901234567890123456789012345678901234";
  expect_reject(k, "hostname of 65", -1);
  k = defaults(); k.tmpfs_data = "12a"; expect_reject(k, "tmpfs size not decimal", 2);
  k = defaults(); k.tmpfs_data = "1,2,3"; expect_reject(k, "tmpfs with two commas", 2);
  k = defaults(); k.tmpfs_data = ",5"; expect_reject(k, "tmpfs inodes without size", 2);
  k = defaults(); k.tmpfs_data = "5,"; expect_reject(k, "tmpfs empty inodes", 2);
  k = defaults(); k.tmpfs_data = "123456789012345678901"; expect_reject(k, "tmpfs size of 21 digits", 2);
  k = defaults(); k.tmpfs_data = "4096";
  { struct sbuf b = build(&k); struct spec_error e; CHECK(decode(&b, &e) == 0, "tmpfs size only: %s", e.detail); free(b.p); }
  k = defaults(); k.cg_count = 0;
  { struct sbuf b = build(&k); struct spec_error e; CHECK(decode(&b, &e) == 0, "no cgroup: %s", e.detail); free(b.p); }
  k = defaults(); k.cg_count = 9; k.cg_flags = 1; expect_reject(k, "9 cgroups", -1);
  k = defaults(); k.cg_count = 3; expect_reject(k, "INTO twice", -1);
  k = defaults(); k.cg_flags = 4; expect_reject(k, "cgroup flag 4", -1);
  k = defaults(); k.cg_flags = 2; expect_reject(k, "INTO without V2", -1);
  k = defaults(); k.cg_path = "sys/fs/cgroup"; expect_reject(k, "relative cgroup path", -1);
  k = defaults(); k.cg_path = "/sys/fs/cgroup/../etc"; expect_reject(k, "cgroup path with ..", -1);
  k = defaults(); k.cg_path = "/"; expect_reject(k, "cgroup path /", -1);
  k = defaults(); k.cg_n_stats = 9; expect_reject(k, "9 counters", -1);
  k = defaults(); k.cg_n_stats = 100000; expect_reject(k, "counter count past the record", -1);
  k = defaults(); k.cg_file = "../../etc/shadow"; expect_reject(k, "counter file with /", -1);
  k = defaults(); k.cg_file = ".."; expect_reject(k, "counter file ..", -1);
  k = defaults(); k.cg_file = ""; expect_reject(k, "empty counter file", -1);
  k = defaults(); k.cg_key = "Oom kill"; expect_reject(k, "counter key with a space", -1);
  k = defaults(); k.cg_key = "01234567890123456789012345678901234567890123456789012345678901234";
  expect_reject(k, "counter key of 65", -1);
  k = defaults(); k.op_kind = 5; k.op_flags = 0; k.op_target = "/"; /* valid symlink spec shape */
  { struct sbuf b = build(&k); struct spec_error e; CHECK(decode(&b, &e) == 0, "symlink op: %s", e.detail); free(b.p); }

  /* Path limits: 4095 accepted, 4096 rejected. */
  char *p = malloc(4097);
  memset(p, 'a', 4096);
  p[0] = '/';
  p[4095] = 0;
  k = defaults(); k.exec = p;
  { struct sbuf b = build(&k); struct spec_error e; CHECK(decode(&b, &e) == 0, "path of 4095: %s", e.detail); free(b.p); }
  p[4095] = 'a'; p[4096] = 0;
  expect_reject(k, "path of 4096", -1);
  free(p);
  k = defaults(); k.filter_len = 4096;
  { struct sbuf b = build(&k); struct spec_error e; CHECK(decode(&b, &e) == 0, "filter of 4096: %s", e.detail); free(b.p); }

  /* Every strict prefix that cuts into a record is rejected; no prefix crashes. */
  k = defaults();
  struct sbuf b = build(&k);
  for (size_t n = 0; n < b.n; n++) {
    struct sbuf t = {.p = b.p, .n = n};
    struct spec_error e;
    (void)decode(&t, &e);
  }
  struct sbuf t = {.p = b.p, .n = b.n - 1};
  struct spec_error e;
  CHECK(decode(&t, &e) == -1, "truncated by one byte accepted");
  /* A string length pointing past the end. */
  b.p[b.n - 20] = 0xff;
  (void)decode(&b, &e);
  free(b.p);

  /* Too large. */
  struct spec s;
  uint8_t small[8] = {0};
  CHECK(spec_decode(small, SPEC_MAX_BYTES + 1u, &s, &e) == -1, "over 16 MiB accepted");
  /* Huge counts in ARGV must not allocate or read past. */
  struct sbuf h = {0};
  sb_header(&h);
  sb_begin(&h, 7); sb_u32(&h, 0xFFFFFFFFu); sb_end(&h);
  CHECK(decode(&h, &e) == -1, "argv count 2^32-1 accepted");
  free(h.p);
}

/* IDMAP: ranges of the uid/gid maps (issue 17). The ids of the default spec are 1000/1000. */
static void test_idmaps(void) {
  struct knobs k;
  static const uint32_t ok[][4] = {{0, 0, 100000, 65536}, {1, 0, 100000, 65536}, {0, 70000, 300000, 10}};
  k = defaults(); k.idmaps = ok; k.n_idmaps = 3;
  {
    struct sbuf b = build(&k);
    struct spec s;
    struct spec_error e;
    int rc = spec_decode(b.p, b.n, &s, &e);
    CHECK(rc == 0, "valid ranges: %s", e.detail);
    if (!rc) {
      CHECK(s.n_idmaps == 3 && s.n_uid_maps == 2 && s.n_gid_maps == 1, "range counts");
      CHECK(s.idmaps[2].inside == 70000 && s.idmaps[2].outside == 300000 && s.idmaps[2].count == 10, "range fields");
      spec_free(&s);
    }
    free(b.p);
  }
  static const uint32_t in_overlap[][4] = {{0, 0, 100000, 2000}, {0, 1500, 300000, 10}};
  k = defaults(); k.idmaps = in_overlap; k.n_idmaps = 2; expect_reject(k, "ranges overlap inside", -1);
  static const uint32_t out_overlap[][4] = {{0, 0, 100000, 2000}, {0, 5000, 100500, 10}};
  k = defaults(); k.idmaps = out_overlap; k.n_idmaps = 2; expect_reject(k, "ranges overlap on the host", -1);
  static const uint32_t other_kind[][4] = {{0, 0, 100000, 2000}, {1, 0, 100000, 2000}};
  k = defaults(); k.idmaps = other_kind; k.n_idmaps = 2;
  { struct sbuf b = build(&k); struct spec_error e; CHECK(decode(&b, &e) == 0, "uid and gid maps may share: %s", e.detail); free(b.p); }
  static const uint32_t wrap[][4] = {{0, 0, 0xFFFFFFF0u, 100}};
  k = defaults(); k.idmaps = wrap; k.n_idmaps = 1; expect_reject(k, "range past 2^32-2", -1);
  static const uint32_t to_max[][4] = {{0, 0, 0xFFFFFFFEu - 65535u, 65536}};
  k = defaults(); k.idmaps = to_max; k.n_idmaps = 1;
  { struct sbuf b = build(&k); struct spec_error e; CHECK(decode(&b, &e) == 0, "range ending at 2^32-2: %s", e.detail); free(b.p); }
  static const uint32_t empty[][4] = {{0, 0, 100000, 0}};
  k = defaults(); k.idmaps = empty; k.n_idmaps = 1; expect_reject(k, "empty range", -1);
  static const uint32_t kind2[][4] = {{2, 0, 100000, 10}};
  k = defaults(); k.idmaps = kind2; k.n_idmaps = 1; expect_reject(k, "unknown map kind", -1);
  static const uint32_t uncovered[][4] = {{0, 2000, 100000, 10}};
  k = defaults(); k.idmaps = uncovered; k.n_idmaps = 1; expect_reject(k, "uid outside every range", -1);
  k = defaults(); k.idmaps = ok; k.n_idmaps = 1; k.clone_flags = NS_ALL & ~0x10000000u;
  expect_reject(k, "ranges without NEWUSER", -1);
  /* The kernel's limit: 340 lines per map. */
  static uint32_t many[341][4];
  for (uint32_t i = 0; i < 341; i++) {
    many[i][0] = 0;
    many[i][1] = i == 0 ? 1000 : 2000 + 2 * i;
    many[i][2] = 100000 + 2 * i;
    many[i][3] = 1;
  }
  k = defaults(); k.idmaps = (const uint32_t(*)[4])many; k.n_idmaps = 340;
  { struct sbuf b = build(&k); struct spec_error e; CHECK(decode(&b, &e) == 0, "340 ranges: %s", e.detail); free(b.p); }
  k.n_idmaps = 341; expect_reject(k, "341 ranges", -1);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void fuzz(long iterations) {
  struct knobs k = defaults();
  struct sbuf seeds[3];
  seeds[0] = build(&k);
  k.omit = 14; k.dup = 0;
  seeds[1] = build(&k);
  k = defaults(); k.op_kind = 4; k.op_flags = 8; k.op_target = "/dev";
  seeds[2] = build(&k);
  static const uint32_t interesting[] = {0, 1, 7, 0x7f, 0xff, 0xffff, 0x7fffffff, 0x80000000u,
                                         0xffffffffu, 4095, 4096, 4097, 16u << 20};
  size_t cap = 1 << 16;
  uint8_t *buf = malloc(cap);
  long accepted = 0;
  for (long it = 0; it < iterations; it++) {
    const struct sbuf *sd = &seeds[next() % 3];
    size_t n = sd->n;
    memcpy(buf, sd->p, n);
    int muts = 1 + (int)(next() % 4);
    for (int m = 0; m < muts && n; m++) {
      size_t at = next() % n;
      switch (next() % 7) {
      case 0: buf[at] ^= (uint8_t)(1u << (next() % 8)); break;
      case 1: buf[at] = (uint8_t)next(); break;
      case 2: n = at; break; /* truncate */
      case 3:
        if (at + 4 <= n) {
          uint32_t v = interesting[next() % (sizeof interesting / sizeof interesting[0])];
          memcpy(buf + at, &v, 4);
        }
        break;
      case 4: { /* delete a run */
        size_t k2 = 1 + next() % 8;
        if (at + k2 <= n) { memmove(buf + at, buf + at + k2, n - at - k2); n -= k2; }
        break;
      }
      case 5: { /* insert a run */
        size_t k2 = 1 + next() % 8;
        if (n + k2 < cap) { memmove(buf + at + k2, buf + at, n - at); for (size_t i = 0; i < k2; i++) buf[at + i] = (uint8_t)next(); n += k2; }
        break;
      }
      case 6: { /* duplicate a chunk (repeats records) */
        size_t k2 = 1 + next() % 64;
        if (at + k2 <= n && n + k2 < cap) { memmove(buf + at + k2, buf + at, n - at); n += k2; }
        break;
      }
      }
    }
    struct sbuf t = {.p = buf, .n = n};
    struct spec_error e;
    if (!decode(&t, &e)) accepted++;
  }
  printf("fuzz: %ld mutations, %ld accepted, no crash\n", iterations, accepted);
  free(buf);
  for (int i = 0; i < 3; i++) free(seeds[i].p);
}

/* The LANDLOCK record's scoped word: a scopes-only ruleset decodes, an unknown scope bit does not. */
static void landlock_scoped(uint32_t scoped, uint64_t fs, int want_ok, const char *what) {
  struct knobs k = defaults();
  struct sbuf b = build(&k);
  sb_begin(&b, 15); sb_u32(&b, 0); sb_u32(&b, scoped); sb_u64(&b, fs); sb_u64(&b, 0); sb_end(&b);
  struct spec s;
  struct spec_error e;
  uint8_t *copy = malloc(b.n);
  memcpy(copy, b.p, b.n);
  int rc = spec_decode(copy, b.n, &s, &e);
  CHECK((rc == 0) == want_ok, "%s: rc %d (%s)", what, rc, rc ? e.detail : "");
  if (!rc) {
    CHECK(s.ll_scoped == scoped, "%s: scoped 0x%x", what, s.ll_scoped);
    spec_free(&s);
  }
  free(copy);
  free(b.p);
}

static void test_landlock_scopes(void) {
  landlock_scoped(3, 0, 1, "scopes only");
  landlock_scoped(1, 1, 1, "abstract unix scope with fs rights");
  landlock_scoped(4, 1, 0, "unknown scope bit");
  landlock_scoped(0, 0, 0, "nothing handled");
}

int main(int argc, char **argv) {
  long iterations = argc > 1 ? atol(argv[1]) : 300000;
  test_valid();
  test_rejects();
  test_landlock_scopes();
  test_idmaps();
  fuzz(iterations);
  printf("spec_test: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
