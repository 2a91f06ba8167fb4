/* init.c - pid 1 of the jail in INIT mode: forwards signals to the target, reaps every process,
 * and when the target ends reports its raw wait status (4 bytes) to the launcher and exits, which
 * (with CLONE_NEWPID) kills whatever is left in the jail.
 *
 * The forwarded signals and SIGCHLD stay blocked (they were blocked before clone) and are taken
 * with sigwaitinfo: blocked signals are queued even for a pid 1 without handlers.
 *
 * Init shares the jail's credentials, so it is protected from the program it runs by three
 * things: it became non-dumpable before the target was forked (contain.c), so /proc/1/mem,
 * /proc/1/fd, /proc/1/environ, ptrace, process_vm_* and pidfd_getfd are refused to the jail; of
 * the launcher's wire it keeps only its relay pipe (the status fd is closed here; stdio and the kept
 * fds stay open in init as they always did: the other ends' EOF then still means the whole jail is
 * gone, which the worker pool relies on); and it runs under its own seccomp filter (seccomp.c)
 * that allows only what the loop below calls. The launcher still does not take the relayed status
 * on trust (report.c, status_truth). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jail.h"
#include "report.h"

extern const int forwarded_signals[];
extern const int n_forwarded_signals;

void init_run(const struct jail *j, pid_t target) {
  if (seccomp_init_filter(target, j->init_wr)) {
    (void)kill(target, SIGKILL);
    _exit(STEP_EXIT);
  }
  close(report_fd);
  report_fd = -1;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  for (int i = 0; i < n_forwarded_signals; i++) sigaddset(&set, forwarded_signals[i]);
  for (;;) {
    siginfo_t si;
    int sig = sigwaitinfo(&set, &si);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      (void)kill(target, sig);
      continue;
    }
    int st;
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
      if (p != target) continue;
      if (j->init_wr >= 0) {
        unsigned char b[4] = {(unsigned char)st, (unsigned char)(st >> 8), (unsigned char)(st >> 16),
                              (unsigned char)(st >> 24)};
        (void)write_all(j->init_wr, b, 4);
      }
      _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
  }
}
