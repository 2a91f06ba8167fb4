/* init_test - jail init's side of the launcher: the status relay check (status_truth), with a
 * table and a random loop, and init's own seccomp filter on the real kernel (allowed calls work,
 * everything else kills). Built without sanitizers (their runtime makes calls the filter
 * would kill); test/fuzz_relay.c runs status_truth under them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jail.h"
#include "report.h"

static int failures;

#define CHECK(cond, ...)                                        \
  do {                                                          \
    if (!(cond)) {                                              \
      failures++;                                               \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);      \
      fprintf(stderr, __VA_ARGS__);                             \
      fputc('\n', stderr);                                      \
    }                                                           \
  } while (0)

static int truth(uint32_t relay, unsigned long n, int init_status) {
  unsigned char b[8] = {(unsigned char)relay, (unsigned char)(relay >> 8), (unsigned char)(relay >> 16),
                        (unsigned char)(relay >> 24), 1, 2, 3, 4};
  return status_truth(b, n, init_status);
}

#define EXITED(c) ((c) << 8)
#define KILLED(s) (s)

static void table(void) {
  CHECK(truth(EXITED(3), 4, EXITED(3)) == EXITED(3), "exit 3 relayed and agreed");
  CHECK(truth(KILLED(15), 4, EXITED(143)) == KILLED(15), "SIGTERM relayed, init exited 143");
  CHECK(truth(KILLED(11) | 0x80, 4, EXITED(139)) == (KILLED(11) | 0x80), "core dump flag kept");
  CHECK(truth(EXITED(0), 4, EXITED(143)) == EXITED(143), "forged success against init's 143");
  CHECK(truth(KILLED(9), 4, EXITED(0)) == EXITED(0), "forged SIGKILL against init's 0");
  CHECK(truth(EXITED(3), 8, EXITED(3)) == EXITED(3), "two records: init's own status");
  CHECK(truth(KILLED(15), 8, EXITED(143)) == EXITED(143), "two records: no signal claimed");
  CHECK(truth(EXITED(3), 3, EXITED(3)) == EXITED(3), "short relay");
  CHECK(truth(0, 0, EXITED(125)) == EXITED(125), "no relay (setup failed)");
  CHECK(truth(EXITED(0), 4, KILLED(9)) == KILLED(9), "init killed: its signal, not the relay");
  CHECK(truth(EXITED(0), 4, KILLED(31)) == KILLED(31), "init killed by its filter");
  CHECK(truth(0x7f | EXITED(15), 4, EXITED(143)) == EXITED(143), "a stopped status is not an end");
  CHECK(truth(KILLED(15) | 0x10000, 4, EXITED(143)) == EXITED(143), "high bits set");
  CHECK(truth(KILLED(65), 4, EXITED(193)) == EXITED(193), "signal out of range");
}

/* Whatever the bytes: the answer is init's own status, or one that init's exit agrees with. */
static void random_loop(long iterations) {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (long i = 0; i < iterations; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    unsigned char b[8];
    memcpy(b, &x, sizeof b);
    if (i % 3 == 0) b[1] = b[2] = b[3] = 0; /* well-formed more often */
    unsigned long n = (unsigned long)((x >> 40) % 9);
    int init_status = (int)((x >> 48) & 0xffff);
    if (i % 2) init_status &= 0xff00; /* mostly exits */
    int r = status_truth(b, n, init_status);
    if (r == init_status) continue;
    int code = WIFEXITED(init_status) ? WEXITSTATUS(init_status) : -1;
    int agrees = (WIFEXITED(r) && (r & ~0xff00) == 0 && WEXITSTATUS(r) == code) ||
                 (WIFSIGNALED(r) && (r & ~0xff) == 0 && 128 + WTERMSIG(r) == code);
    CHECK(WIFEXITED(init_status) && n == 4 && agrees, "relay 0x%08x (n %lu) accepted against 0x%x", (unsigned)r, n,
          init_status);
  }
  printf("init_test: %ld random relays, every answer agrees with init's exit\n", iterations);
}

/* Runs what() in a child under init's filter (target = our pid, relay = a pipe); returns the
 * child's wait status and what it relayed. */
static int under_filter(int (*what)(int relay, pid_t target), char *relayed, size_t cap) {
  int p[2];
  if (pipe(p)) abort();
  pid_t parent = getpid();
  pid_t c = fork();
  if (c < 0) abort();
  if (c == 0) {
    close(p[0]);
    report_reset(-1);
    if (seccomp_init_filter(parent, p[1])) _exit(100);
    _exit(what(p[1], parent));
  }
  close(p[1]);
  ssize_t n = read(p[0], relayed, cap - 1);
  relayed[n > 0 ? n : 0] = 0;
  close(p[0]);
  int st;
  while (waitpid(c, &st, 0) < 0 && errno == EINTR) {}
  return st;
}

static int allowed(int relay, pid_t target) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  struct timespec zero = {0, 0};
  if (syscall(SYS_rt_sigtimedwait, &set, NULL, &zero, 8) != -1 || errno != EAGAIN) return 1;
  if (kill(target, 0)) return 2;
  if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD) return 3;
  if (write(relay, "ok", 2) != 2) return 4;
  close(relay);
  return 0;
}
static int write_other_fd(int relay, pid_t target) { (void)relay, (void)target; return write(2, "x", 0) == 0 ? 0 : 9; }
static int kill_other(int relay, pid_t target) { (void)relay; kill(target + 100000, 0); return 0; }
static int open_mem(int relay, pid_t target) { (void)relay, (void)target; open("/proc/self/mem", O_RDWR); return 0; }
static int mmap_exec(int relay, pid_t target) {
  (void)relay, (void)target;
  mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return 0;
}
static int ptrace_target(int relay, pid_t target) { (void)relay; ptrace(PTRACE_ATTACH, target, 0, 0); return 0; }
static int exec_shell(int relay, pid_t target) {
  (void)relay, (void)target;
  char *argv[] = {"/bin/sh", "-c", "exit 0", NULL};
  execve("/bin/sh", argv, NULL);
  return 0;
}

static void filter(void) {
  char got[16];
  int st = under_filter(allowed, got, sizeof got);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && !strcmp(got, "ok"),
        "init's calls work under its filter (status 0x%x, relayed '%s')", st, got);
  struct { const char *name; int (*f)(int, pid_t); } denied[] = {
      {"write to another fd", write_other_fd}, {"kill another pid", kill_other},
      {"open /proc/self/mem", open_mem},       {"mmap PROT_EXEC", mmap_exec},
      {"ptrace", ptrace_target},               {"execve", exec_shell},
  };
  for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++) {
    st = under_filter(denied[i].f, got, sizeof got);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "%s kills init (status 0x%x)", denied[i].name, st);
  }
  /* Control: the same calls without the filter do not kill (so the filter is what kills). */
  pid_t c = fork();
  if (c == 0) _exit(write_other_fd(0, getppid()) | kill_other(0, getppid()) | open_mem(0, 0) | mmap_exec(0, 0));
  while (waitpid(c, &st, 0) < 0 && errno == EINTR) {}
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "control: without the filter the same calls return (0x%x)", st);
}

int main(int argc, char **argv) {
  table();
  random_loop(argc > 1 ? atol(argv[1]) : 200000);
  filter();
  if (failures) {
    fprintf(stderr, "init_test: %d failures\n", failures);
    return 1;
  }
  printf("init_test: ok\n");
  return 0;
}
