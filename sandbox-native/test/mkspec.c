/* mkspec - writes a sandbox4j spec to stdout from command-line options, so shell tests can drive
 * the launcher without Java. Usage: mkspec [options] --exec PATH [ARGS...]  (argv[0] is PATH). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "specbuf.h"


static void usage(void) {
  fprintf(stderr,
          "usage: mkspec [--ns all|none|user,mnt,pid,net,ipc,uts,cgroup] [--uid N] [--gid N]\n"
          "  [--host-uid N] [--host-gid N] [--hostname H] [--root tmpfs|host|bind:P|bind-rw:P|bind-nosym:P|chroot:P]\n"
          "  [--ro-bind S D] [--bind S D] [--bind-try S D] [--dev-bind S D] [--ro-bind-nosym S D]\n"
          "  [--tmpfs D] [--tmpfs-ro D] [--tmpfs-size D BYTES]\n"
          "  [--proc D] [--dev D] [--dev-pts D] [--symlink T P] [--dir P MODE] [--file P DATA]\n"
          "  [--ro-file P DATA] [--hide P] [--remount-ro P] [--op-index N] [--no-init] [--new-session]\n"
          "  [--nnp] [--die-with-parent] [--root-ro] [--lo] [--cwd P] [--rlimit RES SOFT HARD]\n"
          "  [--caps HEX] [--fd FROM TO] [--time-limit MS] [--supervise N] [--seccomp-errno NR ERRNO]\n"
          "  [--seccomp-file FILE.bpf] [--env N=V] [--landlock-ro P]... [--landlock-scoped BITS]\n"
          "  [--basic-root] --exec PATH [ARGV...]\n");
}

/* --supervise N (before --seccomp-*): the SECCOMP record's second word (spec.h SUPERVISE_*). */
static uint32_t supervise;

int main(int argc, char **argv) {
  uint32_t ns = NS_USER | NS_MOUNT | NS_PID | NS_NET | NS_IPC | NS_UTS | NS_CGROUP;
  uint32_t options = 0x1 | 0x20, uid = 1000, gid = 1000, huid = 0xFFFFFFFFu, hgid = 0xFFFFFFFFu;
  const char *hostname = NULL, *cwd = NULL, *exec = NULL;
  uint32_t root_kind = 0, root_flags = 0;
  const char *root_path = "";
  struct sbuf ops = {0}, extra = {0};
  uint32_t op_index = 0;
  const char *env[256];
  size_t n_env = 0;
  const char *ll_paths[32];
  size_t n_ll = 0;
  uint32_t ll_scoped = 0;
  int argi = argc;
#define NEED(k) do { if (i + (k) >= argc) { usage(); return 2; } } while (0)
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    if (!strcmp(o, "--ns")) {
      NEED(1);
      const char *v = argv[++i];
      if (!strcmp(v, "all")) continue;
      ns = 0;
      if (!strcmp(v, "none")) continue;
      char tmp[256];
      snprintf(tmp, sizeof tmp, "%s", v);
      for (char *save, *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!strcmp(t, "user")) ns |= NS_USER;
        else if (!strcmp(t, "mnt")) ns |= NS_MOUNT;
        else if (!strcmp(t, "pid")) ns |= NS_PID;
        else if (!strcmp(t, "net")) ns |= NS_NET;
        else if (!strcmp(t, "ipc")) ns |= NS_IPC;
        else if (!strcmp(t, "uts")) ns |= NS_UTS;
        else if (!strcmp(t, "cgroup")) ns |= NS_CGROUP;
        else { usage(); return 2; }
      }
    } else if (!strcmp(o, "--uid")) { NEED(1); uid = (uint32_t)strtoul(argv[++i], NULL, 0); }
    else if (!strcmp(o, "--gid")) { NEED(1); gid = (uint32_t)strtoul(argv[++i], NULL, 0); }
    else if (!strcmp(o, "--host-uid")) { NEED(1); huid = (uint32_t)strtoul(argv[++i], NULL, 0); }
    else if (!strcmp(o, "--host-gid")) { NEED(1); hgid = (uint32_t)strtoul(argv[++i], NULL, 0); }
    else if (!strcmp(o, "--hostname")) { NEED(1); hostname = argv[++i]; }
    else if (!strcmp(o, "--root")) {
      NEED(1);
      const char *v = argv[++i];
      if (!strcmp(v, "tmpfs")) root_kind = 0;
      else if (!strcmp(v, "host")) root_kind = 2;
      else if (!strncmp(v, "bind:", 5)) root_kind = 1, root_path = v + 5;
      else if (!strncmp(v, "bind-rw:", 8)) root_kind = 1, root_flags = 1, root_path = v + 8;
      else if (!strncmp(v, "chroot:", 7)) root_kind = 3, root_path = v + 7;
      else if (!strncmp(v, "bind-nosym:", 11)) root_kind = 1, root_flags = 2, root_path = v + 11;
      else { usage(); return 2; }
    } else if (!strcmp(o, "--basic-root")) {
      sb_op(&ops, op_index++, 1, 1, 0, "/usr", "/usr", "", 0);
      sb_op(&ops, op_index++, 5, 0, 0, "usr/bin", "/bin", "", 0);
      sb_op(&ops, op_index++, 5, 0, 0, "usr/sbin", "/sbin", "", 0);
      sb_op(&ops, op_index++, 5, 0, 0, "usr/lib", "/lib", "", 0);
      sb_op(&ops, op_index++, 5, 0, 0, "usr/lib64", "/lib64", "", 0);
      sb_op(&ops, op_index++, 3, 0, 0, "", "/proc", "", 0);
      sb_op(&ops, op_index++, 4, 0, 0, "", "/dev", "", 0);
      sb_op(&ops, op_index++, 2, 0, 01777, "", "/tmp", "", 0);
    } else if (!strcmp(o, "--ro-bind") || !strcmp(o, "--bind") || !strcmp(o, "--bind-try") ||
               !strcmp(o, "--dev-bind")) {
      NEED(2);
      uint16_t f = !strcmp(o, "--ro-bind") ? 1 : !strcmp(o, "--bind-try") ? 4 : !strcmp(o, "--dev-bind") ? 2 : 0;
      sb_op(&ops, op_index++, 1, f, 0, argv[i + 1], argv[i + 2], "", 0);
      i += 2;
    } else if (!strcmp(o, "--ro-bind-nosym")) { /* READ_ONLY | NO_SYMLINKS */
      NEED(2);
      sb_op(&ops, op_index++, 1, 0x11, 0, argv[i + 1], argv[i + 2], "", 0);
      i += 2;
    } else if (!strcmp(o, "--tmpfs-size")) {
      NEED(2);
      sb_op(&ops, op_index++, 2, 0, 0, "", argv[i + 1], argv[i + 2], (uint32_t)strlen(argv[i + 2]));
      i += 2;
    } else if (!strcmp(o, "--tmpfs") || !strcmp(o, "--tmpfs-ro")) {
      NEED(1);
      sb_op(&ops, op_index++, 2, o[7] ? 1 : 0, 0, "", argv[++i], "", 0);
    } else if (!strcmp(o, "--proc")) { NEED(1); sb_op(&ops, op_index++, 3, 0, 0, "", argv[++i], "", 0); }
    else if (!strcmp(o, "--dev")) { NEED(1); sb_op(&ops, op_index++, 4, 0, 0, "", argv[++i], "", 0); }
    else if (!strcmp(o, "--dev-pts")) { NEED(1); sb_op(&ops, op_index++, 4, 8, 0, "", argv[++i], "", 0); }
    else if (!strcmp(o, "--symlink")) { NEED(2); sb_op(&ops, op_index++, 5, 0, 0, argv[i + 1], argv[i + 2], "", 0); i += 2; }
    else if (!strcmp(o, "--dir")) {
      NEED(2);
      sb_op(&ops, op_index++, 6, 0, (uint32_t)strtoul(argv[i + 2], NULL, 8), "", argv[i + 1], "", 0);
      i += 2;
    } else if (!strcmp(o, "--file") || !strcmp(o, "--ro-file")) {
      NEED(2);
      sb_op(&ops, op_index++, 7, o[2] == 'r' ? 1 : 0, 0644, "", argv[i + 1], argv[i + 2], strlen(argv[i + 2]));
      i += 2;
    } else if (!strcmp(o, "--hide")) { NEED(1); sb_op(&ops, op_index++, 8, 0, 0, "", argv[++i], "", 0); }
    else if (!strcmp(o, "--remount-ro")) { NEED(1); sb_op(&ops, op_index++, 9, 0, 0, "", argv[++i], "", 0); }
    else if (!strcmp(o, "--op-index")) { NEED(1); op_index = (uint32_t)strtoul(argv[++i], NULL, 0); }
    else if (!strcmp(o, "--no-init")) options &= ~0x1u;
    else if (!strcmp(o, "--new-session")) options |= 0x2;
    else if (!strcmp(o, "--nnp")) options |= 0x4;
    else if (!strcmp(o, "--die-with-parent")) options |= 0x8;
    else if (!strcmp(o, "--root-ro")) options |= 0x10;
    else if (!strcmp(o, "--lo")) options |= 0x20;
    else if (!strcmp(o, "--no-lo")) options &= ~0x20u;
    else if (!strcmp(o, "--cwd")) { NEED(1); cwd = argv[++i]; }
    else if (!strcmp(o, "--rlimit")) {
      NEED(3);
      sb_begin(&extra, 10);
      sb_u32(&extra, (uint32_t)strtoul(argv[i + 1], NULL, 0));
      sb_u32(&extra, 0);
      sb_u64(&extra, strtoull(argv[i + 2], NULL, 0));
      sb_u64(&extra, strtoull(argv[i + 3], NULL, 0));
      sb_end(&extra);
      i += 3;
    } else if (!strcmp(o, "--caps")) {
      NEED(1);
      sb_begin(&extra, 11);
      sb_u64(&extra, strtoull(argv[++i], NULL, 16));
      sb_end(&extra);
    } else if (!strcmp(o, "--fd")) {
      NEED(2);
      sb_begin(&extra, 12);
      sb_u32(&extra, (uint32_t)strtoul(argv[i + 1], NULL, 0));
      sb_u32(&extra, (uint32_t)strtoul(argv[i + 2], NULL, 0));
      sb_end(&extra);
      i += 2;
    } else if (!strcmp(o, "--time-limit")) {
      NEED(1);
      sb_begin(&extra, 13);
      sb_u64(&extra, strtoull(argv[++i], NULL, 0));
      sb_end(&extra);
    } else if (!strcmp(o, "--supervise")) {
      NEED(1);
      supervise = (uint32_t)strtoul(argv[++i], NULL, 0);
    } else if (!strcmp(o, "--seccomp-errno")) {
      /* ld [nr]; jeq NR ? errno : allow (no arch check: a test filter only) */
      NEED(2);
      uint32_t nr = (uint32_t)strtoul(argv[i + 1], NULL, 0), e = (uint32_t)strtoul(argv[i + 2], NULL, 0);
      i += 2;
      sb_begin(&extra, 14);
      sb_u32(&extra, 0);
      sb_u32(&extra, supervise);
      uint16_t code[4] = {0x20, 0x15, 0x06, 0x06};
      uint8_t jt[4] = {0, 0, 0, 0}, jf[4] = {0, 1, 0, 0};
      uint32_t k[4] = {0, nr, 0x00050000u | (e & 0xffff), 0x7fff0000u};
      for (int j = 0; j < 4; j++) {
        sb_u16(&extra, code[j]);
        sb_put(&extra, &jt[j], 1);
        sb_put(&extra, &jf[j], 1);
        sb_u32(&extra, k[j]);
      }
      sb_end(&extra);
    } else if (!strcmp(o, "--seccomp-file")) {
      /* a raw program (struct sock_filter entries, 8 bytes each, as `sandbox4j seccomp compile`
       * writes them), embedded unchanged in the SECCOMP record with flags 0 */
      NEED(1);
      const char *f = argv[++i];
      FILE *in = fopen(f, "rb");
      if (!in) { perror(f); return 1; }
      static uint8_t prog[4096 * 8 + 1];
      size_t n = fread(prog, 1, sizeof prog, in);
      int bad = ferror(in);
      fclose(in);
      if (bad || n == 0 || n % 8 || n > 4096 * 8) {
        fprintf(stderr, "mkspec: %s: %zu bytes, not 1..4096 sock_filter entries\n", f, n);
        return 1;
      }
      sb_begin(&extra, 14);
      sb_u32(&extra, 0);
      sb_u32(&extra, supervise);
      sb_put(&extra, prog, n);
      sb_end(&extra);
    } else if (!strcmp(o, "--landlock-ro")) {
      /* one LANDLOCK record (written at the end): the ABI 1 file-system rights handled, read/list/
       * execute beneath each given path, as Java's best effort sends for readOnly(...) on ABI 1-3 */
      NEED(1);
      if (n_ll < 32) ll_paths[n_ll++] = argv[++i];
    } else if (!strcmp(o, "--landlock-scoped")) { NEED(1); ll_scoped = (uint32_t)strtoul(argv[++i], NULL, 0); }
    else if (!strcmp(o, "--env")) { NEED(1); if (n_env < 256) env[n_env++] = argv[++i]; }
    else if (!strcmp(o, "--exec")) { NEED(1); exec = argv[++i]; argi = i + 1; break; }
    else { usage(); return 2; }
  }
  if (!exec) { usage(); return 2; }
  struct sbuf b = {0};
  sb_header(&b);
  sb_begin(&b, 1); sb_u32(&b, ns); sb_u32(&b, options); sb_end(&b);
  sb_begin(&b, 2); sb_u32(&b, uid); sb_u32(&b, gid); sb_u32(&b, huid); sb_u32(&b, hgid); sb_end(&b);
  if (hostname) { sb_begin(&b, 3); sb_str(&b, hostname); sb_end(&b); }
  sb_begin(&b, 4); sb_u32(&b, root_kind); sb_u32(&b, root_flags); sb_str(&b, root_path); sb_end(&b);
  sb_put(&b, ops.p, ops.n);
  sb_begin(&b, 6); sb_str(&b, exec); sb_end(&b);
  sb_begin(&b, 7);
  sb_u32(&b, (uint32_t)(argc - argi + 1));
  sb_str(&b, exec);
  for (int i = argi; i < argc; i++) sb_str(&b, argv[i]);
  sb_end(&b);
  sb_begin(&b, 8);
  sb_u32(&b, (uint32_t)n_env);
  for (size_t i = 0; i < n_env; i++) sb_str(&b, env[i]);
  sb_end(&b);
  if (cwd) { sb_begin(&b, 9); sb_str(&b, cwd); sb_end(&b); }
  sb_put(&b, extra.p, extra.n);
  if (n_ll || ll_scoped) {
    sb_begin(&b, 15);
    sb_u32(&b, 0);
    sb_u32(&b, ll_scoped);
    sb_u64(&b, n_ll ? 0x1fffull : 0); /* EXECUTE .. MAKE_SYM: ABI 1 */
    sb_u64(&b, 0);
    for (size_t j = 0; j < n_ll; j++) {
      sb_u16(&b, 1); sb_u16(&b, 0); sb_u32(&b, 0);
      sb_u64(&b, 0xdull); /* EXECUTE | READ_FILE | READ_DIR */
      sb_str(&b, ll_paths[j]);
    }
    sb_end(&b);
  }
  return fwrite(b.p, 1, b.n, stdout) == b.n && fflush(stdout) == 0 ? 0 : 1;
}
