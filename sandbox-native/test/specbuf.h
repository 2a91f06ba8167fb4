/* specbuf.h - a tiny spec encoder for the tests (mkspec, spec_test). Not used by the launcher. */
#ifndef SB4J_SPECBUF_H
#define SB4J_SPECBUF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

struct sbuf {
  uint8_t *p;
  size_t n, cap;
  size_t rec; /* offset of the open record's header */
};

static void sb_put(struct sbuf *b, const void *d, size_t k) {
  if (b->n + k > b->cap) {
    b->cap = (b->n + k) * 2 + 64;
    b->p = realloc(b->p, b->cap);
    if (!b->p) abort();
  }
  if (k) memcpy(b->p + b->n, d, k);
  b->n += k;
}
static void sb_u16(struct sbuf *b, uint16_t v) {
  uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  sb_put(b, x, 2);
}
static void sb_u32(struct sbuf *b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  sb_put(b, x, 4);
}
static void sb_u64(struct sbuf *b, uint64_t v) {
  sb_u32(b, (uint32_t)v);
  sb_u32(b, (uint32_t)(v >> 32));
}
static void sb_strn(struct sbuf *b, const char *s, size_t k) {
  sb_u32(b, (uint32_t)k);
  sb_put(b, s, k);
}
static void sb_str(struct sbuf *b, const char *s) { sb_strn(b, s, strlen(s)); }
static void sb_header(struct sbuf *b) {
  sb_u32(b, SPEC_MAGIC);
  sb_u16(b, SPEC_VERSION);
  sb_u16(b, 0);
}
static void sb_begin(struct sbuf *b, uint16_t type) {
  b->rec = b->n;
  sb_u16(b, type);
  sb_u16(b, 0);
  sb_u32(b, 0);
}
static void sb_end(struct sbuf *b) {
  uint32_t len = (uint32_t)(b->n - b->rec - 8);
  for (int i = 0; i < 4; i++) b->p[b->rec + 4 + i] = (uint8_t)(len >> (8 * i));
}
static void sb_op(struct sbuf *b, uint32_t index, uint16_t kind, uint16_t flags, uint32_t mode,
                  const char *a, const char *bb, const char *data, size_t data_len) {
  sb_begin(b, REC_OP);
  sb_u32(b, index);
  sb_u16(b, kind);
  sb_u16(b, flags);
  sb_u32(b, mode);
  sb_str(b, a);
  sb_str(b, bb);
  sb_strn(b, data, data_len);
  sb_end(b);
}

#endif
