/*
 * attack: the escape attempts the jail tests make from inside a jail. Static, so a jail needs nothing
 * but this one file. Each subcommand tries one thing and prints one line:
 *   "OK <what>"            the attempt worked (exit 0)
 *   "DENIED <ERRNO> <what>" the kernel refused it (exit 1)
 * Usage errors exit 2.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <dirent.h>
#include <sys/mount.h>
#include <stddef.h>
#include <sys/uio.h>
#include <sys/prctl.h>
#include <sys/un.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e) {
    switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EBADF: return "EBADF";
    case EACCES: return "EACCES";
    case EROFS: return "EROFS";
    case ENETUNREACH: return "ENETUNREACH";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EMFILE: return "EMFILE";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case ENOSYS: return "ENOSYS";
    case EINVAL: return "EINVAL";
    case ENOTTY: return "ENOTTY";
    case EIO: return "EIO";
    case ENOSPC: return "ENOSPC";
    default: return "E?";
    }
}

static int denied(const char *what) {
    int e = errno;
    printf("DENIED %s %s\n", ename(e), what);
    fflush(stdout);
    return 1;
}

static int ok(const char *what) {
    printf("OK %s\n", what);
    fflush(stdout);
    return 0;
}

static int cmd_read(const char *path) {
    char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0) return denied(path);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n < 0) return denied(path);
    buf[n] = 0;
    printf("OK read %s: %s\n", path, buf);
    return 0;
}

static int cmd_write(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return denied(path);
    if (write(fd, "pwned\n", 6) != 6) return denied(path);
    close(fd);
    return ok(path);
}

static int cmd_kill(const char *pid) {
    if (kill(atoi(pid), SIGKILL) != 0) return denied("kill");
    return ok("kill");
}

static int cmd_connect(const char *port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return denied("socket");
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)atoi(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) return denied("connect");
    char buf[256];
    ssize_t n = read(s, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("OK connect: %s\n", buf);
    return 0;
}

static int cmd_readfd(const char *fdstr) {
    char buf[4096];
    int fd = atoi(fdstr);
    if (lseek(fd, 0, SEEK_SET) < 0 && errno == EBADF) return denied("readfd");
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n < 0) return denied("readfd");
    buf[n] = 0;
    printf("OK readfd %d: %s\n", fd, buf);
    return 0;
}

/* Lists the open fds above 2 (fcntl probe, no /proc needed). */
static int cmd_fds(void) {
    int found = 0;
    for (int fd = 3; fd < 4096; fd++) {
        if (fcntl(fd, F_GETFD) >= 0) {
            printf("fd %d\n", fd);
            found++;
        }
    }
    printf("OK fds %d\n", found);
    return 0;
}

static int cmd_env(char **envp) {
    for (char **e = envp; *e; e++) printf("%s\n", *e);
    return ok("env");
}

static int cmd_tiocsti(void) {
    char c = '#';
    if (ioctl(0, TIOCSTI, &c) != 0) return denied("tiocsti");
    return ok("tiocsti");
}

static int cmd_sethostname(const char *name) {
    if (sethostname(name, strlen(name)) != 0) return denied("sethostname");
    return ok("sethostname");
}

static int cmd_hostname(void) {
    char buf[256];
    if (gethostname(buf, sizeof buf) != 0) return denied("gethostname");
    printf("OK hostname %s\n", buf);
    return 0;
}

static int cmd_mount(const char *dir) {
    if (mount("none", dir, "tmpfs", 0, NULL) != 0) return denied("mount");
    return ok("mount");
}

static int cmd_ids(void) {
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    gid_t groups[64];
    int n = getgroups(64, groups);
    printf("OK ids uid=%u euid=%u gid=%u egid=%u groups=%d pid=%d\n", r, e, gr, ge, n, getpid());
    return 0;
}

/* Prints the status lines the tests look at: capabilities, no_new_privs, seccomp. */
static int cmd_status(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return denied("status");
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10) || !strncmp(line, "Seccomp", 7))
            fputs(line, stdout);
    }
    fclose(f);
    return ok("status");
}

static int cmd_ptrace(const char *pid) {
    if (ptrace(PTRACE_ATTACH, atoi(pid), 0, 0) != 0) return denied("ptrace");
    return ok("ptrace");
}

/* The classic chroot escape: chroot into a subdirectory without chdir, then walk up. */
static int cmd_chroot_escape(const char *probe) {
    mkdir("/tmp/esc", 0755);
    if (chroot("/tmp/esc") != 0) return denied("chroot");
    for (int i = 0; i < 64; i++) chdir("..");
    if (chroot(".") != 0) return denied("chroot2");
    if (access(probe, F_OK) != 0) return denied("escape-probe");
    return ok("escaped");
}

static int cmd_nofile(const char *count) {
    int n = atoi(count);
    for (int i = 0; i < n; i++) {
        if (open("/", O_RDONLY) < 0) {
            char what[64];
            snprintf(what, sizeof what, "open #%d", i);
            return denied(what);
        }
    }
    return ok("nofile");
}

static int cmd_forkbomb(const char *count) {
    int n = atoi(count);
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p < 0) {
            char what[64];
            snprintf(what, sizeof what, "fork #%d", i);
            return denied(what);
        }
        if (p == 0) {
            pause();
            _exit(0);
        }
    }
    return ok("forkbomb");
}

static int cmd_alloc(const char *mib) {
    size_t n = (size_t)atol(mib) << 20;
    /* volatile: a compiler may drop a memset of memory nobody reads, and untouched pages cost nothing */
    volatile char *p = malloc(n);
    if (!p) return denied("alloc");
    for (size_t i = 0; i < n; i += 4096) p[i] = 1;
    return p[n / 2] == 1 ? ok("alloc") : denied("alloc");
}

/* fillmib PATH MIB: writes MIB mebibytes to PATH (a tmpfs bomb: tmpfs pages are memory). */
static int cmd_fillmib(const char *path, const char *mib) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return denied("open");
    static char chunk[1 << 20];
    memset(chunk, 7, sizeof chunk);
    for (long i = 0; i < atol(mib); i++) {
        if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk) {
            char what[64];
            snprintf(what, sizeof what, "write MiB #%ld", i);
            return denied(what);
        }
    }
    return ok("fillmib");
}

/* N processes spin for MS milliseconds of wall time each: a CPU hog. */
static int cmd_spin(const char *procs, const char *ms) {
    int n = atoi(procs);
    for (int i = 0; i < n; i++) {
        if (fork() == 0) {
            struct timespec t0, t;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            volatile unsigned long x = 0;
            do {
                for (int k = 0; k < 100000; k++) x++;
                clock_gettime(CLOCK_MONOTONIC, &t);
            } while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < atol(ms));
            _exit(0);
        }
    }
    while (wait(NULL) > 0) {}
    return ok("spin");
}

/* Forks N children that wait forever, then waits forever itself: a jail full of processes. */
static int cmd_hold(const char *count) {
    int n = atoi(count);
    for (int i = 0; i < n; i++) {
        if (fork() == 0) {
            for (;;) pause();
        }
    }
    printf("HOLDING\n");
    fflush(stdout);
    for (;;) pause();
}

static int cmd_sleep(const char *secs) {
    sleep((unsigned)atoi(secs));
    return ok("sleep");
}

static int cmd_exit(const char *code) {
    exit(atoi(code));
}

static int cmd_signal(const char *sig) {
    raise(atoi(sig));
    return ok("survived");
}

static int cmd_list(const char *dir) {
    char cmdbuf[64];
    (void)cmdbuf;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return denied(dir);
    char buf[8192];
    long n;
    printf("OK list %s:", dir);
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            unsigned short reclen = *(unsigned short *)(buf + off + 16);
            const char *name = buf + off + 19;
            if (strcmp(name, ".") && strcmp(name, "..")) printf(" %s", name);
            off += reclen;
        }
    }
    printf("\n");
    return 0;
}

static int cmd_cat_stdin(void) {
    char buf[4096];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        if (write(1, buf, (size_t)n) != n) return 1;
    }
    return 0;
}

static int cmd_cwd(void) {
    char buf[4096];
    if (!getcwd(buf, sizeof buf)) return denied("getcwd");
    printf("OK cwd %s\n", buf);
    return 0;
}

static int cmd_unshare(void) {
    if (unshare(CLONE_NEWUSER) != 0) return denied("unshare");
    return ok("unshare");
}

/* The x32 and i386 system call ABIs, the classic ways around a filter written for x86_64 numbers. */
static int cmd_x32(void) {
#ifdef __x86_64__
    long r = syscall(39 | 0x40000000); /* getpid, x32 numbering */
    if (r < 0) return denied("x32");
    return ok("x32");
#else
    errno = ENOSYS;
    return denied("x32");
#endif
}

static int cmd_i386(void) {
#ifdef __x86_64__
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory"); /* i386 getpid */
    if (r < 0) {
        errno = (int)-r;
        return denied("i386");
    }
    return ok("i386");
#else
    errno = ENOSYS;
    return denied("i386");
#endif
}

/* A raw system call by number with up to six numeric arguments: reports the kernel's (or the
 * filter's) answer, so tests can reach calls libc does not wrap and numbers no kernel has yet. */
static int cmd_syscall(int argc, char **argv) {
    long a[6] = {0, 0, 0, 0, 0, 0};
    if (argc < 3) return 2;
    for (int i = 3; i < argc && i < 9; i++) a[i - 3] = strtol(argv[i], NULL, 0);
    errno = 0;
    long r = syscall(strtol(argv[2], NULL, 0), a[0], a[1], a[2], a[3], a[4], a[5]);
    if (r < 0) return denied("syscall");
    return ok("syscall");
}

/* Numbers and structures of the calls after Linux 6.1 (the build headers may predate them). */
#define SC4J_NR_statmount 457
#define SC4J_NR_listmount 458
#define SC4J_NR_open_tree_attr 467
struct sc4j_mount_attr { unsigned long long attr_set, attr_clr, propagation, userns_fd; };
struct sc4j_mnt_id_req { unsigned int size, spare; unsigned long long mnt_id, param; };
#define SC4J_STATMOUNT_MNT_ROOT 0x8u
#define SC4J_STATMOUNT_MNT_POINT 0x10u
#define SC4J_STATMOUNT_STR 512 /* the strings follow the fixed 512-byte struct statmount */

/* open_tree_attr(OPEN_TREE_CLONE) of a read-only bind, clearing MOUNT_ATTR_RDONLY on the clone,
 * then a file created through the clone: a write into the bind's source despite the bind. */
static int cmd_open_tree_attr(const char *dir) {
    struct sc4j_mount_attr attr = {0, 0x1 /* MOUNT_ATTR_RDONLY */, 0, 0};
    int fd = (int)syscall(SC4J_NR_open_tree_attr, AT_FDCWD, dir, 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC,
                          &attr, sizeof attr);
    if (fd < 0) return denied("open_tree_attr");
    int f = openat(fd, "written-through-clone", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f < 0) return denied("write through the clone");
    if (write(f, "escaped\n", 8) != 8) return denied("write through the clone");
    close(f);
    return ok("open_tree_attr");
}

/* Prints "MOUNT <root in its filesystem> ON <mount point>" for mount id `id`. */
static int print_mount(unsigned long long id) {
    static char buf[65536];
    struct sc4j_mnt_id_req req = {sizeof req, 0, id, SC4J_STATMOUNT_MNT_ROOT | SC4J_STATMOUNT_MNT_POINT};
    if (syscall(SC4J_NR_statmount, &req, buf, sizeof buf, 0) < 0) return -1;
    unsigned int root, point;
    memcpy(&root, buf + 104, sizeof root);
    memcpy(&point, buf + 108, sizeof point);
    printf("MOUNT %s ON %s\n", buf + SC4J_STATMOUNT_STR + root, buf + SC4J_STATMOUNT_STR + point);
    return 0;
}

/* listmount of the jail's whole mount table, then statmount of each: the source path of every
 * bind, as /proc/self/mountinfo would show it, with no /proc needed. */
static int cmd_listmount(void) {
    unsigned long long ids[256];
    struct sc4j_mnt_id_req req = {sizeof req, 0, ~0ULL /* LSMT_ROOT */, 0};
    long n = syscall(SC4J_NR_listmount, &req, ids, 256, 0);
    if (n < 0) return denied("listmount");
    for (long i = 0; i < n; i++) {
        if (print_mount(ids[i]) != 0) return denied("statmount");
    }
    return ok("listmount");
}

/* statmount of the mount `path` is on, its id from statx (STATX_MNT_ID_UNIQUE, 6.8). */
static int cmd_statmount(const char *path) {
    struct statx st;
    if (statx(AT_FDCWD, path, 0, 0x4000 /* STATX_MNT_ID_UNIQUE */, &st) != 0) return denied("statx");
    if (print_mount(st.stx_mnt_id) != 0) return denied("statmount");
    return ok("statmount");
}

/* Waits for SIGTERM and exits 42 from its handler: shows the signal reached the program. */
static volatile sig_atomic_t got_term;
static void on_term(int s) { (void)s; got_term = 1; }
static int cmd_await_term(void) {
    signal(SIGTERM, on_term);
    printf("READY\n");
    fflush(stdout);
    while (!got_term) pause();
    printf("GOT SIGTERM\n");
    fflush(stdout);
    return 42;
}


/* Jail init and the launcher side (pid 1 of the jail is the one that matters). */

/* open PATH ("r": and read a byte; "rw": open for writing, as an injection into /proc/PID/mem does) */
static int cmd_procopen(const char *path, const char *mode) {
    int rw = !strcmp(mode, "rw");
    int fd = open(path, rw ? O_RDWR : O_RDONLY);
    if (fd < 0) return denied(path);
    char b;
    if (!rw && read(fd, &b, 1) < 0) return denied(path);
    close(fd);
    return ok(path);
}

/* rocheck DIR...: each DIR holding "ro-marker" (the source that was bound read-only) must refuse a
 * new file. "OK writable DIR" (exit 0) means a read-only bind came out writable. */
static int cmd_rocheck(int n, char **dirs) {
    for (int i = 0; i < n; i++) {
        /* One dir fd per check: a peer may rename the path while this runs. */
        int d = open(dirs[i], O_RDONLY | O_DIRECTORY);
        if (d < 0) return denied(dirs[i]);
        if (faccessat(d, "ro-marker", F_OK, 0)) {
            close(d);
            continue;
        }
        int fd = openat(d, "probe", O_WRONLY | O_CREAT, 0644);
        int e = errno;
        close(d);
        if (fd >= 0) {
            close(fd);
            printf("OK writable %s\n", dirs[i]);
            return 0;
        }
        errno = e;
        if (errno != EROFS) return denied(dirs[i]);
    }
    printf("DENIED EROFS read-only everywhere\n");
    return 1;
}

/* fill PATH KIB: writes KIB KiB into a new file (ENOSPC on a full tmpfs). */
static int cmd_fill(const char *path, const char *kib) {
    static char block[1024];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return denied(path);
    for (long i = 0; i < atol(kib); i++)
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block) return denied(path);
    close(fd);
    return ok(path);
}

/* list /proc/PID/fd */
static int cmd_lsfd(const char *pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%s/fd", pid);
    DIR *d = opendir(path);
    if (!d) return denied(path);
    int n = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d))) n += e->d_name[0] != '.';
    if (errno) return denied(path);
    closedir(d);
    printf("OK %s %d entries\n", path, n);
    fflush(stdout);
    return 0;
}

/* process_vm_readv of one of our own globals: valid in a forked sibling, the point is the check */
static char vm_probe[16] = "vm-probe";
static int cmd_vmread(const char *pid) {
    char buf[16];
    struct iovec local = {buf, sizeof buf}, remote = {vm_probe, sizeof vm_probe};
    if (syscall(SYS_process_vm_readv, atoi(pid), &local, 1, &remote, 1, 0) < 0) return denied("process_vm_readv");
    return ok("process_vm_readv");
}

/* pidfd_getfd of every fd 0..63 of PID */
static int cmd_getfd(const char *pid) {
    int pfd = (int)syscall(434 /* pidfd_open */, atoi(pid), 0);
    if (pfd < 0) return denied("pidfd_open");
    int got = 0, err = 0;
    for (int fd = 0; fd < 64; fd++) {
        int n = (int)syscall(438 /* pidfd_getfd */, pfd, fd, 0);
        if (n >= 0) got++, close(n);
        else if (errno != EBADF) err = errno;
    }
    if (!got) {
        errno = err ? err : EBADF;
        return denied("pidfd_getfd");
    }
    printf("OK pidfd_getfd %d fds\n", got);
    fflush(stdout);
    return 0;
}

/* The forged status: a wait status of "exited 0" into every fd >= 3 of PID that opens for writing
 * (init's status pipe to the launcher is one), then this program exits 42. The library must
 * report 42. */
static int cmd_forge(const char *pid) {
    int forged = 0, err = EBADF;
    for (int fd = 3; fd < 256; fd++) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%s/fd/%d", pid, fd);
        int w = open(path, O_WRONLY | O_NONBLOCK);
        if (w < 0) {
            if (errno != ENOENT) err = errno;
            continue;
        }
        static const unsigned char exited0[4] = {0, 0, 0, 0};
        if (write(w, exited0, 4) == 4) forged++;
        close(w);
    }
    if (forged) printf("OK forged %d\n", forged);
    else errno = err, denied("forge");
    fflush(stdout);
    return 42;
}

static int dispatch(int argc, char **argv, char **envp);

/* The control for the attacks above: runs "attack CMD ARGS..." with the first '%' of every argument
 * replaced by the pid of a sibling, a forked copy of this process (same credentials, dumpable,
 * holding a pipe at fd >= 3 as init holds its status pipe). */
static int cmd_sibling(int argc, char **argv, char **envp) {
    int p[2];
    if (pipe(p)) return denied("pipe");
    pid_t c = fork();
    if (c < 0) return denied("fork");
    if (c == 0) {
        for (;;) pause();
    }
    char args[8][256];
    char *av[10];
    int n = 0;
    av[n++] = argv[0];
    for (int i = 2; i < argc && n < 9; i++, n++) {
        const char *pct = strchr(argv[i], '%');
        if (pct) snprintf(args[n - 1], sizeof args[0], "%.*s%d%s", (int)(pct - argv[i]), argv[i], (int)c, pct + 1);
        else snprintf(args[n - 1], sizeof args[0], "%s", argv[i]);
        av[n] = args[n - 1];
    }
    av[n] = NULL;
    int rc = dispatch(n, av, envp);
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);
    return rc;
}

/* ---- lifecycle (h-kill): a program that tries to outlive the end of its jail ----
 * outlive MARKER [hold|exit]: clears its own parent-death signal, then starts a daemon the classic
 * way (fork, setsid, fork again, the middle process exits) that also clears it, ignores SIGTERM,
 * SIGINT and SIGHUP and closes its stdio. MARKER is in both argvs (the daemon's is a copy of ours),
 * so the tests find them in the host's /proc. Prints "OUTLIVING" once the daemon runs; then "hold"
 * waits for SIGTERM (and exits 0 on it, even as pid 1), "exit" exits 0 at once. */
static volatile sig_atomic_t outlive_term;
static void outlive_on_term(int sig) {
    (void)sig;
    outlive_term = 1;
}

static int cmd_outlive(const char *how) {
    signal(SIGTERM, outlive_on_term);
    if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0)) return denied("clear pdeathsig");
    int p[2];
    if (pipe(p)) return denied("pipe");
    pid_t mid = fork();
    if (mid < 0) return denied("fork");
    if (mid == 0) {
        if (setsid() < 0) _exit(1);
        pid_t d = fork();
        if (d != 0) _exit(d < 0);
        prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
        signal(SIGTERM, SIG_IGN);
        signal(SIGINT, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        close(0);
        close(1);
        close(2);
        close(p[0]);
        (void)!write(p[1], "d", 1);
        close(p[1]);
        for (;;) pause();
    }
    close(p[1]);
    while (waitpid(mid, NULL, 0) < 0 && errno == EINTR) {}
    char b;
    if (read(p[0], &b, 1) != 1) return denied("start the daemon");
    close(p[0]);
    printf("OUTLIVING\n");
    fflush(stdout);
    if (!strcmp(how, "exit")) return 0;
    while (!outlive_term) pause();
    return 0;
}

/* swap DIR1 DIR2 SECONDS (run on the host, as the jail's peer): exchanges the two names as fast as
 * it can, with renameat2(RENAME_EXCHANGE). Prints the number of exchanges. */
static int cmd_swap(const char *a, const char *b, const char *secs) {
    time_t end = time(NULL) + atoi(secs);
    long n = 0;
    while (time(NULL) < end)
        for (int i = 0; i < 1000; i++, n++)
            if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */)) return denied("renameat2");
    printf("OK %ld exchanges\n", n);
    return 0;
}

/* Connects to the abstract unix socket NAME (best-effort tests: a Landlock scope refuses one made
 * outside the jail with EPERM). */
/* The address of abstract socket NAME in *a; its length, or 0 when NAME is too long. */
static socklen_t abstract_addr(const char *name, struct sockaddr_un *a) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    size_t n = strlen(name);
    if (n + 1 > sizeof a->sun_path) return 0;
    memcpy(a->sun_path + 1, name, n);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static int cmd_abstract(const char *name) {
    struct sockaddr_un a;
    socklen_t len = abstract_addr(name, &a);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0 || !len) return denied("socket");
    if (connect(s, (struct sockaddr *)&a, len) != 0) return denied("abstract");
    return ok("abstract");
}

/* netns: prints "NETNS <inode of /proc/self/ns/net> LO <up|down> IFACES <count> OWNER <own|outside>"
 * (the interfaces of /proc/net/dev; OWNER: whether NS_GET_USERNS may name the user namespace that
 * owns it, i.e. it is ours or below it, or refuses with EPERM, i.e. it is an ancestor's), then holds
 * until killed when HOLD is "hold". */
static int cmd_netns(const char *hold) {
    struct stat st;
    if (stat("/proc/self/ns/net", &st) != 0) return denied("stat");
    int nsfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) return denied("open /proc/self/ns/net");
    int owner = ioctl(nsfd, _IO(0xb7, 0x1) /* NS_GET_USERNS */);
    int owner_err = errno;
    close(nsfd);
    if (owner < 0 && owner_err != EPERM) return errno = owner_err, denied("NS_GET_USERNS");
    if (owner >= 0) close(owner);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0) return denied("SIOCGIFFLAGS");
    close(s);
    FILE *f = fopen("/proc/net/dev", "r");
    if (!f) return denied("/proc/net/dev");
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) n += strchr(line, ':') != NULL;
    fclose(f);
    printf("NETNS %lu LO %s IFACES %d OWNER %s\n", (unsigned long)st.st_ino, (ifr.ifr_flags & IFF_UP) ? "up" : "down", n,
           owner >= 0 ? "own" : "outside");
    fflush(stdout);
    if (hold && !strcmp(hold, "hold"))
        for (;;) pause();
    return 0;
}

/* lo-down: takes the loopback interface down (needs CAP_NET_ADMIN over the network namespace). */
static int cmd_lo_down(void) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0) return denied("SIOCGIFFLAGS");
    ifr.ifr_flags &= ~IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) return denied("SIOCSIFFLAGS");
    return ok("lo-down");
}

/* Listens on the abstract unix socket NAME, says LISTENING, and accepts until killed. */
static int cmd_listen_abstract(const char *name) {
    struct sockaddr_un a;
    socklen_t len = abstract_addr(name, &a);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0 || !len) return denied("socket");
    if (bind(s, (struct sockaddr *)&a, len) != 0 || listen(s, 16) != 0)
        return denied("listen");
    printf("LISTENING\n");
    fflush(stdout);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c >= 0) close(c);
    }
}

/* become UID GID [GROUP...] FILE: what a daemon that changes users does (smbd serving a user):
 * setgroups, setresgid, setresuid, then creates FILE (its owner on the host shows the mapping). */
static int cmd_become(int argc, char **argv) {
    if (argc < 5) return fprintf(stderr, "usage: attack become UID GID [GROUP...] FILE\n"), 2;
    gid_t groups[64];
    int n = 0;
    for (int i = 4; i < argc - 1 && n < 64; i++) groups[n++] = (gid_t)strtoul(argv[i], NULL, 10);
    if (setgroups((size_t)n, groups)) return denied("setgroups");
    gid_t g = (gid_t)strtoul(argv[3], NULL, 10);
    uid_t u = (uid_t)strtoul(argv[2], NULL, 10);
    if (setresgid(g, g, g)) return denied("setresgid");
    if (setresuid(u, u, u)) return denied("setresuid");
    int fd = open(argv[argc - 1], O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) return denied("create");
    close(fd);
    gid_t now[64];
    int k = getgroups(64, now);
    printf("OK become uid=%u gid=%u groups=%d\n", getuid(), getgid(), k);
    return 0;
}

int main(int argc, char **argv, char **envp) { return dispatch(argc, argv, envp); }

static int dispatch(int argc, char **argv, char **envp) {
    if (argc < 2) {
        fprintf(stderr, "usage: attack COMMAND [ARG]\n");
        return 2;
    }
    const char *c = argv[1];
    const char *a = argc > 2 ? argv[2] : "";
    if (!strcmp(c, "rocheck")) return cmd_rocheck(argc - 2, argv + 2);
    if (!strcmp(c, "fill") && argc == 4) return cmd_fill(argv[2], argv[3]);
    if (!strcmp(c, "swap") && argc == 5) return cmd_swap(argv[2], argv[3], argv[4]);
    if (!strcmp(c, "read")) return cmd_read(a);
    if (!strcmp(c, "write")) return cmd_write(a);
    if (!strcmp(c, "kill")) return cmd_kill(a);
    if (!strcmp(c, "connect")) return cmd_connect(a);
    if (!strcmp(c, "readfd")) return cmd_readfd(a);
    if (!strcmp(c, "fds")) return cmd_fds();
    if (!strcmp(c, "env")) return cmd_env(envp);
    if (!strcmp(c, "tiocsti")) return cmd_tiocsti();
    if (!strcmp(c, "sethostname")) return cmd_sethostname(a);
    if (!strcmp(c, "hostname")) return cmd_hostname();
    if (!strcmp(c, "mount")) return cmd_mount(a);
    if (!strcmp(c, "ids")) return cmd_ids();
    if (!strcmp(c, "become")) return cmd_become(argc, argv);
    if (!strcmp(c, "status")) return cmd_status();
    if (!strcmp(c, "ptrace")) return cmd_ptrace(a);
    if (!strcmp(c, "chroot-escape")) return cmd_chroot_escape(a);
    if (!strcmp(c, "nofile")) return cmd_nofile(a);
    if (!strcmp(c, "forkbomb")) return cmd_forkbomb(a);
    if (!strcmp(c, "alloc")) return cmd_alloc(a);
    if (!strcmp(c, "fillmib")) return cmd_fillmib(a, argc > 3 ? argv[3] : "0");
    if (!strcmp(c, "spin")) return cmd_spin(a, argc > 3 ? argv[3] : "0");
    if (!strcmp(c, "sleep")) return cmd_sleep(a);
    if (!strcmp(c, "hold")) return cmd_hold(a);
    if (!strcmp(c, "exit")) return cmd_exit(a);
    if (!strcmp(c, "signal")) return cmd_signal(a);
    if (!strcmp(c, "list")) return cmd_list(a);
    if (!strcmp(c, "cat")) return cmd_cat_stdin();
    if (!strcmp(c, "unshare")) return cmd_unshare();
    if (!strcmp(c, "await-term")) return cmd_await_term();
    if (!strcmp(c, "x32")) return cmd_x32();
    if (!strcmp(c, "cwd")) return cmd_cwd();
    if (!strcmp(c, "i386")) return cmd_i386();
    if (!strcmp(c, "syscall")) return cmd_syscall(argc, argv);
    if (!strcmp(c, "open-tree-attr")) return cmd_open_tree_attr(a);
    if (!strcmp(c, "listmount")) return cmd_listmount();
    if (!strcmp(c, "statmount")) return cmd_statmount(a);
    if (!strcmp(c, "procopen")) return cmd_procopen(a, argc > 3 ? argv[3] : "r");
    if (!strcmp(c, "lsfd")) return cmd_lsfd(a);
    if (!strcmp(c, "vmread")) return cmd_vmread(a);
    if (!strcmp(c, "getfd")) return cmd_getfd(a);
    if (!strcmp(c, "forge")) return cmd_forge(a);
    if (!strcmp(c, "sibling")) return cmd_sibling(argc, argv, envp);
    if (!strcmp(c, "outlive")) return cmd_outlive(argc > 3 ? argv[3] : "hold");
    if (!strcmp(c, "abstract")) return cmd_abstract(a);
    if (!strcmp(c, "listen-abstract")) return cmd_listen_abstract(a);
    if (!strcmp(c, "netns")) return cmd_netns(a);
    if (!strcmp(c, "lo-down")) return cmd_lo_down();
    fprintf(stderr, "attack: unknown command %s\n", c);
    return 2;
}
