/* jail.h - the mechanisms, one file each; contain.c calls them in the documented order. */
#ifndef SB4J_JAIL_H
#define SB4J_JAIL_H

#include <signal.h>
#include <sys/types.h>
#include "spec.h"

/* Sent to a per-jail launcher by destroyForcibly(): kill the whole jail, reap it, then end as it
 * did. Not SIGKILL: a SIGKILLed launcher cannot kill a pid 1 that cleared its PR_SET_PDEATHSIG. */
#define SIG_END_JAIL SIGALRM

struct jail {
  const struct spec *s;
  int launcher_root; /* the launcher's euid was 0 */
  uid_t launcher_euid; /* the launcher's ids: what an unprivileged jail maps itself to */
  gid_t launcher_egid;
  int sync_fd;       /* read end of the launcher's sync pipe: HUP = the launcher is gone */
  int init_wr;       /* write end of the wait-status pipe to the launcher (INIT mode) */
  /* supervise: the jail's end of the listener hand-off socket, and the filter to install (with
   * room for the prefix), both made before clone; -1 and NULL when the spec is not supervised. */
  int sv_sock;
  struct sock_filter *sv_filter;
  unsigned sv_len;
  int setgroups_ok;  /* /proc/self/setgroups said "allow" once the maps were written (userns.c) */
};

/* userns.c: maps and the jail's identity. A root launcher writes the child's maps (pid > 0); an
 * unprivileged jail writes its own (pid 0 = self, userns_self_maps), as the launcher's ids. */
int userns_write_maps(pid_t child, const struct spec *s, uid_t euid, gid_t egid);
int userns_self_maps(struct jail *j);
/* Launcher side, after clone: a root launcher writes the maps; an unprivileged one with id ranges
 * runs newuidmap/newgidmap against the child, which userns_clone_window (1 before clone, 0 after)
 * leaves dumpable for that long. */
int userns_uses_helpers(const struct spec *s, int launcher_root);
void userns_clone_window(const struct spec *s, int launcher_root, int open);
int userns_launcher_maps(pid_t child, const struct spec *s, int launcher_root, uid_t euid, gid_t egid);
void identity_fs(const struct jail *j);
int identity_apply(const struct jail *j);

/* mount.c */
int mount_prepare(const struct spec *s); /* private propagation, opens every source */
int mount_build(const struct spec *s);   /* root, ops, pivot_root or chroot, root read-only */

/* net.c */
int net_loopback_up(void);

/* caps.c */
int caps_bounding(const struct spec *s);
void caps_securebits(const struct spec *s);
int caps_apply(const struct spec *s);

/* limits.c */
int limits_apply(const struct spec *s);

/* fds.c */
void fds_launcher_close(const struct spec *s);
/* Closes every fd >= lo that is not in keep[0..n) (negative entries ignored). */
void fds_close_except(const int *keep, size_t n, unsigned lo);
int fds_apply(const struct spec *s, int *internal[], int n_internal);

/* landlock.c */
int landlock_apply(const struct spec *s);

/* seccomp.c */
int seccomp_apply(const struct spec *s);
/* Jail init's own filter, once the target is forked: only kill(target), write(relay_fd), wait4,
 * rt_sigtimedwait, close, exit, exit_group, restart_syscall. Sets no_new_privs in init. */
int seccomp_init_filter(pid_t target, int relay_fd);
/* The namespace filter of jails after a lockdown that forbade the JVM namespaces (lockin.c):
 * unshare and clone with a CLONE_NEW* flag and setns fail with EPERM, clone3 with ENOSYS (its
 * flags are in memory a filter cannot read; glibc then falls back to clone). Installed before the
 * spec's own filter, so that one need not allow seccomp(2). */
int seccomp_nons_filter(void);

/* Supervised filters (spec.h SUPERVISE_*): the program the target installs, built by the launcher
 * before clone (NULL: out of memory); installing it in the target (with the listener hand-off on
 * sock, seccomp.c says how); the launcher's interpreter of the original program. */
struct seccomp_data;
struct sock_filter *seccomp_supervised_build(const struct spec *s, unsigned *len);
int seccomp_apply_supervised(const struct spec *s, struct sock_filter *f, unsigned len, int sock);
uint32_t seccomp_eval(const struct sock_filter *f, unsigned n, const struct seccomp_data *d);

/* supervise.c: the launcher's side. sv_start before clone (the socketpair; -1 on failure, reported),
 * sv_child in the jail after clone; then in the supervise loop sv_poll_fd names the fd to poll
 * (-1: none), sv_ready handles its POLLIN; sv_flush writes the records before the result record;
 * sv_status rewrites the jail's final wait status (a target the supervisor killed for its filter
 * ends "killed by SIGSYS", as the kernel would have had it). */
int sv_start(const struct spec *s, struct jail *j);
void sv_child(struct jail *j);
int sv_poll_fd(void);
void sv_ready(short revents);
void sv_flush(int fd);
int sv_status(int st);

/* init.c */
__attribute__((noreturn)) void init_run(const struct jail *j, pid_t target);

/* zygote.c: the prestarted launcher (server mode, argv[1] "--zygote") */
__attribute__((noreturn)) void zygote_main(void);

/* cgroup.c: placement of the jail in the cgroups Java made, and their end (launcher side) */
/* Clones the jail, into the v2 cgroup (CLONE_INTO_CGROUP) where there is one and the kernel can;
 * *placed says whether it did. Same return as clone. */
pid_t cgroup_clone(const struct spec *s, unsigned long clone_flags, int *placed);
/* Writes pid into every cgroup's cgroup.procs (but the one it was cloned into); reports on failure. */
int cgroup_place(const struct spec *s, pid_t pid, int placed);
/* After pid 1 ended: kills the rest, reads the counters, removes the directories, and writes the
 * counters record to result_fd. Does nothing without CGROUP records. */
void cgroup_finish(const struct spec *s, int result_fd);
/* lockin.c: a JVM lockdown's limits, enforced by the prestarted launcher on every later spec.
 * lockin_set takes a LOCK request's payload once (-1 and errno: malformed, or already locked);
 * lockin_check refuses (-1, status record step "lockdown", EPERM) a spec beyond the limits and
 * forces no-symlink resolution on the writable sources it let through. */
int lockin_set(const uint8_t *payload, size_t len);
int lockin_check(struct spec *s, int launcher_root);

/* spawn.c: the start of one jail, for main.c and zygote.c alike. spawn_clone makes the sync and
 * init pipes and clones pid 1 (cgroup_clone); the child closes the launcher's ends of the pipes,
 * takes the name sb4j-init, calls child(j, arg) (the caller's fds and signals) and runs contain_run
 * with j. Returns 0 with sp filled, or -1 after a status record with nothing left open.
 * spawn_release moves the jail into its cgroups, writes its maps and lets it run; on failure it
 * reports, kills and reaps the jail, closes sp's fds and returns -1. spawn_deadline: the
 * CLOCK_MONOTONIC ms (now_ms) at which the TIME_LIMIT ends, 0 without one. */
struct spawn {
  pid_t pid;
  int sync_w;    /* kept open while the jail runs: its HUP tells the jail the launcher is gone */
  int init_r;    /* the wait-status relay from init (OPT_INIT), -1 otherwise */
  int cg_placed; /* cloned into its v2 cgroup (CLONE_INTO_CGROUP) */
};
typedef void (*spawn_child_fn)(struct jail *j, void *arg);
int spawn_clone(struct spawn *sp, const struct jail *tmpl, spawn_child_fn child, void *arg);
int spawn_release(struct spawn *sp, const struct spec *s);
int64_t spawn_deadline(const struct spec *s);
int64_t now_ms(void);

/* contain.c */
__attribute__((noreturn)) void contain_run(struct jail *j);

#endif
