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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
    return fail_errno(-1, STEP_SECCOMP, errno, NULL, "install a filter of %u instructions",
                          s->filter_len), -1;
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
    return fail_errno(-1, STEP_SECCOMP, errno, NULL, "install jail init's own filter"), -1;
  return 0;
}

/* Every CLONE_NEW* flag: the jail's namespaces (wire.h) and CLONE_NEWTIME (0x80, unshare only). */
#define NONS_MASK (NS_ALL | 0x80u)

int seccomp_nons_filter(void) {
  struct sock_filter f[] = {
      LD(offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, INIT_AUDIT_ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS), /* a 32-bit entry: the JVM's filter kills it too */
      LD(offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_setns, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 1, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3),
      LD(ARG_LO(0)),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NONS_MASK, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof f / sizeof f[0], .filter = f};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
    return fail_errno(-1, STEP_LOCKDOWN, errno, NULL, "install the namespace filter of the Lockdown applied to this JVM");
  return 0;
}

/* ---- Supervised filters (supervise.c has the launcher's side) -------------------------------
 *
 * The target installs the filter with SECCOMP_FILTER_FLAG_NEW_LISTENER and must then hand the
 * listener to the launcher, outside the jail, and execve: two calls after the filter is in. The
 * hand-off is one sendmsg on the socket the launcher made before clone; the prefix below allows
 * exactly that call (its fd, its msghdr pointer, both halves, and its flags), so neither a learning
 * filter (everything notified) nor a policy that refuses sendmsg blocks it while nobody yet
 * listens. After execve the socket is closed (close-on-exec) and the pointer names a stack slot of
 * the launcher's old image: a program would have to reuse that fd number, that address and those
 * flags to send on one of its own sockets unreported. The prefix also lets exit_group(0x100 | 125)
 * through: the target's only way out when the hand-off fails (exit status 125, a setup failure),
 * since with nobody listening every other call would block. Everything else goes to the filter
 * that follows, unchanged but for its returns (seccomp_supervised_build). */
#define SV_MSG_FLAGS (MSG_NOSIGNAL | MSG_DONTWAIT)
#define SV_EXIT_CODE (0x100 | STEP_EXIT)
#define SV_ALLOW_AT (SV_PREFIX - 1)
#define SV_JEQ(i, k, jt, jf) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (uint8_t)(jt), (uint8_t)(jf))
/* From instruction i: to the program that follows the prefix, or to the prefix's RET ALLOW. */
#define TO_START(i) (SV_PREFIX - 1 - (i))
#define TO_ALLOW(i) (SV_ALLOW_AT - 1 - (i))
#define ARG_HI(n) (ARG_LO(n) + 4)

static int is_refusal(uint32_t ret) {
  uint32_t act = ret & SECCOMP_RET_ACTION_FULL;
  return act != SECCOMP_RET_ALLOW && act != SECCOMP_RET_LOG && act != SECCOMP_RET_TRACE &&
         act != SECCOMP_RET_TRAP && act != SECCOMP_RET_USER_NOTIF;
}

struct sock_filter *seccomp_supervised_build(const struct spec *s, unsigned *len) {
  unsigned body = s->supervise == SUPERVISE_LEARN ? 1u : s->filter_len;
  struct sock_filter *f = calloc(SV_PREFIX + body, sizeof *f);
  if (!f) return NULL;
  if (s->supervise == SUPERVISE_LEARN) {
    f[SV_PREFIX] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
  } else {
    /* Refusing and killing returns (ERRNO, KILL_*, unknown actions, which the kernel treats as
     * KILL_PROCESS) become USER_NOTIF: the launcher runs the original program (seccomp_eval) and
     * does what it says. ALLOW, LOG, TRACE and TRAP stay: allowed calls never leave the kernel. A
     * computed return (RET A) stays too: its action is unknown until it runs. */
    for (unsigned i = 0; i < body; i++) {
      f[SV_PREFIX + i] = s->filter[i];
      if (s->filter[i].code == (BPF_RET | BPF_K) && is_refusal(s->filter[i].k)) f[SV_PREFIX + i].k = SECCOMP_RET_USER_NOTIF;
    }
  }
  *len = SV_PREFIX + body;
  return f;
}

int seccomp_apply_supervised(const struct spec *s, struct sock_filter *f, unsigned len, int sock) {
  char byte = 'L';
  struct iovec iov = {.iov_base = &byte, .iov_len = 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof u);
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  uint64_t mp = (uint64_t)(uintptr_t)&msg;
  struct sock_filter prefix[SV_PREFIX] = {
      LD(offsetof(struct seccomp_data, arch)),
      SV_JEQ(1, INIT_AUDIT_ARCH, 0, TO_START(1)),
      LD(offsetof(struct seccomp_data, nr)),
      SV_JEQ(3, __NR_exit_group, 0, 2),
      LD(ARG_LO(0)),
      SV_JEQ(5, SV_EXIT_CODE, TO_ALLOW(5), TO_START(5)),
      SV_JEQ(6, __NR_sendmsg, 0, TO_START(6)),
      LD(ARG_LO(0)),
      SV_JEQ(8, (uint32_t)sock, 0, TO_START(8)),
      LD(ARG_LO(1)),
      SV_JEQ(10, (uint32_t)mp, 0, TO_START(10)),
      LD(ARG_HI(1)),
      SV_JEQ(12, (uint32_t)(mp >> 32), 0, TO_START(12)),
      LD(ARG_LO(2)),
      SV_JEQ(14, SV_MSG_FLAGS, 0, TO_START(14)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  memcpy(f, prefix, sizeof prefix);
  struct sock_fprog prog = {.len = (unsigned short)len, .filter = f};
  int nfd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, s->seccomp_flags | SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (nfd < 0)
    return fail_errno(-1, STEP_SECCOMP, errno, NULL, "install a supervised filter of %u instructions", len), -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &nfd, sizeof nfd);
  /* From here until execve only the two calls of the prefix. */
  ssize_t r;
  do r = sendmsg(sock, &msg, SV_MSG_FLAGS);
  while (r < 0 && errno == EINTR);
  if (r != 1) syscall(SYS_exit_group, SV_EXIT_CODE);
  return 0;
}

/* A classic BPF interpreter for the seccomp subset (what the kernel's checker admits): the
 * launcher runs the jail's original program on a notified call to learn what it would have done.
 * The program was validated by the kernel when the target installed its supervised copy, so
 * jumps stay in bounds; the checks below keep this safe even if it were not. */
uint32_t seccomp_eval(const struct sock_filter *f, unsigned n, const struct seccomp_data *d) {
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
  const unsigned char *data = (const unsigned char *)d;
  for (unsigned pc = 0; pc < n; pc++) {
    const struct sock_filter *i = &f[pc];
    uint32_t k = i->k;
    switch (i->code) {
    case BPF_LD | BPF_W | BPF_ABS:
      if (k > sizeof *d - 4 || (k & 3)) return SECCOMP_RET_KILL_PROCESS;
      memcpy(&a, data + k, 4);
      break;
    case BPF_LD | BPF_W | BPF_LEN: a = sizeof *d; break;
    case BPF_LDX | BPF_W | BPF_LEN: x = sizeof *d; break;
    case BPF_LD | BPF_IMM: a = k; break;
    case BPF_LDX | BPF_IMM: x = k; break;
    case BPF_LD | BPF_MEM: a = k < BPF_MEMWORDS ? mem[k] : 0; break;
    case BPF_LDX | BPF_MEM: x = k < BPF_MEMWORDS ? mem[k] : 0; break;
    case BPF_ST: if (k < BPF_MEMWORDS) mem[k] = a; break;
    case BPF_STX: if (k < BPF_MEMWORDS) mem[k] = x; break;
    case BPF_MISC | BPF_TAX: x = a; break;
    case BPF_MISC | BPF_TXA: a = x; break;
    case BPF_RET | BPF_K: return k;
    case BPF_RET | BPF_A: return a;
    case BPF_JMP | BPF_JA: pc += k; break;
    default:
      if (BPF_CLASS(i->code) == BPF_ALU) {
        uint32_t v = BPF_SRC(i->code) == BPF_X ? x : k;
        switch (BPF_OP(i->code)) {
        case BPF_ADD: a += v; break;
        case BPF_SUB: a -= v; break;
        case BPF_MUL: a *= v; break;
        case BPF_DIV: if (!v) return SECCOMP_RET_KILL_PROCESS; a /= v; break;
        case BPF_MOD: if (!v) return SECCOMP_RET_KILL_PROCESS; a %= v; break;
        case BPF_AND: a &= v; break;
        case BPF_OR: a |= v; break;
        case BPF_XOR: a ^= v; break;
        case BPF_LSH: a = v < 32 ? a << v : 0; break;
        case BPF_RSH: a = v < 32 ? a >> v : 0; break;
        case BPF_NEG: a = -a; break;
        default: return SECCOMP_RET_KILL_PROCESS;
        }
      } else if (BPF_CLASS(i->code) == BPF_JMP) {
        uint32_t v = BPF_SRC(i->code) == BPF_X ? x : k;
        int t;
        switch (BPF_OP(i->code)) {
        case BPF_JEQ: t = a == v; break;
        case BPF_JGT: t = a > v; break;
        case BPF_JGE: t = a >= v; break;
        case BPF_JSET: t = (a & v) != 0; break;
        default: return SECCOMP_RET_KILL_PROCESS;
        }
        pc += t ? i->jt : i->jf;
      } else {
        return SECCOMP_RET_KILL_PROCESS;
      }
    }
  }
  return SECCOMP_RET_KILL_PROCESS; /* fell off the end: the kernel's checker forbids it */
}
