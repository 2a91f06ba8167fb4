/*
 * Installs a seccomp filter from a .bpf file (struct sock_filter array) and execs a command:
 *   seccomp_exec FILTER.bpf COMMAND [ARG]...
 * Exit 126 when the filter cannot be installed, 127 (printing "exec errno N") when exec fails.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s FILTER.bpf COMMAND [ARG]...\n", argv[0]);
        return 2;
    }
    static struct sock_filter insns[4096];
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 126;
    }
    size_t n = fread(insns, sizeof insns[0], 4096, f);
    fclose(f);
    struct sock_fprog prog = {.len = (unsigned short)n, .filter = insns};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        perror("PR_SET_NO_NEW_PRIVS");
        return 126;
    }
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
        perror("seccomp");
        return 126;
    }
    execvp(argv[2], argv + 2);
    int e = errno;
    printf("exec errno %d\n", e);
    fflush(stdout);
    return 127;
}
