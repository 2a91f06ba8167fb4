/* lockin_test.c - the prestarted launcher's lockdown checks (src/lockin.c) on real directories:
 * a writable source passes only when what it resolves to is beneath a LOCK path; symlinks, ".."
 * and missing sources are refused; host ids and kept capabilities are refused; LOCK is one-shot. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail.h"
#include "report.h"

static int failures;
#define CHECK(c, what) do { if (!(c)) { failures++; fprintf(stderr, "FAIL: %s (line %d)\n", what, __LINE__); } } while (0)

static char base[64];

static size_t payload(uint8_t *b, uint32_t flags, const char *const *paths, int n) {
  size_t o = 0;
  memcpy(b + o, &flags, 4), o += 4;
  uint32_t un = (uint32_t)n;
  memcpy(b + o, &un, 4), o += 4;
  for (int i = 0; i < n; i++) {
    uint32_t l = (uint32_t)strlen(paths[i]);
    memcpy(b + o, &l, 4), o += 4;
    memcpy(b + o, paths[i], l), o += l;
  }
  return o;
}

/* One read-write (or read-only) bind of src in a user-namespace jail: lockin_check's verdict. */
static int bind_rc(const char *src, int read_only, uint16_t *flags_after) {
  char a[256], b[] = "/w";
  snprintf(a, sizeof a, "%s", src);
  struct spec_op op = {.index = 7, .kind = OP_BIND, .flags = read_only ? OPF_READ_ONLY : 0, .a = a, .b = b};
  struct spec s = {.clone_flags = CLONE_NEWUSER, .host_uid = SPEC_ID_DEFAULT, .host_gid = SPEC_ID_DEFAULT,
                   .root_kind = ROOT_TMPFS, .ops = &op, .n_ops = 1};
  int rc = lockin_check(&s, 0);
  if (flags_after) *flags_after = op.flags;
  return rc;
}

static char *p(const char *rel) {
  static char buf[8][256];
  static int k;
  char *r = buf[k++ % 8];
  snprintf(r, 256, "%s/%s", base, rel);
  return r;
}

int main(void) {
  report_reset(-1);
  snprintf(base, sizeof base, "/tmp/sb4j-lockin.%d", (int)getpid());
  char cmd[512];
  snprintf(cmd, sizeof cmd, "mkdir -p %s/w/sub %s/other && touch %s/w/file && ln -s ../other %s/w/link", base, base, base, base);
  if (system(cmd)) return 2;

  /* Control: before any LOCK every spec passes (the attack would succeed). */
  CHECK(bind_rc(p("other"), 0, NULL) == 0, "without a LOCK a writable bind of other passes");

  uint8_t b[4096];
  CHECK(lockin_set(b, 3) == -1 && errno == EINVAL, "a short LOCK is malformed");
  const char *rel[] = {"relative"};
  size_t n = payload(b, LOCK_F_WRITES, rel, 1);
  CHECK(lockin_set(b, n) == -1 && errno == EINVAL, "a relative LOCK path is malformed");
  n = payload(b, 0x80, NULL, 0);
  CHECK(lockin_set(b, n) == -1 && errno == EINVAL, "unknown LOCK flags are malformed");

  const char *w[] = {p("w"), "/nonexistent-sb4j"};
  n = payload(b, LOCK_F_WRITES | LOCK_F_NO_HOST_IDS | LOCK_F_NO_CAPS, w, 2);
  CHECK(lockin_set(b, n) == 0, "LOCK taken");
  n = payload(b, 0, NULL, 0);
  CHECK(lockin_set(b, n) == -1 && errno == EPERM, "a second LOCK (loosening) is refused");

  uint16_t f = 0;
  CHECK(bind_rc(p("w"), 0, &f) == 0 && (f & OPF_NO_SYMLINKS), "W itself passes, no-symlink resolution forced");
  CHECK(bind_rc(p("w/sub"), 0, NULL) == 0, "a directory beneath W passes");
  CHECK(bind_rc(p("w/file"), 0, NULL) == 0, "a file beneath W passes");
  CHECK(bind_rc(p("other"), 0, NULL) == -1 && errno == EPERM, "a writable bind outside W is refused");
  CHECK(bind_rc(p("w/link"), 0, NULL) == -1, "a symlink in W pointing outside is refused");
  CHECK(bind_rc(p("w/../other"), 0, NULL) == -1, "a .. path out of W is refused");
  CHECK(bind_rc(p("w/sub/.."), 0, NULL) == -1, "an unresolved path is refused even when it lands in W");
  CHECK(bind_rc(p("w/missing"), 0, NULL) == -1, "a missing writable source is refused");
  CHECK(bind_rc("/", 0, NULL) == -1, "the host root is refused");
  CHECK(bind_rc(p("other"), 1, NULL) == 0, "a read-only bind outside W passes");

  struct spec s = {.clone_flags = CLONE_NEWUSER, .host_uid = 0, .host_gid = 0, .root_kind = ROOT_TMPFS};
  CHECK(lockin_check(&s, 1) == -1, "hostIds(0,0) is refused");
  s.host_uid = s.host_gid = SPEC_ID_DEFAULT;
  CHECK(lockin_check(&s, 1) == 0, "the default mapping passes");
  s.has_caps = 1, s.caps_keep = 1;
  CHECK(lockin_check(&s, 1) == -1, "kept capabilities are refused");
  s.caps_keep = 0;
  CHECK(lockin_check(&s, 1) == 0, "an empty kept set passes");
  s.clone_flags = 0;
  CHECK(lockin_check(&s, 1) == -1, "share(USER) under a root launcher is refused");
  CHECK(lockin_check(&s, 0) == 0, "share(USER) under an unprivileged launcher passes (its own ids)");
  s.clone_flags = CLONE_NEWUSER;
  s.root_kind = ROOT_HOST;
  CHECK(lockin_check(&s, 1) == -1, "a writable host root is refused");
  s.options = OPT_ROOT_READONLY;
  CHECK(lockin_check(&s, 1) == 0, "a read-only host root passes");
  char other[256];
  snprintf(other, sizeof other, "%s", p("other"));
  s.options = 0, s.root_kind = ROOT_CHROOT, s.root_flags = ROOT_F_WRITABLE, s.root_path = other;
  CHECK(lockin_check(&s, 1) == -1, "a writable chroot outside W is refused");
  char sub[256];
  snprintf(sub, sizeof sub, "%s", p("w/sub"));
  s.root_path = sub;
  CHECK(lockin_check(&s, 1) == 0 && (s.root_flags & ROOT_F_NO_SYMLINKS), "a writable chroot beneath W passes");

  snprintf(cmd, sizeof cmd, "rm -rf %s", base);
  (void)!system(cmd);
  if (failures) return 1;
  printf("lockin_test: all passed\n");
  return 0;
}
