/* supervise.c - the seccomp supervisor, in the launcher (outside the jail, never in a JVM thread:
 * a JVM stopped at a safepoint would stall every notified call of the jail).
 *
 * Before clone the launcher makes a socketpair; the target installs its filter with a listener
 * right before execve and sends the listener back on it (seccomp.c). The launcher's supervise loop
 * (main.c) then polls the listener next to its signalfd:
 *  - REPORT: the filter is the jail's own with its refusing and killing returns turned into
 *    USER_NOTIF, so allowed calls never come here. For a notified call the launcher runs the
 *    original program (seccomp_eval), records a violation (call, arguments, thread, action), and
 *    does what the original said: ERRNO is answered with that errno; a kill sends SIGSYS to the
 *    calling thread's process before the answer (kill_for_filter; SIGKILL when SIGSYS would not end
 *    it), so the call never runs and the process ends as the kernel's kill would have ended it.
 *    When the target got a SIGKILL, sv_status still reports "killed by SIGSYS" for it.
 *    KILL_THREAD kills the whole process.
 *  - LEARN: every call comes here and is let through (SECCOMP_USER_NOTIF_FLAG_CONTINUE) after it
 *    is counted, keyed by number and the arguments policies filter on.
 * The records go to Java on the result fd, before the result record (sv_flush). Tables are fixed
 * size (no allocation while the jail runs); what does not fit is counted in a LOST record. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/seccomp.h>

#include "jail.h"
#include "report.h"

#if defined(__x86_64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_NATIVE AUDIT_ARCH_AARCH64
#else
#error "the supervisor knows x86_64 and aarch64 only"
#endif

#define MAX_VIOLATIONS 64
#define MAX_LEARNED 4096 /* a power of two: open addressing */

static struct {
  const struct spec *s;
  int sock, nfd;
  pid_t target; /* the target's pid (the hand-off's SCM_CREDENTIALS), 0 until known */
  int target_killed;
  unsigned n_viol, lost;
  unsigned n_learned;
} sv = {.sock = -1, .nfd = -1};
/* Zero-initialized, apart from sv: in .bss, not in the binary (the launcher has a size limit). */
static struct sv_rec viol[MAX_VIOLATIONS];
static struct sv_rec learned[MAX_LEARNED];

int sv_start(const struct spec *s, struct jail *j) {
  j->sv_sock = -1;
  j->sv_filter = NULL;
  if (!s->has_seccomp || !s->supervise) return 0;
  sv.s = s;
  int p[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p))
    return fail_errno(-1, STEP_SECCOMP, errno, NULL, "socketpair for the supervisor"), -1;
  int one = 1;
  if (setsockopt(p[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one))
    return fail_errno(-1, STEP_SECCOMP, errno, NULL, "SO_PASSCRED"), -1;
  j->sv_filter = seccomp_supervised_build(s, &j->sv_len);
  if (!j->sv_filter) return report_status(-1, STEP_SECCOMP, ENOMEM, NULL, "out of memory"), -1;
  sv.sock = p[0];
  j->sv_sock = p[1];
  return 0;
}

void sv_child(struct jail *j) {
  if (sv.sock >= 0) close(sv.sock);
  sv.sock = -1;
  (void)j;
}

int sv_poll_fd(void) { return sv.nfd >= 0 ? sv.nfd : sv.sock; }

/* The listener and the target's pid from the hand-off message. */
static void take_listener(void) {
  char byte;
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  union {
    char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  ssize_t r = recvmsg(sv.sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (r < 0 && (errno == EINTR || errno == EAGAIN)) return;
  for (struct cmsghdr *c = r > 0 ? CMSG_FIRSTHDR(&msg) : NULL; c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)) && sv.nfd < 0) {
      memcpy(&sv.nfd, CMSG_DATA(c), sizeof(int));
    } else if (c->cmsg_type == SCM_CREDENTIALS) {
      struct ucred cr;
      memcpy(&cr, CMSG_DATA(c), sizeof cr);
      sv.target = cr.pid;
    }
  }
  /* One message only: the socket is done (EOF, a failure, or the listener taken). */
  close(sv.sock);
  sv.sock = -1;
}

/* Reads "Name:"-style lines of /proc/<tid>/status: the thread group and the innermost pid (the
 * jail's own numbering). Best effort: 0 when the task is gone or /proc is not readable. */
static void task_ids(pid_t tid, pid_t *tgid, pid_t *nspid) {
  char path[64], buf[2048];
  *tgid = 0;
  *nspid = 0;
  snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return;
  buf[n] = 0;
  char *t = strstr(buf, "\nTgid:");
  if (t) *tgid = (pid_t)strtol(t + 6, NULL, 10);
  char *p = strstr(buf, "\nNSpid:");
  if (!p) return;
  p += 7;
  char *end = strchr(p, '\n');
  long last = 0;
  while (p && (!end || p < end)) {
    char *q;
    long v = strtol(p, &q, 10);
    if (q == p) break;
    last = v;
    p = q;
  }
  *nspid = (pid_t)last;
}

static void task_comm(pid_t tid, char comm[16]) {
  char path[64];
  memset(comm, 0, 16);
  snprintf(path, sizeof path, "/proc/%d/comm", (int)tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, comm, 15);
  close(fd);
  if (n > 0 && comm[n - 1] == '\n') comm[n - 1] = 0;
}

/* The arguments a policy filters on, per call (native calls only; others are keyed by number). */
static uint64_t key_mask(const struct seccomp_data *d) {
  if ((int)d->arch != (int)AUDIT_ARCH_NATIVE) return 0;
  switch (d->nr) {
  case __NR_clone: case __NR_prctl: case __NR_personality: return 0x1;
  case __NR_socket: case __NR_socketpair: return 0x7;
  case __NR_ioctl: return 0x2;
  default: return 0;
  }
}

static void learn(const struct seccomp_notif *n) {
  const struct seccomp_data *d = &n->data;
  uint64_t mask = key_mask(d), args[6] = {0};
  for (int i = 0; i < 6; i++)
    if (mask & (1u << i)) args[i] = d->args[i];
  /* ioctl requests and personality values are ints; their upper halves are noise. */
  if (d->nr == __NR_ioctl) args[1] &= 0xffffffffu;
  if (d->nr == __NR_personality) args[0] &= 0xffffffffu;
  uint64_t h = (uint64_t)d->nr * 0x9e3779b97f4a7c15ull ^ d->arch;
  for (int i = 0; i < 6; i++) h = (h ^ args[i]) * 0x100000001b3ull;
  for (unsigned probe = 0; probe < MAX_LEARNED; probe++) {
    struct sv_rec *r = &learned[(h + probe) & (MAX_LEARNED - 1)];
    if (r->kind && r->nr == (uint32_t)d->nr && r->arch == d->arch && !memcmp(r->args, args, sizeof args)) {
      r->count++;
      return;
    }
    if (!r->kind) {
      if (sv.n_learned >= MAX_LEARNED * 3 / 4) break;
      r->kind = SV_REC_LEARNED;
      r->nr = (uint32_t)d->nr;
      r->arch = d->arch;
      r->count = 1;
      memcpy(r->args, args, sizeof args);
      pid_t tgid;
      task_ids((pid_t)n->pid, &tgid, &r->pid);
      task_comm((pid_t)n->pid, r->comm);
      sv.n_learned++;
      return;
    }
  }
  sv.lost++;
}

/* Whether SIGSYS has its default action for thread tid: not blocked by it, not ignored, not caught
 * (/proc/<tid>/status SigBlk, SigIgn, SigCgt). 0 when unknown. */
static int sigsys_default(pid_t tid) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  static const char *const keys[] = {"\nSigBlk:", "\nSigIgn:", "\nSigCgt:"};
  for (int i = 0; i < 3; i++) {
    const char *p = strstr(buf, keys[i]);
    if (!p) return 0;
    if (strtoull(p + strlen(keys[i]), NULL, 16) & (1ull << (SIGSYS - 1))) return 0;
  }
  return 1;
}

/* Processes sent SIGSYS for a killing call: any further notified call of theirs means SIGKILL. */
static pid_t doomed[64];
static unsigned n_doomed;

static int is_doomed(pid_t tgid) {
  for (unsigned i = 0; i < n_doomed; i++)
    if (doomed[i] == tgid) return 1;
  return 0;
}

/* Ends the process of thread tid for a call its filter kills, as the kernel would: with SIGSYS at
 * its default action (a core dump where allowed, the end of every thread; the parent's wait says
 * "killed by SIGSYS", a shell prints "Bad system call"). The thread is blocked in the notified call:
 * the signal interrupts it, so the call never runs. When SIGSYS is blocked, ignored or caught there
 * (the kernel's kill ignores all that), or another thread installs a handler meanwhile (re-checked
 * after sending; a handler installed later still only sees the call refused, and that process's next
 * notified call is a SIGKILL), SIGKILL ends the process instead. */
static void kill_for_filter(pid_t tgid, pid_t tid) {
  if (!is_doomed(tgid) && n_doomed < sizeof doomed / sizeof doomed[0] && sigsys_default(tid) &&
      syscall(SYS_tgkill, tgid, tid, SIGSYS) == 0) {
    doomed[n_doomed++] = tgid;
    if (sigsys_default(tid)) return;
  }
  (void)kill(tgid, SIGKILL);
}

static void handle(void) {
  struct seccomp_notif n;
  memset(&n, 0, sizeof n); /* the kernel refuses a buffer that is not zeroed */
  if (ioctl(sv.nfd, SECCOMP_IOCTL_NOTIF_RECV, &n)) {
    if (errno != EINTR && errno != ENOENT) { /* ENOENT: the task died while queued */
      close(sv.nfd);
      sv.nfd = -1;
    }
    return;
  }
  struct seccomp_notif_resp resp = {.id = n.id};
  if (sv.s->supervise == SUPERVISE_LEARN) {
    learn(&n);
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else {
    uint32_t ret = seccomp_eval(sv.s->filter, sv.s->filter_len, &n.data);
    uint32_t act = ret & SECCOMP_RET_ACTION_FULL;
    /* /proc is read only for what is recorded or killed: a program that makes a refused call in a
     * loop costs the round trip per call, not two file reads. */
    pid_t tgid = 0, nspid = 0;
    int kills = act != SECCOMP_RET_ERRNO && act != SECCOMP_RET_ALLOW && act != SECCOMP_RET_LOG &&
                act != SECCOMP_RET_USER_NOTIF;
    if (sv.n_viol < MAX_VIOLATIONS || kills) task_ids((pid_t)n.pid, &tgid, &nspid);
    if (sv.n_viol < MAX_VIOLATIONS) {
      struct sv_rec *r = &viol[sv.n_viol++];
      r->kind = SV_REC_VIOLATION;
      r->arch = n.data.arch;
      r->nr = (uint32_t)n.data.nr;
      r->action = ret;
      r->count = 1;
      r->pid = nspid;
      memcpy(r->args, n.data.args, sizeof r->args);
      task_comm((pid_t)n.pid, r->comm);
    } else {
      sv.lost++;
    }
    if (act == SECCOMP_RET_ERRNO) {
      resp.error = -(int)(ret & SECCOMP_RET_DATA);
      if (resp.error < -4095) resp.error = -4095;
    } else if (act == SECCOMP_RET_ALLOW || act == SECCOMP_RET_LOG) {
      resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE; /* a computed return (RET A) that allows */
    } else if (act == SECCOMP_RET_USER_NOTIF) {
      resp.error = -ENOSYS; /* what the kernel answers when nobody listens */
    } else {
      /* Kill before answering: the call must not run. The id check makes sure the tid still names
       * the blocked task (it cannot exit while it waits, but something could have killed it). */
      if (ioctl(sv.nfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &n.id) == 0) {
        if (tgid == 0) tgid = (pid_t)n.pid;
        if (sv.target && tgid == sv.target) sv.target_killed = 1;
        kill_for_filter(tgid, (pid_t)n.pid);
      }
      resp.error = -EPERM;
    }
  }
  (void)ioctl(sv.nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

void sv_ready(short revents) {
  if (sv.nfd < 0) {
    if (revents) take_listener();
    return;
  }
  if (revents & POLLIN) {
    handle();
  } else if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
    close(sv.nfd); /* every filtered task is gone */
    sv.nfd = -1;
  }
}

void sv_flush(int fd) {
  if (!sv.s) return;
  /* Whatever is still queued (the jail is dead: nothing more can arrive). */
  if (sv.nfd >= 0) {
    struct pollfd p = {.fd = sv.nfd, .events = POLLIN};
    while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && sv.nfd >= 0) handle();
  }
  for (unsigned i = 0; i < sv.n_viol; i++) (void)report_sv_record(fd, &viol[i]);
  for (unsigned i = 0; i < MAX_LEARNED; i++)
    if (learned[i].kind) (void)report_sv_record(fd, &learned[i]);
  if (sv.lost) {
    struct sv_rec r = {.kind = SV_REC_LOST, .count = sv.lost};
    (void)report_sv_record(fd, &r);
  }
}

int sv_status(int st) {
  /* The target died of the supervisor's SIGKILL: the kernel's own kill would have been SIGSYS. */
  if (sv.target_killed && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) return SIGSYS;
  return st;
}
