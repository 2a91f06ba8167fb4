/*
 * Makes the system calls the kernel tests expect a filter to stop:
 *   seccomp_attacker [--filter FILE.bpf] MODE [ARGS]
 * MODE: syscall NR [ARG]...  any call, numbers in decimal or 0x hex
 *       x32                  getpid through the x32 ABI (nr | 0x40000000), x86_64 only
 *       i386                 getpid through int $0x80 (the i386 ABI), x86_64 only
 *       fork | thread | exec  start a process / a pthread / exec /bin/true
 * Prints "ret R errno E" for the call it made; a filter that kills ends the process with SIGSYS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(long ret, int err) {
    printf("ret %ld errno %d\n", ret, ret < 0 ? err : 0);
    fflush(stdout);
}

static void install(const char *path) {
    static struct sock_filter insns[4096];
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(126);
    }
    size_t n = fread(insns, sizeof insns[0], 4096, f);
    fclose(f);
    struct sock_fprog prog = {.len = (unsigned short)n, .filter = insns};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
        perror("install filter");
        exit(126);
    }
}

static void *thread_main(void *arg) {
    return arg;
}

int main(int argc, char **argv) {
    int i = 1;
    if (argc > 2 && strcmp(argv[1], "--filter") == 0) {
        install(argv[2]);
        i = 3;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: %s [--filter FILE] MODE [ARGS]\n", argv[0]);
        return 2;
    }
    const char *mode = argv[i];
    if (strcmp(mode, "syscall") == 0) {
        long a[7] = {0};
        for (int k = 0; k < 7 && i + 1 + k < argc; k++) a[k] = (long)strtoull(argv[i + 1 + k], NULL, 0);
        long r = syscall(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
        report(r, errno);
    } else if (strcmp(mode, "x32") == 0) {
#ifdef __x86_64__
        long r = syscall(0x40000000L | SYS_getpid);
        report(r, errno);
#else
        return 3;
#endif
    } else if (strcmp(mode, "i386") == 0) {
#ifdef __x86_64__
        long r = 20; /* __NR_getpid on i386 */
        __asm__ volatile("int $0x80" : "+a"(r) : : "memory");
        report(r < 0 ? -1 : r, r < 0 ? (int)-r : 0);
#else
        return 3;
#endif
    } else if (strcmp(mode, "fork") == 0) {
        pid_t p = fork();
        if (p == 0) _exit(0);
        if (p > 0) waitpid(p, NULL, 0);
        report(p < 0 ? -1 : 0, errno);
    } else if (strcmp(mode, "thread") == 0) {
        pthread_t t;
        int rc = pthread_create(&t, NULL, thread_main, NULL);
        if (rc == 0) pthread_join(t, NULL);
        report(rc == 0 ? 0 : -1, rc);
    } else if (strcmp(mode, "exec") == 0) {
        char *args[] = {"/bin/true", NULL};
        execv(args[0], args);
        report(-1, errno);
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    return 0;
}
