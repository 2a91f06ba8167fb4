/* lockin.c - the prestarted launcher's copy of a JVM lockdown (docs/lockdown.md, "Jails after a
 * lockdown"). The zygote is started before the lockdown and keeps the JVM's earlier privileges, so
 * the JVM-side checks alone would let code that took over the locked-down JVM write its own spec
 * to our socket. Instead the JVM sends one LOCK request while it is still trusted, and every later
 * spec is checked here, after decoding and before clone, against what the lockdown left the JVM.
 *
 * LOCK payload (little endian): u32 flags, u32 n, then n times (u32 len, len bytes of an absolute
 * path): the paths the lockdown left writable (only meaningful with LOCK_F_WRITES; n 0 = none).
 *
 * A writable source passes when what it resolves to IS beneath a W entry: the W entries are opened
 * at LOCK time and compared by st_dev/st_ino while walking up from the source with "..", never by
 * string prefix. The source must be given resolved (no symlink, "." or ".." component): the jail
 * opens it again later by name, so the check forces RESOLVE_NO_SYMLINKS on it; a symlink planted
 * in W after the check is then refused by the jail's own open. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jail.h"
#include "report.h"

#define LOCK_MAX_PATHS 256

static struct {
  int locked;
  uint32_t flags;
  int n;
  dev_t dev[LOCK_MAX_PATHS];
  ino_t ino[LOCK_MAX_PATHS];
} L;

static uint32_t rd32(const uint8_t *b) {
  return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

int lockin_set(const uint8_t *b, size_t len) {
  /* One-shot: a later LOCK could only come from code that runs after the lockdown. */
  if (L.locked || len < 8) return errno = L.locked ? EPERM : EINVAL, -1;
  uint32_t flags = rd32(b), n = rd32(b + 4);
  if ((flags & ~(uint32_t)LOCK_F_ALL) || n > LOCK_MAX_PATHS) return errno = EINVAL, -1;
  size_t off = 8;
  int kept = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (len - off < 4) return errno = EINVAL, -1;
    uint32_t pl = rd32(b + off);
    off += 4;
    if (pl == 0 || pl > SPEC_MAX_PATH || len - off < pl || b[off] != '/' || memchr(b + off, 0, pl))
      return errno = EINVAL, -1;
    char path[SPEC_MAX_PATH + 1];
    memcpy(path, b + off, pl);
    path[pl] = 0;
    off += pl;
    struct stat st;
    /* A W entry that does not exist leaves nothing writable there (Landlock had nothing to allow). */
    if (stat(path, &st)) continue;
    L.dev[kept] = st.st_dev;
    L.ino[kept] = st.st_ino;
    kept++;
  }
  if (off != len) return errno = EINVAL, -1;
  L.n = kept;
  L.flags = flags;
  L.locked = 1;
  return 0;
}

static int is_w(const struct stat *st) {
  for (int i = 0; i < L.n; i++)
    if (L.dev[i] == st->st_dev && L.ino[i] == st->st_ino) return 1;
  return 0;
}

/* 1 when path (a writable source) is beneath a W entry, 0 when not, -1 with a reason otherwise. */
static int beneath_w(const char *path, const char **why) {
  int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0) return *why = "it cannot be opened", -1;
  char self[32], real[SPEC_MAX_PATH + 2];
  snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
  ssize_t rl = readlink(self, real, sizeof real - 1);
  if (rl < 0 || (size_t)rl != strlen(path) || memcmp(real, path, (size_t)rl)) {
    close(fd);
    return *why = "it is not a resolved path (a symlink, \".\" or \"..\" in it)", -1;
  }
  struct stat st;
  if (fstat(fd, &st)) {
    close(fd);
    return *why = "it cannot be examined", -1;
  }
  if (!S_ISDIR(st.st_mode)) {
    if (is_w(&st)) return close(fd), 1;
    /* a file: continue from the directory it is in (path is resolved, so its dirname is too) */
    char *slash = strrchr(real, '/');
    real[slash == real ? 1 : slash - real] = 0;
    close(fd);
    fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st)) {
      if (fd >= 0) close(fd);
      return *why = "its directory cannot be opened", -1;
    }
  }
  for (;;) {
    if (is_w(&st)) return close(fd), 1;
    int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct stat ust;
    if (up < 0 || fstat(up, &ust)) {
      if (up >= 0) close(up);
      close(fd);
      return *why = "its parent cannot be opened", -1;
    }
    close(fd);
    fd = up;
    if (ust.st_dev == st.st_dev && ust.st_ino == st.st_ino) return close(fd), 0; /* reached "/" */
    st = ust;
  }
}

static int refuse(int op_index, const char *path, const char *what) {
  report_statusf(op_index, STEP_LOCKDOWN, EPERM, path,
                 "%s refused by the Lockdown applied to this JVM (enforced by the prestarted launcher)", what);
  errno = EPERM;
  return -1;
}

static int check_writable(int op_index, const char *path) {
  const char *why = NULL;
  int r = beneath_w(path, &why);
  if (r == 1) return 0;
  char what[SPEC_MAX_PATH + 160];
  if (r == 0) snprintf(what, sizeof what, "a writable %s: not beneath a path the lockdown left writable,", path);
  else snprintf(what, sizeof what, "a writable %s: %s,", path, why);
  return refuse(op_index, path, what);
}

int lockin_check(struct spec *s, int launcher_root) {
  if (!L.locked) return 0;
  if (L.flags & LOCK_F_NO_HOST_IDS) {
    if (s->host_uid != SPEC_ID_DEFAULT || s->host_gid != SPEC_ID_DEFAULT)
      return refuse(-1, NULL, "hostIds(...): the lockdown dropped this JVM's capabilities, so chosen host ids are");
    /* A root launcher's jail in the host's user namespace would act as host uid 0 (owner of most
     * files) where the locked-down JVM had Landlock and no capabilities. */
    if (launcher_root && !(s->clone_flags & CLONE_NEWUSER))
      return refuse(-1, NULL, "share(USER) under a root launcher: it would run as host root, and is");
  }
  /* Set after decoding: no spec can clear it. */
  s->lock_no_newns = (L.flags & LOCK_F_NO_NEWNS) != 0;
  if ((L.flags & LOCK_F_NO_CAPS) && s->has_caps && s->caps_keep)
    return refuse(-1, NULL, "keepCapabilities(...): the lockdown dropped this JVM's capabilities, so kept ones are");
  if (!(L.flags & LOCK_F_WRITES)) return 0;
  if (s->root_kind == ROOT_HOST && !(s->options & OPT_ROOT_READONLY))
    return refuse(-1, "/", "a writable host root: not beneath a path the lockdown left writable,");
  if ((s->root_kind == ROOT_BIND || s->root_kind == ROOT_CHROOT) && (s->root_flags & ROOT_F_WRITABLE)) {
    if (check_writable(-1, s->root_path)) return -1;
    s->root_flags |= ROOT_F_NO_SYMLINKS;
  }
  for (size_t i = 0; i < s->n_ops; i++) {
    struct spec_op *op = &s->ops[i];
    if (op->kind != OP_BIND || (op->flags & OPF_READ_ONLY)) continue;
    if (check_writable(op->index, op->a)) return -1;
    op->flags |= OPF_NO_SYMLINKS; /* the jail reopens it by name: no symlink planted since */
  }
  return 0;
}
