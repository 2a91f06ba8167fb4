/* uring_attacker.c - test-only shared library (libsb4jt_uring.so, loaded by JNA in LockdownScenarioMain):
 * leaves io_uring instances in the JVM before a lockdown, the way an attacker (or a careless library)
 * would, to show what keeps acting with the credentials of before the lockdown. Raw system calls, no
 * liburing. Each function returns the ring fd (or 0) on success, -errno on failure. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/io_uring.h>

#define EXPORT __attribute__((visibility("default")))

struct ring {
  int fd;
  struct io_uring_params p;
  void *sq, *cq;
  struct io_uring_sqe *sqes;
};

static int ring_setup(struct ring *r, unsigned flags, unsigned idle_ms) {
  memset(r, 0, sizeof *r);
  r->p.flags = flags;
  r->p.sq_thread_idle = idle_ms;
  r->fd = (int)syscall(__NR_io_uring_setup, 8, &r->p);
  if (r->fd < 0) return -errno;
  size_t sq_len = r->p.sq_off.array + r->p.sq_entries * sizeof(uint32_t);
  r->sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
  if (r->sq == MAP_FAILED) return -errno;
  r->sqes = mmap(NULL, r->p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
  if (r->sqes == MAP_FAILED) return -errno;
  return 0;
}

/* Puts sqes[0..n) on the submission queue (indices 0..n). */
static void ring_push(struct ring *r, unsigned n) {
  char *sq = r->sq;
  uint32_t *tail = (uint32_t *)(sq + r->p.sq_off.tail);
  uint32_t mask = *(uint32_t *)(sq + r->p.sq_off.ring_mask);
  uint32_t *array = (uint32_t *)(sq + r->p.sq_off.array);
  uint32_t t = *tail;
  for (unsigned i = 0; i < n; i++) array[(t + i) & mask] = i;
  __atomic_store_n(tail, t + n, __ATOMIC_RELEASE);
}

/*
 * A ring with a registered personality (the caller's credentials now) and a linked chain queued:
 * TIMEOUT(delay_ms, expiry counts as success) -> OPENAT(path, O_CREAT, into fixed file slot 0) ->
 * WRITE(text, fixed file 0), both under that personality. The chain fires delay_ms later with no
 * further system call from the process; returns the ring fd.
 */
EXPORT int sb4jt_uring_chain(const char *path, const char *text, long delay_ms) {
  struct ring r;
  int rc = ring_setup(&r, 0, 0);
  if (rc) return rc;
  int pers = (int)syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_PERSONALITY, NULL, 0);
  if (pers < 0) return -errno;
  int sparse[1] = {-1};
  if (syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_FILES, sparse, 1)) return -errno;
  static struct __kernel_timespec ts;
  ts.tv_sec = delay_ms / 1000;
  ts.tv_nsec = (delay_ms % 1000) * 1000000L;
  char *buf = strdup(text); /* read when the WRITE runs: must outlive this call */
  char *p = strdup(path);
  if (!buf || !p) return -ENOMEM;
  struct io_uring_sqe *s = r.sqes;
  memset(s, 0, 3 * sizeof *s);
  s[0].opcode = IORING_OP_TIMEOUT;
  s[0].flags = IOSQE_IO_LINK;
  s[0].addr = (uint64_t)(uintptr_t)&ts;
  s[0].len = 1;
  s[0].timeout_flags = IORING_TIMEOUT_ETIME_SUCCESS;
  s[1].opcode = IORING_OP_OPENAT;
  s[1].flags = IOSQE_IO_LINK;
  s[1].fd = AT_FDCWD;
  s[1].addr = (uint64_t)(uintptr_t)p;
  s[1].open_flags = O_CREAT | O_WRONLY | O_TRUNC;
  s[1].len = 0644;
  s[1].file_index = 1; /* slot 0 + 1 */
  s[1].personality = (uint16_t)pers;
  s[2].opcode = IORING_OP_WRITE;
  s[2].flags = IOSQE_FIXED_FILE;
  s[2].fd = 0;
  s[2].addr = (uint64_t)(uintptr_t)buf;
  s[2].len = (uint32_t)strlen(buf);
  s[2].personality = (uint16_t)pers;
  ring_push(&r, 3);
  long n = syscall(__NR_io_uring_enter, r.fd, 3, 0, 0, NULL, 0);
  if (n != 3) return n < 0 ? -errno : -EIO;
  return r.fd;
}

/* A SQPOLL ring: its kernel thread iou-sqp-<pid> is part of the process. Returns the ring fd. */
EXPORT int sb4jt_uring_sqpoll(void) {
  struct ring r;
  int rc = ring_setup(&r, IORING_SETUP_SQPOLL, 10); /* idle 10 ms: the thread sleeps, no busy CPU */
  return rc ? rc : r.fd;
}

/* A ring whose fd is closed while its rings stay mapped (the mapping keeps it alive). Returns 0. */
EXPORT int sb4jt_uring_mapped_only(void) {
  struct ring r;
  int rc = ring_setup(&r, 0, 0);
  if (rc) return rc;
  close(r.fd);
  return 0;
}
