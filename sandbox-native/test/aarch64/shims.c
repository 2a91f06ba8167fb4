/* shims - the two tools test/run-tests.sh needs that Debian's busybox-static lacks, as one static
 * multi-call binary (installed as setpriv and pgrep in the aarch64 guest):
 *   setpriv --reuid=N --regid=N --clear-groups CMD...   (only this subset of util-linux setpriv:
 *                                                        setgroups(0), setresgid, setresuid, exec)
 *   pgrep -f PATTERN                                    (prints the pids, other than its own, whose
 *                                                        command line contains PATTERN; exit 1 if none) */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int do_setpriv(int argc, char **argv) {
  long uid = -1, gid = -1;
  int clear = 0, i = 1;
  for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
    if (!strncmp(argv[i], "--reuid=", 8)) uid = strtol(argv[i] + 8, NULL, 10);
    else if (!strncmp(argv[i], "--regid=", 8)) gid = strtol(argv[i] + 8, NULL, 10);
    else if (!strcmp(argv[i], "--clear-groups")) clear = 1;
    else { fprintf(stderr, "setpriv (shim): unsupported option %s\n", argv[i]); return 2; }
  }
  if (i >= argc) { fprintf(stderr, "usage: setpriv --reuid=N --regid=N --clear-groups CMD...\n"); return 2; }
  if (clear && setgroups(0, NULL)) { perror("setgroups"); return 1; }
  if (gid >= 0 && setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid)) { perror("setresgid"); return 1; }
  if (uid >= 0 && setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid)) { perror("setresuid"); return 1; }
  execvp(argv[i], argv + i);
  perror(argv[i]);
  return 127;
}

static int do_pgrep(int argc, char **argv) {
  if (argc != 3 || strcmp(argv[1], "-f")) { fprintf(stderr, "usage: pgrep -f PATTERN\n"); return 2; }
  DIR *d = opendir("/proc");
  if (!d) return 2;
  int found = 0;
  for (struct dirent *e; (e = readdir(d));) {
    char *end, path[64], cmd[4096];
    long pid = strtol(e->d_name, &end, 10);
    if (*end || pid <= 0 || pid == (long)getpid()) continue;
    snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    size_t n = fread(cmd, 1, sizeof cmd - 1, f);
    fclose(f);
    for (size_t j = 0; j < n; j++) if (!cmd[j]) cmd[j] = ' ';
    cmd[n] = 0;
    if (n && strstr(cmd, argv[2])) { printf("%ld\n", pid); found = 1; }
  }
  closedir(d);
  return found ? 0 : 1;
}

int main(int argc, char **argv) {
  const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  if (!strcmp(name, "setpriv")) return do_setpriv(argc, argv);
  if (!strcmp(name, "pgrep")) return do_pgrep(argc, argv);
  fprintf(stderr, "shims: call me as setpriv or pgrep\n");
  return 2;
}
