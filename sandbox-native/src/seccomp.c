/* seccomp.c - installs the BPF program compiled by the Java side, unchanged. Called last, right
 * before execve, so the filter never has to allow the launcher's own setup calls. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/seccomp.h>

#include "jail.h"
#include "report.h"

int seccomp_apply(const struct spec *s) {
  if (!s->has_seccomp) return 0;
  struct sock_fprog prog = {.len = s->filter_len, .filter = s->filter};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, s->seccomp_flags, &prog))
    return report_statusf(-1, "seccomp", errno, NULL, "install a filter of %u instructions: %s",
                          s->filter_len, strerror(errno)), -1;
  return 0;
}
