/* mount.c - the jail's file system: private propagation, the root, the ops, pivot_root.
 *
 * Sources are opened with O_PATH before anything is mounted (mount_prepare) and mounted through
 * /proc/self/fd/N, so the staging mount cannot hide them and a path swapped after validation
 * cannot redirect a mount. Targets are resolved with openat2(RESOLVE_IN_ROOT) relative to the
 * jail's root, so a symlink inside the jail (or inside a BIND root) cannot send a mount outside.
 * Every mount is nosuid,nodev (device binds excepted); read-only is applied with mount_setattr
 * (recursive for binds) and verified with fstatvfs. The staging root is a tmpfs (or the root
 * bind) mounted over /tmp in the new mount namespace; pivot_root(".", ".") then switches to it and
 * the old root is detached. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "jail.h"
#include "report.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define STAGING "/tmp"

enum { MP_NONE, MP_DIR, MP_FILE };

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
#define N_DEV (sizeof dev_nodes / sizeof dev_nodes[0])

static struct {
  int *src;            /* per op: O_PATH source of a BIND, -1 otherwise or when skipped */
  int root_src;        /* BIND / CHROOT root */
  int dev[N_DEV];      /* host device nodes for DEV ops */
  int devnull;         /* for HIDE over a file */
  int rootfd;          /* the jail's root during the build */
} m = {.root_src = -1, .devnull = -1, .rootfd = -1};

static int use_openat2 = 1;
static int use_setattr = 1;

static const char *fdpath(int fd, char buf[32]) {
  snprintf(buf, 32, "/proc/self/fd/%d", fd);
  return buf;
}

/* Opens path (absolute, inside the jail) relative to the jail's root. */
static int open_in(const char *path, int flags) {
  if (use_openat2) {
    struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
    long fd = syscall(SYS_openat2, m.rootfd, path, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS) return (int)fd;
    use_openat2 = 0; /* kernel < 5.6: the spec decoder already refused ".." */
  }
  while (*path == '/') path++;
  return openat(m.rootfd, *path ? path : ".", flags | O_CLOEXEC);
}

/* Splits "/a/b/c" into "/a/b" and "c" in buf. Returns the base name, NULL for "/". */
static const char *split(const char *path, char buf[4096]) {
  snprintf(buf, 4096, "%s", path);
  size_t n = strlen(buf);
  while (n > 1 && buf[n - 1] == '/') buf[--n] = 0;
  char *slash = strrchr(buf, '/');
  if (!slash || !slash[1]) return NULL;
  *slash = 0;
  if (slash == buf) { /* parent is "/": keep the base after a "/" */
    memmove(buf + 2, slash + 1, strlen(slash + 1) + 1);
    buf[0] = '/';
    buf[1] = 0;
    return buf + 2;
  }
  return slash + 1;
}

/* Returns an O_PATH fd of path, creating it (parents 0755, a dir or an empty file) when asked. */
static int ensure(const char *path, int kind) {
  int fd = open_in(path, O_PATH);
  if (fd >= 0 || errno != ENOENT || kind == MP_NONE) return fd;
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  size_t i = 0, n = strlen(buf);
  int parent = open_in("/", O_PATH | O_DIRECTORY);
  if (parent < 0) return -1;
  for (;;) {
    while (buf[i] == '/') i++;
    size_t start = i;
    while (i < n && buf[i] != '/') i++;
    if (i == start) { /* trailing slashes: the path is the last directory reached */
      return parent;
    }
    size_t j = i;
    while (j < n && buf[j] == '/') j++;
    int last = j == n;
    char save = buf[i];
    buf[i] = 0;
    fd = open_in(buf, O_PATH);
    if (fd < 0 && errno == ENOENT) {
      int rc;
      if (last && kind == MP_FILE) {
        rc = openat(parent, buf + start, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (rc >= 0) close(rc);
      } else {
        rc = mkdirat(parent, buf + start, 0755);
      }
      if (rc < 0 && errno != EEXIST) {
        close(parent);
        return -1;
      }
      fd = open_in(buf, O_PATH);
    }
    close(parent);
    if (fd < 0) return -1;
    buf[i] = save;
    if (last) return fd;
    parent = fd;
  }
}

static uint64_t st_to_ms(unsigned long f) {
  uint64_t r = 0;
  if (f & ST_RDONLY) r |= MS_RDONLY;
  if (f & ST_NOSUID) r |= MS_NOSUID;
  if (f & ST_NODEV) r |= MS_NODEV;
  if (f & ST_NOEXEC) r |= MS_NOEXEC;
  if (f & ST_NOATIME) r |= MS_NOATIME;
  if (f & ST_NODIRATIME) r |= MS_NODIRATIME;
  if (f & ST_RELATIME) r |= MS_RELATIME;
  return r;
}

static uint64_t attr_to_ms(uint64_t a) {
  return (a & MOUNT_ATTR_RDONLY ? MS_RDONLY : 0) | (a & MOUNT_ATTR_NOSUID ? MS_NOSUID : 0) |
         (a & MOUNT_ATTR_NODEV ? MS_NODEV : 0) | (a & MOUNT_ATTR_NOEXEC ? MS_NOEXEC : 0);
}

/* Remounts one mount adding flags, keeping the ones it has (locked flags in a user namespace
 * must be repeated or the remount fails). */
static int remount_add(const char *path, uint64_t add) {
  struct statvfs sv;
  if (statvfs(path, &sv)) return -1;
  return mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | st_to_ms(sv.f_flag) | add, NULL);
}

static void unescape(char *s) { /* mountinfo escapes space, tab, newline, backslash as \ooo */
  char *w = s;
  for (char *r = s; *r; r++) {
    if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
        r[3] <= '7') {
      *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
      r += 3;
    } else {
      *w++ = *r;
    }
  }
  *w = 0;
}

/* Fallback for kernels without mount_setattr (< 5.12): remount fd's mount and, when recursive,
 * every mount below it as listed in /proc/self/mountinfo. */
static int setattr_fallback(int fd, uint64_t attr, int recursive) {
  char p[32], top[4096];
  ssize_t n = readlink(fdpath(fd, p), top, sizeof top - 1);
  if (n < 0) return -1;
  top[n] = 0;
  uint64_t add = attr_to_ms(attr);
  if (remount_add(top, add)) return -1;
  if (!recursive) return 0;
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return -1;
  char *line = NULL;
  size_t cap = 0;
  int rc = 0;
  size_t tl = (size_t)n;
  while (getline(&line, &cap, f) > 0) {
    char *save, *tok = strtok_r(line, " ", &save);
    for (int i = 0; tok && i < 4; i++) tok = strtok_r(NULL, " ", &save);
    if (!tok) continue;
    unescape(tok);
    int below = tl == 1 ? tok[0] == '/' && tok[1] : strncmp(tok, top, tl) == 0 && tok[tl] == '/';
    if (below && remount_add(tok, add) && errno != ENOENT && errno != EACCES) rc = -1;
  }
  free(line);
  fclose(f);
  return rc;
}

/* Adds attributes to the mount at path (re-resolved, so the fd lands on the top mount). */
static int set_attrs(const char *path, uint64_t attr, int recursive) {
  int fd = open_in(path, O_PATH);
  if (fd < 0) return -1;
  int rc = -1;
  if (use_setattr) {
    struct mount_attr ma = {.attr_set = attr};
    rc = (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &ma,
                      sizeof ma);
    if (rc && errno == ENOSYS) use_setattr = 0;
  }
  if (!use_setattr) rc = setattr_fallback(fd, attr, recursive);
  if (!rc && (attr & MOUNT_ATTR_RDONLY)) {
    struct statvfs sv;
    if (fstatvfs(fd, &sv)) rc = -1;
    else if (!(sv.f_flag & ST_RDONLY)) rc = -1, errno = EPERM;
  }
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

static int op_fail(const struct spec_op *op, const char *step, const char *path, const char *what) {
  report_statusf(op->index, step, errno, path, "%s %s: %s", what, path, strerror(errno));
  return -1;
}

static int mount_over(const char *src, const char *fstype, unsigned long flags, const char *opts,
                      const char *target, int kind) {
  int t = ensure(target, kind);
  if (t < 0) return -1;
  char tp[32];
  int rc = mount(src, fdpath(t, tp), fstype, flags, opts);
  int saved = errno;
  close(t);
  errno = saved;
  return rc;
}

static int bind_fd(int src, const char *target, int kind, int rec) {
  char sp[32];
  return mount_over(fdpath(src, sp), NULL, MS_BIND | (rec ? MS_REC : 0), NULL, target, kind);
}

static int op_bind(const struct spec *s, const struct spec_op *op, int src) {
  (void)s;
  struct stat st;
  if (src < 0) return 0; /* OPTIONAL and missing */
  if (fstat(src, &st)) return op_fail(op, "bind", op->a, "stat");
  int kind = s->root_kind == ROOT_HOST || s->root_kind == ROOT_CHROOT ? MP_NONE
             : S_ISDIR(st.st_mode)                                   ? MP_DIR
                                                                     : MP_FILE;
  if (bind_fd(src, op->b, kind, 1)) return op_fail(op, "bind", op->b, "bind mount onto");
  uint64_t a = MOUNT_ATTR_NOSUID | (op->flags & OPF_ALLOW_DEVICES ? 0 : MOUNT_ATTR_NODEV) |
               (op->flags & OPF_READ_ONLY ? MOUNT_ATTR_RDONLY : 0);
  if (set_attrs(op->b, a, 1)) return op_fail(op, "bind", op->b, "set mount flags on");
  return 0;
}

static int mp_kind(const struct spec *s) {
  return s->root_kind == ROOT_HOST || s->root_kind == ROOT_CHROOT ? MP_NONE : MP_DIR;
}

static int op_tmpfs(const struct spec *s, const struct spec_op *op) {
  char opts[64];
  snprintf(opts, sizeof opts, "mode=0%o%s%s", op->mode ? op->mode : 0755,
           op->data_len ? ",size=" : "", op->data);
  if (mount_over("tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, opts, op->b, mp_kind(s)))
    return op_fail(op, "tmpfs", op->b, "mount tmpfs on");
  if ((op->flags & OPF_READ_ONLY) && set_attrs(op->b, MOUNT_ATTR_RDONLY, 0))
    return op_fail(op, "tmpfs", op->b, "make read-only");
  return 0;
}

static int op_proc(const struct spec *s, const struct spec_op *op) {
  if (mount_over("proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, op->b, mp_kind(s)))
    return op_fail(op, "proc", op->b, "mount proc on");
  static const char *const ro[] = {"sys", "sysrq-trigger", "irq", "bus"};
  int rc;
  for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", strcmp(op->b, "/") ? op->b : "", ro[i]);
    int fd = open_in(p, O_PATH | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) continue;
    if (fd < 0) return op_fail(op, "proc", p, "open");
    rc = bind_fd(fd, p, MP_NONE, 1);
    int saved = errno;
    close(fd);
    errno = saved;
    if (rc) return op_fail(op, "proc", p, "bind over itself");
    if (set_attrs(p, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 1))
      return op_fail(op, "proc", p, "make read-only");
  }
  return 0;
}

static int op_dev(const struct spec *s, const struct spec_op *op) {
  const char *b = op->b;
  char p[4200], fp[32];
  if (mount_over("tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755", b, mp_kind(s)))
    return op_fail(op, "dev", b, "mount tmpfs on");
  int dir = open_in(b, O_PATH | O_DIRECTORY);
  if (dir < 0) return op_fail(op, "dev", b, "open");
  const char *pre = strcmp(b, "/") ? b : "";
  int rc = -1;
  for (size_t i = 0; i < N_DEV; i++) {
    if (m.dev[i] < 0) continue;
    snprintf(p, sizeof p, "%s/%s", pre, dev_nodes[i]);
    if (bind_fd(m.dev[i], p, MP_FILE, 0)) {
      op_fail(op, "dev", p, "bind host device onto");
      goto out;
    }
    if (set_attrs(p, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, 0)) {
      op_fail(op, "dev", p, "set mount flags on");
      goto out;
    }
  }
  static const char *const links[][2] = {{"fd", "/proc/self/fd"},
                                         {"stdin", "/proc/self/fd/0"},
                                         {"stdout", "/proc/self/fd/1"},
                                         {"stderr", "/proc/self/fd/2"},
                                         {"ptmx", "pts/ptmx"}};
  size_t nl = op->flags & OPF_WITH_PTS ? 5 : 4;
  /* The O_PATH fd cannot be used for *at creation calls on every kernel: use a real dir fd. */
  int w = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (w < 0) {
    op_fail(op, "dev", b, "open");
    goto out;
  }
  for (size_t i = 0; i < nl; i++)
    if (symlinkat(links[i][1], w, links[i][0])) {
      snprintf(p, sizeof p, "%s/%s", pre, links[i][0]);
      op_fail(op, "dev", p, "symlink");
      close(w);
      goto out;
    }
  if (mkdirat(w, "shm", 0755) || fchmodat(w, "shm", 01777, 0)) {
    snprintf(p, sizeof p, "%s/shm", pre);
    op_fail(op, "dev", p, "mkdir");
    close(w);
    goto out;
  }
  if (op->flags & OPF_WITH_PTS) {
    snprintf(p, sizeof p, "%s/pts", pre);
    if (mkdirat(w, "pts", 0755) ||
        mount_over("devpts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620",
                   p, MP_NONE)) {
      op_fail(op, "dev", p, "mount devpts on");
      close(w);
      goto out;
    }
  }
  close(w);
  (void)fp;
  if (set_attrs(b, MOUNT_ATTR_RDONLY, 0)) {
    op_fail(op, "dev", b, "make read-only");
    goto out;
  }
  rc = 0;
out:
  close(dir);
  return rc;
}

static int op_symlink(const struct spec_op *op) {
  char buf[4096], cur[4096];
  const char *base = split(op->b, buf);
  if (!base) return errno = EINVAL, op_fail(op, "symlink", op->b, "create symlink");
  int parent = ensure(buf, MP_DIR);
  if (parent < 0) return op_fail(op, "symlink", op->b, "create parent of");
  int rc = symlinkat(op->a, parent, base);
  if (rc && errno == EEXIST) { /* the same link already there is fine (as bubblewrap does) */
    ssize_t n = readlinkat(parent, base, cur, sizeof cur - 1);
    if (n >= 0) {
      cur[n] = 0;
      if (!strcmp(cur, op->a)) rc = 0;
    }
    if (rc) errno = EEXIST;
  }
  int saved = errno;
  close(parent);
  errno = saved;
  return rc ? op_fail(op, "symlink", op->b, "create symlink") : 0;
}

static int op_dir(const struct spec_op *op) {
  int fd = ensure(op->b, MP_DIR);
  if (fd < 0) return op_fail(op, "mkdir", op->b, "create directory");
  struct stat st;
  char fp[32];
  int rc = fstat(fd, &st);
  if (!rc && !S_ISDIR(st.st_mode)) rc = -1, errno = ENOTDIR;
  if (!rc) rc = chmod(fdpath(fd, fp), op->mode ? op->mode : 0755);
  int saved = errno;
  close(fd);
  errno = saved;
  return rc ? op_fail(op, "mkdir", op->b, "create directory") : 0;
}

static int op_file(const struct spec_op *op) {
  char buf[4096];
  const char *base = split(op->b, buf);
  if (!base) return errno = EISDIR, op_fail(op, "write_file", op->b, "write");
  int parent = ensure(buf, MP_DIR);
  if (parent < 0) return op_fail(op, "write_file", op->b, "create parent of");
  int fd = openat(parent, base, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  int saved = errno;
  close(parent);
  errno = saved;
  if (fd < 0) return op_fail(op, "write_file", op->b, "create");
  int rc = write_all(fd, op->data, op->data_len);
  if (!rc) rc = fchmod(fd, op->mode ? op->mode : 0644);
  saved = errno;
  close(fd);
  errno = saved;
  if (rc) return op_fail(op, "write_file", op->b, "write");
  if (op->flags & OPF_READ_ONLY) {
    int self = open_in(op->b, O_PATH | O_NOFOLLOW);
    if (self < 0 || bind_fd(self, op->b, MP_NONE, 0)) return op_fail(op, "write_file", op->b, "bind");
    close(self);
    if (set_attrs(op->b, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0))
      return op_fail(op, "write_file", op->b, "make read-only");
  }
  return 0;
}

static int op_hide(const struct spec_op *op) {
  int fd = open_in(op->b, O_PATH);
  if (fd < 0 && errno == ENOENT) return 0; /* nothing to hide */
  if (fd < 0) return op_fail(op, "hide", op->b, "open");
  struct stat st;
  int rc = fstat(fd, &st);
  close(fd);
  if (rc) return op_fail(op, "hide", op->b, "stat");
  if (S_ISDIR(st.st_mode)) {
    if (mount_over("tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "mode=0755",
                   op->b, MP_NONE))
      return op_fail(op, "hide", op->b, "mount an empty tmpfs on");
  } else {
    if (m.devnull < 0) return errno = ENOENT, op_fail(op, "hide", "/dev/null", "open host");
    if (bind_fd(m.devnull, op->b, MP_NONE, 0)) return op_fail(op, "hide", op->b, "bind /dev/null onto");
  }
  if (set_attrs(op->b, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0))
    return op_fail(op, "hide", op->b, "make read-only");
  return 0;
}

int mount_prepare(const struct spec *s) {
  for (size_t i = 0; i < N_DEV; i++) m.dev[i] = -1;
  if (!(s->clone_flags & CLONE_NEWNS)) {
    if (s->root_kind == ROOT_CHROOT) {
      m.root_src = open(s->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (m.root_src < 0)
        return report_statusf(-1, "chroot", errno, s->root_path, "open %s: %s", s->root_path,
                              strerror(errno)), -1;
    }
    return 0;
  }
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
    return report_statusf(-1, "mount_private", errno, "/", "make / rprivate: %s", strerror(errno)), -1;
  if (s->root_kind == ROOT_BIND || s->root_kind == ROOT_CHROOT) {
    m.root_src = open(s->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (m.root_src < 0)
      return report_statusf(-1, s->root_kind == ROOT_BIND ? "root" : "chroot", errno, s->root_path,
                            "open %s: %s", s->root_path, strerror(errno)), -1;
  }
  m.src = malloc((s->n_ops + 1) * sizeof *m.src);
  if (!m.src) return report_status(-1, "root", ENOMEM, NULL, "out of memory"), -1;
  int need_dev = 0, need_null = 0;
  for (size_t i = 0; i < s->n_ops; i++) {
    const struct spec_op *op = &s->ops[i];
    m.src[i] = -1;
    if (op->kind == OP_DEV) need_dev = 1;
    if (op->kind == OP_HIDE) need_null = 1;
    if (op->kind != OP_BIND) continue;
    m.src[i] = open(op->a, O_PATH | O_CLOEXEC);
    if (m.src[i] < 0 && !(errno == ENOENT && (op->flags & OPF_OPTIONAL)))
      return op_fail(op, "bind", op->a, "open bind source");
  }
  for (size_t i = 0; need_dev && i < N_DEV; i++) {
    char p[32];
    snprintf(p, sizeof p, "/dev/%s", dev_nodes[i]);
    m.dev[i] = open(p, O_PATH | O_CLOEXEC);
  }
  if (need_null) m.devnull = open("/dev/null", O_PATH | O_CLOEXEC);
  return 0;
}

static void close_sources(const struct spec *s) {
  for (size_t i = 0; m.src && i < s->n_ops; i++)
    if (m.src[i] >= 0) close(m.src[i]);
  for (size_t i = 0; i < N_DEV; i++)
    if (m.dev[i] >= 0) close(m.dev[i]);
  if (m.devnull >= 0) close(m.devnull);
  free(m.src);
  m.src = NULL;
}

static int run_ops(const struct spec *s) {
  for (size_t i = 0; i < s->n_ops; i++) {
    const struct spec_op *op = &s->ops[i];
    int rc = 0;
    switch (op->kind) {
    case OP_BIND: rc = op_bind(s, op, m.src[i]); break;
    case OP_TMPFS: rc = op_tmpfs(s, op); break;
    case OP_PROC: rc = op_proc(s, op); break;
    case OP_DEV: rc = op_dev(s, op); break;
    case OP_SYMLINK: rc = op_symlink(op); break;
    case OP_DIR: rc = op_dir(op); break;
    case OP_FILE: rc = op_file(op); break;
    case OP_HIDE: rc = op_hide(op); break;
    case OP_REMOUNT_RO:
      if (set_attrs(op->b, MOUNT_ATTR_RDONLY, 1)) rc = op_fail(op, "remount_ro", op->b, "make read-only");
      break;
    }
    if (rc) return -1;
  }
  return 0;
}

static int fail_root(const char *step, const char *path, const char *what) {
  return report_statusf(-1, step, errno, path, "%s %s: %s", what, path, strerror(errno)), -1;
}

int mount_build(const struct spec *s) {
  int rc = -1;
  if (!(s->clone_flags & CLONE_NEWNS)) { /* HOST or CHROOT root, no ops (decoder) */
    if (s->root_kind == ROOT_CHROOT &&
        (fchdir(m.root_src) || chroot(".") || chdir("/")))
      return fail_root("chroot", s->root_path, "chroot into");
    if (m.root_src >= 0) close(m.root_src);
    return 0;
  }
  switch (s->root_kind) {
  case ROOT_TMPFS:
    if (mount("tmpfs", STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"))
      return fail_root("root", STAGING, "mount the root tmpfs on");
    m.rootfd = open(STAGING, O_PATH | O_DIRECTORY | O_CLOEXEC);
    break;
  case ROOT_BIND: {
    char sp[32];
    if (mount(fdpath(m.root_src, sp), STAGING, NULL, MS_BIND | MS_REC, NULL))
      return fail_root("root", s->root_path, "bind the root");
    m.rootfd = open(STAGING, O_PATH | O_DIRECTORY | O_CLOEXEC);
    struct mount_attr ma = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                        (s->root_flags & ROOT_F_WRITABLE ? 0 : MOUNT_ATTR_RDONLY)};
    if (m.rootfd >= 0 &&
        syscall(SYS_mount_setattr, m.rootfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &ma, sizeof ma)) {
      if (errno != ENOSYS) return fail_root("root", s->root_path, "set mount flags on");
      use_setattr = 0;
      if (setattr_fallback(m.rootfd, ma.attr_set, 1)) return fail_root("root", s->root_path, "remount");
    }
    break;
  }
  case ROOT_HOST:
    m.rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    break;
  case ROOT_CHROOT:
    m.rootfd = dup(m.root_src);
    break;
  }
  if (m.rootfd < 0) return fail_root("root", STAGING, "open");
  if (run_ops(s)) goto out;
  close_sources(s);
  if (s->root_kind == ROOT_TMPFS || s->root_kind == ROOT_BIND) {
    if (chdir(STAGING)) {
      fail_root("pivot_root", STAGING, "chdir to");
      goto out;
    }
    if (syscall(SYS_pivot_root, ".", ".")) {
      fail_root("pivot_root", STAGING, "pivot_root to");
      goto out;
    }
    if (umount2(".", MNT_DETACH) || chdir("/")) {
      fail_root("pivot_root", "/", "detach the old root");
      goto out;
    }
  } else if (s->root_kind == ROOT_CHROOT) {
    if (fchdir(m.root_src) || chroot(".") || chdir("/")) {
      fail_root("chroot", s->root_path, "chroot into");
      goto out;
    }
  }
  if (s->options & OPT_ROOT_READONLY) {
    close(m.rootfd);
    m.rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (m.rootfd < 0 || set_attrs("/", MOUNT_ATTR_RDONLY, 0)) {
      fail_root("remount_ro", "/", "make the root read-only");
      goto out;
    }
  }
  rc = 0;
out:
  if (m.rootfd >= 0) close(m.rootfd);
  if (m.root_src >= 0) close(m.root_src);
  m.rootfd = m.root_src = -1;
  return rc;
}
