/* main.c - the launcher: checks its fds, reads and decodes the spec, clones the jail, writes its
 * maps, then supervises it (signals, wall-clock limit, lifeline, SIG_END_JAIL) and mirrors the
 * target's end once nothing of the jail is left.
 * See docs/architecture.md for the contract and contain.c for the jail side. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jail.h"
#include "report.h"

const int forwarded_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};
const int n_forwarded_signals = sizeof forwarded_signals / sizeof forwarded_signals[0];

static int fd_open(int fd) { return fcntl(fd, F_GETFD) >= 0; }

static __attribute__((noreturn)) void setup_failed(void) {
  (void)report_result(FD_RESULT, RESULT_EXITED, STEP_EXIT, 0);
  _exit(STEP_EXIT);
}

static uint8_t *read_spec(size_t *len) {
  size_t cap = 64 * 1024, n = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) return NULL;
  for (;;) {
    if (n == cap) {
      if (cap > SPEC_MAX_BYTES) break;
      cap *= 2;
      uint8_t *nb = realloc(buf, cap + 1);
      if (!nb) {
        free(buf);
        return NULL;
      }
      buf = nb;
    }
    ssize_t r = read(FD_SPEC, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      free(buf);
      return NULL;
    }
    if (r == 0) break;
    n += (size_t)r;
    if (n > SPEC_MAX_BYTES) break;
  }
  *len = n;
  return buf;
}

/* Ending a jail never relies on a signal the program can undo (its PR_SET_PDEATHSIG, a handler):
 * with a new pid namespace, SIGKILL of its pid 1 from here kills every process in it (the kernel's
 * zap_pid_ns_processes); with a shared one the launcher is a subreaper and kill_descendants()
 * takes whatever is left once pid 1 is reaped. With cgroup limits, cgroup_finish() then ends
 * whatever is left in the jail's cgroups (cgroup.kill on v2, a kill loop over cgroup.procs on v1). */
static void kill_jail(pid_t pid1, const struct spec *s) {
  (void)kill(pid1, SIGKILL);
  /* Without a pid namespace the jail does not die with its pid 1: take its process group now (the
   * rest, setsid()'d or daemonized, when pid 1 is reaped). */
  if (!(s->clone_flags & CLONE_NEWPID) && (s->options & OPT_NEW_SESSION)) (void)kill(-pid1, SIGKILL);
}

/* The pids in /proc/self/task/<tid>/children (space separated): SIGKILLs each; -1 when the file
 * cannot be read. Only direct children, which nobody but us can reap, so no pid is stale. */
static int kill_children(const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[4096];
  long cur = -1;
  int n = 0;
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    for (ssize_t i = 0; i < r; i++) {
      if (buf[i] >= '0' && buf[i] <= '9') {
        cur = (cur < 0 ? 0 : cur * 10) + (buf[i] - '0');
        continue;
      }
      if (cur > 0) (void)kill((pid_t)cur, SIGKILL), n++;
      cur = -1;
    }
  }
  if (cur > 0) (void)kill((pid_t)cur, SIGKILL), n++;
  close(fd);
  return n;
}

/* Shared pid namespace only, after pid 1 was reaped: the launcher is PR_SET_CHILD_SUBREAPER, so
 * every process the jail started and that outlived its parent (setsid, double fork) is now our
 * child. Kill the children, reap one, repeat: a killed process's children are reparented to us
 * before it can be reaped, and a process with SIGKILL pending cannot fork, so ECHILD means none is
 * left. Without /proc (unreadable children file) only the process group was killed. */
static void kill_descendants(void) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
  for (;;) {
    if (kill_children(path) < 0) {
      while (waitpid(-1, NULL, WNOHANG) > 0) {}
      return;
    }
    pid_t r = waitpid(-1, NULL, 0);
    if (r < 0 && errno == ECHILD) return;
  }
}

static __attribute__((noreturn)) void mirror(int st, uint32_t flags) {
  /* supervise: the records before the result record, which Java reads as the last one. */
  st = sv_status(st);
  sv_flush(FD_RESULT);
  if (WIFSIGNALED(st)) {
    int sig = WTERMSIG(st);
    if (WCOREDUMP(st)) flags |= RESULT_F_CORE;
    (void)report_result(FD_RESULT, RESULT_SIGNALED, sig, flags);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    struct rlimit zero = {0, 0};
    (void)setrlimit(RLIMIT_CORE, &zero);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
  }
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : STEP_EXIT;
  (void)report_result(FD_RESULT, RESULT_EXITED, code, flags);
  _exit(code);
}

/* In the jail's pid 1, before contain_run: the fds only the launcher uses. */
struct child_fds { int lifeline, sfd; };
static void child_setup(struct jail *j, void *arg) {
  const struct child_fds *cf = arg;
  close(FD_RESULT);
  if (cf->lifeline >= 0) close(cf->lifeline);
  close(cf->sfd);
  sv_child(j);
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "--zygote")) zygote_main();
  /* Non-dumpable from the start: no process that shares our uid (a jail mapped to the caller's
   * uid, with the host's /proc) can read our memory (the spec) or take our fds. userns.c says
   * what that means for the maps. */
  (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  /* Run from a memfd, the kernel would name us after the fd number ("25") in ps and top. */
  prctl(PR_SET_NAME, "sb4j-launcher", 0, 0, 0);
  if (!fd_open(FD_SPEC) || !fd_open(FD_STATUS) || !fd_open(FD_RESULT)) {
    static const char usage[] =
        "sandbox4j-launcher: started by the sandbox4j library (fd 3 spec, 4 status, 5 result); "
        "not meant to be run by hand\n";
    (void)!write(2, usage, sizeof usage - 1);
    return STEP_EXIT;
  }
  for (int fd = 0; fd < 3; fd++) /* a closed stdio slot must not be taken by one of our pipes */
    if (!fd_open(fd)) {
      int n = open("/dev/null", O_RDWR | O_CLOEXEC);
      if (n >= 0 && n != fd) {
        dup2(n, fd);
        close(n);
      } else if (n == fd) {
        fcntl(fd, F_SETFD, 0);
      }
    }
  fcntl(FD_STATUS, F_SETFD, FD_CLOEXEC);
  fcntl(FD_RESULT, F_SETFD, FD_CLOEXEC);

  size_t len = 0;
  uint8_t *buf = read_spec(&len);
  close(FD_SPEC);
  struct spec s;
  struct spec_error err;
  if (!buf) {
    fail_errno(-1, STEP_SPEC, errno, NULL, "read the spec from fd 3");
    setup_failed();
  }
  if (spec_decode(buf, len, &s, &err)) {
    report_status(err.op_index, STEP_SPEC, EINVAL, NULL, err.detail);
    setup_failed();
  }
  free(buf);
  fds_launcher_close(&s);
  int lifeline = -1;
  if (s.options & OPT_DIE_WITH_PARENT) {
    if (!fd_open(FD_LIFELINE)) {
      report_status(-1, STEP_SPEC, EBADF, NULL, "DIE_WITH_PARENT but fd 6 (the lifeline) is not open");
      setup_failed();
    }
    lifeline = FD_LIFELINE;
    fcntl(lifeline, F_SETFD, FD_CLOEXEC);
  } else {
    close(FD_LIFELINE);
  }

  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGCHLD);
  sigaddset(&sigs, SIG_END_JAIL);
  for (int i = 0; i < n_forwarded_signals; i++) sigaddset(&sigs, forwarded_signals[i]);
  sigprocmask(SIG_BLOCK, &sigs, NULL);
  /* A shared pid namespace: orphans of the jail (a setsid()'d daemon, a double fork) must come to
   * us, not to the host's init, so that they can be found and killed when the jail ends. */
  int shared_pid = !(s.clone_flags & CLONE_NEWPID);
  if (shared_pid && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
    fail_errno(-1, STEP_CLONE, errno, NULL, "PR_SET_CHILD_SUBREAPER");
    setup_failed();
  }

  int sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {
    fail_errno(-1, STEP_CLONE, errno, NULL, "signalfd");
    setup_failed();
  }

  /* supervise (a supervised seccomp filter): the hand-off socket and the filter, before clone. */
  struct jail j = {.s = &s};
  if (sv_start(&s, &j)) setup_failed();
  struct child_fds cf = {.lifeline = lifeline, .sfd = sfd};
  struct spawn sp;
  if (spawn_clone(&sp, &j, child_setup, &cf)) setup_failed();
  if (j.sv_sock >= 0) close(j.sv_sock);
  pid_t pid = sp.pid;
  if (spawn_release(&sp, &s)) {
    cgroup_finish(&s, FD_RESULT);
    setup_failed();
  }
  close(FD_STATUS);
  report_fd = -1;

  int64_t deadline = spawn_deadline(&s);
  uint32_t flags = 0;
  int killed = 0;
  for (;;) {
    struct pollfd p[3] = {{.fd = sfd, .events = POLLIN}, {.fd = killed ? -1 : lifeline, .events = POLLIN},
                          {.fd = sv_poll_fd(), .events = POLLIN}};
    int timeout = -1;
    if (deadline && !killed) {
      int64_t left = deadline - now_ms();
      timeout = left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
    }
    int n = poll(p, 3, timeout);
    if (n < 0 && errno != EINTR) break;
    if (n > 0 && p[2].revents) sv_ready(p[2].revents);
    if (deadline && !killed && now_ms() >= deadline) {
      flags |= RESULT_F_TIME_LIMIT;
      killed = 1;
      kill_jail(pid, &s);
    }
    if (n > 0 && p[1].revents) {
      flags |= RESULT_F_LIFELINE;
      killed = 1;
      kill_jail(pid, &s);
    }
    if (n > 0 && (p[0].revents & POLLIN)) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIG_END_JAIL) { /* destroyForcibly(): the jail dies before we do */
          killed = 1;
          kill_jail(pid, &s);
        } else if (si.ssi_signo != SIGCHLD) {
          (void)kill(pid, (int)si.ssi_signo);
        }
      }
      /* Every child: pid 1, and with a shared pid namespace the orphans we adopted. */
      int st, pid1_st = 0, pid1_done = 0;
      pid_t r;
      while ((r = waitpid(-1, &st, WNOHANG)) > 0)
        if (r == pid) pid1_done = 1, pid1_st = st;
      if (pid1_done) {
        if (shared_pid) kill_descendants();
        st = status_from_init(sp.init_r, pid1_st);
        cgroup_finish(&s, FD_RESULT);
        mirror(st, flags);
      }
    }
  }
  /* poll failed: fall back to a blocking wait. */
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  if (shared_pid) kill_descendants();
  st = status_from_init(sp.init_r, st);
  cgroup_finish(&s, FD_RESULT);
  mirror(st, flags);
}
