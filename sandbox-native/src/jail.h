/* jail.h - the mechanisms, one file each; contain.c calls them in the documented order. */
#ifndef SB4J_JAIL_H
#define SB4J_JAIL_H

#include <signal.h>
#include <sys/types.h>
#include "spec.h"

#define STEP_EXIT 125 /* exit code of a process whose setup failed */
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

/* init.c */
__attribute__((noreturn)) void init_run(const struct jail *j, pid_t target);

/* zygote.c: the prestarted launcher (server mode, argv[1] "--zygote") */
__attribute__((noreturn)) void zygote_main(void);

/* contain.c */
__attribute__((noreturn)) void contain_run(struct jail *j);

#endif
