/* readrec - test helper.
 *   readrec status FILE   prints each status record: "status OP STEP ERRNO-NAME PATH | DETAIL"
 *   readrec result FILE   prints the result record: "result KIND VALUE FLAGS" (KIND exited|signaled)
 *   readrec run [--signal-after MS SIG] CMD...   runs CMD (fds inherited), optionally sends SIG to
 *                                                it after MS, prints "exited N" or "signaled N".
 *   readrec landlock-abi  prints the kernel's Landlock ABI version (0: none). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444 /* the same on x86_64 and aarch64 */
#endif
#include <time.h>
#include <unistd.h>

#include "wire.h"

static const char *ename(int e) {
  switch (e) {
  case 0: return "0";
  case ENOENT: return "ENOENT";
  case EPERM: return "EPERM";
  case EACCES: return "EACCES";
  case EINVAL: return "EINVAL";
  case EROFS: return "EROFS";
  case EBADF: return "EBADF";
  case ENOTDIR: return "ENOTDIR";
  case ELOOP: return "ELOOP";
  case EEXIST: return "EEXIST";
  default: {
    static char b[16];
    snprintf(b, sizeof b, "E%d", e);
    return b;
  }
  }
}

static uint32_t le32(const unsigned char *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "landlock-abi")) {
    /* the kernel's Landlock ABI version, 0 without Landlock (for tests that need it) */
    long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, 1u);
    printf("%ld\n", abi < 0 ? 0 : abi);
    return 0;
  }
  if (argc >= 3 && !strcmp(argv[1], "run")) {
    int i = 2, ms = -1, sig = 0;
    if (!strcmp(argv[i], "--signal-after") && argc > 5) {
      ms = atoi(argv[3]);
      sig = atoi(argv[4]);
      i = 5;
    }
    pid_t p = fork();
    if (p == 0) {
      execv(argv[i], argv + i);
      _exit(126);
    }
    if (ms >= 0) {
      struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
      nanosleep(&ts, NULL);
      kill(p, sig);
    }
    int st;
    while (waitpid(p, &st, 0) < 0 && errno == EINTR) {}
    if (WIFSIGNALED(st)) printf("signaled %d\n", WTERMSIG(st));
    else printf("exited %d\n", WEXITSTATUS(st));
    return 0;
  }
  if (argc != 3) {
    fprintf(stderr, "usage: readrec status|result FILE | readrec run [--signal-after MS SIG] CMD...\n");
    return 2;
  }
  FILE *f = fopen(argv[2], "rb");
  if (!f) return perror(argv[2]), 1;
  static unsigned char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof buf, f), off = 0;
  fclose(f);
  if (!strcmp(argv[1], "result")) {
    /* A supervised jail's seccomp records (96 bytes, "SB4V") come first; printed after the result
     * line as "seccomp violation|learned|lost NR ACTION COUNT" (the first line stays the result). */
    size_t rec = 0;
    while (rec + 96 <= n && le32(buf + rec) == SV_RECORD_MAGIC) rec += 96;
    if (n - rec != 16 || le32(buf + rec) != RESULT_MAGIC) {
      printf("result malformed (%zu bytes)\n", n);
      return 1;
    }
    printf("result %s %d %u\n", le32(buf + rec + 4) == 1 ? "exited" : le32(buf + rec + 4) == 2 ? "signaled" : "?",
           (int32_t)le32(buf + rec + 8), le32(buf + rec + 12));
    for (size_t o = 0; o < rec; o += 96) {
      unsigned k = le32(buf + o + 4);
      printf("seccomp %s %u 0x%x %u\n", k == 1 ? "violation" : k == 2 ? "learned" : "lost", le32(buf + o + 12),
             le32(buf + o + 20), le32(buf + o + 24));
    }
    return 0;
  }
  while (off + 20 <= n) {
    unsigned char *h = buf + off;
    if (le32(h) != STATUS_MAGIC) return printf("status malformed\n"), 1;
    unsigned sl = h[12] | h[13] << 8, pl = h[14] | h[15] << 8, dl = h[16] | h[17] << 8;
    if (off + 20 + sl + pl + dl > n) return printf("status truncated\n"), 1;
    printf("status %d %.*s %s %.*s | %.*s\n", (int32_t)le32(h + 4), (int)sl, (char *)h + 20,
           ename((int32_t)le32(h + 8)), (int)pl, (char *)h + 20 + sl, (int)dl, (char *)h + 20 + sl + pl);
    off += 20 + sl + pl + dl;
  }
  return off == n ? 0 : 1;
}
