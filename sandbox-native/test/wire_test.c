/* wire_test - the launcher's half of the golden wire files (sandbox-api/src/test/resources/wire/,
 * WireGoldenTest is the Java half). Usage: wire_test DIR OUT: decodes DIR/spec.bin, which Java's
 * SpecWriter wrote, with the launcher's own decoder and checks every field; writes OUT/status.bin
 * and OUT/result.bin with report.c's encoders (make check compares them with DIR's byte for byte,
 * and Java parses DIR's). wire_test --write DIR rewrites DIR/status.bin and DIR/result.bin. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>

#include "report.h"
#include "spec.h"

static int failures, checks;
#define CHECK(c, what)                                                   \
  do {                                                                   \
    checks++;                                                            \
    if (!(c)) failures++, fprintf(stderr, "wire_test: FAIL %s (%s)\n", what, #c); \
  } while (0)

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return perror(path), NULL;
  static uint8_t buf[1 << 16];
  *len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  return buf;
}

static int str_is(const char *a, const char *b) { return a && !strcmp(a, b); }

static void check_spec(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/spec.bin", dir);
  size_t len = 0;
  uint8_t *buf = slurp(path, &len);
  CHECK(buf != NULL, "read spec.bin");
  if (!buf) return;
  struct spec s;
  struct spec_error err;
  int rc = spec_decode(buf, len, &s, &err);
  if (rc) fprintf(stderr, "wire_test: decode: op %d: %s\n", err.op_index, err.detail);
  CHECK(rc == 0, "the launcher decodes Java's golden spec");
  if (rc) return;
  CHECK(s.clone_flags == NS_ALL, "FLAGS clone flags");
  CHECK(s.options == OPT_ALL, "FLAGS options");
  CHECK(s.uid == 1000 && s.gid == 1001 && s.host_uid == SPEC_ID_DEFAULT && s.host_gid == SPEC_ID_DEFAULT, "IDS");
  CHECK(s.n_idmaps == 2 && s.n_uid_maps == 1 && s.n_gid_maps == 1, "IDMAP count");
  CHECK(s.idmaps[0].kind == IDMAP_UID && s.idmaps[0].inside == 0 && s.idmaps[0].outside == 100000 &&
            s.idmaps[0].count == 65536, "IDMAP uid");
  CHECK(s.idmaps[1].kind == IDMAP_GID && s.idmaps[1].outside == 200000, "IDMAP gid");
  CHECK(str_is(s.hostname, "golden"), "HOSTNAME");
  CHECK(s.root_kind == ROOT_TMPFS && s.root_flags == 0, "ROOT");
  CHECK(s.n_ops == 10, "OP count");
  if (s.n_ops == 10) {
    static const struct { uint16_t kind, flags; uint32_t mode; const char *a, *b; } want[] = {
        {OP_BIND, OPF_READ_ONLY | OPF_NO_SYMLINKS, 0, "/usr", "/usr"},
        {OP_TMPFS, 0, 01777, "", "/tmp"},
        {OP_PROC, 0, 0, "", "/proc"},
        {OP_DEV, OPF_WITH_PTS, 0, "", "/dev"},
        {OP_SYMLINK, 0, 0, "usr/bin", "/bin"},
        {OP_DIR, 0, 0755, "", "/work"},
        {OP_FILE, 0, 0644, "", "/etc/hostname"},
        {OP_HIDE, 0, 0, "", "/usr/secret"},
        {OP_REMOUNT_RO, 0, 0, "", "/work"},
        {OP_BIND, OPF_OPTIONAL | OPF_ALLOW_DEVICES, 0, "/srv/d\xc3\xa9j\xc3\xa0", "/data"},
    };
    for (int i = 0; i < 10; i++) {
      char what[64];
      snprintf(what, sizeof what, "OP %d", i);
      const struct spec_op *o = &s.ops[i];
      CHECK(o->index == i && o->kind == want[i].kind && o->flags == want[i].flags && o->mode == want[i].mode &&
                str_is(o->a, want[i].a) && str_is(o->b, want[i].b), what);
    }
    CHECK(s.ops[1].data_len == 7 && !memcmp(s.ops[1].data, "1048576", 7), "OP TMPFS size");
    CHECK(s.ops[6].data_len == 4 && !memcmp(s.ops[6].data, "g\0x\n", 4), "OP FILE bytes with a NUL");
  }
  CHECK(str_is(s.exec_path, "/bin/sh"), "EXEC");
  CHECK(s.argc == 3 && str_is(s.argv[0], "sh") && str_is(s.argv[2], "echo \xc3\xa9") && !s.argv[3], "ARGV");
  CHECK(s.envc == 2 && str_is(s.envp[0], "PATH=/usr/bin") && str_is(s.envp[1], "LANG=C.UTF-8"), "ENV");
  CHECK(str_is(s.cwd, "/work"), "CWD");
  CHECK(s.n_rlimits == 1 && s.rlimits[0].resource == 7 && s.rlimits[0].soft == 64 && s.rlimits[0].hard == 128,
        "RLIMIT");
  CHECK(s.has_caps && s.caps_keep == ((1ull << 21) | (1ull << 40)), "CAPS");
  CHECK(s.n_fdmaps == 1 && s.fdmaps[0].from == FD_FIRST_KEPT && s.fdmaps[0].to == 3, "FDMAP");
  CHECK(s.time_limit_ms == 5000, "TIME_LIMIT");
  CHECK(s.has_seccomp && s.seccomp_flags == 2 && s.supervise == SUPERVISE_REPORT && s.filter_len == 1 &&
            s.filter[0].code == 0x06 && s.filter[0].k == 0x7fff0000u, "SECCOMP");
  CHECK(s.has_landlock && s.ll_min_abi == 5 && s.ll_fs == 0xffff && s.ll_net == 2 && s.ll_scoped == 0 &&
            s.n_ll_rules == 2, "LANDLOCK (strict: the ABI of the rights, 5 for IOCTL_DEV)");
  if (s.n_ll_rules == 2) {
    CHECK(s.ll_rules[0].kind == LL_RULE_PATH && str_is(s.ll_rules[0].path, "/usr") &&
              s.ll_rules[0].access == 0xd, "LANDLOCK path rule (EXECUTE|READ_FILE|READ_DIR)");
    CHECK(s.ll_rules[1].kind == LL_RULE_PORT && s.ll_rules[1].port == 443 && s.ll_rules[1].access == 2,
          "LANDLOCK port rule (CONNECT_TCP)");
  }
  CHECK(s.n_cgroups == 1, "CGROUP count");
  if (s.n_cgroups == 1) {
    const struct spec_cgroup *g = &s.cgroups[0];
    CHECK(g->flags == (CG_F_V2 | CG_F_INTO) && str_is(g->path, "/sys/fs/cgroup/sb4j/golden") && g->n_stats == 2 &&
              str_is(g->stats[0].file, "memory.peak") && str_is(g->stats[0].key, "") &&
              str_is(g->stats[1].file, "pids.events") && str_is(g->stats[1].key, "max"), "CGROUP");
  }
  spec_free(&s);
}

static int open_out(const char *dir, const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) perror(path);
  return fd;
}

/* What WireGoldenTest expects of status.bin and result.bin. */
static int write_report(const char *dir) {
  int st = open_out(dir, "status.bin"), res = open_out(dir, "result.bin");
  if (st < 0 || res < 0) return -1;
  report_reset(st);
  errno = 0;
  CHECK(fail_errno(9, STEP_BIND, ENOENT, "/srv/d\xc3\xa9j\xc3\xa0", "open bind source %s", "/srv/d\xc3\xa9j\xc3\xa0") == -1 &&
            errno == 0, "fail_errno returns -1 and keeps errno");
  report_status(1, STEP_CLONE, EPERM, NULL, "only the first status record counts");
  report_reset(-1);
  close(st);
  struct sv_rec v = {.kind = SV_REC_VIOLATION, .arch = AUDIT_ARCH_X86_64, .nr = 101, .pid = 2, .action = 0x80000000u,
                     .count = 1, .args = {1, 2, 3, 4, 5, 0x123456789abcdef0ull}, .comm = "attack"};
  struct sv_rec l = {.kind = SV_REC_LEARNED, .arch = AUDIT_ARCH_AARCH64, .nr = 63, .pid = 3, .action = 0x7fff0000u,
                     .count = 7, .args = {3, 0, 4096, 0, 0, ~0ull}, .comm = "sh"};
  struct sv_rec lost = {.kind = SV_REC_LOST, .count = 5};
  uint64_t counters[] = {1048576, 12, CG_UNREADABLE};
  int rc = report_sv_record(res, &v) | report_sv_record(res, &l) | report_sv_record(res, &lost) |
           report_counters(res, counters, 3) | report_result(res, RESULT_SIGNALED, 31, RESULT_F_TIME_LIMIT | RESULT_F_CORE);
  close(res);
  return rc;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "--write")) return write_report(argv[2]) ? 1 : 0;
  if (argc != 3) {
    fprintf(stderr, "usage: wire_test GOLDEN_DIR OUT_DIR | wire_test --write GOLDEN_DIR\n");
    return 2;
  }
  check_spec(argv[1]);
  CHECK(write_report(argv[2]) == 0, "write the report records");
  printf("wire_test: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}
