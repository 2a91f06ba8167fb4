/*
 * Differential-test and benchmark harness: compiles policies with libseccomp and exports the BPF.
 *
 *   libseccomp_harness compile OUTDIR < policies
 *       policy ARCH DEFAULT OPTIMIZE      (ARCH x86_64|aarch64, OPTIMIZE 1|2)
 *       rule NAME ACTION [ARG OP VALUE [MASK]]...    (OP eq ne lt le gt ge masked_eq, hex values)
 *       end
 *     writes OUTDIR/<n>.bpf for the n-th policy (from 0) and prints "ok n" or "fail n reason".
 *   libseccomp_harness resolve ARCH < names      prints "name number" for names libseccomp knows.
 *
 * Actions: ALLOW KILL_PROCESS KILL_THREAD TRAP LOG ERRNO:n TRACE:n.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t arch_token(const char *name) {
    if (strcmp(name, "x86_64") == 0) return SCMP_ARCH_X86_64;
    if (strcmp(name, "aarch64") == 0) return SCMP_ARCH_AARCH64;
    fprintf(stderr, "unknown arch %s\n", name);
    exit(2);
}

static int parse_action(const char *s, uint32_t *out) {
    if (strcmp(s, "ALLOW") == 0) *out = SCMP_ACT_ALLOW;
    else if (strcmp(s, "KILL_PROCESS") == 0) *out = SCMP_ACT_KILL_PROCESS;
    else if (strcmp(s, "KILL_THREAD") == 0) *out = SCMP_ACT_KILL_THREAD;
    else if (strcmp(s, "TRAP") == 0) *out = SCMP_ACT_TRAP;
    else if (strcmp(s, "LOG") == 0) *out = SCMP_ACT_LOG;
    else if (strncmp(s, "ERRNO:", 6) == 0) *out = SCMP_ACT_ERRNO(atoi(s + 6));
    else if (strncmp(s, "TRACE:", 6) == 0) *out = SCMP_ACT_TRACE(atoi(s + 6));
    else return -1;
    return 0;
}

static int parse_op(const char *s, enum scmp_compare *op) {
    static const struct { const char *n; enum scmp_compare op; } ops[] = {
        {"eq", SCMP_CMP_EQ}, {"ne", SCMP_CMP_NE}, {"lt", SCMP_CMP_LT}, {"le", SCMP_CMP_LE},
        {"gt", SCMP_CMP_GT}, {"ge", SCMP_CMP_GE}, {"masked_eq", SCMP_CMP_MASKED_EQ}};
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (strcmp(s, ops[i].n) == 0) {
            *op = ops[i].op;
            return 0;
        }
    }
    return -1;
}

static int compile(const char *outdir) {
    char line[8192];
    scmp_filter_ctx ctx = NULL;
    int n = -1, failed = 0;
    while (fgets(line, sizeof line, stdin)) {
        char *save = NULL;
        char *word = strtok_r(line, " \t\n", &save);
        if (!word) continue;
        if (strcmp(word, "policy") == 0) {
            char *arch = strtok_r(NULL, " \t\n", &save);
            char *dflt = strtok_r(NULL, " \t\n", &save);
            char *opt = strtok_r(NULL, " \t\n", &save);
            uint32_t act;
            n++;
            failed = 0;
            if (!arch || !dflt || !opt || parse_action(dflt, &act) != 0) {
                printf("fail %d bad policy line\n", n);
                failed = 1;
                continue;
            }
            ctx = seccomp_init(act);
            if (!ctx) {
                printf("fail %d seccomp_init\n", n);
                failed = 1;
                continue;
            }
            uint32_t a = arch_token(arch);
            if (a != seccomp_arch_native()) {
                seccomp_arch_add(ctx, a);
                seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
            }
            seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
            seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, atoi(opt));
        } else if (strcmp(word, "rule") == 0) {
            if (failed || !ctx) continue;
            char *name = strtok_r(NULL, " \t\n", &save);
            char *action = strtok_r(NULL, " \t\n", &save);
            uint32_t act;
            struct scmp_arg_cmp cmp[6];
            unsigned count = 0;
            if (!name || !action || parse_action(action, &act) != 0) {
                printf("fail %d bad rule\n", n);
                failed = 1;
                continue;
            }
            char *tok;
            while ((tok = strtok_r(NULL, " \t\n", &save)) != NULL && count < 6) {
                char *op = strtok_r(NULL, " \t\n", &save);
                char *val = strtok_r(NULL, " \t\n", &save);
                enum scmp_compare c;
                if (!op || !val || parse_op(op, &c) != 0) {
                    printf("fail %d bad condition\n", n);
                    failed = 1;
                    break;
                }
                cmp[count].arg = (unsigned)atoi(tok);
                cmp[count].op = c;
                if (c == SCMP_CMP_MASKED_EQ) {
                    char *mask = strtok_r(NULL, " \t\n", &save);
                    cmp[count].datum_a = strtoull(mask ? mask : "0", NULL, 16);
                    cmp[count].datum_b = strtoull(val, NULL, 16);
                } else {
                    cmp[count].datum_a = strtoull(val, NULL, 16);
                    cmp[count].datum_b = 0;
                }
                count++;
            }
            if (failed) continue;
            int nr = seccomp_syscall_resolve_name(name);
            int rc = nr == __NR_SCMP_ERROR ? -ENOENT : seccomp_rule_add_array(ctx, act, nr, count, cmp);
            if (rc != 0) {
                printf("fail %d rule %s: %s\n", n, name, strerror(-rc));
                failed = 1;
            }
        } else if (strcmp(word, "end") == 0) {
            if (!failed && ctx) {
                char path[4096];
                snprintf(path, sizeof path, "%s/%d.bpf", outdir, n);
                int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                int rc = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
                if (fd >= 0) close(fd);
                if (rc != 0) printf("fail %d export: %s\n", n, strerror(-rc));
                else printf("ok %d\n", n);
            }
            if (ctx) seccomp_release(ctx);
            ctx = NULL;
        }
    }
    fflush(stdout);
    return 0;
}

static int resolve(const char *arch) {
    char name[256];
    uint32_t a = arch_token(arch);
    while (scanf("%255s", name) == 1) {
        int nr = seccomp_syscall_resolve_name_arch(a, name);
        if (nr >= 0) printf("%s %d\n", name, nr);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "compile") == 0) return compile(argv[2]);
    if (argc == 3 && strcmp(argv[1], "resolve") == 0) return resolve(argv[2]);
    fprintf(stderr, "usage: %s compile OUTDIR | resolve ARCH\n", argv[0]);
    return 2;
}
