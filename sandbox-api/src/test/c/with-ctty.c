/*
 * with-ctty: runs a command in a new session whose controlling terminal (and stdin) is a fresh pty,
 * as a terminal user's shell would have. Used by the TIOCSTI test: a program that shares the
 * caller's session can push bytes into that terminal's input; a jail in a new session cannot.
 * Exits with the command's status.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: with-ctty COMMAND [ARG]...\n");
        return 2;
    }
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) || unlockpt(master)) {
        perror("with-ctty: pty");
        return 2;
    }
    const char *slave = ptsname(master);
    pid_t pid = fork();
    if (pid < 0) {
        perror("with-ctty: fork");
        return 2;
    }
    if (pid == 0) {
        setsid();
        int s = open(slave, O_RDWR); /* first tty opened by a session leader becomes its ctty */
        if (s < 0) {
            perror("with-ctty: open slave");
            _exit(2);
        }
        ioctl(s, TIOCSCTTY, 0);
        dup2(s, 0);
        if (s > 2) close(s);
        execv(argv[1], argv + 1);
        perror("with-ctty: exec");
        _exit(127);
    }
    int status;
    char buf[256];
    for (;;) {
        struct pollfd p = {master, POLLIN, 0};
        if (poll(&p, 1, 50) > 0 && (p.revents & POLLIN)) {
            if (read(master, buf, sizeof buf) < 0) { /* drain injected input */ }
        }
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
    }
    if (WIFSIGNALED(status)) {
        signal(WTERMSIG(status), SIG_DFL);
        raise(WTERMSIG(status));
    }
    return WEXITSTATUS(status);
}
