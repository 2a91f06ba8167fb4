/* landlock_uapi.h - the Landlock kernel interface, spelled out here because build hosts ship older
 * <linux/landlock.h> headers (Debian 12 stops at ABI 2). Values from the kernel's UAPI. Shared by
 * the launcher (landlock.c) and the lockdown library (lib/lockdown.c). */
#ifndef SB4J_LANDLOCK_UAPI_H
#define SB4J_LANDLOCK_UAPI_H

#include <stdint.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444 /* the same number on x86_64 and aarch64 */
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

#define SB4J_LL_CREATE_RULESET_VERSION (1u << 0)
#define SB4J_LL_RULE_PATH_BENEATH 1
#define SB4J_LL_RULE_NET_PORT 2
#define SB4J_LL_RESTRICT_SELF_TSYNC (1u << 3) /* ABI 8 */

/* Rights Landlock accepts on a rule for a non-directory: EXECUTE, WRITE_FILE, READ_FILE, TRUNCATE,
 * IOCTL_DEV. A rule on a file keeps only these (directory rights make the kernel say EINVAL). */
#define SB4J_LL_FILE_RIGHTS 0xC007ull

struct sb4j_ll_ruleset_attr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net; /* ABI 4 */
  uint64_t scoped;             /* ABI 6 */
};

struct sb4j_ll_path_beneath_attr {
  uint64_t allowed_access;
  int32_t parent_fd;
} __attribute__((packed));

struct sb4j_ll_net_port_attr {
  uint64_t allowed_access;
  uint64_t port;
};

/* Size of the attr the kernel gets: only the fields a ruleset uses, so older kernels accept it. */
static inline unsigned long sb4j_ll_attr_size(uint64_t net, uint64_t scoped) {
  return scoped ? 3 * sizeof(uint64_t) : net ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
}

#endif
