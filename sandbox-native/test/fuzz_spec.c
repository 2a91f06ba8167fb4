/* libFuzzer entry point for the spec decoder (not built by default):
 *   clang -fsanitize=fuzzer,address,undefined -Isrc test/fuzz_spec.c src/spec.c -o fuzz_spec */
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct spec s;
  struct spec_error e;
  if (!spec_decode(data, size, &s, &e)) spec_free(&s);
  return 0;
}
