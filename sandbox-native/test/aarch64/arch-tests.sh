#!/bin/sh
# aarch64-only checks, run in the qemu guest after test/run-tests.sh, as root and as uid 65534:
# seccomp filters that check the architecture (AUDIT_ARCH_AARCH64) as the Java side's filters do,
# and arm64 syscall numbers (the kernel's generic table, not x86_64's).
# Usage: arch-tests.sh DIR   (DIR holds sandbox4j-launcher, mkspec, readrec, seccomp-rec)
set -u
T=$1
W=$(mktemp -d /tmp/sb4j-arch.XXXXXX)
chmod 755 "$W"
cp "$T/sandbox4j-launcher" "$T/mkspec" "$T/readrec" "$T/seccomp-rec" "$W/"
AARCH64=0xC00000B7 # AUDIT_ARCH_AARCH64
X86_64=0xC000003E  # AUDIT_ARCH_X86_64
NR_UNAME=160       # uname on arm64 (setrlimit on x86_64)
NR_UNAME_X86=63    # uname on x86_64 (read on arm64)
pass=0
fail=0

# jail NAME SECCOMP-ARGS|- MKSPEC-ARGS...: runs one jail in $D, leaves NAME.{ws,status,result,out,err}
jail() {
  name=$1 sec=$2; shift 2
  "$W/mkspec" "$@" > "$D/$name.spec" || { echo "mkspec failed: $*"; return 1; }
  [ "$sec" = - ] || "$W/seccomp-rec" $sec >> "$D/$name.spec"
  chmod 644 "$D/$name.spec"
  $AS /bin/sh -c "cd '$D' && '$W/readrec' run /bin/sh -c 'exec \"$W/sandbox4j-launcher\" 3<$name.spec 4>$name.st 5>$name.res >$name.out 2>$name.err </dev/null' > $name.ws"
  "$W/readrec" status "$D/$name.st" > "$D/$name.status" 2>&1
  "$W/readrec" result "$D/$name.res" > "$D/$name.result" 2>&1
}
ok() { pass=$((pass + 1)); echo "  ok    $MODE: $1"; }
ko() {
  fail=$((fail + 1)); echo "  FAIL  $MODE: $1"
  for f in ws status result out err; do [ -s "$D/$2.$f" ] && sed "s/^/        $f: /" "$D/$2.$f" | head -5; done
}
expect() {
  if [ "$(head -1 "$D/$2.$3" 2>/dev/null)" = "$4" ]; then ok "$1"; else ko "$1 (wanted $3 '$4')" "$2"; fi
}

B="--basic-root"
suite() {
  jail machine - $B --exec /bin/uname -m
  expect "the jail runs on aarch64" machine out "aarch64"

  jail ids - $B --exec /bin/sh -c 'id -u; cat /proc/self/uid_map'
  if [ "$(tr -s ' \n' '  ' < "$D/ids.out")" = "1000 1000 65534 1 " ]; then
    ok "jail uid 1000 maps to host uid 65534"; else ko "jail uid 1000 maps to host uid 65534" ids; fi

  # (busybox uname ignores a failing uname(2) and prints an empty name, so compare the output)
  jail deny "$AARCH64 $NR_UNAME 1" $B --exec /bin/sh -c 'test "$(uname -s)" = Linux || exit 9'
  expect "arch-checked filter (AUDIT_ARCH_AARCH64): uname (160) gets EPERM" deny ws "exited 9"

  jail allow "$AARCH64 999999 1" $B --exec /bin/uname -s
  expect "arch-checked filter: the arch check passes on arm64, the target runs" allow ws "exited 0"
  expect "arch-checked filter: other syscalls are allowed" allow out "Linux"

  jail wrongarch "$X86_64 $NR_UNAME 1" $B --exec /bin/true
  expect "a filter for AUDIT_ARCH_X86_64 kills the target (SIGSYS)" wrongarch ws "signaled 31"
  if grep -q "^result signaled 31 " "$D/wrongarch.result"; then ok "result record for SIGSYS"; else ko "result record for SIGSYS" wrongarch; fi

  jail x86nr "$AARCH64 $NR_UNAME_X86 1" $B --exec /bin/uname -s
  expect "the x86_64 uname number (63) does not block uname on arm64" x86nr out "Linux"
}

for MODE in root nobody; do
  D="$W/$MODE"
  mkdir -p "$D"
  if [ "$MODE" = root ]; then
    AS=""
  else
    chown 65534:65534 "$D"
    AS="/opt/sb4j/bin/setpriv --reuid=65534 --regid=65534 --clear-groups"
  fi
  suite
done
rm -rf "$W"
echo "arch-tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
