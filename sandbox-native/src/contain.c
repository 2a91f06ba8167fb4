/* contain.c - the jail side: every mechanism, applied in ONE order. The order is a security
 * property; change it only with a reason written here.
 *
 *  1. wait for the launcher   Block on the sync pipe until a root launcher has written the uid/gid
 *                             maps (EOF = the launcher failed or died: exit silently, it
 *                             reported). Then arm PR_SET_PDEATHSIG(SIGKILL) and check the launcher
 *                             is still there (HUP on the sync pipe, whose write end the launcher
 *                             keeps open). Under an unprivileged launcher the jail writes its own
 *                             maps now (userns.c); non-dumpable from here on.
 *  2. setsid                  NEW_SESSION: no controlling terminal (no TIOCSTI into the caller's).
 *  3. mount_prepare           MS_REC|MS_PRIVATE on /, so nothing propagates to the host; then open
 *                             every source (binds, root, host /dev nodes) with O_PATH, with the
 *                             launcher's rights, before any mount can shadow or redirect them.
 *  4. identity_fs             setfsuid/setfsgid to the jail's ids: what setup creates (tmpfs roots,
 *                             mount points, FILE ops) belongs to the jail's user. Re-arm pdeathsig
 *                             (a credential change clears it).
 *  5. mount_build             staging root, the OPs in the caller's order, pivot_root(".", ".") and
 *                             detach of the old root (or chroot), ROOT_READONLY. Needs
 *                             CAP_SYS_ADMIN, so before the capabilities go.
 *  6. hostname, loopback      need CAP_SYS_ADMIN / CAP_NET_ADMIN in the new namespaces.
 *  7. rlimits                 before the identity change: raising a hard limit needs
 *                             CAP_SYS_RESOURCE, and RLIMIT_NPROC then applies to setresuid.
 *  8. bounding set, securebits   need CAP_SETPCAP, so before setresuid; NO_SETUID_FIXUP makes
 *                             setresuid keep the sets so step 10 decides them exactly; NOROOT
 *                             means uid 0 gets nothing from exec.
 *  9. identity                setgroups(0) where allowed, setresgid, setresuid. Re-arm pdeathsig.
 * 10. capabilities            permitted/effective/inheritable = kept, ambient = kept; verified.
 * 11. chdir                   as the final identity with the final capabilities, so the target can
 *                             only start in a directory it could enter itself.
 * 12. no_new_privs            always with seccomp or Landlock (unprivileged filters and domains
 *                             need it), else as asked.
 * 12b. Landlock               after no_new_privs, after pivot_root (rule paths name files inside
 *                             the jail), before the fds step and seccomp (landlock.c).
 * 13. fds                     FDMAP moves, CLOEXEC on everything else (the status fd included).
 * 14. INIT: non-dumpable once more, AFTER the last credential change (with fs.suid_dumpable=1 a
 *     change of ids makes a process dumpable again), BEFORE the target exists: the jail then
 *     cannot read, write, ptrace or take fds from init (the target's execve makes the target
 *     itself dumpable again, as any program). Fork the target; init installs its own filter,
 *     closes the status fd and reaps and forwards (init.c). Target (or pid 1
 *     without INIT): unblock signals, seccomp LAST (the filter never has to allow setup calls),
 *     execve. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "jail.h"
#include "report.h"

static __attribute__((noreturn)) void die(void) { _exit(STEP_EXIT); }

/* PR_SET_DUMPABLE 0: /proc/PID/{mem,fd,environ,maps,...}, ptrace, process_vm_* and pidfd_getfd
 * then need CAP_SYS_PTRACE in the user namespace the launcher was exec'd in (the host's), which
 * no process of the jail has, whatever its uid and capabilities inside. */
static void undumpable(void) {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
    fail_errno(-1, STEP_FORK, errno, NULL, "PR_SET_DUMPABLE 0"), die();
}

static void arm_deathsig(const struct jail *j) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)) die();
  struct pollfd p = {.fd = j->sync_fd, .events = POLLIN};
  if (j->sync_fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR))) die();
}

/* The jail's PATH, or the default an empty environment gets (as execvp does, minus the cwd). */
static const char *jail_path(const struct spec *s) {
  for (size_t i = 0; i < s->envc; i++)
    if (!strncmp(s->envp[i], "PATH=", 5)) return s->envp[i] + 5;
  return "/usr/local/bin:/usr/bin:/bin";
}

/* execve of a bare name: tries each absolute PATH entry in order, like execvpe, and reports the
 * most telling errno (EACCES wins over ENOENT, as in execvp). No allocation after fork. */
static void exec_in_path(const struct spec *s, char *tried, size_t tried_len) {
  const char *path = jail_path(s);
  size_t name_len = strlen(s->exec_path);
  int best = ENOENT;
  char buf[SPEC_MAX_PATH + 2];
  for (const char *p = path; *p;) {
    const char *end = strchr(p, ':');
    size_t dir_len = end ? (size_t)(end - p) : strlen(p);
    if (dir_len > 0 && p[0] == '/' && dir_len + 1 + name_len < sizeof buf) {
      memcpy(buf, p, dir_len);
      buf[dir_len] = '/';
      memcpy(buf + dir_len + 1, s->exec_path, name_len + 1);
      execve(buf, s->argv, s->envp);
      if (errno != ENOENT && errno != ENOTDIR) best = errno;
    }
    p += dir_len + (end ? 1 : 0);
  }
  snprintf(tried, tried_len, "%s (searched PATH=%s)", s->exec_path, path);
  errno = best;
}

static __attribute__((noreturn)) void exec_target(const struct jail *j) {
  const struct spec *s = j->s;
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (s->lock_no_newns && seccomp_nons_filter()) die();
  if (j->sv_filter ? seccomp_apply_supervised(s, j->sv_filter, j->sv_len, j->sv_sock) : seccomp_apply(s)) die();
  char what[SPEC_MAX_PATH + 64];
  if (s->exec_path[0] == '/') {
    execve(s->exec_path, s->argv, s->envp);
    snprintf(what, sizeof what, "%s", s->exec_path);
  } else {
    exec_in_path(s, what, sizeof what);
  }
  fail_errno(-1, STEP_EXECVE, errno, what, "execve %s", what);
  _exit(127);
}

void contain_run(struct jail *j) {
  const struct spec *s = j->s;
  char c;

  /* 1 */
  ssize_t n;
  do n = read(j->sync_fd, &c, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1) die();
  arm_deathsig(j);
  if (userns_self_maps(j)) die();
  undumpable();

  /* 2 */
  if ((s->options & OPT_NEW_SESSION) && setsid() < 0)
    fail_errno(-1, STEP_SETSID, errno, NULL, "setsid"), die();

  /* 3, 4, 5 */
  if (mount_prepare(s)) die();
  identity_fs(j);
  arm_deathsig(j);
  if (mount_build(s)) die();

  /* 6 */
  if (s->hostname && sethostname(s->hostname, strlen(s->hostname)))
    fail_errno(-1, STEP_HOSTNAME, errno, NULL, "sethostname %s", s->hostname), die();
  if ((s->options & OPT_LOOPBACK_UP) && (s->clone_flags & CLONE_NEWNET) && net_loopback_up()) die();

  /* 7 */
  if (limits_apply(s)) die();

  /* 8, 9, 10 */
  if (caps_bounding(s)) die();
  caps_securebits(s);
  if (identity_apply(j)) die();
  arm_deathsig(j);
  if (caps_apply(s)) die();

  /* 11 */
  if (chdir(s->cwd))
    fail_errno(-1, STEP_CHDIR, errno, s->cwd, "chdir %s", s->cwd), die();

  /* 12 */
  if ((s->options & OPT_NO_NEW_PRIVS) || s->has_seccomp || s->has_landlock || s->lock_no_newns)
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
      fail_errno(-1, STEP_NO_NEW_PRIVS, errno, NULL, "PR_SET_NO_NEW_PRIVS"), die();

  /* 12b */
  if (landlock_apply(s)) die();

  /* 13: the launcher is known alive (pdeathsig armed after the last credential change). */
  close(j->sync_fd);
  j->sync_fd = -1;
  int *internal[] = {&report_fd, &j->init_wr, &j->sv_sock};
  if (fds_apply(s, internal, 3)) die();

  /* 14 */
  if (!(s->options & OPT_INIT)) {
    if (j->init_wr >= 0) close(j->init_wr);
    j->init_wr = -1;
    exec_target(j);
  }
  undumpable();
  pid_t init_pid = getpid();
  pid_t t = fork();
  if (t < 0) fail_errno(-1, STEP_FORK, errno, NULL, "fork the target"), die();
  if (t == 0) {
    close(j->init_wr);
    j->init_wr = -1;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) || getppid() != init_pid)
      _exit(STEP_EXIT);
    exec_target(j);
  }
  if (j->sv_sock >= 0) close(j->sv_sock); /* the target's, for the listener hand-off */
  j->sv_sock = -1;
  init_run(j, t);
}
