/* userns.c - user namespace maps (written by the launcher) and the jail's identity.
 *
 * Id ranges (IDMAP records): a root launcher writes them as given (spec.c checked them: no overlap,
 * no wrap, at most 340); an unprivileged one has newuidmap/newgidmap write what /etc/subuid and
 * /etc/subgid grant (below).
 *
 * Launcher root: the jail's ids map to host 65534/65534 (or the IDS host ids), setgroups stays
 * allowed and the jail clears its supplementary groups. Launcher not root: the kernel only lets it
 * map its own euid/egid and requires "deny" in /proc/PID/setgroups first.
 *
 * Who writes them: a root launcher, from outside. An unprivileged launcher cannot: it is non-
 * dumpable from its first instruction (nothing of the same uid may read its memory or take its
 * fds), its child inherits that, and the kernel makes a non-dumpable process's /proc files root's.
 * So the unprivileged jail writes its own maps (the kernel allows a process inside a new user
 * namespace to map its creator's one id) while it is dumpable for just those three writes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jail.h"
#include "report.h"

static int write_proc(pid_t pid, const char *file, const char *text, enum step step) {
  char path[64];
  if (pid > 0) snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
  else snprintf(path, sizeof path, "/proc/self/%s", file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    fail_errno(-1, step, errno, path, "open %s", path);
    return -1;
  }
  ssize_t n = write(fd, text, strlen(text));
  int saved = errno;
  close(fd);
  if (n != (ssize_t)strlen(text)) {
    errno = n < 0 ? saved : EIO;
    fail_errno(-1, step, errno, path, "write \"%.*s\" to %s", (int)strcspn(text, "\n"),
                   text, path);
    return -1;
  }
  return 0;
}

/* Appends the map of one kind: its IDMAP ranges, or the single line "inside host 1". */
static size_t format_map(char *buf, size_t cap, const struct spec *s, uint32_t kind, uint32_t inside,
                         uint32_t host) {
  size_t n = 0;
  if (!(kind == IDMAP_UID ? s->n_uid_maps : s->n_gid_maps))
    return (size_t)snprintf(buf, cap, "%u %u 1\n", inside, host);
  for (size_t i = 0; i < s->n_idmaps && n < cap; i++)
    if (s->idmaps[i].kind == kind)
      n += (size_t)snprintf(buf + n, cap - n, "%u %u %u\n", s->idmaps[i].inside, s->idmaps[i].outside,
                            s->idmaps[i].count);
  return n;
}

/* 340 lines of "4294967294 4294967294 4294967294\n": no allocation (the jail calls this too). */
#define MAP_TEXT_MAX (SPEC_MAX_IDMAPS * 33u + 1u)

int userns_write_maps(pid_t child, const struct spec *s, uid_t euid, gid_t egid) {
  uint32_t hu, hg;
  char map[MAP_TEXT_MAX];
  if (euid == 0) {
    hu = s->host_uid == SPEC_ID_DEFAULT ? 65534 : s->host_uid;
    hg = s->host_gid == SPEC_ID_DEFAULT ? 65534 : s->host_gid;
  } else {
    hu = s->host_uid == SPEC_ID_DEFAULT ? euid : s->host_uid;
    hg = s->host_gid == SPEC_ID_DEFAULT ? egid : s->host_gid;
    if (hu != euid) {
      report_statusf(-1, STEP_UID_MAP, EPERM, NULL,
                     "a launcher that is not root can only map its own uid %u, not host uid %u",
                     (unsigned)euid, hu);
      return -1;
    }
    if (hg != egid) {
      report_statusf(-1, STEP_GID_MAP, EPERM, NULL,
                     "a launcher that is not root can only map its own gid %u, not host gid %u",
                     (unsigned)egid, hg);
      return -1;
    }
    if (write_proc(child, "setgroups", "deny", STEP_SETGROUPS)) return -1;
  }
  format_map(map, sizeof map, s, IDMAP_UID, s->uid, hu);
  if (write_proc(child, "uid_map", map, STEP_UID_MAP)) return -1;
  format_map(map, sizeof map, s, IDMAP_GID, s->gid, hg);
  if (write_proc(child, "gid_map", map, STEP_GID_MAP)) return -1;
  return 0;
}

/* ---- id ranges for an unprivileged launcher: newuidmap/newgidmap (shadow's setuid helpers) ----
 * The kernel lets an unprivileged process map only its own id, so ranges granted in /etc/subuid
 * and /etc/subgid are written by those helpers. They must run outside the new user namespace, so
 * the launcher runs them against the child's pid, and they check that /proc/PID belongs to the
 * caller: the kernel makes a non-dumpable process's /proc entries root's, so the child is made
 * dumpable across that window only (userns_clone_window); it turns non-dumpable again as soon as
 * it is released (contain.c step 1), before it reads anything of the jail's. */

int userns_uses_helpers(const struct spec *s, int launcher_root) {
  return (s->clone_flags & CLONE_NEWUSER) && !launcher_root && s->n_idmaps;
}

void userns_clone_window(const struct spec *s, int launcher_root, int open) {
  if (userns_uses_helpers(s, launcher_root)) (void)prctl(PR_SET_DUMPABLE, open ? 1 : 0, 0, 0, 0);
}

static const char *find_helper(const char *name, char *buf, size_t cap) {
  static const char *const dirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    snprintf(buf, cap, "%s/%s", dirs[i], name);
    if (access(buf, X_OK) == 0) return buf;
  }
  return NULL;
}

/* Runs "newuidmap PID inside outside count ..." (or newgidmap) and waits for it; its message,
 * when it fails, becomes the report's detail. Launcher side only (it allocates). */
static int run_helper(pid_t child, const struct spec *s, uint32_t kind, uint32_t inside, uint32_t host) {
  const char *name = kind == IDMAP_UID ? "newuidmap" : "newgidmap";
  enum step step = kind == IDMAP_UID ? STEP_UID_MAP : STEP_GID_MAP;
  char path[64];
  if (!find_helper(name, path, sizeof path))
    return report_statusf(-1, step, ENOENT, name,
                          "%s is not installed (Debian/Ubuntu: apt-get install uidmap); an unprivileged "
                          "caller needs it to map id ranges from /etc/sub%cid", name, kind == IDMAP_UID ? 'u' : 'g'),
           -1;
  size_t n_ranges = kind == IDMAP_UID ? s->n_uid_maps : s->n_gid_maps;
  size_t argc = 2 + 3 * (n_ranges ? n_ranges : 1);
  char **argv = calloc(argc + 1, sizeof *argv);
  char *nums = malloc(argc * 12);
  if (!argv || !nums) {
    free(argv);
    free(nums);
    return report_status(-1, step, ENOMEM, NULL, "out of memory"), -1;
  }
  size_t k = 0;
#define ARG_NUM(v) (snprintf(nums + 12 * k, 12, "%u", (unsigned)(v)), argv[k] = nums + 12 * k, k++)
  argv[k++] = (char *)name;
  ARG_NUM(child);
  if (!n_ranges) {
    ARG_NUM(inside);
    ARG_NUM(host);
    ARG_NUM(1);
  }
  for (size_t i = 0; i < s->n_idmaps; i++)
    if (s->idmaps[i].kind == kind) {
      ARG_NUM(s->idmaps[i].inside);
      ARG_NUM(s->idmaps[i].outside);
      ARG_NUM(s->idmaps[i].count);
    }
#undef ARG_NUM
  int out[2];
  if (pipe2(out, O_CLOEXEC)) {
    free(argv);
    free(nums);
    return fail_errno(-1, step, errno, NULL, "pipe"), -1;
  }
  pid_t h = fork();
  if (h == 0) {
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0) _exit(127);
    fds_close_except(NULL, 0, 3); /* the helper gets none of the launcher's pipes */
    char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
    execve(path, argv, envp);
    dprintf(2, "execve %s: %s", path, strerror(errno));
    _exit(127);
  }
  int saved = errno;
  close(out[1]);
  free(argv);
  free(nums);
  if (h < 0) {
    close(out[0]);
    return fail_errno(-1, step, saved, NULL, "fork %s", name), -1;
  }
  char msg[160];
  size_t got = 0;
  for (;;) {
    char tmp[256];
    ssize_t r = read(out[0], tmp, sizeof tmp);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    size_t take = (size_t)r < sizeof msg - 1 - got ? (size_t)r : sizeof msg - 1 - got;
    memcpy(msg + got, tmp, take);
    got += take;
  }
  close(out[0]);
  msg[got] = 0;
  for (size_t i = 0; i < got; i++)
    if (msg[i] == '\n') msg[i] = i + 1 == got ? 0 : ' ';
  int st;
  while (waitpid(h, &st, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
  return report_statusf(-1, step, EPERM, name, "%s failed (%s %d): %s; /etc/sub%cid decides what %s %u may map",
                        name, WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
                        got ? msg : "(no message)", kind == IDMAP_UID ? 'u' : 'g', kind == IDMAP_UID ? "uid" : "gid",
                        (unsigned)host),
         -1;
}

int userns_launcher_maps(pid_t child, const struct spec *s, int launcher_root, uid_t euid, gid_t egid) {
  if (!(s->clone_flags & CLONE_NEWUSER)) return 0;
  if (launcher_root) return userns_write_maps(child, s, 0, 0);
  if (!s->n_idmaps) return 0; /* the jail maps its one id itself (userns_self_maps) */
  /* newgidmap first: it also decides /proc/PID/setgroups ("deny" unless /etc/subgid grants gids). */
  if (run_helper(child, s, IDMAP_GID, s->gid, egid)) return -1;
  return run_helper(child, s, IDMAP_UID, s->uid, euid);
}

int userns_self_maps(struct jail *j) {
  j->setgroups_ok = 0;
  if (!(j->s->clone_flags & CLONE_NEWUSER)) return 0;
  if (!j->launcher_root && !j->s->n_idmaps) {
    if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
      return fail_errno(-1, STEP_UID_MAP, errno, NULL, "PR_SET_DUMPABLE 1"), -1;
    int rc = userns_write_maps(0, j->s, j->launcher_euid, j->launcher_egid);
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
      return fail_errno(-1, STEP_UID_MAP, errno, NULL, "PR_SET_DUMPABLE 0"), -1;
    if (rc) return rc;
  }
  /* Whoever wrote the maps, the kernel's setgroups file says whether setgroups(2) works in here:
   * "allow" under a root launcher and where newgidmap was granted gids, "deny" for a one-id map
   * written without privilege (else the jail could drop a group that denies the caller access). */
  char buf[8] = {0};
  int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  if (fd < 0) { /* no /proc on the host: what the launcher's privilege implies */
    j->setgroups_ok = j->launcher_root;
    return 0;
  }
  ssize_t r = read(fd, buf, sizeof buf - 1);
  (void)r;
  close(fd);
  j->setgroups_ok = !strncmp(buf, "allow", 5);
  return 0;
}

/* May the jail drop its supplementary groups? Only where setgroups is allowed and permitted. */
static int may_setgroups(const struct jail *j) {
  if (j->s->clone_flags & CLONE_NEWUSER) return j->setgroups_ok;
  return geteuid() == 0;
}

/* Files the jail creates during setup (tmpfs roots, mount points, FILE ops) belong to the jail's
 * user, not to the launcher's. Called after the sources were opened with the launcher's rights. */
void identity_fs(const struct jail *j) {
  if (!(j->s->clone_flags & CLONE_NEWUSER) && geteuid() != 0) return;
  setfsgid(j->s->gid);
  setfsuid(j->s->uid);
}

int identity_apply(const struct jail *j) {
  const struct spec *s = j->s;
  if (may_setgroups(j) && setgroups(0, NULL))
    return fail_errno(-1, STEP_IDENTITY, errno, NULL, "setgroups(0)"), -1;
  if (setresgid(s->gid, s->gid, s->gid))
    return fail_errno(-1, STEP_IDENTITY, errno, NULL, "setresgid(%u)", s->gid), -1;
  if (setresuid(s->uid, s->uid, s->uid))
    return fail_errno(-1, STEP_IDENTITY, errno, NULL, "setresuid(%u)", s->uid), -1;
  return 0;
}
