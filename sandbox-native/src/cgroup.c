/* cgroup.c - the launcher's part of the per-jail cgroups (docs/resources.md).
 *
 * Java finds where the jail's cgroups go, creates one directory per hierarchy and writes the
 * limits (that is policy, testable and reportable in Java). What must happen in the launcher:
 *  - placement before the jail runs: clone3(CLONE_INTO_CGROUP) into the v2 directory where the
 *    kernel has it (the jail is born inside); otherwise, and for every v1 hierarchy, the jail's
 *    pid 1 is written to cgroup.procs while it is still held on the sync pipe, so no process of
 *    the jail ever runs outside its cgroups (its children inherit them);
 *  - the end: when pid 1 has ended, everything still in the cgroups is killed (cgroup.kill on v2,
 *    SIGKILL to each listed pid on v1), the counters Java asked for are read, the directories are
 *    removed, and the counters go back on the result fd. The launcher outlives a dead JVM through
 *    the lifeline, so the removal happens then too.
 * Nothing here runs in the cloned child. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "jail.h"
#include "report.h"

#ifndef SYS_clone3
#define SYS_clone3 435 /* the same number on x86_64 and aarch64 */
#endif
#define SB4J_CLONE_INTO_CGROUP 0x200000000ull

/* struct clone_args as of Linux 5.7 (the version with the cgroup field), spelled out so older
 * kernel headers build it too. */
struct sb4j_clone_args {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
      set_tid_size, cgroup;
};

static void sleep_ms(long ms) {
  struct timespec ts = {0, ms * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
}

static const struct spec_cgroup *into_cgroup(const struct spec *s) {
  for (size_t i = 0; i < s->n_cgroups; i++)
    if (s->cgroups[i].flags & CG_F_INTO) return &s->cgroups[i];
  return NULL;
}

pid_t cgroup_clone(const struct spec *s, unsigned long clone_flags, int *placed) {
  *placed = 0;
  const struct spec_cgroup *g = into_cgroup(s);
  if (g) {
    int fd = open(g->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      struct sb4j_clone_args a;
      memset(&a, 0, sizeof a);
      a.flags = clone_flags | SB4J_CLONE_INTO_CGROUP;
      a.exit_signal = SIGCHLD;
      a.cgroup = (uint64_t)fd;
      long pid = syscall(SYS_clone3, &a, sizeof a);
      int saved = errno;
      if (pid != 0) close(fd); /* the child closes nothing here: contain.c closes every fd it does not keep */
      if (pid >= 0) {
        *placed = pid > 0;
        return (pid_t)pid;
      }
      errno = saved;
    }
    /* No clone3 (ENOSYS), no CLONE_INTO_CGROUP (E2BIG on kernels before 5.7), or a refusal: the
     * plain clone below plus cgroup_place either works or names the errno of the write. */
  }
  return (pid_t)syscall(SYS_clone, clone_flags | SIGCHLD, 0, 0, 0, 0);
}

static int write_file(const char *dir, const char *file, const char *text) {
  char path[SPEC_MAX_PATH + 32];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int saved = errno;
  close(fd);
  errno = n == (ssize_t)strlen(text) ? 0 : n < 0 ? saved : EIO;
  return errno ? -1 : 0;
}

int cgroup_place(const struct spec *s, pid_t pid, int placed) {
  char text[16];
  snprintf(text, sizeof text, "%d\n", (int)pid);
  for (size_t i = 0; i < s->n_cgroups; i++) {
    const struct spec_cgroup *g = &s->cgroups[i];
    if (placed && (g->flags & CG_F_INTO)) continue;
    if (write_file(g->path, "cgroup.procs", text))
      return fail_errno(-1, STEP_CGROUP, errno, g->path, "move the jail into %s/cgroup.procs", g->path), -1;
  }
  return 0;
}

/* Reads up to cap-1 bytes of dir/file, NUL-terminated; -1 when unreadable. */
static ssize_t read_file(const char *dir, const char *file, char *buf, size_t cap) {
  char path[SPEC_MAX_PATH + 32];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t n = 0;
  while (n < cap - 1) {
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = 0;
  return (ssize_t)n;
}

static uint64_t parse_u64(const char *p) {
  if (*p < '0' || *p > '9') return CG_UNREADABLE;
  uint64_t v = 0;
  for (; *p >= '0' && *p <= '9'; p++) v = v * 10 + (uint64_t)(*p - '0');
  return v;
}

/* A counter: the first number of the file (key "") or the value on the line "key N". */
static uint64_t read_counter(const char *dir, const struct spec_cg_stat *st) {
  char buf[8192];
  if (read_file(dir, st->file, buf, sizeof buf) < 0) return CG_UNREADABLE;
  if (!st->key[0]) return parse_u64(buf);
  size_t kl = strlen(st->key);
  for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
    if (!strncmp(line, st->key, kl) && line[kl] == ' ') return parse_u64(line + kl + 1);
  return CG_UNREADABLE;
}

/* SIGKILL to every pid listed in dir/cgroup.procs; returns how many were listed. */
static int kill_listed(const char *dir) {
  char buf[8192];
  if (read_file(dir, "cgroup.procs", buf, sizeof buf) <= 0) return 0;
  int n = 0;
  for (char *p = buf; *p;) {
    uint64_t pid = parse_u64(p);
    /* A task in the middle of its exit is listed as 0; kill(0) would hit our own process group. */
    if (pid != CG_UNREADABLE && pid > 1 && pid < (1u << 22)) {
      (void)kill((pid_t)pid, SIGKILL);
      n++;
    }
    while (*p && *p != '\n') p++;
    while (*p == '\n') p++;
  }
  return n;
}

void cgroup_finish(const struct spec *s, int result_fd) {
  if (!s->n_cgroups) return;
  /* 1. End what is left (without a pid namespace, or a process that is still exiting). */
  for (size_t i = 0; i < s->n_cgroups; i++)
    if (s->cgroups[i].flags & CG_F_V2) (void)write_file(s->cgroups[i].path, "cgroup.kill", "1");
  for (int round = 0; round < 1000; round++) { /* at most about a second */
    int left = 0;
    for (size_t i = 0; i < s->n_cgroups; i++) left += kill_listed(s->cgroups[i].path);
    if (!left) break;
    sleep_ms(1);
  }
  /* 2. The counters, in spec order, before the directories go. */
  uint64_t counters[SPEC_MAX_CGROUPS * SPEC_MAX_CG_STATS];
  uint32_t n = 0;
  for (size_t i = 0; i < s->n_cgroups; i++)
    for (uint32_t k = 0; k < s->cgroups[i].n_stats; k++) {
      counters[n++] = read_counter(s->cgroups[i].path, &s->cgroups[i].stats[k]);
    }
  /* 3. Remove them. An exiting task can keep a cgroup busy for a moment after it left the list. */
  for (size_t i = 0; i < s->n_cgroups; i++)
    for (int tries = 0; tries < 1000 && rmdir(s->cgroups[i].path) && errno == EBUSY; tries++) sleep_ms(1);
  (void)report_counters(result_fd, counters, n);
}
