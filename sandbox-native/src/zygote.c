/* zygote.c - the prestarted launcher (the default, docs/architecture.md "Prestarted mode"): the same
 * binary started once per JVM with argv[1] "--zygote", fd 3 one end of a SOCK_SEQPACKET socketpair,
 * fd 6 the lifeline. Each request is one message: a header, the spec (inline, or in a memfd passed
 * as an fd) and the jail's fds by SCM_RIGHTS. The zygote itself clones the jail's pid 1 (no
 * per-jail launcher process), writes its maps, releases it, replies with the pid and a pidfd, and
 * supervises every jail in one poll loop: SIGCHLD by signalfd, per-jail wall-clock limits, the
 * lifeline. When a jail's pid 1 ends it reaps it, writes the result record to that jail's result
 * fd and closes it (the EOF Java's Reaper waits for).
 *
 * Isolation between jails: every fd the zygote holds is close-on-exec, and the cloned child closes
 * every fd but its own before it does anything else (clone without exec ignores close-on-exec).
 * A jail's pid 1 is a clone of this process without exec, so it carries our memory: every buffer
 * that held a request, a spec or a decoded spec is zeroed before it is freed or reused (msg,
 * scrub_free, spec_free, report_status), so the next jail's clone finds nothing of the last one. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jail.h"
#include "report.h"

#define REQ_MAX_FDS 253 /* SCM_MAX_FD */
#define N_FIXED REQ_FIXED_FDS

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

extern const int forwarded_signals[];
extern const int n_forwarded_signals;

struct zjail {
  pid_t pid;
  int result_fd, sync_w, init_r;
  uint32_t clone_flags, options, flags;
  int64_t deadline;
  int killed;
  struct zjail *next;
};

static struct zjail *jails;
static int n_jails;

/* Network namespaces made ahead (a root zygote; docs/architecture.md "Prestarted mode"): creating
 * one is the costliest step of a clone, so after the first jail that asks for one the zygote makes
 * the next while it waits (unshare, keep an fd, setns back), and clones an eligible jail into it
 * instead of with CLONE_NEWNET. Each is fresh and given to one jail only. It is owned by the
 * zygote's user namespace, not the jail's, so only a jail that can hold no capability over it is
 * eligible (net_ahead_eligible); loopback is brought up by the zygote, at the request. */
static int own_net = -1;   /* the zygote's own network namespace */
static int spare_net = -1; /* made ahead, not yet given to a jail */
static int net_ahead;      /* 0 not yet wanted, 1 wanted, -1 unavailable here */

static uint32_t get32(const uint8_t *b) {
  return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static void kill_jail(struct zjail *j, uint32_t why) {
  if (j->killed) return;
  j->killed = 1;
  j->flags |= why;
  (void)kill(j->pid, SIGKILL);
  if (!(j->clone_flags & CLONE_NEWPID) && (j->options & OPT_NEW_SESSION)) (void)kill(-j->pid, SIGKILL);
}

/* The zygote is about to exit without serving its jails to the end: kill each one's pid 1 first.
 * Every jail here has its own pid namespace (Java sends share(PID) jails to a per-jail launcher,
 * which can be their subreaper), so that kills all of it; their pdeathsig is no defence, a pid 1
 * that is the program (execDirectly) may have cleared it. */
static __attribute__((noreturn)) void exit_killing_all(int code) {
  for (struct zjail *z = jails; z; z = z->next) kill_jail(z, RESULT_F_LIFELINE);
  _exit(code);
}

/* Whether the jail cannot tell a namespace made ahead from its own: a jail with a user namespace
 * keeps no capability (the bounding set is cleared with them, caps.c), so it could do nothing
 * that needs one over its network namespace anyway; without a user namespace both are the
 * zygote's. */
static int net_ahead_eligible(const struct spec *s) {
  return (s->clone_flags & CLONE_NEWNET) && (!(s->clone_flags & CLONE_NEWUSER) || !s->has_caps || !s->caps_keep);
}

static void net_make_spare(void) {
  if (net_ahead != 1 || spare_net >= 0) return;
  if (unshare(CLONE_NEWNET)) {
    net_ahead = -1;
    return;
  }
  spare_net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (setns(own_net, CLONE_NEWNET)) exit_killing_all(STEP_EXIT); /* never serve from another namespace */
  if (spare_net < 0) net_ahead = -1;
}

/* Enters the spare namespace for the next clone when the jail is eligible; 1 entered (the caller
 * clones without CLONE_NEWNET and calls net_leave), 0 not, -1 failed (a status record went out). */
static int net_enter_spare(const struct spec *s) {
  if (!(s->clone_flags & CLONE_NEWNET) || geteuid() != 0 || net_ahead < 0) return 0;
  if (!net_ahead) {
    own_net = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    net_ahead = own_net >= 0 ? 1 : -1;
  }
  if (spare_net < 0 || !net_ahead_eligible(s)) return 0;
  int fd = spare_net;
  spare_net = -1;
  int rc = setns(fd, CLONE_NEWNET);
  close(fd);
  if (rc) return 0;
  if ((s->options & OPT_LOOPBACK_UP) && net_loopback_up()) {
    if (setns(own_net, CLONE_NEWNET)) exit_killing_all(STEP_EXIT);
    return -1;
  }
  return 1;
}

static void net_leave(void) {
  if (setns(own_net, CLONE_NEWNET)) exit_killing_all(STEP_EXIT);
}

static void reply(pid_t pid, int pidfd) {
  uint8_t b[8];
  for (int i = 0; i < 4; i++) b[i] = (uint8_t)(REPLY_MAGIC >> (8 * i));
  for (int i = 0; i < 4; i++) b[4 + i] = (uint8_t)((uint32_t)pid >> (8 * i));
  struct iovec iov = {.iov_base = b, .iov_len = sizeof b};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
  if (pidfd >= 0) {
    memset(&u, 0, sizeof u);
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pidfd, sizeof(int));
  }
  while (sendmsg(ZFD_SOCK, &m, MSG_NOSIGNAL) < 0 && errno == EINTR) {}
}

/* In the cloned child: keep only this jail's fds, in the launcher's layout (0-2 stdio, 4 status,
 * 7.. kept), plus the sync and init pipes high and close-on-exec. */
static void child_fds(int *fds, int nfds, int n_kept, int *sync_r, int *init_w) {
  int own[REQ_MAX_FDS + 2];
  int n = 0, base = FD_FIRST_KEPT + n_kept;
  if (base < 10) base = 10;
  for (int i = 0; i < nfds; i++) own[n++] = fds[i];
  own[n++] = *sync_r;
  own[n++] = *init_w;
  for (int i = 0; i < n; i++) {
    if (own[i] < 0) continue;
    own[i] = fcntl(own[i], F_DUPFD_CLOEXEC, base);
    if (own[i] < 0) _exit(STEP_EXIT);
  }
  fds_close_except(own, (size_t)n, 3);
  for (int fd = 0; fd < 3; fd++)
    if (dup2(own[fd], fd) < 0) _exit(STEP_EXIT);
  if (dup2(own[3], 4) < 0 || fcntl(4, F_SETFD, FD_CLOEXEC)) _exit(STEP_EXIT);
  for (int i = 0; i < n_kept; i++)
    if (dup2(own[N_FIXED + i], FD_FIRST_KEPT + i) < 0) _exit(STEP_EXIT);
  for (int i = 0; i < nfds; i++)
    if (i != 4) close(own[i]); /* own[4], the result fd, was never duplicated: it is -1 here */
  /* The internal fds to the lowest free numbers, as the launcher has them: a low RLIMIT_NOFILE
   * from the spec applies before fds_apply moves them (step 7 vs 13). */
  int *internal[2] = {&own[n - 2], &own[n - 1]};
  for (int i = 0; i < 2; i++) {
    if (*internal[i] < 0) continue;
    int low = fcntl(*internal[i], F_DUPFD_CLOEXEC, 3);
    if (low < 0) _exit(STEP_EXIT);
    close(*internal[i]);
    *internal[i] = low;
  }
  *sync_r = own[n - 2];
  *init_w = own[n - 1];
}

static uint8_t *read_memfd(int fd, size_t *len) {
  struct stat st;
  if (fstat(fd, &st) || st.st_size < 0 || (uint64_t)st.st_size > SPEC_MAX_BYTES) {
    errno = errno ? errno : E2BIG;
    return NULL;
  }
  uint8_t *b = malloc((size_t)st.st_size + 1);
  if (!b) return NULL;
  size_t n = 0;
  while (n < (size_t)st.st_size) {
    ssize_t r = pread(fd, b + n, (size_t)st.st_size - n, (off_t)n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      free(b);
      errno = r < 0 ? errno : EIO;
      return NULL;
    }
    n += (size_t)r;
  }
  *len = n;
  return b;
}

static void close_all(int *fds, int n) {
  for (int i = 0; i < n; i++)
    if (fds[i] >= 0) close(fds[i]);
}

/* Frees a buffer that held a spec, zeroed first: freed memory keeps its bytes, and every later
 * jail's pid 1 is a clone of this process (the prestarted mode's "nothing passes between jails"). */
static void scrub_free(uint8_t *b, size_t n) {
  if (!b) return;
  explicit_bzero(b, n);
  free(b);
}

static uint8_t msg[REQ_HEADER + REQ_INLINE_MAX];

/* In the jail's pid 1, before contain_run: only this jail's fds, its signal mask. */
struct zchild {
  int *fds;
  int nfds, n_kept;
  const sigset_t *jail_mask;
};
static void zchild_setup(struct jail *j, void *arg) {
  struct zchild *zc = arg;
  zc->fds[4] = -1; /* the result fd stays with the zygote */
  child_fds(zc->fds, zc->nfds, zc->n_kept, &j->sync_fd, &j->init_wr);
  report_reset(FD_STATUS);
  sigprocmask(SIG_SETMASK, zc->jail_mask, NULL);
}

static int serve_request(const sigset_t *jail_mask, size_t *used);

/* One request. Returns -1 when the socket is gone (EOF or error). The request's bytes are zeroed
 * in the message buffer before the next request (or clone) can see them. */
static int serve_one(const sigset_t *jail_mask) {
  size_t used = 0;
  int rc = serve_request(jail_mask, &used);
  explicit_bzero(msg, used);
  return rc;
}

static int serve_request(const sigset_t *jail_mask, size_t *used) {
  static union {
    char buf[CMSG_SPACE(sizeof(int) * REQ_MAX_FDS)];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = {.iov_base = msg, .iov_len = sizeof msg};
  struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
  ssize_t len = recvmsg(ZFD_SOCK, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (len < 0) return errno == EINTR || errno == EAGAIN ? 0 : -1;
  *used = (size_t)len < sizeof msg ? (size_t)len : sizeof msg;
  if (len == 0) return -1;
  int fds[REQ_MAX_FDS];
  int nfds = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < k && nfds < REQ_MAX_FDS; i++) memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
  }
  if (len >= REQ_HEADER && get32(msg) == REQ_MAGIC && ((get32(msg + 4) >> 16) & REQ_F_LOCK)) {
    close_all(fds, nfds);
    int taken = !(m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) && nfds == 0 &&
                lockin_set(msg + REQ_HEADER, (size_t)len - REQ_HEADER) == 0;
    reply(taken ? 1 : 0, -1);
    return 0;
  }
  report_reset(nfds > 3 ? fds[3] : -1);
  int result_fd = nfds > 4 ? fds[4] : -1;
  uint32_t rflags = len >= REQ_HEADER ? get32(msg + 4) >> 16 : 0;
  int n_kept = len >= REQ_HEADER ? (int)get32(msg + 8) : -1;
  int with_memfd = (rflags & REQ_F_SPEC_MEMFD) != 0;
  if ((m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || len < REQ_HEADER || get32(msg) != REQ_MAGIC ||
      (get32(msg + 4) & 0xffff) != 1 || n_kept < 0 || n_kept > REQ_MAX_FDS ||
      nfds != N_FIXED + with_memfd + n_kept) {
    report_status(-1, STEP_SPEC, EINVAL, NULL, "malformed request to the prestarted launcher");
    goto fail_early;
  }
  size_t spec_len = (size_t)len - REQ_HEADER;
  uint8_t *spec_buf = NULL;
  if (with_memfd) {
    int mfd = fds[N_FIXED];
    spec_buf = read_memfd(mfd, &spec_len);
    if (!spec_buf) {
      fail_errno(-1, STEP_SPEC, errno, NULL, "read the spec memfd");
      goto fail_early;
    }
    close(mfd);
    /* the kept fds follow the memfd: shift them down so fds[] is stdio, status, result, kept */
    memmove(&fds[N_FIXED], &fds[N_FIXED + 1], (size_t)n_kept * sizeof(int));
    nfds--;
  } else {
    spec_buf = malloc(spec_len + 1);
    if (!spec_buf) {
      report_status(-1, STEP_SPEC, ENOMEM, NULL, "out of memory");
      goto fail_early;
    }
    memcpy(spec_buf, msg + REQ_HEADER, spec_len);
  }
  struct spec s;
  struct spec_error err;
  if (spec_decode(spec_buf, spec_len, &s, &err)) {
    scrub_free(spec_buf, spec_len);
    report_status(err.op_index, STEP_SPEC, EINVAL, NULL, err.detail);
    explicit_bzero(&err, sizeof err);
    goto fail_early;
  }
  /* supervise: one zygote serves many jails; a supervised filter needs a launcher of its own. */
  if (s.has_seccomp && s.supervise) {
    report_status(-1, STEP_SECCOMP, EINVAL, NULL, "a supervised seccomp filter needs a per-jail launcher");
    goto fail_spec;
  }
  /* cgroups: placing a jail is spawn.c's, but ending its cgroups (cgroup_finish) is the per-jail
   * launcher's; Java sends such a spec there (Spawner). */
  if (s.n_cgroups) {
    report_status(-1, STEP_CGROUP, EINVAL, NULL, "cgroup limits need a per-jail launcher");
    goto fail_spec;
  }
  /* After a LOCK: nothing beyond the lockdown's limits, whoever wrote the spec. */
  if (lockin_check(&s, geteuid() == 0)) goto fail_spec;
  struct jail tmpl = {.s = &s, .sv_sock = -1};
  struct zchild zc = {.fds = fds, .nfds = nfds, .n_kept = n_kept, .jail_mask = jail_mask};
  struct spawn sp;
  int in_spare = net_enter_spare(&s);
  if (in_spare < 0) goto fail_spec;
  if (in_spare) s.clone_flags &= ~(uint32_t)CLONE_NEWNET; /* the jail is cloned into the spare */
  int cloned = spawn_clone(&sp, &tmpl, zchild_setup, &zc);
  if (in_spare) net_leave();
  if (cloned) goto fail_spec;
  pid_t pid = sp.pid;
  if (spawn_release(&sp, &s)) goto fail_spec;
  struct zjail *z = calloc(1, sizeof *z);
  if (!z) {
    report_status(-1, STEP_CLONE, ENOMEM, NULL, "out of memory");
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    close(sp.sync_w);
    if (sp.init_r >= 0) close(sp.init_r);
    goto fail_spec;
  }
  z->pid = pid;
  z->result_fd = result_fd;
  z->sync_w = sp.sync_w; /* kept open: its HUP tells the jail the zygote is gone */
  z->init_r = sp.init_r;
  z->clone_flags = s.clone_flags;
  z->options = s.options;
  z->deadline = spawn_deadline(&s);
  z->next = jails;
  jails = z;
  n_jails++;
  spec_free(&s);
  scrub_free(spec_buf, spec_len);
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  fds[4] = -1;
  close_all(fds, nfds); /* the jail has its copies; status EOF now depends on the jail alone */
  report_reset(-1);
  reply(pid, pidfd);
  if (pidfd >= 0) close(pidfd);
  return 0;

fail_spec:
  spec_free(&s);
  scrub_free(spec_buf, spec_len);
fail_early:
  if (result_fd >= 0) (void)report_result(result_fd, RESULT_EXITED, STEP_EXIT, 0);
  close_all(fds, nfds);
  report_reset(-1);
  reply(0, -1);
  return 0;
}

static void jail_ended(struct zjail *z, int st) {
  st = status_from_init(z->init_r, st);
  uint32_t flags = z->flags;
  if (WIFSIGNALED(st)) {
    if (WCOREDUMP(st)) flags |= RESULT_F_CORE;
    (void)report_result(z->result_fd, RESULT_SIGNALED, WTERMSIG(st), flags);
  } else {
    (void)report_result(z->result_fd, RESULT_EXITED, WIFEXITED(st) ? WEXITSTATUS(st) : STEP_EXIT, flags);
  }
  close(z->result_fd);
  close(z->sync_w);
  if (z->init_r >= 0) close(z->init_r);
}

/* Ordering: the result record is written and the result fd closed BEFORE the pid is reaped, so
 * the jail's pid cannot be recycled before Java has seen the EOF (waitid WNOWAIT peeks). */
static void reap_all(void) {
  for (;;) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0) return;
    pid_t p = si.si_pid;
    int st = si.si_code == CLD_EXITED ? (si.si_status & 0xff) << 8
                                      : (si.si_status & 0x7f) | (si.si_code == CLD_DUMPED ? 0x80 : 0);
    for (struct zjail **pp = &jails; *pp; pp = &(*pp)->next) {
      if ((*pp)->pid != p) continue;
      struct zjail *z = *pp;
      *pp = z->next;
      n_jails--;
      jail_ended(z, st);
      free(z);
      break;
    }
    while (waitpid(p, NULL, 0) < 0 && errno == EINTR) {}
  }
}

void zygote_main(void) {
  prctl(PR_SET_NAME, "sb4j-zygote", 0, 0, 0);
  /* Non-dumpable for life: no process sharing our uid reads the specs we decode or takes the fds
   * we hold (an unprivileged jail therefore writes its own maps, userns.c). */
  (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  int type = 0;
  socklen_t tl = sizeof type;
  if (getsockopt(ZFD_SOCK, SOL_SOCKET, SO_TYPE, &type, &tl) || type != SOCK_SEQPACKET) {
    static const char usage[] = "sandbox4j-launcher --zygote: started by the sandbox4j library; not meant to be run by hand\n";
    (void)!write(2, usage, sizeof usage - 1);
    _exit(STEP_EXIT);
  }
  for (int fd = 0; fd < 3; fd++)
    if (fcntl(fd, F_GETFD) < 0) {
      int n = open("/dev/null", O_RDWR);
      if (n >= 0 && n != fd) {
        dup2(n, fd);
        close(n);
      }
    }
  int lifeline = fcntl(ZFD_LIFELINE, F_GETFD) >= 0 ? ZFD_LIFELINE : -1;
  /* fd 5: the write end of the death pipe; Java's reaper sees EOF when the zygote has exited. */
  int keep[3] = {ZFD_SOCK, ZFD_DEATH, lifeline};
  fds_close_except(keep, 3, 3);
  fcntl(ZFD_SOCK, F_SETFD, FD_CLOEXEC);
  fcntl(ZFD_DEATH, F_SETFD, FD_CLOEXEC);
  if (lifeline >= 0) fcntl(lifeline, F_SETFD, FD_CLOEXEC);
  report_reset(-1);

  /* The jail's mask is the launcher's: SIGCHLD and the forwarded signals blocked (init takes them
   * with sigwaitinfo). The zygote also blocks SIGPIPE: a result fd whose reader Java already
   * closed gives EPIPE, never a death. */
  sigset_t jail_mask, zmask;
  sigemptyset(&jail_mask);
  sigaddset(&jail_mask, SIGCHLD);
  for (int i = 0; i < n_forwarded_signals; i++) sigaddset(&jail_mask, forwarded_signals[i]);
  zmask = jail_mask;
  sigaddset(&zmask, SIGPIPE);
  sigprocmask(SIG_BLOCK, &zmask, NULL);
  sigset_t watch;
  sigemptyset(&watch);
  sigaddset(&watch, SIGCHLD);
  sigaddset(&watch, SIGTERM);
  sigaddset(&watch, SIGINT);
  sigaddset(&watch, SIGHUP);
  int sfd = signalfd(-1, &watch, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) _exit(STEP_EXIT);

  int serving = 1;
  for (;;) {
    if (!serving && n_jails == 0) _exit(0);
    if (serving) net_make_spare();
    struct pollfd p[3] = {{.fd = sfd, .events = POLLIN},
                          {.fd = serving ? ZFD_SOCK : -1, .events = POLLIN},
                          {.fd = lifeline, .events = POLLIN}};
    int timeout = -1;
    int64_t now = now_ms();
    for (struct zjail *z = jails; z; z = z->next) {
      if (!z->deadline || z->killed) continue;
      int64_t left = z->deadline - now;
      int t = left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
      if (timeout < 0 || t < timeout) timeout = t;
    }
    int n = poll(p, 3, timeout);
    if (n < 0 && errno != EINTR) exit_killing_all(STEP_EXIT);
    now = now_ms();
    for (struct zjail *z = jails; z; z = z->next)
      if (z->deadline && !z->killed && now >= z->deadline) kill_jail(z, RESULT_F_TIME_LIMIT);
    if (n <= 0) continue;
    if (p[2].revents) {
      /* The JVM is gone: jails that die with it are killed; the rest keep the zygote alive. */
      for (struct zjail *z = jails; z; z = z->next)
        if (z->options & OPT_DIE_WITH_PARENT) kill_jail(z, RESULT_F_LIFELINE);
      close(lifeline);
      lifeline = -1;
      serving = 0;
    }
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
        if (si.ssi_signo != SIGCHLD) exit_killing_all(128 + (int)si.ssi_signo); /* asked to stop */
      reap_all();
    }
    if (serving && p[1].revents) {
      /* One request per wake-up, so SIGCHLD, deadlines and the lifeline are never starved. */
      if ((p[1].revents & POLLIN) ? serve_one(&jail_mask) < 0 : 1) serving = 0;
    }
  }
}
