/* seccomp.c - installs the BPF program compiled by the Java side, unchanged, for the target; and
 * jail init's own small filter.
 *
 * The target's filter is installed last, right before execve, so it never has to allow the
 * launcher's own setup calls. Init's filter is built here by hand: once the target is forked, init
 * only waits for signals, forwards them to the target, reaps, writes one status to the launcher and
 * exits. Everything else kills it (and with it the pid namespace), so even code that ran inside init
 * could not open, map, exec, ptrace or signal anything but the target. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "jail.h"
#include "report.h"

int seccomp_apply(const struct spec *s) {
  if (!s->has_seccomp) return 0;
  struct sock_fprog prog = {.len = s->filter_len, .filter = s->filter};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, s->seccomp_flags, &prog))
    return report_statusf(-1, "seccomp", errno, NULL, "install a filter of %u instructions: %s",
                          s->filter_len, strerror(errno)), -1;
  return 0;
}

#if defined(__x86_64__)
#define INIT_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define INIT_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "init's filter knows x86_64 and aarch64 only"
#endif

#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define ALLOW_IF(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/* kill(target, sig) and write(relay_fd, ...) are pinned to their one argument (the low 32 bits,
 * which is what the kernel uses of an int); wait4, rt_sigtimedwait, exit and exit_group are what
 * glibc's waitpid, sigwaitinfo and _exit use; restart_syscall is how the kernel resumes an
 * interrupted call; close lets init drop the status fd once the filter is in (a failure to install
 * it is still reported there). Unknown architecture (a 32-bit entry) or x32 numbers: killed. */
int seccomp_init_filter(pid_t target, int relay_fd) {
  struct sock_filter f[] = {
      LD(offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, INIT_AUDIT_ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
      LD(offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
#endif
      ALLOW_IF(__NR_rt_sigtimedwait),
      ALLOW_IF(__NR_wait4),
      ALLOW_IF(__NR_exit_group),
      ALLOW_IF(__NR_exit),
      ALLOW_IF(__NR_restart_syscall),
      ALLOW_IF(__NR_close),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_kill, 0, 2),
      LD(ARG_LO(0)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)target, 3, 4),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_write, 0, 3),
      LD(ARG_LO(0)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)relay_fd, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD),
  };
  struct sock_fprog prog = {.len = sizeof f / sizeof f[0], .filter = f};
  /* no_new_privs: without CAP_SYS_ADMIN the kernel requires it; init never execs, so it changes
   * nothing else (the target was forked before and does not inherit it from here). */
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
    return report_statusf(-1, "seccomp", errno, NULL, "install jail init's own filter: %s", strerror(errno)), -1;
  return 0;
}
