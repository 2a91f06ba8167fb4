/* caps.c - capabilities: bounding set, securebits, permitted/effective/inheritable, ambient.
 *
 * caps_bounding and caps_securebits run before the identity change (they need CAP_SETPCAP);
 * SECBIT_NO_SETUID_FIXUP makes setresuid leave the capability sets alone, so caps_apply can then
 * set exactly the kept ones, raise them as ambient (so they survive exec for a non-root uid) and
 * verify the result with capget. With nothing kept, everything ends up empty. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/securebits.h>

#include "jail.h"
#include "report.h"

static int last_cap(void) {
  /* Probe rather than read /proc/sys/kernel/cap_last_cap: /proc may not exist in the jail. */
  int c = 0;
  while (c < 64 && prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) >= 0) c++;
  return c - 1;
}

static int get_caps(struct __user_cap_data_struct d[2]) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  return (int)syscall(SYS_capget, &h, d);
}

static uint64_t keep_of(const struct spec *s) { return s->has_caps ? s->caps_keep : 0; }

static int have_setpcap(void) {
  struct __user_cap_data_struct d[2];
  return !get_caps(d) && (d[0].effective & (1u << CAP_SETPCAP));
}

int caps_bounding(const struct spec *s) {
  uint64_t keep = keep_of(s);
  int last = last_cap();
  if (last < 63 && (keep >> (last + 1)))
    return report_statusf(-1, STEP_CAPS, EINVAL, NULL, "capability %d is not known to this kernel (last is %d)",
                          63 - __builtin_clzll(keep), last), -1;
  int privileged = have_setpcap();
  for (int c = 0; c <= last; c++) {
    if (keep & (1ull << c) || prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) != 1) continue;
    if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0)) {
      if (!privileged) break; /* an unprivileged process without a user namespace: nothing to drop */
      return fail_errno(-1, STEP_CAPS, errno, NULL, "drop capability %d from the bounding set", c), -1;
    }
  }
  return 0;
}

void caps_securebits(const struct spec *s) {
  (void)s;
  /* Where permitted: an unprivileged process without a user namespace cannot set them, and
   * there is nothing for them to protect there. */
  (void)prctl(PR_SET_SECUREBITS,
              SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                  SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED,
              0, 0, 0);
}

int caps_apply(const struct spec *s) {
  uint64_t keep = keep_of(s);
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2];
  for (int i = 0; i < 2; i++)
    d[i].effective = d[i].permitted = d[i].inheritable = (uint32_t)(keep >> (32 * i));
  if (syscall(SYS_capset, &h, d))
    return fail_errno(-1, STEP_CAPS, errno, NULL, "capset(keep=0x%llx)", (unsigned long long)keep), -1;
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
    return fail_errno(-1, STEP_CAPS, errno, NULL, "clear the ambient set"), -1;
  for (int c = 0; c < 64; c++)
    if ((keep & (1ull << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0))
      return fail_errno(-1, STEP_CAPS, errno, NULL, "raise ambient capability %d", c), -1;
  if (get_caps(d))
    return fail_errno(-1, STEP_CAPS, errno, NULL, "capget"), -1;
  for (int i = 0; i < 2; i++) {
    uint32_t k = (uint32_t)(keep >> (32 * i));
    if (d[i].effective != k || d[i].permitted != k || d[i].inheritable != k)
      return report_statusf(-1, STEP_CAPS, EPERM, NULL, "capabilities not as requested after capset"), -1;
  }
  return 0;
}
