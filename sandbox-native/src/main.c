/* main.c - the launcher: checks its fds, reads and decodes the spec, clones the jail, writes its
 * maps, then supervises it (signals, wall-clock limit, lifeline) and mirrors the target's end.
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

#define FD_SPEC 3
#define FD_STATUS 4
#define FD_RESULT 5
#define FD_LIFELINE 6

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

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void kill_jail(pid_t pid1, const struct spec *s) {
  (void)kill(pid1, SIGKILL);
  /* Without a pid namespace the jail does not die with its pid 1: take its process group. */
  if (!(s->clone_flags & CLONE_NEWPID) && (s->options & OPT_NEW_SESSION)) (void)kill(-pid1, SIGKILL);
}

static __attribute__((noreturn)) void mirror(int st, uint32_t flags) {
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
    report_statusf(-1, "spec", errno, NULL, "read the spec from fd 3: %s", strerror(errno));
    setup_failed();
  }
  if (spec_decode(buf, len, &s, &err)) {
    report_status(err.op_index, "spec", EINVAL, NULL, err.detail);
    setup_failed();
  }
  free(buf);
  fds_launcher_close(&s);
  int lifeline = -1;
  if (s.options & OPT_DIE_WITH_PARENT) {
    if (!fd_open(FD_LIFELINE)) {
      report_status(-1, "spec", EBADF, NULL, "DIE_WITH_PARENT but fd 6 (the lifeline) is not open");
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
  for (int i = 0; i < n_forwarded_signals; i++) sigaddset(&sigs, forwarded_signals[i]);
  sigprocmask(SIG_BLOCK, &sigs, NULL);

  int sync_p[2], init_p[2] = {-1, -1};
  if (pipe2(sync_p, O_CLOEXEC) || ((s.options & OPT_INIT) && pipe2(init_p, O_CLOEXEC | O_NONBLOCK))) {
    report_statusf(-1, "clone", errno, NULL, "pipe: %s", strerror(errno));
    setup_failed();
  }
  /* Only the launcher reads init_p[0]; the jail writes (a blocking write end is what init wants). */
  if (init_p[1] >= 0) fcntl(init_p[1], F_SETFL, 0);
  int launcher_root = geteuid() == 0;
  int sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) {
    report_statusf(-1, "clone", errno, NULL, "signalfd: %s", strerror(errno));
    setup_failed();
  }

  pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)s.clone_flags | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) {
    report_clone_failure(s.clone_flags, errno);
    setup_failed();
  }
  if (pid == 0) {
    close(FD_RESULT);
    if (lifeline >= 0) close(lifeline);
    close(sync_p[1]);
    close(sfd);
    if (init_p[0] >= 0) close(init_p[0]);
    prctl(PR_SET_NAME, "sb4j-init", 0, 0, 0);
    struct jail j = {.s = &s, .launcher_root = launcher_root, .launcher_euid = geteuid(),
                     .launcher_egid = getegid(), .sync_fd = sync_p[0], .init_wr = init_p[1]};
    contain_run(&j);
  }
  close(sync_p[0]);
  if (init_p[1] >= 0) close(init_p[1]);

  if ((s.clone_flags & CLONE_NEWUSER) && launcher_root && userns_write_maps(pid, &s, 0, 0)) {
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    setup_failed();
  }
  /* Release the child. The write end stays open: its HUP tells the jail the launcher is gone. */
  if (write(sync_p[1], "g", 1) != 1) {
    report_statusf(-1, "clone", errno, NULL, "release the jail: %s", strerror(errno));
    kill(pid, SIGKILL);
    setup_failed();
  }
  close(FD_STATUS);
  report_fd = -1;

  int64_t deadline = s.time_limit_ms ? now_ms() + (int64_t)(s.time_limit_ms > INT64_MAX / 4 ? INT64_MAX / 4 : s.time_limit_ms) : 0;
  uint32_t flags = 0;
  int killed = 0;
  for (;;) {
    struct pollfd p[2] = {{.fd = sfd, .events = POLLIN}, {.fd = killed ? -1 : lifeline, .events = POLLIN}};
    int timeout = -1;
    if (deadline && !killed) {
      int64_t left = deadline - now_ms();
      timeout = left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
    }
    int n = poll(p, 2, timeout);
    if (n < 0 && errno != EINTR) break;
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
        if (si.ssi_signo != SIGCHLD) (void)kill(pid, (int)si.ssi_signo);
      }
      int st;
      pid_t r = waitpid(pid, &st, WNOHANG);
      if (r == pid) {
        mirror(status_from_init(init_p[0], st), flags);
      }
    }
  }
  /* poll failed: fall back to a blocking wait. */
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  mirror(status_from_init(init_p[0], st), flags);
}
