/* broadcast_test - libsandbox4j.so's per-thread broadcast (src/lib/lockdown.c) on the real kernel:
 * with 200 threads parked in a futex wait, every broadcast must hear from every thread exactly once
 * (no lost answer, no invented one), many times over; the actions are empty so the process stays
 * unrestricted and the broadcast can repeat. Then the real per-thread step (no_new_privs and the
 * capability drop) must reach every thread once. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int sb4j_broadcast(int actions, int ruleset_fd, int landlock_flags, long long bounding, int timeout_ms, int *out,
                   int out_cap);

#define THREADS 200
#define ROUNDS 300

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int started;
static int tids[THREADS + 1];

static void *park(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  tids[++started] = (int)syscall(SYS_gettid);
  pthread_cond_broadcast(&cv);
  for (;;) pthread_cond_wait(&cv, &mu); /* woken only by broadcasts of its own: it waits again */
  return NULL;
}

/* 0 when out holds one successful answer from each of tids[0..THREADS] and nothing else. */
static int check_round(const int *out, int n, const char *what, int round) {
  if (n != THREADS + 1) {
    fprintf(stderr, "FAIL %s round %d: %d answers, expected %d\n", what, round, n, THREADS + 1);
    return 1;
  }
  static char hit[THREADS + 1];
  memset(hit, 0, sizeof hit);
  for (int i = 0; i < n; i++) {
    int k = -1;
    for (int j = 0; j <= THREADS; j++)
      if (tids[j] == out[3 * i]) k = j;
    if (k < 0 || hit[k] || out[3 * i + 2] != 0) {
      fprintf(stderr, "FAIL %s round %d: answer {tid %d, errno %d, stage %d} unknown, repeated or failed\n", what,
              round, out[3 * i], out[3 * i + 1], out[3 * i + 2]);
      return 1;
    }
    hit[k] = 1;
  }
  return 0;
}

int main(void) {
  tids[0] = (int)syscall(SYS_gettid);
  for (int i = 0; i < THREADS; i++) {
    pthread_t t;
    if (pthread_create(&t, NULL, park, NULL)) {
      perror("pthread_create");
      return 1;
    }
  }
  pthread_mutex_lock(&mu);
  while (started < THREADS) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
  static int out[3 * 4096];
  int failures = 0;
  for (int r = 0; r < ROUNDS && !failures; r++) {
    int n = sb4j_broadcast(0, -1, 0, 0, 5000, out, (int)(sizeof out / sizeof out[0]));
    failures += check_round(out, n, "empty actions", r);
  }
  /* Last, as it cannot be undone: the real step of a lockdown without Landlock. */
  if (!failures) {
    int n = sb4j_broadcast(0x1 | 0x4, -1, 0, 0, 5000, out, (int)(sizeof out / sizeof out[0]));
    failures += check_round(out, n, "no_new_privs + capabilities", 0);
  }
  if (failures) return 1;
  printf("broadcast_test: %d rounds of %d threads, then the per-thread step: ok\n", ROUNDS, THREADS);
  return 0;
}
