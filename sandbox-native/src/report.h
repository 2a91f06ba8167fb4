/* report.h - status records (fd 4) and the records of the result fd (5), docs/architecture.md.
 * The only code that encodes what the launcher tells Java; the numbers are in wire.h. */
#ifndef SB4J_REPORT_H
#define SB4J_REPORT_H

#include <stdint.h>

#include "wire.h"

/* The fd status records go to in this process; -1 after it was closed. fds.c moves it. */
extern int report_fd;

/* The wire name of a step ("uid_map"), WIRE_STEPS in wire.h. */
const char *step_name(enum step step);

/* Writes one status record (only the first call per process writes anything: the first failure
 * is the one that counts). path and detail may be NULL. Preserves errno. */
void report_status(int op_index, enum step step, int err, const char *path, const char *detail);
/* The same with a printf-style detail. */
void report_statusf(int op_index, enum step step, int err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The status record of a failed call: the detail is the printf-style text, ": ", strerror(err)
 * ("open /x: No such file or directory"). Returns -1; preserves errno. */
int fail_errno(int op_index, enum step step, int err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Points status records at fd (-1: nowhere) and re-arms the first-record rule (the zygote serves
 * many jails from one process). */
void report_reset(int fd);

int report_result(int fd, uint32_t kind, int32_t value, uint32_t flags);

/* A seccomp supervisor record (SV_RECORD_MAGIC, SV_RECORD_BYTES bytes; supervise.c). */
struct sv_rec {
  uint32_t kind, arch, nr, action, count;
  int32_t pid;
  uint64_t args[6];
  char comm[16];
};
int report_sv_record(int fd, const struct sv_rec *r);
/* The cgroup counters record (CG_RESULT_MAGIC): n values, CG_UNREADABLE for one not read. */
int report_counters(int fd, const uint64_t *values, uint32_t n);

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
