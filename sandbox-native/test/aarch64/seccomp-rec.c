/* seccomp-rec - writes one SECCOMP spec record (type 14) to stdout, to be appended to a spec that
 * mkspec wrote without --seccomp-errno (records may come in any order). Unlike mkspec's test
 * filter, this one checks the architecture first, as the Java side's filters do:
 *
 *   0: ld  [4]                  seccomp_data.arch
 *   1: jeq ARCH, 0, 4           wrong architecture -> 6
 *   2: ld  [0]                  seccomp_data.nr
 *   3: jeq NR, 0, 1             other syscall -> 5
 *   4: ret ERRNO(E)
 *   5: ret ALLOW
 *   6: ret KILL_PROCESS
 *
 * Usage: seccomp-rec ARCH NR ERRNO   (ARCH as a number, e.g. 0xC00000B7 = AUDIT_ARCH_AARCH64) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void put16(unsigned char **p, uint16_t v) {
  (*p)[0] = (unsigned char)v;
  (*p)[1] = (unsigned char)(v >> 8);
  *p += 2;
}
static void put32(unsigned char **p, uint32_t v) {
  for (int i = 0; i < 4; i++) (*p)[i] = (unsigned char)(v >> (8 * i));
  *p += 4;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: seccomp-rec ARCH NR ERRNO\n");
    return 2;
  }
  uint32_t arch = (uint32_t)strtoul(argv[1], NULL, 0), nr = (uint32_t)strtoul(argv[2], NULL, 0);
  uint32_t err = (uint32_t)strtoul(argv[3], NULL, 0) & 0xffffu;
  static const struct { uint16_t code; uint8_t jt, jf; } ins[7] = {
      {0x20, 0, 0}, {0x15, 0, 4}, {0x20, 0, 0}, {0x15, 0, 1}, {0x06, 0, 0}, {0x06, 0, 0}, {0x06, 0, 0}};
  const uint32_t k[7] = {4, arch, 0, nr, 0x00050000u | err, 0x7fff0000u, 0x80000000u};
  unsigned char buf[8 + 8 + 7 * 8], *p = buf;
  put16(&p, 14); /* type SECCOMP */
  put16(&p, 0);
  put32(&p, 8 + 7 * 8);
  put32(&p, 0); /* flags */
  put32(&p, 0); /* reserved */
  for (int i = 0; i < 7; i++) {
    put16(&p, ins[i].code);
    *p++ = ins[i].jt;
    *p++ = ins[i].jf;
    put32(&p, k[i]);
  }
  return fwrite(buf, 1, sizeof buf, stdout) == sizeof buf && fflush(stdout) == 0 ? 0 : 1;
}
