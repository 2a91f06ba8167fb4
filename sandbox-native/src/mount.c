/* mount.c - the jail's file system: private propagation, the root, the ops, pivot_root.
 *
 * Every step works on descriptors obtained once, never on a path resolved again after a mount, so
 * a peer renaming directories in a tree it can write (a writable chroot, a read-write bind shared
 * between jails) cannot move a mount or its flags elsewhere:
 *  - bind sources are opened in mount_prepare, before anything is mounted, and cloned right away
 *    into detached trees (open_tree OPEN_TREE_CLONE): later mounts (the new root stacked on "/")
 *    cannot appear inside them. With OPF_NO_SYMLINKS the source is opened with
 *    RESOLVE_NO_SYMLINKS, so a jail that wrote the source directory cannot point it elsewhere;
 *  - new file systems (tmpfs, proc, devpts) come from fsopen/fsmount with their flags given at
 *    creation; a bind gets its flags with mount_setattr on the detached tree, before it is
 *    attached. Either is then attached with move_mount onto the target fd, which was resolved
 *    once with openat2(RESOLVE_IN_ROOT) relative to the jail's root (a symlink inside the jail
 *    cannot send a mount outside);
 *  - the flags are verified with fstatvfs on the fd of the mount that was attached;
 *  - before 5.12 (no mount_setattr) the tree is attached first and remounted through
 *    /proc/self/fd/N, and its submounts through fds whose mount id is checked against
 *    /proc/self/mountinfo (a renamed path gives another mount id: setup fails, closed).
 * The new root is an anonymous mount (fsmount, or the cloned BIND root) stacked on "/": no
 * directory any caller can name is used for it, so binding the host's /tmp or / shows the host's
 * content. pivot_root(".", ".") then switches to it and the old root is detached. Needs the new
 * mount API (Linux 5.2). */
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
#include <linux/stat.h>

#include "jail.h"
#include "report.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

enum { MP_NONE, MP_DIR, MP_FILE };

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
#define N_DEV (sizeof dev_nodes / sizeof dev_nodes[0])
#define A_NOSUID_NODEV (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)

static struct {
  int *src;            /* per op: detached clone of a BIND source, -1 otherwise or when skipped */
  int root_src;        /* BIND: detached clone of the root; CHROOT: O_PATH of the directory */
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

static void close_keep_errno(int fd) {
  int saved = errno;
  if (fd >= 0) close(fd);
  errno = saved;
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

/* Opens a host path (absolute, without . or ..) refusing a symlink in any component: openat2
 * RESOLVE_NO_SYMLINKS, or on kernels before 5.6 a walk with O_NOFOLLOW that checks each step. */
static int open_no_symlinks(const char *path) {
  struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS};
  long r = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
  if (r >= 0 || errno != ENOSYS) return (int)r;
  int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  char comp[256];
  for (const char *p = path; fd >= 0 && *p;) {
    while (*p == '/') p++;
    size_t k = strcspn(p, "/");
    if (!k) break;
    if (k >= sizeof comp) return close(fd), errno = ENAMETOOLONG, -1;
    memcpy(comp, p, k);
    comp[k] = 0;
    p += k;
    int next = openat(fd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (next >= 0 && !fstat(next, &st) && S_ISLNK(st.st_mode)) close(next), next = -1, errno = ELOOP;
    close_keep_errno(fd);
    fd = next;
  }
  return fd;
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

/* Returns an O_PATH fd of path, creating it (parents 0755, a dir, or a file of mode 0 and no
 * content: a mount point placeholder that reveals nothing) when asked. */
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
        rc = openat(parent, buf + start, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
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

/* The mount has every flag of attr (read on the fd itself, not on a path). */
static int verify_fd(int fd, uint64_t attr) {
  struct statvfs sv;
  if (fstatvfs(fd, &sv)) return -1;
  uint64_t want = attr_to_ms(attr);
  if ((st_to_ms(sv.f_flag) & want) != want) return errno = EPERM, -1;
  return 0;
}

/* Remounts the mount whose root fd is, adding flags and keeping the ones it has (locked flags in a
 * user namespace must be repeated or the remount fails). /proc/self/fd/N names exactly that
 * mount: the magic link jumps to the fd's own mount and dentry. */
static int remount_fd(int fd, uint64_t attr) {
  struct statvfs sv;
  char p[32];
  if (fstatvfs(fd, &sv)) return -1;
  if (mount(NULL, fdpath(fd, p), NULL, MS_REMOUNT | MS_BIND | st_to_ms(sv.f_flag) | attr_to_ms(attr),
            NULL))
    return -1;
  return verify_fd(fd, attr);
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

/* The mount id of fd's mount: statx (5.8), else fdinfo (which before 5.14 the jail's fsuid may not
 * read, hence statx first). */
static int mnt_id_of(int fd) {
  struct statx stx;
  if (!statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) && (stx.stx_mask & STATX_MNT_ID))
    return (int)stx.stx_mnt_id;
  char p[48], buf[512];
  snprintf(p, sizeof p, "/proc/self/fdinfo/%d", fd);
  int f = open(p, O_RDONLY | O_CLOEXEC);
  if (f < 0) return -1;
  ssize_t n = read(f, buf, sizeof buf - 1);
  close(f);
  if (n <= 0) return errno = EIO, -1;
  buf[n] = 0;
  char *s = strstr(buf, "mnt_id:");
  return s ? atoi(s + 7) : (errno = EIO, -1);
}

struct minfo { int id, parent, in; char *mp; };

/* Fallback for kernels without mount_setattr (< 5.12), on an attached tree: remounts its top
 * through its fd and, when recursive, every mount below it as listed in /proc/self/mountinfo,
 * each through an fd opened beneath the top and accepted only if its mount id is the listed one. */
static int setattr_fallback(int fd, uint64_t attr, int recursive) {
  if (remount_fd(fd, attr)) return -1;
  if (!recursive) return 0;
  int top = mnt_id_of(fd);
  if (top < 0) return -1;
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return -1;
  struct minfo *v = NULL;
  size_t nv = 0, cap = 0, lcap = 0;
  char *line = NULL;
  int rc = 0;
  while (getline(&line, &lcap, f) > 0) {
    char *save, *tok[5];
    tok[0] = strtok_r(line, " ", &save);
    for (int i = 1; i < 5 && tok[i - 1]; i++) tok[i] = strtok_r(NULL, " ", &save);
    if (!tok[0] || !tok[4]) continue;
    if (nv == cap) {
      struct minfo *nvp = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof *v);
      if (!nvp) { rc = -1; break; }
      v = nvp;
    }
    unescape(tok[4]);
    v[nv] = (struct minfo){atoi(tok[0]), atoi(tok[1]), atoi(tok[0]) == top, strdup(tok[4])};
    if (!v[nv].mp) { rc = -1; break; }
    nv++;
  }
  free(line);
  fclose(f);
  const char *top_mp = NULL;
  for (size_t i = 0; i < nv; i++)
    if (v[i].in) top_mp = v[i].mp;
  if (!rc && !top_mp) rc = -1, errno = ENOENT;
  for (int grown = 1; !rc && grown;) { /* the set of mounts below the top */
    grown = 0;
    for (size_t i = 0; i < nv; i++)
      for (size_t j = 0; !v[i].in && j < nv; j++)
        if (v[j].in && v[j].id == v[i].parent && v[j].id != v[i].id) v[i].in = 1, grown = 1;
  }
  size_t tl = top_mp ? strlen(top_mp) : 0;
  for (size_t i = 0; !rc && i < nv; i++) {
    if (!v[i].in || v[i].id == top) continue;
    const char *rel = v[i].mp + (tl == 1 ? 1 : tl);
    if (strncmp(v[i].mp, top_mp, tl) || (tl > 1 && *rel != '/' && *rel)) {
      rc = -1, errno = EXDEV;
      break;
    }
    while (*rel == '/') rel++;
    int c = openat(fd, *rel ? rel : ".", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    int id = c >= 0 ? mnt_id_of(c) : -1;
    if (id >= 0 && id != v[i].id) {
      /* Another mount of the set at the same mount point stacked directly on this one covers it
       * (the jail never sees it); any other id means the path moved: fail closed. */
      int covered = 0;
      for (size_t j = 0; j < nv; j++)
        if (v[j].id == id && v[j].in && v[j].parent == v[i].id && !strcmp(v[j].mp, v[i].mp)) covered = 1;
      close(c);
      if (covered) continue;
      rc = -1, errno = EXDEV;
      break;
    }
    if (c < 0 || id < 0 || remount_fd(c, attr)) rc = -1;
    close_keep_errno(c);
  }
  for (size_t i = 0; i < nv; i++) free(v[i].mp);
  free(v);
  return rc;
}

/* Adds attributes to the attached mount whose root fd is, and verifies them on fd. */
static int set_attrs_fd(int fd, uint64_t attr, int recursive) {
  if (use_setattr) {
    struct mount_attr ma = {.attr_set = attr};
    if (!syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &ma,
                 sizeof ma))
      return verify_fd(fd, attr);
    if (errno != ENOSYS) return -1;
    use_setattr = 0;
  }
  return setattr_fallback(fd, attr, recursive);
}

/* Attaches the detached tree onto the target fd with attr (recursively), and closes the tree.
 * With mount_setattr the flags are set before the tree is attached, so it is never visible
 * without them; the result is verified on the tree's own fd after the move. */
static int attach(int tree, int target, uint64_t attr, int recursive) {
  int rc = 0, late = 0;
  if (attr && use_setattr) {
    struct mount_attr ma = {.attr_set = attr};
    rc = (int)syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
                      &ma, sizeof ma);
    if (rc && errno == ENOSYS) use_setattr = 0, rc = 0;
  }
  late = attr && !use_setattr;
  if (!rc)
    rc = (int)syscall(SYS_move_mount, tree, "", target, "",
                      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  if (!rc && late) rc = setattr_fallback(tree, attr, recursive);
  if (!rc && attr) rc = verify_fd(tree, attr);
  close_keep_errno(tree);
  return rc;
}

/* A detached clone of fd's mount (and submounts when recursive). */
static int clone_tree(int fd, int recursive) {
  return (int)syscall(SYS_open_tree, fd, "",
                      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
}

/* A new detached file system of fstype with the given string options, mounted with attr. */
static int new_fs(const char *fstype, const char *const opts[][2], size_t n, uint64_t attr) {
  int fs = (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
  if (fs < 0) return -1;
  int rc = 0;
  for (size_t i = 0; !rc && i < n; i++)
    rc = (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, opts[i][0], opts[i][1], 0);
  if (!rc) rc = (int)syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
  int mfd = rc ? -1 : (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attr);
  close_keep_errno(fs);
  return mfd;
}

/* A new file system attached onto target (created as a directory when kind says so). Returns the
 * mount's fd (its root), or -1. */
static int mount_new(const char *fstype, const char *const opts[][2], size_t n, uint64_t attr,
                     const char *target, int kind) {
  int t = ensure(target, kind);
  if (t < 0) return -1;
  int mfd = new_fs(fstype, opts, n, attr);
  int keep = mfd >= 0 ? dup(mfd) : -1; /* attach closes its tree fd */
  int rc = mfd < 0 || keep < 0 ? -1 : attach(mfd, t, attr & MOUNT_ATTR_RDONLY, 0);
  if (rc && mfd >= 0 && keep < 0) close(mfd);
  close_keep_errno(t);
  if (rc) close_keep_errno(keep);
  return rc ? -1 : keep;
}

static int op_fail(const struct spec_op *op, enum step step, const char *path, const char *what) {
  fail_errno(op->index, step, errno, path, "%s %s", what, path);
  return -1;
}

static int mp_kind(const struct spec *s) {
  return s->root_kind == ROOT_HOST || s->root_kind == ROOT_CHROOT ? MP_NONE : MP_DIR;
}

static int op_bind(const struct spec *s, const struct spec_op *op, int *tree) {
  struct stat st;
  if (*tree < 0) return 0; /* OPTIONAL and missing */
  if (fstat(*tree, &st)) return op_fail(op, STEP_BIND, op->a, "stat");
  int kind = mp_kind(s) == MP_NONE ? MP_NONE : S_ISDIR(st.st_mode) ? MP_DIR : MP_FILE;
  int t = ensure(op->b, kind);
  if (t < 0) return op_fail(op, STEP_BIND, op->b, "bind mount onto");
  uint64_t a = MOUNT_ATTR_NOSUID | (op->flags & OPF_ALLOW_DEVICES ? 0 : MOUNT_ATTR_NODEV) |
               (op->flags & OPF_READ_ONLY ? MOUNT_ATTR_RDONLY : 0);
  int rc = attach(*tree, t, a, 1);
  *tree = -1;
  close_keep_errno(t);
  return rc ? op_fail(op, STEP_BIND, op->b, "bind mount onto") : 0;
}

static int op_tmpfs(const struct spec *s, const struct spec_op *op) {
  char mode[16], size[24] = "", inodes[24] = "";
  snprintf(mode, sizeof mode, "0%o", op->mode ? op->mode : 0755);
  /* data is SIZE or SIZE,INODES, each at most 20 digits (the decoder checked) */
  const char *comma = memchr(op->data, ',', op->data_len);
  size_t size_len = comma ? (size_t)(comma - op->data) : op->data_len;
  memcpy(size, op->data, size_len);
  if (comma) memcpy(inodes, comma + 1, op->data_len - size_len - 1);
  const char *opts[3][2] = {{"mode", mode}};
  int n = 1;
  if (size_len) opts[n][0] = "size", opts[n++][1] = size;
  if (comma) opts[n][0] = "nr_inodes", opts[n++][1] = inodes;
  uint64_t a = A_NOSUID_NODEV | (op->flags & OPF_READ_ONLY ? MOUNT_ATTR_RDONLY : 0);
  int fd = mount_new("tmpfs", (const char *const(*)[2])opts, n, a, op->b, mp_kind(s));
  if (fd < 0) return op_fail(op, STEP_TMPFS, op->b, "mount tmpfs on");
  close(fd);
  return 0;
}

static int op_proc(const struct spec *s, const struct spec_op *op) {
  int pfd = mount_new("proc", NULL, 0, A_NOSUID_NODEV | MOUNT_ATTR_NOEXEC, op->b, mp_kind(s));
  if (pfd < 0) return op_fail(op, STEP_PROC, op->b, "mount proc on");
  static const char *const ro[] = {"sys", "sysrq-trigger", "irq", "bus"};
  for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", strcmp(op->b, "/") ? op->b : "", ro[i]);
    int fd = openat(pfd, ro[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) continue;
    if (fd < 0) return close(pfd), op_fail(op, STEP_PROC, p, "open");
    int tree = clone_tree(fd, 1);
    int rc = tree < 0 ? -1 : attach(tree, fd, A_NOSUID_NODEV | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC, 1);
    close_keep_errno(fd);
    if (rc) return close_keep_errno(pfd), op_fail(op, STEP_PROC, p, "make read-only");
  }
  close(pfd);
  return 0;
}

/* Binds host device i onto a new placeholder file name in the directory w. */
static int dev_node(int w, size_t i) {
  int f = openat(w, dev_nodes[i], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0);
  if (f < 0) return -1;
  int tree = clone_tree(m.dev[i], 0);
  int rc = tree < 0 ? -1 : attach(tree, f, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, 0);
  close_keep_errno(f);
  return rc;
}

static int op_dev(const struct spec *s, const struct spec_op *op) {
  const char *b = op->b;
  char p[4200];
  const char *const opts[][2] = {{"mode", "0755"}};
  int dir = mount_new("tmpfs", opts, 1, A_NOSUID_NODEV | MOUNT_ATTR_NOEXEC, b, mp_kind(s));
  if (dir < 0) return op_fail(op, STEP_DEV, b, "mount tmpfs on");
  const char *pre = strcmp(b, "/") ? b : "";
  int rc = -1;
  /* The O_PATH fd cannot be used for *at creation calls on every kernel: use a real dir fd. */
  int w = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (w < 0) {
    op_fail(op, STEP_DEV, b, "open");
    goto out;
  }
  for (size_t i = 0; i < N_DEV; i++) {
    if (m.dev[i] < 0) continue;
    if (dev_node(w, i)) {
      snprintf(p, sizeof p, "%s/%s", pre, dev_nodes[i]);
      op_fail(op, STEP_DEV, p, "bind host device onto");
      goto out;
    }
  }
  static const char *const links[][2] = {{"fd", "/proc/self/fd"},
                                         {"stdin", "/proc/self/fd/0"},
                                         {"stdout", "/proc/self/fd/1"},
                                         {"stderr", "/proc/self/fd/2"},
                                         {"ptmx", "pts/ptmx"}};
  size_t nl = op->flags & OPF_WITH_PTS ? 5 : 4;
  for (size_t i = 0; i < nl; i++)
    if (symlinkat(links[i][1], w, links[i][0])) {
      snprintf(p, sizeof p, "%s/%s", pre, links[i][0]);
      op_fail(op, STEP_DEV, p, "symlink");
      goto out;
    }
  if (mkdirat(w, "shm", 0755) || fchmodat(w, "shm", 01777, 0)) {
    snprintf(p, sizeof p, "%s/shm", pre);
    op_fail(op, STEP_DEV, p, "mkdir");
    goto out;
  }
  if (op->flags & OPF_WITH_PTS) {
    snprintf(p, sizeof p, "%s/pts", pre);
    const char *const pts[][2] = {{"ptmxmode", "0666"}, {"mode", "620"}};
    int t = mkdirat(w, "pts", 0755) ? -1 : openat(w, "pts", O_PATH | O_NOFOLLOW | O_CLOEXEC);
    int fs = t < 0 ? -1 : new_fs("devpts", pts, 2, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
    int r2 = fs < 0 ? -1 : attach(fs, t, 0, 0);
    close_keep_errno(t);
    if (r2) {
      op_fail(op, STEP_DEV, p, "mount devpts on");
      goto out;
    }
  }
  if (set_attrs_fd(dir, MOUNT_ATTR_RDONLY, 0)) {
    op_fail(op, STEP_DEV, b, "make read-only");
    goto out;
  }
  rc = 0;
out:
  close_keep_errno(w);
  close_keep_errno(dir);
  return rc;
}

/* A symlink op never replaces anything: the same link text already there is accepted (as
 * bubblewrap does), anything else at the path fails with EEXIST. */
static int op_symlink(const struct spec_op *op) {
  char buf[4096], cur[4096];
  const char *base = split(op->b, buf);
  if (!base) return errno = EINVAL, op_fail(op, STEP_SYMLINK, op->b, "create symlink");
  int parent = ensure(buf, MP_DIR);
  if (parent < 0) return op_fail(op, STEP_SYMLINK, op->b, "create parent of");
  int rc = symlinkat(op->a, parent, base);
  if (rc && errno == EEXIST) {
    ssize_t n = readlinkat(parent, base, cur, sizeof cur - 1);
    if (n >= 0) {
      cur[n] = 0;
      if (!strcmp(cur, op->a)) rc = 0;
    }
    if (rc) errno = EEXIST;
  }
  close_keep_errno(parent);
  return rc ? op_fail(op, STEP_SYMLINK, op->b, "create symlink") : 0;
}

static int op_dir(const struct spec_op *op) {
  int fd = ensure(op->b, MP_DIR);
  if (fd < 0) return op_fail(op, STEP_MKDIR, op->b, "create directory");
  struct stat st;
  char fp[32];
  int rc = fstat(fd, &st);
  if (!rc && !S_ISDIR(st.st_mode)) rc = -1, errno = ENOTDIR;
  if (!rc) rc = chmod(fdpath(fd, fp), op->mode ? op->mode : 0755);
  close_keep_errno(fd);
  return rc ? op_fail(op, STEP_MKDIR, op->b, "create directory") : 0;
}

static int op_file(const struct spec_op *op) {
  char buf[4096];
  const char *base = split(op->b, buf);
  if (!base) return errno = EISDIR, op_fail(op, STEP_WRITE_FILE, op->b, "write");
  int parent = ensure(buf, MP_DIR);
  if (parent < 0) return op_fail(op, STEP_WRITE_FILE, op->b, "create parent of");
  int fd = openat(parent, base, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  close_keep_errno(parent);
  if (fd < 0) return op_fail(op, STEP_WRITE_FILE, op->b, "create");
  int rc = write_all(fd, op->data, op->data_len);
  if (!rc) rc = fchmod(fd, op->mode ? op->mode : 0644);
  if (rc) return close_keep_errno(fd), op_fail(op, STEP_WRITE_FILE, op->b, "write");
  if (op->flags & OPF_READ_ONLY) { /* a read-only bind of the file over itself, by its fd */
    int tree = clone_tree(fd, 0);
    rc = tree < 0 ? -1 : attach(tree, fd, MOUNT_ATTR_RDONLY | A_NOSUID_NODEV, 0);
  }
  close_keep_errno(fd);
  return rc ? op_fail(op, STEP_WRITE_FILE, op->b, "make read-only") : 0;
}

static int op_hide(const struct spec_op *op) {
  int fd = open_in(op->b, O_PATH);
  if (fd < 0 && errno == ENOENT) return 0; /* nothing to hide */
  if (fd < 0) return op_fail(op, STEP_HIDE, op->b, "open");
  struct stat st;
  if (fstat(fd, &st)) return close_keep_errno(fd), op_fail(op, STEP_HIDE, op->b, "stat");
  uint64_t a = MOUNT_ATTR_RDONLY | A_NOSUID_NODEV;
  int rc, tree;
  const char *what;
  if (S_ISDIR(st.st_mode)) {
    const char *const opts[][2] = {{"mode", "0755"}};
    what = "mount an empty tmpfs on";
    tree = new_fs("tmpfs", opts, 1, a | MOUNT_ATTR_NOEXEC);
  } else if (m.devnull < 0) {
    close(fd);
    return errno = ENOENT, op_fail(op, STEP_HIDE, "/dev/null", "open host");
  } else {
    what = "bind /dev/null onto";
    tree = clone_tree(m.devnull, 0);
  }
  rc = tree < 0 ? -1 : attach(tree, fd, S_ISDIR(st.st_mode) ? MOUNT_ATTR_RDONLY : a, 0);
  close_keep_errno(fd);
  return rc ? op_fail(op, STEP_HIDE, op->b, what) : 0;
}

static int op_remount_ro(const struct spec_op *op) {
  int fd = open_in(op->b, O_PATH);
  int rc = fd < 0 ? -1 : set_attrs_fd(fd, MOUNT_ATTR_RDONLY, 1);
  close_keep_errno(fd);
  return rc ? op_fail(op, STEP_REMOUNT_RO, op->b, "make read-only") : 0;
}

/* Opens the BIND or CHROOT root directory as asked. */
static int open_root(const struct spec *s) {
  if (!(s->root_flags & ROOT_F_NO_SYMLINKS)) return open(s->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fd = open_no_symlinks(s->root_path);
  struct stat st;
  if (fd >= 0 && fstat(fd, &st)) return close_keep_errno(fd), -1;
  if (fd >= 0 && !S_ISDIR(st.st_mode)) return close(fd), errno = ENOTDIR, -1;
  return fd;
}

/* Opens a bind source as asked and clones it at once (see the top comment). */
static int open_source(const struct spec_op *op) {
  int fd = op->flags & OPF_NO_SYMLINKS ? open_no_symlinks(op->a) : open(op->a, O_PATH | O_CLOEXEC);
  if (fd < 0) return -1;
  int tree = clone_tree(fd, 1);
  close_keep_errno(fd);
  return tree;
}

int mount_prepare(const struct spec *s) {
  for (size_t i = 0; i < N_DEV; i++) m.dev[i] = -1;
  if (!(s->clone_flags & CLONE_NEWNS)) {
    if (s->root_kind == ROOT_CHROOT) {
      m.root_src = open_root(s);
      if (m.root_src < 0)
        return fail_errno(-1, STEP_CHROOT, errno, s->root_path, "open %s", s->root_path), -1;
    }
    return 0;
  }
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
    return fail_errno(-1, STEP_MOUNT_PRIVATE, errno, "/", "make / rprivate"), -1;
  if (s->root_kind == ROOT_BIND || s->root_kind == ROOT_CHROOT) {
    m.root_src = open_root(s);
    if (m.root_src >= 0 && s->root_kind == ROOT_BIND) {
      int tree = clone_tree(m.root_src, 1);
      close_keep_errno(m.root_src);
      m.root_src = tree;
    }
    if (m.root_src < 0)
      return fail_errno(-1, s->root_kind == ROOT_BIND ? STEP_ROOT : STEP_CHROOT, errno, s->root_path,
                            "open %s", s->root_path), -1;
  }
  m.src = malloc((s->n_ops + 1) * sizeof *m.src);
  if (!m.src) return report_status(-1, STEP_ROOT, ENOMEM, NULL, "out of memory"), -1;
  for (size_t i = 0; i < s->n_ops; i++) m.src[i] = -1;
  int need_dev = 0, need_null = 0;
  for (size_t i = 0; i < s->n_ops; i++) {
    const struct spec_op *op = &s->ops[i];
    if (op->kind == OP_DEV) need_dev = 1;
    if (op->kind == OP_HIDE) need_null = 1;
    if (op->kind != OP_BIND) continue;
    m.src[i] = open_source(op);
    if (m.src[i] < 0 && !(errno == ENOENT && (op->flags & OPF_OPTIONAL)))
      return op_fail(op, STEP_BIND, op->a,
                     errno == ELOOP && (op->flags & OPF_NO_SYMLINKS) ? "open (symlinks refused) bind source"
                                                                     : "open bind source");
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
    case OP_BIND: rc = op_bind(s, op, &m.src[i]); break;
    case OP_TMPFS: rc = op_tmpfs(s, op); break;
    case OP_PROC: rc = op_proc(s, op); break;
    case OP_DEV: rc = op_dev(s, op); break;
    case OP_SYMLINK: rc = op_symlink(op); break;
    case OP_DIR: rc = op_dir(op); break;
    case OP_FILE: rc = op_file(op); break;
    case OP_HIDE: rc = op_hide(op); break;
    case OP_REMOUNT_RO: rc = op_remount_ro(op); break;
    }
    if (rc) return -1;
  }
  return 0;
}

static int fail_root(enum step step, const char *path, const char *what) {
  return fail_errno(-1, step, errno, path, "%s %s", what, path), -1;
}

/* Stacks the detached root tree on "/" (attach closes tree) and keeps an fd of it in m.rootfd.
 * The process's root stays the old one until pivot_root, so host paths (/proc/self/fd for the
 * fallbacks) keep working during the build. */
static int stack_root(int tree, uint64_t attr) {
  m.rootfd = dup(tree);
  int slash = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int rc = m.rootfd < 0 || slash < 0 ? -1 : attach(tree, slash, attr, 1);
  if (m.rootfd < 0 || slash < 0) close_keep_errno(tree);
  close_keep_errno(slash);
  return rc;
}

int mount_build(const struct spec *s) {
  int rc = -1;
  if (!(s->clone_flags & CLONE_NEWNS)) { /* HOST or CHROOT root, no ops (decoder) */
    if (s->root_kind == ROOT_CHROOT &&
        (fchdir(m.root_src) || chroot(".") || chdir("/")))
      return fail_root(STEP_CHROOT, s->root_path, "chroot into");
    if (m.root_src >= 0) close(m.root_src);
    return 0;
  }
  switch (s->root_kind) {
  case ROOT_TMPFS: {
    const char *const opts[][2] = {{"mode", "0755"}};
    int tree = new_fs("tmpfs", opts, 1, A_NOSUID_NODEV);
    if (tree < 0 || stack_root(tree, 0)) return fail_root(STEP_ROOT, "/", "mount the root tmpfs on");
    break;
  }
  case ROOT_BIND: {
    int tree = m.root_src;
    m.root_src = -1;
    if (stack_root(tree, A_NOSUID_NODEV | (s->root_flags & ROOT_F_WRITABLE ? 0 : MOUNT_ATTR_RDONLY)))
      return fail_root(STEP_ROOT, s->root_path, "bind the root");
    break;
  }
  case ROOT_HOST:
    m.rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    break;
  case ROOT_CHROOT:
    m.rootfd = dup(m.root_src);
    break;
  }
  if (m.rootfd < 0) return fail_root(STEP_ROOT, "/", "open");
  if (run_ops(s)) goto out;
  close_sources(s);
  /* Before the switch: the fallback remount needs the host's /proc; the fd is the root mount. */
  if ((s->options & OPT_ROOT_READONLY) && set_attrs_fd(m.rootfd, MOUNT_ATTR_RDONLY, 0)) {
    fail_root(STEP_REMOUNT_RO, "/", "make the root read-only");
    goto out;
  }
  if (s->root_kind == ROOT_TMPFS || s->root_kind == ROOT_BIND) {
    if (fchdir(m.rootfd)) {
      fail_root(STEP_PIVOT_ROOT, "/", "chdir to the new root");
      goto out;
    }
    if (syscall(SYS_pivot_root, ".", ".")) {
      fail_root(STEP_PIVOT_ROOT, "/", "pivot_root to");
      goto out;
    }
    if (umount2(".", MNT_DETACH) || chdir("/")) {
      fail_root(STEP_PIVOT_ROOT, "/", "detach the old root");
      goto out;
    }
  } else if (s->root_kind == ROOT_CHROOT) {
    if (fchdir(m.root_src) || chroot(".") || chdir("/")) {
      fail_root(STEP_CHROOT, s->root_path, "chroot into");
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
