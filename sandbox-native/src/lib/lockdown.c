/* lockdown.c - libsandbox4j.so: what Lockdown (org.sandbox4j.lockdown) must do in C.
 *
 * Most of the lockdown of a running JVM is process-wide in the kernel (rlimits, a seccomp filter
 * installed with TSYNC), but no_new_privs, capabilities and a Landlock domain (before ABI 8) belong
 * to one thread: the call only changes the calling thread. So sb4j_broadcast() makes every thread of
 * the process run the change itself:
 *
 *   1. the calling thread applies it first (a failure there leaves every other thread untouched);
 *   2. every tid of /proc/self/task not seen yet gets tgkill(SB4J_SIGNAL); its handler applies the
 *      change and appends {tid, errno, stage} to a result table (async-signal-safe: raw system calls
 *      and an atomic counter only);
 *   3. the caller waits until each signalled tid answered or is gone (tgkill(tid, 0) == ESRCH);
 *   4. it rescans /proc/self/task until a pass finds no new tid. A thread created by a thread that
 *      was already covered inherits the change from its creator; one created by a thread not yet
 *      covered is in /proc/self/task by the time its creator's handler has run (clone returns to
 *      user space, where the signal is delivered, only after the new task is listed), so the rescan
 *      that follows finds it.
 *
 * A thread that does not answer within the timeout (it blocks the signal, or is stopped) is reported
 * with stage TIMEOUT; Java fails the lockdown naming it. A kernel worker cloned from a user thread
 * (io_uring's iou-sqp-* and iou-wrk-*, vhost: PF_USER_WORKER) has every signal blocked and never
 * returns to user space, so it can neither answer nor run user code: one silent for a millisecond
 * has its stat flags read and is reported with stage WORKER instead of being waited for. Java refuses
 * such threads in PREPARE already (sb4j_preexisting), unless the caller accepted io_uring. The handler stays installed afterwards so a
 * late delivery cannot kill the process (a realtime signal's default action is to terminate).
 *
 * The signal is SIGRTMIN+6 (glibc's SIGRTMIN is 34 after its two private signals, so 40). HotSpot uses
 * SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGQUIT, SIGUSR2 (suspend/resume), SIGPIPE and SIGXFSZ and
 * no realtime signal; sb4j_broadcast refuses to run if some other code has a handler on it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/securebits.h>
#include <linux/seccomp.h>

#include "../landlock_uapi.h"

#define EXPORT __attribute__((visibility("default")))

#define ACT_NO_NEW_PRIVS 0x1
#define ACT_LANDLOCK 0x2
#define ACT_CAPS 0x4

enum stage { ST_OK = 0, ST_NNP = 1, ST_LANDLOCK = 2, ST_BOUNDING = 3, ST_CAPSET = 4, ST_AMBIENT = 5,
             ST_TIMEOUT = 9, ST_WORKER = 10 };

/* include/linux/sched.h: an io_uring thread (SQPOLL or io-wq), and any kernel worker cloned from a
 * user thread (io threads, vhost). Such a thread never returns to user space, has every signal but
 * SIGKILL/SIGSTOP blocked, and so never answers the broadcast. */
#define SB4J_PF_IO_WORKER 0x10
#define SB4J_PF_USER_WORKER 0x4000

#define MAX_SLOTS 65536

struct slot {
  int32_t tid, err, stage;
  atomic_int ready; /* set (release) once tid, err and stage are written */
};

/* What the handler does; written before any signal is sent, read-only while handlers run. */
static volatile int g_actions, g_ruleset_fd, g_landlock_flags;
static volatile uint64_t g_bounding; /* capabilities to drop from the bounding set */
static volatile int g_can_setpcap;
static struct slot *g_slots;          /* MAX_SLOTS entries, mmap'd once */
static atomic_int g_next;             /* next free slot */

static int sys_gettid(void) { return (int)syscall(SYS_gettid); }

/* Applies the actions to the calling thread; returns the stage that failed (errno set) or 0. */
static int apply_here(void) {
  int act = g_actions;
  if ((act & ACT_NO_NEW_PRIVS) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) return ST_NNP;
  if ((act & ACT_LANDLOCK) && syscall(__NR_landlock_restrict_self, g_ruleset_fd, g_landlock_flags))
    return ST_LANDLOCK;
  if (act & ACT_CAPS) {
    uint64_t bnd = g_bounding;
    if (g_can_setpcap) {
      for (int c = 0; c < 64; c++)
        if ((bnd >> c) & 1)
          if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) && errno != EINVAL) return ST_BOUNDING;
      /* uid 0 gains nothing from exec any more (no_new_privs and an empty permitted set already see to it). */
      (void)prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                                         SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0);
    }
    /* A thread with nothing in its effective, permitted and inheritable sets has nothing to drop
     * (the ambient set is always within permitted and inheritable): capget changes nothing, where
     * capset would build and install new credentials. capset of empty sets also empties the ambient
     * set (the kernel keeps only ambient bits still both permitted and inheritable), so no
     * PR_CAP_AMBIENT_CLEAR_ALL, which would install new credentials once more. VERIFY reads CapAmb
     * of every thread all the same. */
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) || d[0].effective | d[0].permitted | d[0].inheritable | d[1].effective |
                                          d[1].permitted | d[1].inheritable) {
      memset(d, 0, sizeof d);
      if (syscall(SYS_capset, &h, d)) return ST_CAPSET;
    }
  }
  return ST_OK;
}

static void record(int tid, int stage, int err) {
  int i = atomic_fetch_add(&g_next, 1);
  if (i < MAX_SLOTS) {
    g_slots[i].tid = tid;
    g_slots[i].stage = stage;
    g_slots[i].err = stage ? err : 0;
    /* Slots fill out of order (a handler may be preempted between taking its slot and writing it):
     * the caller reads a slot only once it is marked ready, never a count of answers. */
    atomic_store_explicit(&g_slots[i].ready, 1, memory_order_release);
  }
}

static void handler(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)uc;
  int saved = errno;
  /* Only our own process's broadcasts (si_code SI_TKILL from this pid) do anything. */
  if (si->si_code == SI_TKILL && si->si_pid == getpid()) {
    int st = apply_here();
    record(sys_gettid(), st, errno);
  }
  errno = saved;
}

EXPORT int sb4j_signal(void) { return SIGRTMIN + 6; }

static int installed;

static int install_handler(int signo) {
  if (installed) return 0;
  struct sigaction old;
  if (sigaction(signo, NULL, &old)) return -errno;
  if ((old.sa_flags & SA_SIGINFO) ? old.sa_sigaction != NULL
                                  : (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN))
    return -EBUSY;
  if (!g_slots) {
    void *m = mmap(NULL, MAX_SLOTS * sizeof(struct slot), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return -errno;
    g_slots = m;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigfillset(&sa.sa_mask); /* nothing interrupts the handler */
  if (sigaction(signo, &sa, NULL)) return -errno;
  installed = 1;
  return 0;
}

struct tidset {
  int *tid;
  signed char *state; /* 0 signalled, 1 answered, 2 gone, 3 timed out, 4 kernel worker,
                       * 5 signalled and known not to be a worker */
  size_t n, cap;
};

static ssize_t tidset_find(const struct tidset *s, int tid) {
  for (size_t i = 0; i < s->n; i++)
    if (s->tid[i] == tid) return (ssize_t)i;
  return -1;
}

static int tidset_add(struct tidset *s, int tid) {
  if (s->n == s->cap) {
    size_t c = s->cap ? s->cap * 2 : 512;
    int *t = realloc(s->tid, c * sizeof *t);
    if (!t) return -1;
    s->tid = t;
    signed char *st = realloc(s->state, c);
    if (!st) return -1;
    s->state = st;
    s->cap = c;
  }
  s->tid[s->n] = tid;
  s->state[s->n] = 0;
  s->n++;
  return 0;
}

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Reads the small file <name>/<leaf> below the directory dfd into buf (NUL-terminated); its length,
 * or -1 when it is gone (an fd closed, a thread or process that exited) or unreadable. */
static ssize_t read_below(int dfd, const char *name, const char *leaf, char *buf, size_t cap) {
  char path[300];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", name, leaf) >= sizeof path) return -1;
  int fd = openat(dfd, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t k = read(fd, buf, cap - 1);
  close(fd);
  if (k <= 0) return -1;
  buf[k] = 0;
  return k;
}

/* The PF_* flags of thread `tid` (field 9 of its stat line, after the parenthesised comm, which
 * may hold spaces and parentheses), or -1 when it exited or cannot be read. */
static long long task_flags(int dfd, const char *tid) {
  char st[1024];
  if (read_below(dfd, tid, "stat", st, sizeof st) < 0) return -1;
  char *p = strrchr(st, ')');
  if (!p) return -1;
  /* state ppid pgrp session tty_nr tpgid flags */
  for (int field = 0; field < 6; field++) {
    p = strchr(p + 1, ' ');
    if (!p) return -1;
  }
  p = strchr(p + 1, ' ');
  return p ? strtoll(p + 1, NULL, 10) : -1;
}

/* Calls fn(dfd, name, ctx) for each entry of the open directory dfd whose name is a number (a tid,
 * a pid, an fd). */
static void each_number(int dfd, void (*fn)(int dfd, const char *name, void *ctx), void *ctx) {
  char dents[4096];
  for (;;) {
    long n = syscall(SYS_getdents64, dfd, dents, sizeof dents);
    if (n <= 0) return;
    for (long off = 0; off < n;) {
      struct dirent64 *e = (struct dirent64 *)(dents + off);
      off += e->d_reclen;
      if (e->d_name[0] >= '0' && e->d_name[0] <= '9') fn(dfd, e->d_name, ctx);
    }
  }
}

/*
 * Makes every thread of the process apply `actions` (ACT_*) to itself. out receives {tid, errno,
 * stage} triples, one per thread that answered or did not answer in time (the caller first); returns
 * how many triples there are (more than out_cap/3 means some were not written), or -errno when
 * nothing could be started (then nothing was applied anywhere). A thread still silent a millisecond
 * after its signal has its stat flags read once: a kernel worker (PF_USER_WORKER) cannot answer and
 * runs no user code, so it is not waited for but reported as {tid, its PF_* worker flags,
 * ST_WORKER}; Java decides whether that is acceptable.
 */
EXPORT int sb4j_broadcast(int actions, int ruleset_fd, int landlock_flags, long long bounding,
                          int timeout_ms, int *out, int out_cap) {
  int signo = sb4j_signal();
  if (actions & ~(ACT_NO_NEW_PRIVS | ACT_LANDLOCK | ACT_CAPS)) return -EINVAL;
  int rc = install_handler(signo);
  if (rc) return rc;
  g_actions = actions;
  g_ruleset_fd = ruleset_fd;
  g_landlock_flags = landlock_flags;
  g_bounding = (uint64_t)bounding;
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  g_can_setpcap = !syscall(SYS_capget, &h, d) && (d[0].effective & (1u << CAP_SETPCAP));
  /* The slots of an earlier broadcast, ready again for this one. */
  int used = atomic_load(&g_next);
  for (int i = 0; i < used && i < MAX_SLOTS; i++) atomic_store(&g_slots[i].ready, 0);
  atomic_store(&g_next, 0);

  int self = sys_gettid(), pid = getpid();
  int n_out = 0;
#define EMIT(t, e, s)                         \
  do {                                        \
    if ((n_out + 1) * 3 <= out_cap) {         \
      out[n_out * 3] = (t);                   \
      out[n_out * 3 + 1] = (e);               \
      out[n_out * 3 + 2] = (s);               \
    }                                         \
    n_out++;                                  \
  } while (0)

  /* Opened before the caller restricts itself: its Landlock domain may not allow reading /proc. */
  int dfd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return -errno;
  int st = apply_here();
  EMIT(self, st ? errno : 0, st);
  if (st) {
    close(dfd);
    return n_out; /* nothing else touched */
  }

  struct tidset seen = {0};
  if (tidset_add(&seen, self)) {
    close(dfd);
    return -ENOMEM;
  }
  seen.state[0] = 1;
  int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
  int sent = 0, consumed = 0, failed = 0;
  char buf[4096];
  for (;;) {
    /* Scan: signal every tid not seen yet. */
    int fresh = 0;
    lseek(dfd, 0, SEEK_SET);
    for (;;) {
      long n = syscall(SYS_getdents64, dfd, buf, sizeof buf);
      if (n <= 0) break;
      for (long off = 0; off < n;) {
        struct dirent64 *e = (struct dirent64 *)(buf + off);
        off += e->d_reclen;
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        int tid = atoi(e->d_name);
        if (tidset_find(&seen, tid) >= 0) continue;
        if (tidset_add(&seen, tid)) {
          failed = -ENOMEM;
          goto out;
        }
        fresh++;
        if (syscall(SYS_tgkill, pid, tid, signo)) {
          seen.state[seen.n - 1] = 2; /* exited between the scan and the signal */
        } else {
          sent++;
        }
      }
    }
    if (!fresh) break;
    /* Wait for each signalled tid: answered, or gone. */
    int64_t last_probe = now_ns();
    for (;;) {
      for (; consumed < MAX_SLOTS && atomic_load_explicit(&g_slots[consumed].ready, memory_order_acquire);
           consumed++) {
        ssize_t i = tidset_find(&seen, g_slots[consumed].tid);
        if (i >= 0) seen.state[i] = 1;
        EMIT(g_slots[consumed].tid, g_slots[consumed].err, g_slots[consumed].stage);
        if (g_slots[consumed].stage) failed = 1;
      }
      int waiting = 0;
      int64_t t = now_ns();
      int probe = t - last_probe > 1000000;
      for (size_t i = 0; i < seen.n; i++) {
        if (seen.state[i] != 0 && seen.state[i] != 5) continue;
        if (probe && syscall(SYS_tgkill, pid, seen.tid[i], 0) && errno == ESRCH) {
          seen.state[i] = 2;
          continue;
        }
        if (probe && seen.state[i] == 0) {
          char name[16];
          snprintf(name, sizeof name, "%d", seen.tid[i]);
          long long fl = task_flags(dfd, name);
          if (fl >= 0 && (fl & SB4J_PF_USER_WORKER)) {
            EMIT(seen.tid[i], (int)(fl & (SB4J_PF_USER_WORKER | SB4J_PF_IO_WORKER)), ST_WORKER);
            seen.state[i] = 4;
            continue;
          }
          seen.state[i] = 5;
        }
        waiting++;
      }
      if (probe) last_probe = t;
      if (!waiting) break;
      if (t > deadline) {
        for (size_t i = 0; i < seen.n; i++)
          if (seen.state[i] == 0 || seen.state[i] == 5) {
            EMIT(seen.tid[i], ETIMEDOUT, ST_TIMEOUT);
            seen.state[i] = 3;
          }
        failed = 1;
        goto out;
      }
      struct timespec ts = {0, 20000};
      nanosleep(&ts, NULL);
    }
  }
out:
  (void)sent;
  close(dfd);
  free(seen.tid);
  free(seen.state);
  if (failed < 0) return failed;
  return n_out;
#undef EMIT
}

/* Landlock ABI version of the running kernel, or -errno (ENOSYS: not built in; EOPNOTSUPP: off). */
EXPORT int sb4j_landlock_abi(void) {
  long v = syscall(__NR_landlock_create_ruleset, NULL, 0, SB4J_LL_CREATE_RULESET_VERSION);
  return v < 0 ? -errno : (int)v;
}

/* A new ruleset fd (close-on-exec) handling these rights, or -errno. */
EXPORT int sb4j_landlock_ruleset(long long fs, long long net) {
  struct sb4j_ll_ruleset_attr a = {(uint64_t)fs, (uint64_t)net, 0};
  long fd = syscall(__NR_landlock_create_ruleset, &a, sb4j_ll_attr_size((uint64_t)net, 0), 0);
  return fd < 0 ? -errno : (int)fd;
}

/* Allows `access` beneath `path` (opened O_PATH here, by the caller's rights). 0 or -errno. */
EXPORT int sb4j_landlock_path(int ruleset_fd, const char *path, long long access) {
  int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0) return -errno;
  struct stat st;
  uint64_t acc = (uint64_t)access;
  if (!fstat(fd, &st) && !S_ISDIR(st.st_mode)) acc &= SB4J_LL_FILE_RIGHTS;
  if (!acc) {
    close(fd);
    return 0;
  }
  struct sb4j_ll_path_beneath_attr a = {acc, fd};
  long rc = syscall(__NR_landlock_add_rule, ruleset_fd, SB4J_LL_RULE_PATH_BENEATH, &a, 0);
  int err = errno;
  close(fd);
  return rc ? -err : 0;
}

/* Allows `access` (BIND_TCP, CONNECT_TCP) on a TCP port. 0 or -errno. */
EXPORT int sb4j_landlock_port(int ruleset_fd, long long port, long long access) {
  struct sb4j_ll_net_port_attr a = {(uint64_t)access, (uint64_t)port};
  return syscall(__NR_landlock_add_rule, ruleset_fd, SB4J_LL_RULE_NET_PORT, &a, 0) ? -errno : 0;
}

/* landlock_restrict_self on the calling thread only (flags may hold TSYNC on ABI 8+). 0 or -errno. */
EXPORT int sb4j_landlock_restrict_self(int ruleset_fd, int flags) {
  return syscall(__NR_landlock_restrict_self, ruleset_fd, flags) ? -errno : 0;
}

EXPORT int sb4j_close(int fd) { return close(fd) ? -errno : 0; }

/* Process-wide resource limit (the same for every thread). 0 or -errno. */
EXPORT int sb4j_prlimit(int resource, long long soft, long long hard) {
  struct rlimit r = {(rlim_t)soft, (rlim_t)hard};
  return prlimit(0, resource, &r, NULL) ? -errno : 0;
}

/* no_new_privs for the calling thread. */
EXPORT int sb4j_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? -errno : 0; }

/* Installs a classic BPF seccomp filter of `count` instructions (8 bytes each, little-endian as
 * struct sock_filter in memory) on every thread (TSYNC). Lockdown's SECCOMP step: the sock_fprog is
 * built here, so the JVM's side is one plain call. 0, or the tid of a thread that could not be
 * synchronised (> 0: nothing was installed), or -errno. */
EXPORT long sb4j_seccomp_tsync(const void *insns, int count, int extra_flags) {
  if (count <= 0 || count > BPF_MAXINSNS) return -EINVAL; /* sock_fprog's length is 16 bits */
  struct sock_fprog p = {(unsigned short)count, (struct sock_filter *)insns};
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC | extra_flags, &p);
  return rc < 0 ? -errno : rc;
}

/*
 * Reads NoNewPrivs, Seccomp, Seccomp_filters, CapInh, CapPrm, CapEff, CapBnd, CapAmb of every thread
 * into out (10 longs per thread: tid, those, and a spare -1; -1 when a line is missing). Returns the number of
 * threads (more than out_cap/10 means some were not written) or -errno.
 */
/* The PF_* flags of one thread of this process, or -1 (exited). VERIFY asks only for threads whose
 * status is not as required: a kernel worker cannot take the per-thread step. */
EXPORT long long sb4j_task_flags(int tid) {
  int dfd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return -1;
  char name[16];
  snprintf(name, sizeof name, "%d", tid);
  long long fl = task_flags(dfd, name);
  close(dfd);
  return fl;
}

struct status_rows {
  long long *out;
  int cap, n;
};

static void status_row(int dfd, const char *tid, void *ctx) {
  static const char *const keys[] = {"NoNewPrivs:", "Seccomp:", "Seccomp_filters:", "CapInh:",
                                     "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"};
  static const int hex[] = {0, 0, 0, 1, 1, 1, 1, 1};
  struct status_rows *r = ctx;
  char st[4096];
  if (read_below(dfd, tid, "status", st, sizeof st) < 0) return; /* the thread exited */
  if ((r->n + 1) * 10 <= r->cap) {
    long long *row = r->out + r->n * 10;
    row[0] = atoll(tid);
    for (int i = 0; i < 8; i++) row[1 + i] = -1;
    /* One pass over the lines (about 60, the keys near the end); the first line of each key counts. */
    int left = 8;
    unsigned found = 0;
    for (char *p = st; left && p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
      if (*p != 'N' && *p != 'S' && *p != 'C') continue;
      for (int i = 0; i < 8; i++) {
        size_t kl = strlen(keys[i]);
        if (!(found & (1u << i)) && !strncmp(p, keys[i], kl)) {
          row[1 + i] = (long long)strtoull(p + kl, NULL, hex[i] ? 16 : 10);
          found |= 1u << i;
          left--;
          break;
        }
      }
    }
    row[9] = -1;
  }
  r->n++;
}

EXPORT int sb4j_thread_status(long long *out, int out_cap) {
  int dfd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return -errno;
  struct status_rows r = {out, out_cap, 0};
  each_number(dfd, status_row, &r);
  close(dfd);
  return r.n;
}

struct triples {
  long long *out;
  int cap, n;
};

/* Appends {kind, a, b} when it fits; counts it anyway. */
static void put3(struct triples *t, long long kind, long long a, long long b) {
  if ((t->n + 1) * 3 <= t->cap) {
    t->out[t->n * 3] = kind;
    t->out[t->n * 3 + 1] = a;
    t->out[t->n * 3 + 2] = b;
  }
  t->n++;
}

#define PRE_WORKER 1  /* a = tid, b = PF_* flags */
#define PRE_CHILD 2   /* a = child pid, b = the thread that is its parent */
#define PRE_URING 3   /* a = fd */
#define PRE_MAPPING 4 /* a = inode of an io_uring mapping (one per mapping: several per ring) */

static const char URING_LINK[] = "anon_inode:[io_uring]";

/* A line of /proc/self/maps ("start-end perms offset dev inode name"): an io_uring mapping's inode. */
static void maps_line(const char *line, size_t len, struct triples *t) {
  size_t ul = sizeof URING_LINK - 1;
  if (len < ul || memcmp(line + len - ul, URING_LINK, ul)) return;
  const char *p = line;
  for (int f = 0; f < 4 && p; f++) {
    p = memchr(p, ' ', len - (size_t)(p - line));
    if (p) p++;
  }
  if (p) put3(t, PRE_MAPPING, strtoll(p, NULL, 10), 0);
}

static int scan_maps(struct triples *t) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  char buf[16384];
  size_t have = 0;
  for (;;) {
    ssize_t k = read(fd, buf + have, sizeof buf - 1 - have);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) {
      int e = errno;
      close(fd);
      return -e;
    }
    have += (size_t)k;
    buf[have] = 0;
    size_t start = 0;
    for (size_t i = 0; i < have; i++) {
      if (buf[i] != '\n') continue;
      maps_line(buf + start, i - start, t);
      start = i + 1;
    }
    if (k == 0) {
      if (start < have) maps_line(buf + start, have - start, t);
      break;
    }
    have -= start;
    memmove(buf, buf + start, have);
    if (have == sizeof buf - 1) have = 0; /* a line longer than the buffer (a long path): not io_uring */
  }
  close(fd);
  return 0;
}

/*
 * What Lockdown's PREPARE looks for, in raw system calls (a JVM may have thousands of fds and
 * threads): io_uring fds (readlink "anon_inode:[io_uring]"), io_uring mappings (maps), kernel worker
 * threads (PF_USER_WORKER in stat) and child processes (each thread's children file; missing without
 * CONFIG_PROC_CHILDREN); threads and children only with `tasks` (VERIFY asks sb4j_task_flags about
 * every thread whose status is wrong instead). {kind, a, b} triples (PRE_*) into out; returns how many (more than out_cap/3: call again
 * with more room) or -errno.
 */
static void uring_fd(int dfd, const char *fd, void *ctx) {
  char link[64];
  ssize_t l = readlinkat(dfd, fd, link, sizeof link - 1);
  if (l == (ssize_t)sizeof URING_LINK - 1 && !memcmp(link, URING_LINK, (size_t)l)) put3(ctx, PRE_URING, atoll(fd), 0);
}

static void worker_or_parent(int dfd, const char *tid, void *ctx) {
  struct triples *t = ctx;
  long long fl = task_flags(dfd, tid);
  if (fl >= 0 && (fl & SB4J_PF_USER_WORKER)) put3(t, PRE_WORKER, atoll(tid), fl);
  char kids[4096]; /* "pid pid ... "; a longer list is cut, at a whole pid */
  ssize_t r = read_below(dfd, tid, "children", kids, sizeof kids); /* none without CONFIG_PROC_CHILDREN */
  for (char *p = kids; r > 0 && *p;) {
    char *end;
    long long pid = strtoll(p, &end, 10);
    if (end == p) break;
    if (r < (ssize_t)sizeof kids - 1 || *end == ' ') put3(t, PRE_CHILD, pid, atoll(tid));
    p = end;
    while (*p == ' ') p++;
  }
}

EXPORT int sb4j_preexisting(long long *out, int out_cap, int tasks) {
  struct triples t = {out, out_cap, 0};
  int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return -errno;
  each_number(dfd, uring_fd, &t);
  close(dfd);
  int rc = scan_maps(&t);
  if (rc || !tasks) return rc ? rc : t.n;
  dfd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return -errno;
  each_number(dfd, worker_or_parent, &t);
  close(dfd);
  return t.n;
}
