/* fds.c - file descriptors: nothing reaches the target but stdio and the FDMAP fds.
 *
 * The launcher closes every fd >= 7 it was not told to keep as soon as it knows the spec. In the
 * jail, FDMAP moves are done in two phases (everything involved is first duplicated above every
 * number in play, then dup2'd down), so a move can never clobber another source or one of the
 * launcher's own fds (status, sync, init pipe), which are relocated high with CLOEXEC first.
 * Every other fd >= 3 is then marked close-on-exec. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "jail.h"
#include "report.h"

static int max_fd(void) {
  struct rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &r) || r.rlim_cur == RLIM_INFINITY || r.rlim_cur > (1u << 20))
    return 1 << 20;
  return (int)r.rlim_cur;
}

/* close_range(lo, hi, flags) with a loop for kernels before 5.9 (5.11 for CLOEXEC). */
static void range(unsigned lo, unsigned hi, unsigned flags) {
  if (lo > hi) return;
  if (!syscall(SYS_close_range, lo, hi, flags)) return;
  int top = max_fd();
  for (unsigned fd = lo; fd <= hi && fd < (unsigned)top; fd++) {
    if (flags & CLOSE_RANGE_CLOEXEC) (void)fcntl((int)fd, F_SETFD, FD_CLOEXEC);
    else (void)close((int)fd);
  }
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

void fds_close_except(const int *keep_in, size_t n, unsigned lo) {
  int *keep = malloc((n + 1) * sizeof *keep);
  if (!keep) { /* cannot happen for <= 1024 ints; closing nothing would leak, so close all */
    range(lo, ~0u, 0);
    return;
  }
  for (size_t i = 0; i < n; i++) keep[i] = keep_in[i];
  qsort(keep, n, sizeof *keep, cmp_int);
  for (size_t i = 0; i < n; i++) {
    if (keep[i] < 0) continue;
    if ((unsigned)keep[i] > lo) range(lo, (unsigned)keep[i] - 1, 0);
    if ((unsigned)keep[i] >= lo) lo = (unsigned)keep[i] + 1;
  }
  range(lo, ~0u, 0);
  free(keep);
}

void fds_launcher_close(const struct spec *s) {
  int *keep = malloc((s->n_fdmaps + 1) * sizeof *keep);
  if (!keep) {
    range(7, ~0u, 0);
    return;
  }
  for (size_t i = 0; i < s->n_fdmaps; i++) keep[i] = s->fdmaps[i].from;
  fds_close_except(keep, s->n_fdmaps, 7);
  free(keep);
}

int fds_apply(const struct spec *s, int *internal[], int n_internal) {
  int base = 10;
  for (size_t i = 0; i < s->n_fdmaps; i++) {
    if (s->fdmaps[i].from >= base) base = s->fdmaps[i].from + 1;
    if (s->fdmaps[i].to >= base) base = s->fdmaps[i].to + 1;
  }
  for (int i = 0; i < n_internal; i++)
    if (*internal[i] >= base) base = *internal[i] + 1;
  for (int i = 0; i < n_internal; i++) {
    if (*internal[i] < 0) continue;
    int nfd = fcntl(*internal[i], F_DUPFD_CLOEXEC, base);
    if (nfd < 0) return fail_errno(-1, STEP_FDS, errno, NULL, "move an internal fd"), -1;
    close(*internal[i]);
    *internal[i] = nfd;
  }
  int *high = malloc((s->n_fdmaps + 1) * sizeof *high);
  if (!high) return report_status(-1, STEP_FDS, ENOMEM, NULL, "out of memory"), -1;
  for (size_t i = 0; i < s->n_fdmaps; i++) {
    high[i] = fcntl(s->fdmaps[i].from, F_DUPFD_CLOEXEC, base);
    if (high[i] < 0) {
      fail_errno(-1, STEP_FDS, errno, NULL, "launcher fd %d (for target fd %d)", s->fdmaps[i].from,
                     s->fdmaps[i].to);
      return -1;
    }
  }
  for (size_t i = 0; i < s->n_fdmaps; i++) {
    if (dup2(high[i], s->fdmaps[i].to) < 0)
      return fail_errno(-1, STEP_FDS, errno, NULL, "dup2 to fd %d", s->fdmaps[i].to), -1;
  }
  for (size_t i = 0; i < s->n_fdmaps; i++) close(high[i]);
  free(high);
  range(3, ~0u, CLOSE_RANGE_CLOEXEC);
  for (size_t i = 0; i < s->n_fdmaps; i++)
    if (fcntl(s->fdmaps[i].to, F_SETFD, 0))
      return fail_errno(-1, STEP_FDS, errno, NULL, "keep fd %d", s->fdmaps[i].to), -1;
  return 0;
}
