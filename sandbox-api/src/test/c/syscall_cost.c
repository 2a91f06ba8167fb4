/*
 * syscall_cost: what a seccomp filter costs per system call, on the real kernel.
 *
 *   syscall_cost ALLOW_LIST OURS.bpf [ROUNDS] [CALLS]
 *
 * For each of: no filter, our compiled program (OURS.bpf, raw struct sock_filter), and libseccomp's
 * program for the same allow-list (default KILL_PROCESS, SCMP_FLTATR_CTL_OPTIMIZE=2), a fresh child
 * installs the filter (filters cannot be removed) and times CALLS calls of each probe system call
 * (getppid, lseek on a bad fd, and close(-1): early, middle and late in the number space, all in the
 * reference allow-lists). Prints the median over ROUNDS of ns per call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { NONE, OURS, LIBSECCOMP };
static const char *const variant_names[] = {"no filter", "sandbox4j", "libseccomp"};
static const int probes[] = {SYS_getppid, SYS_lseek, SYS_close};
static const char *const probe_names[] = {"getppid", "lseek", "close"};
#define NPROBES 3

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int install_ours(const char *bpf) {
    FILE *f = fopen(bpf, "rb");
    if (!f) return -1;
    static struct sock_filter insns[4096];
    size_t n = fread(insns, sizeof insns[0], 4096, f);
    fclose(f);
    struct sock_fprog prog = {(unsigned short)n, insns};
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int install_libseccomp(const char *list) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (!ctx) return -1;
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    FILE *f = fopen(list, "r");
    if (!f) return -1;
    char line[128];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n#")] = 0;
        if (!line[0]) continue;
        int nr = seccomp_syscall_resolve_name(line);
        if (nr != __NR_SCMP_ERROR) seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
    }
    fclose(f);
    int rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc;
}

/* In a child: install the variant's filter, time each probe, write the ns per call to fd. */
static void child(int variant, const char *list, const char *bpf, long calls, int fd) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) _exit(2);
    if (variant == OURS && install_ours(bpf)) _exit(3);
    if (variant == LIBSECCOMP && install_libseccomp(list)) _exit(4);
    double out[NPROBES];
    for (int p = 0; p < NPROBES; p++) {
        long nr = probes[p];
        long a0 = nr == SYS_getppid ? 0 : -1;
        for (long i = 0; i < calls / 10; i++) syscall(nr, a0, 0, 0); /* warm-up */
        double t0 = now_ns();
        for (long i = 0; i < calls; i++) syscall(nr, a0, 0, 0);
        out[p] = (now_ns() - t0) / calls;
    }
    if (write(fd, out, sizeof out) != (ssize_t)sizeof out) _exit(5);
    _exit(0);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: syscall_cost ALLOW_LIST OURS.bpf [ROUNDS] [CALLS]\n");
        return 2;
    }
    int rounds = argc > 3 ? atoi(argv[3]) : 7;
    long calls = argc > 4 ? atol(argv[4]) : 1000000;
    double r[3][NPROBES][64];
    for (int k = 0; k < rounds && k < 64; k++) {
        for (int v = NONE; v <= LIBSECCOMP; v++) { /* interleaved, so drift hits all alike */
            int p[2];
            if (pipe(p)) return 1;
            pid_t pid = fork();
            if (pid == 0) {
                close(p[0]);
                child(v, argv[1], argv[2], calls, p[1]);
            }
            close(p[1]);
            double out[NPROBES];
            ssize_t n = read(p[0], out, sizeof out);
            close(p[0]);
            int st;
            waitpid(pid, &st, 0);
            if (n != (ssize_t)sizeof out || !WIFEXITED(st) || WEXITSTATUS(st)) {
                fprintf(stderr, "syscall_cost: %s failed (status 0x%x)\n", variant_names[v], st);
                return 1;
            }
            for (int q = 0; q < NPROBES; q++) r[v][q][k] = out[q];
        }
    }
    printf("%-12s", "ns per call");
    for (int q = 0; q < NPROBES; q++) printf(" %10s", probe_names[q]);
    printf("\n");
    for (int v = NONE; v <= LIBSECCOMP; v++) {
        printf("%-12s", variant_names[v]);
        for (int q = 0; q < NPROBES; q++) {
            qsort(r[v][q], (size_t)rounds, sizeof(double), cmp);
            printf(" %10.1f", r[v][q][rounds / 2]);
        }
        printf("\n");
    }
    return 0;
}
