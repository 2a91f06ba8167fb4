/* report.h - status records (fd 4) and the result record (fd 5), docs/architecture.md. */
#ifndef SB4J_REPORT_H
#define SB4J_REPORT_H

#include <stdint.h>

#define STATUS_MAGIC 0x52344253u
#define RESULT_MAGIC 0x58344253u
#define RESULT_EXITED 1u
#define RESULT_SIGNALED 2u
#define RESULT_F_TIME_LIMIT 0x1u
#define RESULT_F_LIFELINE 0x2u
#define RESULT_F_CORE 0x4u

/* The fd status records go to in this process; -1 after it was closed. fds.c moves it. */
extern int report_fd;

/* Writes one status record (only the first call per process writes anything: the first failure
 * is the one that counts). path and detail may be NULL. Preserves errno. */
void report_status(int op_index, const char *step, int err, const char *path, const char *detail);
/* The same with a printf-style detail. */
void report_statusf(int op_index, const char *step, int err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Points status records at fd (-1: nowhere) and re-arms the first-record rule (the zygote serves
 * many jails from one process). */
void report_reset(int fd);

int report_result(int fd, uint32_t kind, int32_t value, uint32_t flags);

/* Writes all of buf, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, unsigned long len);

/* A status record for a failed clone of the jail, with the usual causes when a user namespace was
 * refused (the kernel says only EPERM, EACCES or ENOSPC). */
void report_clone_failure(unsigned clone_flags, int err);

/* The wait status to report for a jail whose pid 1 (init) ended with init_status, given the n
 * bytes init relayed: the relay only when it is one well-formed status that agrees with init's
 * own exit, else init_status itself (report.c says why). */
int status_truth(const unsigned char *relay, unsigned long n, int init_status);
/* Reads what init relayed on relay_fd (non-blocking, init has exited; -1: nothing) and returns
 * status_truth of it. */
int status_from_init(int relay_fd, int init_status);

#endif
