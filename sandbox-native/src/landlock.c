/* landlock.c - the jail's Landlock domain (the LANDLOCK record): a second layer on top of the mount
 * namespace, or the main file-system layer when the jail shares the host's mounts.
 *
 * Applied by contain.c after no_new_privs (which landlock_restrict_self needs without CAP_SYS_ADMIN)
 * and before the fds step and seccomp. The paths are opened here, after pivot_root, so they name
 * files inside the jail. Java resolved the compatibility level: rights the kernel lacks were either
 * refused (STRICT: min_abi says which ABI the record needs) or already removed (BEST_EFFORT, min_abi
 * 0); the launcher checks the running kernel against min_abi and then applies the record exactly. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail.h"
#include "landlock_uapi.h"
#include "report.h"

int landlock_apply(const struct spec *s) {
  if (!s->has_landlock) return 0;
  long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, SB4J_LL_CREATE_RULESET_VERSION);
  if (abi < 0 && s->ll_min_abi > 0)
    return report_statusf(-1, STEP_LANDLOCK, errno, NULL, "Landlock is not available (%s); the jail needs ABI %u",
                          strerror(errno), s->ll_min_abi), -1;
  if (abi < 0) return 0; /* best effort on a kernel without Landlock: Java reported it */
  if (abi < (long)s->ll_min_abi)
    return report_statusf(-1, STEP_LANDLOCK, EOPNOTSUPP, NULL, "the kernel has Landlock ABI %ld, the jail needs %u",
                          abi, s->ll_min_abi), -1;
  struct sb4j_ll_ruleset_attr a = {s->ll_fs, s->ll_net, s->ll_scoped};
  int rfd = (int)syscall(__NR_landlock_create_ruleset, &a, sb4j_ll_attr_size(s->ll_net, s->ll_scoped), 0);
  if (rfd < 0)
    return fail_errno(-1, STEP_LANDLOCK, errno, NULL, "create a ruleset (fs 0x%llx, net 0x%llx, scoped 0x%x)",
                          (unsigned long long)s->ll_fs, (unsigned long long)s->ll_net, s->ll_scoped), -1;
  for (size_t i = 0; i < s->n_ll_rules; i++) {
    const struct spec_ll_rule *r = &s->ll_rules[i];
    long rc;
    if (r->kind == LL_RULE_PATH) {
      int fd = open(r->path, O_PATH | O_CLOEXEC);
      if (fd < 0) {
        int e = errno;
        close(rfd);
        return fail_errno(-1, STEP_LANDLOCK, e, r->path, "open %s for a Landlock rule", r->path), -1;
      }
      struct stat st;
      uint64_t access = r->access;
      if (!fstat(fd, &st) && !S_ISDIR(st.st_mode)) access &= SB4J_LL_FILE_RIGHTS;
      if (!access) {
        close(fd);
        continue;
      }
      struct sb4j_ll_path_beneath_attr pa = {access, fd};
      rc = syscall(__NR_landlock_add_rule, rfd, SB4J_LL_RULE_PATH_BENEATH, &pa, 0);
      int e = errno;
      close(fd);
      errno = e;
    } else {
      struct sb4j_ll_net_port_attr na = {r->access, r->port};
      rc = syscall(__NR_landlock_add_rule, rfd, SB4J_LL_RULE_NET_PORT, &na, 0);
    }
    if (rc) {
      int e = errno;
      close(rfd);
      return fail_errno(-1, STEP_LANDLOCK, e, r->kind == LL_RULE_PATH ? r->path : NULL,
                            "add Landlock rule %zu (rights 0x%llx)", i, (unsigned long long)r->access), -1;
    }
  }
  if (syscall(__NR_landlock_restrict_self, rfd, 0)) {
    int e = errno;
    close(rfd);
    return fail_errno(-1, STEP_LANDLOCK, e, NULL, "landlock_restrict_self"), -1;
  }
  close(rfd);
  return 0;
}
