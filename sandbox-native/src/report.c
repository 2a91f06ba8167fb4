/* report.c - the only code that writes records back to Java. */
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int report_fd = 4;
static int reported;

int write_all(int fd, const void *buf, unsigned long len) {
  const char *p = buf;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (unsigned long)n;
  }
  return 0;
}

static void put16(unsigned char *b, unsigned v) {
  b[0] = (unsigned char)v;
  b[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *b, uint32_t v) {
  for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *b, uint64_t v) {
  put32(b, (uint32_t)v);
  put32(b + 4, (uint32_t)(v >> 32));
}

#define WIRE_STEP_NAME(name, wire) wire,
static const char *const step_names[] = {WIRE_STEPS(WIRE_STEP_NAME)};
#undef WIRE_STEP_NAME

const char *step_name(enum step step) {
  return (unsigned)step < STEP_COUNT_ ? step_names[step] : "?";
}

void report_status(int op_index, enum step st, int err, const char *path, const char *detail) {
  int saved = errno;
  if (reported || report_fd < 0) goto out;
  reported = 1;
  /* Bounded: step < 32, path <= 4095 (spec limit), detail <= 1024. */
  static unsigned char buf[STATUS_HEADER + 32 + 4096 + 1024];
  const char *step = step_name(st);
  size_t sl = strnlen(step, 31);
  size_t pl = path ? strnlen(path, 4095) : 0;
  size_t dl = detail ? strnlen(detail, 1024) : 0;
  put32(buf, STATUS_MAGIC);
  put32(buf + 4, (uint32_t)op_index);
  put32(buf + 8, (uint32_t)err);
  put16(buf + 12, (unsigned)sl);
  put16(buf + 14, (unsigned)pl);
  put16(buf + 16, (unsigned)dl);
  put16(buf + 18, 0);
  if (sl) memcpy(buf + 20, step, sl);
  if (pl) memcpy(buf + 20 + sl, path, pl);
  if (dl) memcpy(buf + 20 + sl + pl, detail, dl);
  (void)write_all(report_fd, buf, 20 + sl + pl + dl);
  /* The zygote serves many jails: no byte of this one's spec may stay for the next one's clone. */
  explicit_bzero(buf, 20 + sl + pl + dl);
out:
  errno = saved;
}

static void report_vstatus(int op_index, enum step step, int err, const char *path, const char *suffix,
                           const char *fmt, va_list ap) {
  int saved = errno;
  char detail[512];
  int n = vsnprintf(detail, sizeof detail, fmt, ap);
  if (suffix && n >= 0 && (size_t)n < sizeof detail)
    snprintf(detail + n, sizeof detail - (size_t)n, ": %s", suffix);
  report_status(op_index, step, err, path, detail);
  explicit_bzero(detail, sizeof detail);
  errno = saved;
}

void report_statusf(int op_index, enum step step, int err, const char *path, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report_vstatus(op_index, step, err, path, NULL, fmt, ap);
  va_end(ap);
}

int fail_errno(int op_index, enum step step, int err, const char *path, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report_vstatus(op_index, step, err, path, strerror(err), fmt, ap);
  va_end(ap);
  return -1;
}

void report_reset(int fd) {
  report_fd = fd;
  reported = 0;
}

int report_result(int fd, uint32_t kind, int32_t value, uint32_t flags) {
  unsigned char b[16];
  put32(b, RESULT_MAGIC);
  put32(b + 4, kind);
  put32(b + 8, (uint32_t)value);
  put32(b + 12, flags);
  return write_all(fd, b, sizeof b);
}

int report_sv_record(int fd, const struct sv_rec *r) {
  unsigned char b[SV_RECORD_BYTES];
  memset(b, 0, sizeof b);
  put32(b, SV_RECORD_MAGIC);
  put32(b + 4, r->kind);
  put32(b + 8, r->arch);
  put32(b + 12, r->nr);
  put32(b + 16, (uint32_t)r->pid);
  put32(b + 20, r->action);
  put32(b + 24, r->count);
  for (int i = 0; i < 6; i++) put64(b + 32 + 8 * i, r->args[i]);
  memcpy(b + 80, r->comm, 16);
  return write_all(fd, b, sizeof b);
}

int report_counters(int fd, const uint64_t *values, uint32_t n) {
  unsigned char b[8 + 8 * 64];
  if (n > 64) n = 64;
  put32(b, CG_RESULT_MAGIC);
  put32(b + 4, n);
  for (uint32_t i = 0; i < n; i++) put64(b + 8 + 8 * i, values[i]);
  return write_all(fd, b, 8 + 8 * (unsigned long)n);
}

void report_clone_failure(unsigned clone_flags, int err) {
  const char *hint = "";
  if ((clone_flags & CLONE_NEWUSER) && (err == EPERM || err == EACCES || err == ENOSPC))
    hint = " (user namespaces may be disabled or restricted: kernel.unprivileged_userns_clone, "
           "user.max_user_namespaces, an AppArmor userns restriction or a container seccomp profile)";
  report_statusf(-1, STEP_CLONE, err, NULL, "clone(flags=0x%x): %s%s", clone_flags, strerror(err), hint);
}

/* Why the launcher does not simply take the 4 bytes init relays: they are the one thing the
 * library reports that does not come from the launcher's own waitpid. Init is protected (non-
 * dumpable, its own filter, /proc/1/fd refused), so only init writes the pipe, and it writes what the
 * kernel's wait4 said about the target. On top of that the relay must agree with init's own end,
 * which the launcher has from the kernel: init exits with the target's code, or 128 + the signal
 * that killed it. So a relay is used only when it is exactly one well-formed wait status (a forged
 * one written before init's would make the pipe hold 8 bytes or more) and says "exited c" where
 * init exited c, or "killed by s" where init exited 128 + s; anything else, or init itself dying
 * by a signal (the launcher's SIGKILL, a time limit, its own filter), reports init's status. */
int status_truth(const unsigned char *relay, unsigned long n, int init_status) {
  if (!WIFEXITED(init_status) || n != 4) return init_status;
  uint32_t r = (uint32_t)relay[0] | ((uint32_t)relay[1] << 8) | ((uint32_t)relay[2] << 16) |
               ((uint32_t)relay[3] << 24);
  int code = WEXITSTATUS(init_status);
  if ((r & 0xffff00ffu) == 0) return (int)((r >> 8) & 0xff) == code ? (int)r : init_status;
  uint32_t sig = r & 0x7f;
  if ((r & ~0xffu) == 0 && sig >= 1 && sig <= 64 && 128 + (int)sig == code) return (int)r;
  return init_status;
}

int status_from_init(int relay_fd, int init_status) {
  unsigned char b[8];
  unsigned long n = 0;
  while (relay_fd >= 0 && n < sizeof b) {
    ssize_t r = read(relay_fd, b + n, sizeof b - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (unsigned long)r;
  }
  return status_truth(b, n, init_status);
}
