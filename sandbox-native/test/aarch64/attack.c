/* sb4j-attack - probes for the seccomp tests on arm64 (seccomp-tests.sh). Each PROBE makes one
 * raw system call (or a few) and prints "PROBE ok" or "PROBE ENAME", so a test compares the line
 * under a filter with the same line without one (the control). Probes run in the order given.
 *
 * Usage: sb4j-attack [--install FILE.bpf] PROBE...
 *   --install FILE.bpf  no_new_privs + seccomp(SET_MODE_FILTER) with the raw program in FILE first,
 *                       as a program installs STDIO_ONLY or LOCKDOWN_NO_EXEC on itself
 * The probes are chosen so that, without a filter, the call reaches the kernel and gets a result
 * other than EPERM (success, or ENOENT/ESRCH/EFAULT... for a harmless bad argument). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ename(int e) {
  static char buf[24];
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EIO: return "EIO";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case ENOTTY: return "ENOTTY";
    case ENOSYS: return "ENOSYS";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    default: snprintf(buf, sizeof buf, "errno%d", e); return buf;
  }
}

static void report(const char *probe, long rc, int err) {
  char line[96];
  int n = rc < 0 ? snprintf(line, sizeof line, "%s %s\n", probe, ename(err))
                 : snprintf(line, sizeof line, "%s ok\n", probe);
  /* write(2) itself, unbuffered: a later probe may be killed */
  if (write(1, line, (size_t)n) != n) _exit(120);
}

static void *thread_main(void *arg) { return arg; }

/* clone(flags) without CLONE_VM, fork-like; the child exits at once. Returns 0 or -1/errno. */
static long fork_like(unsigned long flags) {
  long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) syscall(SYS_exit_group, 0);
  if (pid < 0) return -1;
  int st;
  waitpid((pid_t)pid, &st, 0);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : (errno = ECHILD, -1);
}

static int install(const char *file) {
  static struct sock_filter prog[4096];
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return perror(file), -1;
  ssize_t n = read(fd, prog, sizeof prog);
  close(fd);
  if (n <= 0 || n % 8) return fprintf(stderr, "%s: not a sock_filter program\n", file), -1;
  struct sock_fprog fp = {.len = (unsigned short)(n / 8), .filter = prog};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp))
    return perror("seccomp"), -1;
  return 0;
}

int main(int argc, char **argv) {
  int i = 1;
  if (i + 1 < argc && !strcmp(argv[i], "--install")) {
    if (install(argv[i + 1])) return 125;
    i += 2;
  }
  signal(SIGUSR1, SIG_IGN);
  for (; i < argc; i++) {
    const char *p = argv[i];
    long rc;
    errno = 0;
    if (!strcmp(p, "mount")) /* the target is looked up first: ENOENT without a filter */
      rc = syscall(SYS_mount, "none", "/nonexistent-sb4j", "tmpfs", 0UL, NULL);
    else if (!strcmp(p, "ptrace")) /* no such process: ESRCH */
      rc = syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, 0x3ffffff0L, 0L, 0L);
    else if (!strcmp(p, "bpf")) /* an unknown command: EINVAL (with unprivileged bpf enabled) */
      rc = syscall(SYS_bpf, 9999, NULL, 0);
    else if (!strcmp(p, "io_uring")) /* params NULL: EFAULT */
      rc = syscall(SYS_io_uring_setup, 1, NULL);
    else if (!strcmp(p, "keyctl")) /* KEYCTL_GET_KEYRING_ID of a new thread keyring */
      rc = syscall(SYS_keyctl, 0, -1L /* KEY_SPEC_THREAD_KEYRING */, 1L);
    else if (!strcmp(p, "personality")) { /* PER_LINUX | ADDR_NO_RANDOMIZE, as setarch -R */
      rc = syscall(SYS_personality, 0x0040000UL);
      if (rc >= 0) syscall(SYS_personality, 0UL);
    } else if (!strcmp(p, "personality-query"))
      rc = syscall(SYS_personality, 0xffffffffUL);
    else if (!strcmp(p, "personality-linux"))
      rc = syscall(SYS_personality, 0UL);
    else if (!strcmp(p, "tiocsti")) { /* fd 0 is /dev/null: ENOTTY */
      char c = 'x';
      rc = syscall(SYS_ioctl, 0, 0x5412UL, &c);
    } else if (!strcmp(p, "tiocsti-hi")) { /* the kernel reads the request's low 32 bits only */
      char c = 'x';
      rc = syscall(SYS_ioctl, 0, 0xdead00005412UL, &c);
    } else if (!strcmp(p, "clone-newuser"))
      rc = fork_like(0x10000000UL /* CLONE_NEWUSER */);
    else if (!strcmp(p, "clone3")) /* size 0: EINVAL */
      rc = syscall(SYS_clone3, NULL, 0UL);
    else if (!strcmp(p, "fork")) /* glibc's fork(): clone(SIGCHLD) */
      rc = fork_like(0);
    else if (!strcmp(p, "thread")) { /* glibc: clone3, or clone(CLONE_THREAD|...) on ENOSYS */
      pthread_t t;
      int e = pthread_create(&t, NULL, thread_main, NULL);
      if (!e) e = pthread_join(t, NULL);
      rc = e ? -1 : 0;
      errno = e;
    } else if (!strcmp(p, "unshare-user"))
      rc = syscall(SYS_unshare, 0x10000000UL);
    else if (!strcmp(p, "socket-inet"))
      rc = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
    else if (!strcmp(p, "socket-unix"))
      rc = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
    else if (!strcmp(p, "socketpair")) {
      int sv[2];
      rc = syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv);
    } else if (!strcmp(p, "write1"))
      rc = syscall(SYS_write, 1, "", 0UL);
    else if (!strcmp(p, "write2"))
      rc = syscall(SYS_write, 2, "", 0UL);
    else if (!strcmp(p, "lseek-0"))
      rc = syscall(SYS_lseek, 0, 0L, SEEK_SET);
    else if (!strcmp(p, "lseek-4g")) /* offset 0x100000000: low word 0, high word 1 */
      rc = syscall(SYS_lseek, 0, 0x100000000L, SEEK_SET);
    else if (!strcmp(p, "kill-0"))
      rc = syscall(SYS_kill, getpid(), 0);
    else if (!strcmp(p, "kill-usr1")) /* SIGUSR1 is ignored */
      rc = syscall(SYS_kill, getpid(), SIGUSR1);
    else if (!strcmp(p, "getppid"))
      rc = syscall(SYS_getppid);
    else if (!strcmp(p, "stdio")) { /* read stdin to its end, write a line */
      char b[256];
      while ((rc = syscall(SYS_read, 0, b, sizeof b)) > 0) {}
      if (rc == 0) rc = syscall(SYS_write, 1, "stdio-data\n", 11UL);
    } else if (!strcmp(p, "exec")) { /* replaces the process when allowed: give it last */
      char *const args[] = {"/bin/sh", "-c", "echo exec ok", NULL};
      rc = syscall(SYS_execve, "/bin/sh", args, environ);
    } else {
      fprintf(stderr, "sb4j-attack: unknown probe %s\n", p);
      return 2;
    }
    report(p, rc, errno);
  }
  return 0;
}
