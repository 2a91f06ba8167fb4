/* spec.c - defensive decoder of the spec (docs/architecture.md, "Spec (fd 3)").
 *
 * Two passes: the first walks the record headers only (bounds, known types, singletons, counts),
 * the second decodes payloads into arrays sized from the first pass. Every read goes through a
 * cursor that fails closed; a record must be consumed exactly (no trailing bytes). Strings are
 * copied into one arena, NUL-terminated; the arena is never larger than the input because every
 * string costs 4 length bytes in the input and 1 terminator in the copy. */
#define _GNU_SOURCE
#include "spec.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define SECCOMP_FLAGS_ALLOWED 0x7u /* TSYNC | LOG | SPEC_ALLOW */
#define LL_FS_KNOWN ((1ull << 16) - 1) /* EXECUTE .. IOCTL_DEV (ABI 5) */
#define LL_NET_KNOWN 0x3ull             /* BIND_TCP, CONNECT_TCP (ABI 4) */
#define LL_SCOPE_KNOWN 0x3u             /* ABSTRACT_UNIX_SOCKET, SIGNAL (ABI 6) */

static const char *const record_names[] = {"?", "FLAGS", "IDS", "HOSTNAME", "ROOT", "OP",
                                           "EXEC", "ARGV", "ENV", "CWD", "RLIMIT", "CAPS",
                                           "FDMAP", "TIME_LIMIT", "SECCOMP", "LANDLOCK", "CGROUP",
                                           "IDMAP"};

const char *spec_record_name(unsigned type) {
  return type >= 1 && type <= REC_MAX ? record_names[type] : "?";
}

struct cur {
  const uint8_t *p;
  size_t n, off;
  int bad;
};

struct dec {
  struct spec *s;
  struct spec_error *err;
  char *arena;
  size_t arena_used, arena_cap;
  unsigned rec_no, rec_type;
  int failed;
};

static int fail(struct dec *d, int op_index, const char *fmt, ...) {
  if (d->failed) return -1;
  d->failed = 1;
  d->err->op_index = op_index;
  int n = 0;
  if (d->rec_type)
    n = snprintf(d->err->detail, sizeof d->err->detail, "record %u (%s): ", d->rec_no,
                 spec_record_name(d->rec_type));
  if (n < 0 || (size_t)n >= sizeof d->err->detail) n = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(d->err->detail + n, sizeof d->err->detail - (size_t)n, fmt, ap);
  va_end(ap);
  return -1;
}

static int take(struct cur *c, size_t k, const uint8_t **out) {
  if (c->bad || k > c->n - c->off) {
    c->bad = 1;
    return -1;
  }
  *out = c->p + c->off;
  c->off += k;
  return 0;
}

static uint16_t u16(struct cur *c) {
  const uint8_t *b;
  if (take(c, 2, &b)) return 0;
  return (uint16_t)(b[0] | (b[1] << 8));
}

static uint32_t u32(struct cur *c) {
  const uint8_t *b;
  if (take(c, 4, &b)) return 0;
  return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static uint64_t u64(struct cur *c) {
  uint64_t lo = u32(c);
  return lo | ((uint64_t)u32(c) << 32);
}

/* Reads a string into the arena. max = 0: no limit but the input; allow_nul for raw file bytes. */
static char *str(struct dec *d, struct cur *c, uint32_t max, int allow_nul, uint32_t *len_out) {
  uint32_t len = u32(c);
  const uint8_t *b;
  if (c->bad || take(c, len, &b)) {
    fail(d, -1, "string of %u bytes past the end of the record", len);
    return NULL;
  }
  if (max && len > max) {
    fail(d, -1, "string of %u bytes longer than %u", len, max);
    return NULL;
  }
  if (!allow_nul && memchr(b, 0, len)) {
    fail(d, -1, "NUL inside a string");
    return NULL;
  }
  if (d->arena_cap - d->arena_used < (size_t)len + 1) { /* cannot happen, see top comment */
    fail(d, -1, "internal: arena exhausted");
    return NULL;
  }
  char *out = d->arena + d->arena_used;
  memcpy(out, b, len);
  out[len] = 0;
  d->arena_used += (size_t)len + 1;
  if (len_out) *len_out = len;
  return out;
}

/* An absolute path without "." or ".." components (a ".." could climb out of the staging root
 * on the fallback path that has no RESOLVE_IN_ROOT). */
static int check_abs(const char *p) {
  if (p[0] != '/') return -1;
  for (const char *q = p; *q;) {
    while (*q == '/') q++;
    const char *e = q;
    while (*e && *e != '/') e++;
    size_t k = (size_t)(e - q);
    if ((k == 1 && q[0] == '.') || (k == 2 && q[0] == '.' && q[1] == '.')) return -1;
    q = e;
  }
  return 0;
}

static int path_field(struct dec *d, struct cur *c, char **out, const char *what, int op_index) {
  uint32_t len;
  char *p = str(d, c, SPEC_MAX_PATH, 0, &len);
  if (!p) {
    d->err->op_index = op_index;
    return -1;
  }
  if (check_abs(p)) return fail(d, op_index, "%s is not an absolute path without . or ..", what);
  *out = p;
  return 0;
}

static int decode_op(struct dec *d, struct cur *c, struct spec_op *op) {
  uint32_t index = u32(c);
  op->kind = u16(c);
  op->flags = u16(c);
  op->mode = u32(c);
  if (c->bad) return fail(d, -1, "truncated OP");
  if (index > INT32_MAX) return fail(d, -1, "op index %u out of range", index);
  op->index = (int32_t)index;
  int idx = op->index;
  uint32_t alen, blen;
  op->a = str(d, c, SPEC_MAX_PATH, 0, &alen);
  if (!op->a) return d->err->op_index = idx, -1;
  op->b = str(d, c, SPEC_MAX_PATH, 0, &blen);
  if (!op->b) return d->err->op_index = idx, -1;
  op->data = str(d, c, 0, op->kind == OP_FILE, &op->data_len);
  if (!op->data) return d->err->op_index = idx, -1;
  if (op->kind < 1 || op->kind > OP_KIND_MAX) return fail(d, idx, "unknown op kind %u", op->kind);
  static const uint16_t allowed_flags[] = {
      0, OPF_READ_ONLY | OPF_ALLOW_DEVICES | OPF_OPTIONAL | OPF_NO_SYMLINKS, OPF_READ_ONLY, 0, OPF_WITH_PTS, 0, 0,
      OPF_READ_ONLY, 0, 0};
  if (op->flags & ~allowed_flags[op->kind])
    return fail(d, idx, "flags 0x%x not allowed for op kind %u", op->flags, op->kind);
  if (op->mode > 07777) return fail(d, idx, "mode 0%o out of range", op->mode);
  if (op->mode && op->kind != OP_TMPFS && op->kind != OP_DIR && op->kind != OP_FILE)
    return fail(d, idx, "mode given for op kind %u", op->kind);
  if (check_abs(op->b)) return fail(d, idx, "target is not an absolute path without . or ..");
  switch (op->kind) {
  case OP_BIND:
    if (check_abs(op->a)) return fail(d, idx, "bind source is not an absolute path without . or ..");
    break;
  case OP_SYMLINK:
    if (!alen) return fail(d, idx, "empty symlink text");
    break;
  default:
    if (alen) return fail(d, idx, "unexpected source for op kind %u", op->kind);
  }
  if (op->kind == OP_TMPFS) {
    /* "SIZE" or "SIZE,INODES" (both decimal; the inode limit came later, old specs stay valid). */
    if (op->data_len > 41) return fail(d, idx, "tmpfs size too long");
    const char *comma = memchr(op->data, ',', op->data_len);
    size_t size_len = comma ? (size_t)(comma - op->data) : op->data_len;
    if (size_len > 20 || (comma && (size_len == 0 || op->data_len - size_len - 1 == 0 ||
                                    op->data_len - size_len - 1 > 20)))
      return fail(d, idx, "tmpfs size is not SIZE or SIZE,INODES");
    for (uint32_t i = 0; i < op->data_len; i++)
      if ((op->data[i] < '0' || op->data[i] > '9') && op->data + i != comma)
        return fail(d, idx, "tmpfs size is not decimal");
    /* the kernel reads 0 as unlimited, for the size and for the inodes */
    if ((size_len && strspn(op->data, "0") >= size_len) ||
        (comma && strspn(comma + 1, "0") == op->data_len - size_len - 1))
      return fail(d, idx, "tmpfs size 0 (the kernel would read it as unlimited)");
  } else if (op->kind != OP_FILE && op->data_len) {
    return fail(d, idx, "unexpected data for op kind %u", op->kind);
  }
  return 0;
}

/* LANDLOCK: u32 min_abi, u32 scoped (ABI 6 scopes: bit 0 abstract unix sockets, bit 1 signals),
 * u64 handled_fs, u64 handled_net, then rules to the end:
 * u16 kind, u16 reserved, u32 reserved, u64 access, then a path string (PATH) or u64 port (PORT). */
static int decode_landlock(struct dec *d, struct cur *c) {
  struct spec *s = d->s;
  s->has_landlock = 1;
  s->ll_min_abi = u32(c);
  s->ll_scoped = u32(c);
  s->ll_fs = u64(c);
  s->ll_net = u64(c);
  if (c->bad) return fail(d, -1, "truncated LANDLOCK");
  if (s->ll_scoped & ~LL_SCOPE_KNOWN) return fail(d, -1, "unknown Landlock scopes 0x%x", s->ll_scoped);
  if (s->ll_fs & ~LL_FS_KNOWN) return fail(d, -1, "unknown file-system rights 0x%llx", (unsigned long long)s->ll_fs);
  if (s->ll_net & ~LL_NET_KNOWN) return fail(d, -1, "unknown network rights 0x%llx", (unsigned long long)s->ll_net);
  if (!s->ll_fs && !s->ll_net && !s->ll_scoped) return fail(d, -1, "no handled rights");
  size_t max_rules = (c->n - c->off) / 20 + 1; /* the smallest rule is 20 bytes */
  s->ll_rules = calloc(max_rules, sizeof *s->ll_rules);
  if (!s->ll_rules) return fail(d, -1, "out of memory");
  while (c->off < c->n) {
    struct spec_ll_rule *r = &s->ll_rules[s->n_ll_rules];
    r->kind = u16(c);
    uint32_t r1 = u16(c), r2 = u32(c);
    r->access = u64(c);
    if (c->bad) return fail(d, -1, "truncated rule");
    if (r1 || r2) return fail(d, -1, "reserved field not zero in rule %zu", s->n_ll_rules);
    if (r->kind == LL_RULE_PATH) {
      uint32_t len;
      r->path = str(d, c, SPEC_MAX_PATH, 0, &len);
      if (!r->path) return -1;
      if (check_abs(r->path)) return fail(d, -1, "rule %zu: not an absolute path without . or ..", s->n_ll_rules);
      if (!r->access || (r->access & ~s->ll_fs))
        return fail(d, -1, "rule %zu: rights 0x%llx not a non-empty subset of the handled ones", s->n_ll_rules,
                    (unsigned long long)r->access);
    } else if (r->kind == LL_RULE_PORT) {
      r->port = u64(c);
      if (c->bad) return fail(d, -1, "truncated rule");
      if (r->port > 65535) return fail(d, -1, "rule %zu: port %llu out of range", s->n_ll_rules, (unsigned long long)r->port);
      if (!r->access || (r->access & ~s->ll_net))
        return fail(d, -1, "rule %zu: rights 0x%llx not a non-empty subset of the handled ones", s->n_ll_rules,
                    (unsigned long long)r->access);
    } else {
      return fail(d, -1, "rule %zu: unknown kind %u", s->n_ll_rules, r->kind);
    }
    s->n_ll_rules++;
  }
  return 0;
}

/* A file or key name in a cgroup directory: 1..64 bytes (key: 0..64) of [a-z0-9_.], no "." or "..". */
static int cg_name(struct dec *d, struct cur *c, char **out, int may_be_empty, const char *what) {
  uint32_t len;
  char *p = str(d, c, SPEC_MAX_CG_NAME, 0, &len);
  if (!p) return -1;
  if (!len && !may_be_empty) return fail(d, -1, "empty %s", what);
  for (uint32_t i = 0; i < len; i++) {
    char ch = p[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.'))
      return fail(d, -1, "%s contains a character outside [a-z0-9_.]", what);
  }
  if (!strcmp(p, ".") || !strcmp(p, "..")) return fail(d, -1, "%s is . or ..", what);
  *out = p;
  return 0;
}

/* CGROUP: u32 flags, u32 reserved, path string, u32 n_stats, then n_stats x (file, key) strings. */
static int decode_cgroup(struct dec *d, struct cur *c) {
  struct spec *s = d->s;
  struct spec_cgroup *g = &s->cgroups[s->n_cgroups];
  g->flags = u32(c);
  uint32_t res = u32(c);
  if (c->bad) return fail(d, -1, "truncated CGROUP");
  if (res) return fail(d, -1, "reserved field not zero");
  if (g->flags & ~CG_F_ALL) return fail(d, -1, "flags 0x%x not allowed", g->flags);
  if ((g->flags & CG_F_INTO) && !(g->flags & CG_F_V2)) return fail(d, -1, "INTO needs a v2 cgroup");
  for (size_t i = 0; i < s->n_cgroups; i++)
    if ((g->flags & CG_F_INTO) && (s->cgroups[i].flags & CG_F_INTO)) return fail(d, -1, "INTO given twice");
  if (path_field(d, c, &g->path, "cgroup directory", -1)) return -1;
  if (!strcmp(g->path, "/")) return fail(d, -1, "cgroup directory is /");
  g->n_stats = u32(c);
  if (c->bad) return fail(d, -1, "truncated CGROUP");
  if (g->n_stats > SPEC_MAX_CG_STATS) return fail(d, -1, "%u counters, at most %u", g->n_stats, SPEC_MAX_CG_STATS);
  for (uint32_t i = 0; i < g->n_stats; i++)
    if (cg_name(d, c, &g->stats[i].file, 0, "counter file") || cg_name(d, c, &g->stats[i].key, 1, "counter key"))
      return -1;
  s->n_cgroups++;
  return 0;
}

static int decode_strings(struct dec *d, struct cur *c, char ***out, size_t *n, int min,
                          int is_env) {
  uint32_t count = u32(c);
  if (c->bad) return fail(d, -1, "truncated count");
  if (count < (uint32_t)min) return fail(d, -1, "needs at least %d entries", min);
  if (count > (c->n - c->off) / 4) return fail(d, -1, "count %u larger than the record", count);
  char **v = calloc((size_t)count + 1, sizeof *v);
  if (!v) return fail(d, -1, "out of memory");
  *out = v;
  for (uint32_t i = 0; i < count; i++) {
    uint32_t len;
    v[i] = str(d, c, 0, 0, &len);
    if (!v[i]) return -1;
    if (is_env) {
      char *eq = strchr(v[i], '=');
      if (!eq || eq == v[i]) return fail(d, -1, "entry %u is not NAME=value", i);
    }
  }
  *n = count;
  return 0;
}

/* An id range must not wrap and must not reach (uid_t)-1, which the kernel never maps; two ranges
 * of one map must not overlap on either side (the kernel refuses such a map with EINVAL, and a
 * host id reachable from two ids inside would make ownership inside ambiguous). */
static int check_idmap(struct dec *d, const struct spec *s, const struct spec_idmap *m) {
  const char *map = m->kind == IDMAP_UID ? "uid" : "gid";
  if (m->kind > IDMAP_GID) return fail(d, -1, "unknown map kind %u", m->kind);
  if ((m->kind == IDMAP_UID ? s->n_uid_maps : s->n_gid_maps) >= SPEC_MAX_IDMAPS)
    return fail(d, -1, "more than %u %s ranges (the kernel's limit)", SPEC_MAX_IDMAPS, map);
  if (m->count == 0) return fail(d, -1, "%s range %u:%u:0 is empty", map, m->inside, m->outside);
  if ((uint64_t)m->inside + m->count > SPEC_ID_DEFAULT || (uint64_t)m->outside + m->count > SPEC_ID_DEFAULT)
    return fail(d, -1, "%s range %u:%u:%u goes past id 4294967294", map, m->inside, m->outside, m->count);
  for (size_t i = 0; i < s->n_idmaps; i++) {
    const struct spec_idmap *o = &s->idmaps[i];
    if (o->kind != m->kind) continue;
    if ((uint64_t)m->inside < (uint64_t)o->inside + o->count && (uint64_t)o->inside < (uint64_t)m->inside + m->count)
      return fail(d, -1, "%s ranges %u:%u:%u and %u:%u:%u overlap inside", map, o->inside, o->outside,
                  o->count, m->inside, m->outside, m->count);
    if ((uint64_t)m->outside < (uint64_t)o->outside + o->count && (uint64_t)o->outside < (uint64_t)m->outside + m->count)
      return fail(d, -1, "%s ranges %u:%u:%u and %u:%u:%u overlap on the host", map, o->inside, o->outside,
                  o->count, m->inside, m->outside, m->count);
  }
  return 0;
}

static int idmap_covers(const struct spec *s, uint32_t kind, uint32_t id) {
  for (size_t i = 0; i < s->n_idmaps; i++)
    if (s->idmaps[i].kind == kind && id >= s->idmaps[i].inside && (uint64_t)id < (uint64_t)s->idmaps[i].inside + s->idmaps[i].count)
      return 1;
  return 0;
}

int spec_decode(const uint8_t *buf, size_t len, struct spec *s, struct spec_error *err) {
  memset(s, 0, sizeof *s);
  memset(err, 0, sizeof *err);
  err->op_index = -1;
  struct dec d = {.s = s, .err = err};
  struct cur c = {.p = buf, .n = len};
  size_t counts[REC_MAX + 1] = {0};

  if (len > SPEC_MAX_BYTES) return fail(&d, -1, "spec larger than %u bytes", SPEC_MAX_BYTES);
  uint32_t magic = u32(&c);
  uint16_t version = u16(&c), reserved = u16(&c);
  if (c.bad) return fail(&d, -1, "truncated header");
  if (magic != SPEC_MAGIC) return fail(&d, -1, "bad magic 0x%08x", magic);
  if (version != SPEC_VERSION) return fail(&d, -1, "unsupported version %u", version);
  if (reserved) return fail(&d, -1, "reserved header field not zero");

  /* Pass 1: headers only. */
  size_t body = c.off;
  for (unsigned no = 1; c.off < c.n; no++) {
    d.rec_no = no;
    d.rec_type = 0;
    uint16_t type = u16(&c), res = u16(&c);
    uint32_t rlen = u32(&c);
    if (c.bad) return fail(&d, -1, "record %u: truncated header", no);
    if (type < 1 || type > REC_MAX) return fail(&d, -1, "record %u: unknown type %u", no, type);
    d.rec_type = type;
    if (res) return fail(&d, -1, "reserved field not zero");
    if (rlen > c.n - c.off) return fail(&d, -1, "length %u past the end", rlen);
    c.off += rlen;
    counts[type]++;
    if (type != REC_OP && type != REC_RLIMIT && type != REC_FDMAP && type != REC_CGROUP &&
        type != REC_IDMAP && counts[type] > 1)
      return fail(&d, -1, "repeated");
  }
  d.rec_type = 0;
  static const unsigned required[] = {REC_FLAGS, REC_IDS, REC_ROOT, REC_EXEC, REC_ARGV, REC_ENV};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    if (!counts[required[i]]) return fail(&d, -1, "missing %s record", spec_record_name(required[i]));
  if (counts[REC_FDMAP] > SPEC_MAX_FDMAPS) return fail(&d, -1, "too many FDMAP records");
  if (counts[REC_RLIMIT] > RLIM_NLIMITS) return fail(&d, -1, "too many RLIMIT records");
  if (counts[REC_CGROUP] > SPEC_MAX_CGROUPS) return fail(&d, -1, "too many CGROUP records");
  if (counts[REC_IDMAP] > 2 * SPEC_MAX_IDMAPS) return fail(&d, -1, "too many IDMAP records");

  d.arena_cap = len + 1;
  d.arena = malloc(d.arena_cap);
  s->arena_ = d.arena;
  s->arena_cap_ = d.arena ? d.arena_cap : 0;
  s->ops = calloc(counts[REC_OP] + 1, sizeof *s->ops);
  s->rlimits = calloc(counts[REC_RLIMIT] + 1, sizeof *s->rlimits);
  s->fdmaps = calloc(counts[REC_FDMAP] + 1, sizeof *s->fdmaps);
  s->cgroups = calloc(counts[REC_CGROUP] + 1, sizeof *s->cgroups);
  s->idmaps = calloc(counts[REC_IDMAP] + 1, sizeof *s->idmaps);
  if (!d.arena || !s->ops || !s->rlimits || !s->fdmaps || !s->cgroups || !s->idmaps) {
    fail(&d, -1, "out of memory");
    goto bad;
  }

  /* Pass 2: payloads. Headers were validated above. */
  c.off = body;
  for (unsigned no = 1; c.off < c.n; no++) {
    uint16_t type = u16(&c);
    (void)u16(&c);
    uint32_t rlen = u32(&c);
    struct cur r = {.p = c.p + c.off, .n = rlen};
    c.off += rlen;
    d.rec_no = no;
    d.rec_type = type;
    int rc = 0;
    switch (type) {
    case REC_FLAGS:
      s->clone_flags = u32(&r);
      s->options = u32(&r);
      if (s->clone_flags & ~NS_ALL)
        rc = fail(&d, -1, "clone flags 0x%x not allowed", s->clone_flags & ~NS_ALL);
      else if (s->options & ~(uint32_t)OPT_ALL)
        rc = fail(&d, -1, "unknown options 0x%x", s->options & ~(uint32_t)OPT_ALL);
      break;
    case REC_IDS:
      s->uid = u32(&r);
      s->gid = u32(&r);
      s->host_uid = u32(&r);
      s->host_gid = u32(&r);
      if (s->uid == SPEC_ID_DEFAULT || s->gid == SPEC_ID_DEFAULT)
        rc = fail(&d, -1, "uid/gid -1 is not a valid id");
      break;
    case REC_HOSTNAME: {
      uint32_t hl;
      s->hostname = str(&d, &r, SPEC_MAX_HOSTNAME, 0, &hl);
      if (!s->hostname) rc = -1;
      else if (!hl) rc = fail(&d, -1, "empty hostname");
      break;
    }
    case REC_ROOT: {
      s->root_kind = u32(&r);
      s->root_flags = u32(&r);
      uint32_t pl;
      s->root_path = str(&d, &r, SPEC_MAX_PATH, 0, &pl);
      if (!s->root_path) rc = -1;
      else if (s->root_kind > ROOT_CHROOT) rc = fail(&d, -1, "unknown root kind %u", s->root_kind);
      else if (s->root_flags & ~(s->root_kind == ROOT_BIND     ? ROOT_F_WRITABLE | ROOT_F_NO_SYMLINKS
                                 : s->root_kind == ROOT_CHROOT ? ROOT_F_NO_SYMLINKS
                                                               : 0u))
        rc = fail(&d, -1, "flags 0x%x not allowed", s->root_flags);
      else if ((s->root_kind == ROOT_BIND || s->root_kind == ROOT_CHROOT) ? check_abs(s->root_path) != 0
                                                                          : pl != 0)
        rc = fail(&d, -1, "bad path for root kind %u", s->root_kind);
      break;
    }
    case REC_OP:
      rc = decode_op(&d, &r, &s->ops[s->n_ops]);
      if (!rc) s->n_ops++;
      break;
    case REC_EXEC: {
      /* An absolute path, or a bare name (no '/') that the jail's PATH resolves at exec. */
      uint32_t len;
      char *p = str(&d, &r, SPEC_MAX_PATH, 0, &len);
      if (!p) {
        rc = -1;
      } else if (p[0] == '/' ? check_abs(p) : (len == 0 || strchr(p, '/') != NULL)) {
        rc = fail(&d, -1, "program is neither an absolute path without . or .. nor a bare name");
      } else {
        s->exec_path = p;
        rc = 0;
      }
      break;
    }
    case REC_ARGV:
      rc = decode_strings(&d, &r, &s->argv, &s->argc, 1, 0);
      break;
    case REC_ENV:
      rc = decode_strings(&d, &r, &s->envp, &s->envc, 0, 1);
      break;
    case REC_CWD:
      rc = path_field(&d, &r, &s->cwd, "working directory", -1);
      break;
    case REC_RLIMIT: {
      struct spec_rlimit *l = &s->rlimits[s->n_rlimits];
      l->resource = u32(&r);
      uint32_t res = u32(&r);
      l->soft = u64(&r);
      l->hard = u64(&r);
      if (r.bad) break;
      if (l->resource >= RLIM_NLIMITS) rc = fail(&d, -1, "unknown resource %u", l->resource);
      else if (res) rc = fail(&d, -1, "reserved field not zero");
      else if (l->soft > l->hard) rc = fail(&d, -1, "soft limit above hard limit");
      for (size_t i = 0; !rc && i < s->n_rlimits; i++)
        if (s->rlimits[i].resource == l->resource) rc = fail(&d, -1, "resource %u repeated", l->resource);
      if (!rc) s->n_rlimits++;
      break;
    }
    case REC_CAPS:
      s->has_caps = 1;
      s->caps_keep = u64(&r);
      break;
    case REC_FDMAP: {
      uint32_t from = u32(&r), to = u32(&r);
      if (r.bad) break;
      if (from < 7 || from > INT_MAX) rc = fail(&d, -1, "launcher fd %u out of range", from);
      else if (to < 3 || to > (1u << 20)) rc = fail(&d, -1, "target fd %u out of range", to);
      for (size_t i = 0; !rc && i < s->n_fdmaps; i++)
        if (s->fdmaps[i].to == (int)to) rc = fail(&d, -1, "target fd %u repeated", to);
      if (!rc) s->fdmaps[s->n_fdmaps++] = (struct spec_fdmap){(int)from, (int)to};
      break;
    }
    case REC_TIME_LIMIT:
      s->time_limit_ms = u64(&r);
      break;
    case REC_IDMAP: {
      struct spec_idmap m; /* one statement each: initializer evaluation order is unspecified */
      m.kind = u32(&r);
      m.inside = u32(&r);
      m.outside = u32(&r);
      m.count = u32(&r);
      if (r.bad) break;
      rc = check_idmap(&d, s, &m);
      if (!rc) {
        s->idmaps[s->n_idmaps++] = m;
        if (m.kind == IDMAP_UID) s->n_uid_maps++;
        else s->n_gid_maps++;
      }
      break;
    }
    case REC_LANDLOCK:
      rc = decode_landlock(&d, &r);
      break;
    case REC_CGROUP:
      rc = decode_cgroup(&d, &r);
      break;
    case REC_SECCOMP: {
      s->has_seccomp = 1;
      s->seccomp_flags = u32(&r);
      s->supervise = u32(&r);
      if (r.bad) break;
      size_t rest = r.n - r.off;
      if (s->supervise > SUPERVISE_LEARN) rc = fail(&d, -1, "supervise mode %u unknown", s->supervise);
      else if (s->supervise && (s->seccomp_flags & 0x1u))
        rc = fail(&d, -1, "a supervised filter cannot be installed with TSYNC");
      else if (s->supervise && rest / 8 + SV_PREFIX > SPEC_MAX_FILTER)
        rc = fail(&d, -1, "a supervised filter may have at most %u instructions", SPEC_MAX_FILTER - SV_PREFIX);
      else if (s->seccomp_flags & ~SECCOMP_FLAGS_ALLOWED)
        rc = fail(&d, -1, "seccomp flags 0x%x not allowed", s->seccomp_flags);
      else if (rest % 8 || rest == 0 || rest / 8 > SPEC_MAX_FILTER)
        rc = fail(&d, -1, "filter of %zu bytes is not 1..%u instructions", rest, SPEC_MAX_FILTER);
      if (rc) break;
      s->filter_len = (uint16_t)(rest / 8);
      s->filter = calloc(s->filter_len, sizeof *s->filter);
      if (!s->filter) {
        rc = fail(&d, -1, "out of memory");
        break;
      }
      for (size_t i = 0; i < s->filter_len; i++) {
        s->filter[i].code = u16(&r);
        s->filter[i].jt = (uint8_t)r.p[r.off];
        s->filter[i].jf = (uint8_t)r.p[r.off + 1];
        r.off += 2;
        s->filter[i].k = u32(&r);
      }
      break;
    }
    }
    if (rc) goto bad;
    if (r.bad) {
      fail(&d, -1, "payload truncated");
      goto bad;
    }
    if (r.off != r.n) {
      fail(&d, -1, "%zu trailing bytes", r.n - r.off);
      goto bad;
    }
  }
  d.rec_type = 0;

  /* Cross-record rules: refuse anything that would act on the host's own namespaces. */
  int newns = (s->clone_flags & NS_MOUNT) != 0;
  if (!s->cwd) s->cwd = "/";
  if ((s->root_kind == ROOT_TMPFS || s->root_kind == ROOT_BIND) && !newns)
    fail(&d, -1, "a TMPFS or BIND root needs CLONE_NEWNS");
  else if (s->n_ops && !newns)
    fail(&d, s->ops[0].index, "mount operations need CLONE_NEWNS");
  else if ((s->options & OPT_ROOT_READONLY) && (!newns || s->root_kind == ROOT_CHROOT))
    fail(&d, -1, "ROOT_READONLY needs CLONE_NEWNS and a TMPFS, BIND or HOST root");
  else if (s->hostname && !(s->clone_flags & NS_UTS))
    fail(&d, -1, "HOSTNAME needs CLONE_NEWUTS");
  else if (!(s->clone_flags & NS_USER) &&
           ((s->host_uid != SPEC_ID_DEFAULT && s->host_uid != s->uid) ||
            (s->host_gid != SPEC_ID_DEFAULT && s->host_gid != s->gid)))
    fail(&d, -1, "host ids differ from the ids inside without CLONE_NEWUSER");
  else if (s->n_idmaps && !(s->clone_flags & NS_USER))
    fail(&d, -1, "IDMAP ranges need CLONE_NEWUSER");
  else if (s->n_uid_maps && (s->host_uid != SPEC_ID_DEFAULT || !idmap_covers(s, IDMAP_UID, s->uid)))
    fail(&d, -1, "with uid ranges the IDS host uid must be unset and uid %u inside a range", s->uid);
  else if (s->n_gid_maps && (s->host_gid != SPEC_ID_DEFAULT || !idmap_covers(s, IDMAP_GID, s->gid)))
    fail(&d, -1, "with gid ranges the IDS host gid must be unset and gid %u inside a range", s->gid);
  else if (s->root_kind == ROOT_HOST || s->root_kind == ROOT_CHROOT)
    for (size_t i = 0; i < s->n_ops; i++)
      if (s->ops[i].kind == OP_SYMLINK || s->ops[i].kind == OP_DIR || s->ops[i].kind == OP_FILE) {
        fail(&d, s->ops[i].index, "op kind %u would write to the host with a HOST or CHROOT root",
             s->ops[i].kind);
        break;
      }
  if (d.failed) goto bad;
  return 0;
bad:
  spec_free(s);
  return -1;
}

void spec_free(struct spec *s) {
  /* Strings, FILE data, the filter and the numbers: everything a spec said. Pointer arrays and
   * Landlock rules hold pointers into the arena and numbers. */
  if (s->arena_) explicit_bzero(s->arena_, s->arena_cap_);
  if (s->filter) explicit_bzero(s->filter, (size_t)s->filter_len * sizeof *s->filter);
  if (s->ops) explicit_bzero(s->ops, s->n_ops * sizeof *s->ops);
  if (s->rlimits) explicit_bzero(s->rlimits, s->n_rlimits * sizeof *s->rlimits);
  if (s->fdmaps) explicit_bzero(s->fdmaps, s->n_fdmaps * sizeof *s->fdmaps);
  if (s->idmaps) explicit_bzero(s->idmaps, s->n_idmaps * sizeof *s->idmaps);
  if (s->ll_rules) explicit_bzero(s->ll_rules, s->n_ll_rules * sizeof *s->ll_rules);
  free(s->ops);
  free(s->rlimits);
  free(s->fdmaps);
  free(s->idmaps);
  free(s->argv);
  free(s->envp);
  free(s->filter);
  free(s->ll_rules);
  free(s->cgroups);
  free(s->arena_);
  explicit_bzero(s, sizeof *s);
}
