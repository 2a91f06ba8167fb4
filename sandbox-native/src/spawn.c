/* spawn.c - the start of one jail, shared by the per-jail launcher (main.c) and the prestarted one
 * (zygote.c): the sync and init pipes, the clone of pid 1 (into its cgroup where it can), its
 * cgroups and uid/gid maps, its release, and its wall-clock deadline. What differs between the two
 * callers (which fds the child keeps, its signal mask, the supervisor) is the child callback. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jail.h"
#include "report.h"

/* The namespaces wire.h names are the kernel's clone flags. */
_Static_assert(NS_USER == CLONE_NEWUSER && NS_MOUNT == CLONE_NEWNS && NS_PID == CLONE_NEWPID &&
                   NS_NET == CLONE_NEWNET && NS_IPC == CLONE_NEWIPC && NS_UTS == CLONE_NEWUTS &&
                   NS_CGROUP == CLONE_NEWCGROUP,
               "wire.h NS_* differ from the kernel's CLONE_NEW*");
_Static_assert(NS_ALL == (NS_USER | NS_MOUNT | NS_PID | NS_NET | NS_IPC | NS_UTS | NS_CGROUP), "NS_ALL");

int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t spawn_deadline(const struct spec *s) {
  if (!s->time_limit_ms) return 0;
  return now_ms() + (int64_t)(s->time_limit_ms > INT64_MAX / 4 ? INT64_MAX / 4 : s->time_limit_ms);
}

static void close_if(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

int spawn_clone(struct spawn *sp, const struct jail *tmpl, spawn_child_fn child, void *arg) {
  const struct spec *s = tmpl->s;
  int sync_p[2], init_p[2] = {-1, -1};
  sp->pid = -1;
  sp->sync_w = sp->init_r = -1;
  sp->cg_placed = 0;
  if (pipe2(sync_p, O_CLOEXEC)) return fail_errno(-1, STEP_CLONE, errno, NULL, "pipe");
  if ((s->options & OPT_INIT) && pipe2(init_p, O_CLOEXEC | O_NONBLOCK)) {
    int e = errno;
    close(sync_p[0]);
    close(sync_p[1]);
    return fail_errno(-1, STEP_CLONE, e, NULL, "pipe");
  }
  /* Only the launcher reads init_p[0]; the jail writes (a blocking write end is what init wants). */
  if (init_p[1] >= 0) fcntl(init_p[1], F_SETFL, 0);
  int launcher_root = geteuid() == 0;
  uid_t euid = geteuid();
  gid_t egid = getegid();
  userns_clone_window(s, launcher_root, 1);
  pid_t pid = cgroup_clone(s, s->clone_flags, &sp->cg_placed);
  int e = errno;
  if (pid != 0) userns_clone_window(s, launcher_root, 0);
  if (pid == 0) {
    close(sync_p[1]);
    if (init_p[0] >= 0) close(init_p[0]);
    struct jail j = *tmpl;
    j.launcher_root = launcher_root;
    j.launcher_euid = euid;
    j.launcher_egid = egid;
    j.sync_fd = sync_p[0];
    j.init_wr = init_p[1];
    prctl(PR_SET_NAME, "sb4j-init", 0, 0, 0);
    child(&j, arg);
    contain_run(&j);
  }
  close(sync_p[0]);
  if (init_p[1] >= 0) close(init_p[1]);
  if (pid < 0) {
    close(sync_p[1]);
    if (init_p[0] >= 0) close(init_p[0]);
    report_clone_failure(s->clone_flags, e);
    return -1;
  }
  sp->pid = pid;
  sp->sync_w = sync_p[1];
  sp->init_r = init_p[0];
  return 0;
}

int spawn_release(struct spawn *sp, const struct spec *s) {
  /* The jail waits on the sync pipe: it runs nothing before it is in its cgroups and has its maps
   * (written here by a root launcher, by newuidmap/newgidmap for an unprivileged one with ranges). */
  int launcher_root = geteuid() == 0;
  if (cgroup_place(s, sp->pid, sp->cg_placed) ||
      userns_launcher_maps(sp->pid, s, launcher_root, geteuid(), getegid()))
    goto fail;
  /* The write end stays open: its HUP tells the jail the launcher is gone. */
  if (write(sp->sync_w, "g", 1) != 1) {
    fail_errno(-1, STEP_CLONE, errno, NULL, "release the jail");
    goto fail;
  }
  return 0;
fail:
  kill(sp->pid, SIGKILL);
  while (waitpid(sp->pid, NULL, 0) < 0 && errno == EINTR) {}
  close_if(&sp->sync_w);
  close_if(&sp->init_r);
  return -1;
}
