/* limits.c - resource limits. Applied before the identity change: raising a hard limit needs
 * CAP_SYS_RESOURCE, and RLIMIT_NPROC is then already in force when setresuid counts processes. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "jail.h"
#include "report.h"

static const char *const names[] = {
    "RLIMIT_CPU",     "RLIMIT_FSIZE",  "RLIMIT_DATA",    "RLIMIT_STACK",  "RLIMIT_CORE",
    "RLIMIT_RSS",     "RLIMIT_NPROC",  "RLIMIT_NOFILE",  "RLIMIT_MEMLOCK", "RLIMIT_AS",
    "RLIMIT_LOCKS",   "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO",
    "RLIMIT_RTTIME"};

int limits_apply(const struct spec *s) {
  for (size_t i = 0; i < s->n_rlimits; i++) {
    const struct spec_rlimit *l = &s->rlimits[i];
    struct rlimit r = {(rlim_t)l->soft, (rlim_t)l->hard};
    const char *name = l->resource < sizeof names / sizeof names[0] ? names[l->resource] : "RLIMIT_?";
    if (setrlimit((int)l->resource, &r))
      return fail_errno(-1, STEP_RLIMIT, errno, NULL, "%s soft=%llu hard=%llu", name,
                            (unsigned long long)l->soft, (unsigned long long)l->hard), -1;
  }
  return 0;
}
