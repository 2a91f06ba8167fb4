/* userns.c - user namespace maps (written by the launcher) and the jail's identity.
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
#include <sys/prctl.h>
#include <unistd.h>

#include "jail.h"
#include "report.h"

static int write_proc(pid_t pid, const char *file, const char *text, const char *step) {
  char path[64];
  if (pid > 0) snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
  else snprintf(path, sizeof path, "/proc/self/%s", file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    report_statusf(-1, step, errno, path, "open %s: %s", path, strerror(errno));
    return -1;
  }
  ssize_t n = write(fd, text, strlen(text));
  int saved = errno;
  close(fd);
  if (n != (ssize_t)strlen(text)) {
    errno = n < 0 ? saved : EIO;
    report_statusf(-1, step, errno, path, "write \"%.*s\" to %s: %s", (int)strcspn(text, "\n"),
                   text, path, strerror(errno));
    return -1;
  }
  return 0;
}

int userns_write_maps(pid_t child, const struct spec *s, uid_t euid, gid_t egid) {
  uint32_t hu, hg;
  char map[64];
  if (euid == 0) {
    hu = s->host_uid == SPEC_ID_DEFAULT ? 65534 : s->host_uid;
    hg = s->host_gid == SPEC_ID_DEFAULT ? 65534 : s->host_gid;
  } else {
    hu = s->host_uid == SPEC_ID_DEFAULT ? euid : s->host_uid;
    hg = s->host_gid == SPEC_ID_DEFAULT ? egid : s->host_gid;
    if (hu != euid) {
      report_statusf(-1, "uid_map", EPERM, NULL,
                     "a launcher that is not root can only map its own uid %u, not host uid %u",
                     (unsigned)euid, hu);
      return -1;
    }
    if (hg != egid) {
      report_statusf(-1, "gid_map", EPERM, NULL,
                     "a launcher that is not root can only map its own gid %u, not host gid %u",
                     (unsigned)egid, hg);
      return -1;
    }
    if (write_proc(child, "setgroups", "deny", "setgroups")) return -1;
  }
  snprintf(map, sizeof map, "%u %u 1\n", s->uid, hu);
  if (write_proc(child, "uid_map", map, "uid_map")) return -1;
  snprintf(map, sizeof map, "%u %u 1\n", s->gid, hg);
  if (write_proc(child, "gid_map", map, "gid_map")) return -1;
  return 0;
}

int userns_self_maps(const struct jail *j) {
  if (!(j->s->clone_flags & CLONE_NEWUSER) || j->launcher_root) return 0;
  if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
    return report_statusf(-1, "uid_map", errno, NULL, "PR_SET_DUMPABLE 1: %s", strerror(errno)), -1;
  int rc = userns_write_maps(0, j->s, j->launcher_euid, j->launcher_egid);
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
    return report_statusf(-1, "uid_map", errno, NULL, "PR_SET_DUMPABLE 0: %s", strerror(errno)), -1;
  return rc;
}

/* May the jail drop its supplementary groups? Only where setgroups is allowed and permitted. */
static int may_setgroups(const struct jail *j) {
  if (j->s->clone_flags & CLONE_NEWUSER) return j->launcher_root;
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
    return report_statusf(-1, "identity", errno, NULL, "setgroups(0): %s", strerror(errno)), -1;
  if (setresgid(s->gid, s->gid, s->gid))
    return report_statusf(-1, "identity", errno, NULL, "setresgid(%u): %s", s->gid, strerror(errno)), -1;
  if (setresuid(s->uid, s->uid, s->uid))
    return report_statusf(-1, "identity", errno, NULL, "setresuid(%u): %s", s->uid, strerror(errno)), -1;
  return 0;
}
