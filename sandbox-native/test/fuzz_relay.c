/* libFuzzer entry point for what the launcher decodes from jail init: the relayed wait status,
 * checked against init's own exit (not built by default):
 *   clang -fsanitize=fuzzer,address,undefined -Isrc test/fuzz_relay.c src/report.c -o fuzz_relay
 * Input: 2 bytes of init's wait status, then the relayed bytes. Aborts when an answer that is not
 * init's own status disagrees with init's exit code. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  int init_status = data[0] | (data[1] << 8);
  int r = status_truth(data + 2, size - 2, init_status);
  if (r == init_status) return 0;
  int code = WIFEXITED(init_status) ? WEXITSTATUS(init_status) : -1;
  int agrees = (WIFEXITED(r) && (r & ~0xff00) == 0 && WEXITSTATUS(r) == code) ||
               (WIFSIGNALED(r) && (r & ~0xff) == 0 && 128 + WTERMSIG(r) == code);
  if (size - 2 != 4 || !agrees) abort();
  return 0;
}
