#!/bin/sh
# Runs the launcher's smoke tests on a real arm64 kernel: Debian's arm64 kernel under
# qemu-system-aarch64 (TCG), with an initramfs holding the aarch64 launcher, the test tools
# cross-compiled for aarch64, busybox-static (arm64) and test/run-tests.sh + arch-tests.sh.
# Usage: test/aarch64/run.sh [LAUNCHER]   (from `make check-aarch64`; as root on CI)
# Needs: aarch64-linux-gnu-gcc, qemu-system-aarch64, cpio, apt-get + dpkg-deb, network to Debian's
# mirror on the first run (the kernel and busybox are cached in target/aarch64-cache/).
# Environment: SB4J_ARM64_KERNEL=cloud-arm64 (default) or arm64; SB4J_ARM64_SUITE=bullseye (say)
# fetches from that Debian suite instead of the host's sources; SB4J_AARCH64_REFRESH=1 re-fetches;
# SB4J_QEMU_TIMEOUT=300 (seconds); SB4J_QEMU_CPU=max,pauth-impdef=on (the architected pointer
# authentication algorithm, QARMA, is about 4x slower to emulate; pauth stays on either way).
# SB4J_QEMU_SMP=1 (2 runs the guest on two vCPUs).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
NATIVE=$(cd "$HERE/../.." && pwd)
LAUNCHER=${1:-$NATIVE/target/native/linux-aarch64/sandbox4j-launcher}
CACHE=$NATIVE/target/aarch64-cache
WORK=$NATIVE/target/aarch64-test
CC=${CC_ARM:-aarch64-linux-gnu-gcc}
FLAVOUR=${SB4J_ARM64_KERNEL:-cloud-arm64}
QEMU_TIMEOUT=${SB4J_QEMU_TIMEOUT:-300}
QEMU_CPU=${SB4J_QEMU_CPU:-max,pauth-impdef=on}
QEMU_SMP=${SB4J_QEMU_SMP:-1}
t0=$(date +%s)
say() { echo "aarch64: $*"; }
die() { echo "aarch64: error: $*" >&2; exit 1; }

for tool in "$CC" qemu-system-aarch64 cpio dpkg-deb apt-get timeout; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (.ci/install-deps installs gcc-aarch64-linux-gnu, qemu-system-arm, cpio)"
done
[ -f "$LAUNCHER" ] || die "$LAUNCHER not built (make all)"
# ELF e_machine at offset 18: 183 = EM_AARCH64
[ "$(od -An -tu2 -j18 -N2 "$LAUNCHER" | tr -d ' ')" = 183 ] || die "$LAUNCHER is not an aarch64 ELF"

# 1. The arm64 kernel and busybox from Debian's arm64 archive, without a foreign dpkg architecture.
#    Private lists and cache directories, so the host's apt state is not touched.
#    SB4J_ARM64_SUITE (e.g. bullseye, kernel 5.10) takes both from that suite instead of the host's
#    apt sources, to run the launcher's fallbacks for older kernels.
KGLOB="vmlinuz-[0-9]*[0-9]-$FLAVOUR" # 6.1.0-56-arm64 but not 6.1.0-56-cloud-arm64
[ "${SB4J_AARCH64_REFRESH:-0}" = 1 ] && rm -rf "$CACHE"
SUITE=${SB4J_ARM64_SUITE:-}
[ -n "$SUITE" ] && CACHE=$CACHE/$SUITE
if ! ls "$CACHE"/kernel/$KGLOB >/dev/null 2>&1 || [ ! -x "$CACHE/busybox" ]; then
  A=$CACHE/apt
  rm -rf "$A" "$CACHE/busybox"
  mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/debs" "$A/sources.list.d" "$CACHE/kernel"
  set -- -q -oAPT::Architecture=arm64 -oAPT::Architectures=arm64 -oDir::State::Lists="$A/lists" \
    -oDir::Cache="$A/cache" -oAPT::Sandbox::User=root
  if [ -n "$SUITE" ]; then
    k=/usr/share/keyrings/debian-archive-keyring.gpg
    echo "deb [signed-by=$k] http://deb.debian.org/debian $SUITE main" > "$A/sources.list"
    set -- "$@" -oDir::Etc::SourceList="$A/sources.list" -oDir::Etc::SourceParts="$A/sources.list.d"
  fi
  say "fetching the package lists of Debian's arm64 archive"
  apt-get "$@" update >"$A/update.log" 2>&1 || { cat "$A/update.log" >&2; die "apt-get update failed"; }
  # the metapackage depends on the newest versioned image, e.g. linux-image-6.1.0-56-cloud-arm64
  kpkg=$(apt-cache "$@" depends "linux-image-$FLAVOUR" | sed -n "s/^ *Depends: \(linux-image-[0-9].*-$FLAVOUR\)\$/\1/p" | head -1)
  [ -n "$kpkg" ] || die "no linux-image-*-$FLAVOUR in the arm64 lists"
  say "downloading $kpkg and busybox-static (arm64)"
  (cd "$A/debs" && apt-get "$@" download "$kpkg" busybox-static) >"$A/download.log" 2>&1 ||
    { cat "$A/download.log" >&2; die "apt-get download failed"; }
  rm -f "$CACHE"/kernel/$KGLOB
  dpkg-deb --fsys-tarfile "$A"/debs/linux-image-*.deb | tar -x -C "$CACHE/kernel" --wildcards --strip-components=2 './boot/vmlinuz-*'
  dpkg-deb --fsys-tarfile "$A"/debs/busybox-static_*.deb | tar -x -O ./bin/busybox > "$CACHE/busybox.tmp"
  chmod 755 "$CACHE/busybox.tmp"
  (cd "$A/debs" && ls busybox*.deb) > "$CACHE/versions"
  rm -rf "$A"
  mv "$CACHE/busybox.tmp" "$CACHE/busybox"
else
  say "using the cached kernel and busybox in $CACHE"
fi
KERNEL=$(ls "$CACHE"/kernel/$KGLOB | sort -V | tail -1)
say "kernel $(basename "$KERNEL"), $(cat "$CACHE/versions" 2>/dev/null || echo busybox)"

# 2. The test tools, static for aarch64.
rm -rf "$WORK"
R=$WORK/root
mkdir -p "$R/usr/bin" "$R/usr/sbin" "$R/opt/sb4j/bin" "$R/proc" "$R/sys" "$R/dev" "$R/tmp" "$R/etc"
CFLAGS="-std=c11 -Wall -Wextra -Werror -O2 -static -s -I$NATIVE/src"
$CC $CFLAGS -o "$R/opt/sb4j/mkspec" "$NATIVE/test/mkspec.c"
$CC $CFLAGS -o "$R/opt/sb4j/readrec" "$NATIVE/test/readrec.c"
$CC $CFLAGS -o "$R/opt/sb4j/seccomp-rec" "$HERE/seccomp-rec.c"
$CC $CFLAGS -o "$R/opt/sb4j/bin/setpriv" "$HERE/shims.c"
ln -s setpriv "$R/opt/sb4j/bin/pgrep"
$CC $CFLAGS -o "$R/usr/bin/sb4j-attack" "$HERE/attack.c"

# 2b. The seccomp programs the JAVA compiler generates for aarch64, for seccomp-tests.sh: the
#     precompiled profiles and argcond.kafel through the CLI (`sandbox4j seccomp compile`), the
#     default deny list (no CLI name) through DenyList.java on the CLI's sandbox-api jar. Needs the
#     Maven build first (`mvn verify`/`install`); without it only these tests are skipped.
CLI=${SB4J_CLI:-$NATIVE/../sandbox-examples/target/sandbox4j}
API_JAR=$(ls "$(dirname "$CLI")"/lib/sandbox-api-*.jar 2>/dev/null | head -1 || true)
JAVA=java
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && JAVA=$JAVA_HOME/bin/java
if [ -x "$CLI" ] && [ -n "$API_JAR" ]; then
  BPF=$R/usr/share/sb4j/bpf
  mkdir -p "$BPF"
  {
    for p in STDIO_ONLY DOCUMENT_PARSER NETWORK_CLIENT LOCKDOWN_NO_EXEC JVM_WORKER; do
      "$CLI" seccomp compile --arch aarch64 --profile "$p" -o "$BPF/$p.bpf" || exit 1
    done
    "$CLI" seccomp compile --arch aarch64 --policy "$HERE/argcond.kafel" -o "$BPF/argcond.bpf" || exit 1
    "$JAVA" -cp "$API_JAR" "$HERE/DenyList.java" "$BPF/deny.bpf" || exit 1
    # A policy LEARNED on this x86_64 host (`sandbox4j learn`) from the x86_64 build of the probe
    # program, compiled for aarch64 (its x86_64-only calls carry their aarch64 equivalents).
    if [ "$(uname -m)" = x86_64 ] && command -v gcc >/dev/null 2>&1; then
      gcc -std=c11 -O2 -static -o "$WORK/attack-host" "$HERE/attack.c" || exit 1
      "$CLI" learn -q -o "$WORK/learned.policy" --ro-bind "$WORK/attack-host:/usr/bin/sb4j-attack" -- \
        /usr/bin/sb4j-attack write1 lseek-0 fork thread || exit 1
      "$CLI" seccomp compile --arch aarch64 --policy "$WORK/learned.policy" -o "$BPF/learned.bpf" || exit 1
      cp "$WORK/learned.policy" "$BPF/learned.policy"
    fi
  } > "$WORK/seccomp-compile.log" 2>&1 || { cat "$WORK/seccomp-compile.log" >&2; die "compiling the seccomp programs failed"; }
  say "compiled $(ls "$BPF" | wc -l) seccomp programs for aarch64 with $CLI"
  cp "$HERE/seccomp-tests.sh" "$R/opt/sb4j/"
else
  say "note: $CLI (and its lib/sandbox-api-*.jar) not built: run 'mvn verify' (or 'mvn install -DskipTests') first;"
  say "note: SKIPPING the seccomp tests of the Java-compiled aarch64 programs (the launcher tests still run)"
fi

# 3. The initramfs: busybox (applet links are made by /init), the launcher, the tests.
cp "$CACHE/busybox" "$R/usr/bin/busybox"
ln -s usr/bin "$R/bin"
ln -s usr/sbin "$R/sbin"
cp "$LAUNCHER" "$R/opt/sb4j/sandbox4j-launcher"
cp "$HERE/arch-tests.sh" "$R/opt/sb4j/"
# test/run-tests.sh runs unchanged but for two busybox differences, each checked to apply:
#  - busybox sh runs its own setpriv applet (which lacks --reuid) before any in PATH: use the shim;
#  - busybox uname ignores a failing uname(2) (prints an empty name, exits 0): compare the output.
sed -e 's|AS="setpriv |AS="/opt/sb4j/bin/setpriv |' \
    -e "s/'uname -s || exit 9'/'test \"\$(uname -s)\" = Linux || exit 9'/" \
  "$NATIVE/test/run-tests.sh" > "$R/opt/sb4j/run-tests.sh"
# (one AS= line, two uname jails: the plain and the supervised filter)
[ "$(grep -c -e 'AS="/opt/sb4j/bin/setpriv ' -e 'test "$(uname -s)" = Linux || exit 9' "$R/opt/sb4j/run-tests.sh")" = 3 ] ||
  die "test/run-tests.sh changed: update the busybox adaptations in $0"
cp "$HERE/init" "$R/init"
echo "root:x:0:0:root:/:/bin/sh" > "$R/etc/passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >> "$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"
chmod -R go-w "$R" && chmod 755 "$R"/opt/sb4j/* "$R/init" && chmod 1777 "$R/tmp"
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$WORK/initramfs.cpio"
say "initramfs $(($(stat -c %s "$WORK/initramfs.cpio") / 1024)) KiB, prepared in $(($(date +%s) - t0))s"

# 4. Boot. The guest prints each test's ok/FAIL line and "AARCH64-RESULT N passed, M failed", then
#    powers off; a panic reboots, which -no-reboot turns into an exit.
say "booting qemu-system-aarch64 (-M virt -cpu $QEMU_CPU -smp $QEMU_SMP, timeout ${QEMU_TIMEOUT}s)"
t1=$(date +%s)
{ rc=0
  timeout -k 5 "$QEMU_TIMEOUT" qemu-system-aarch64 -M virt -cpu "$QEMU_CPU" -smp "$QEMU_SMP" -m 512 -nic none \
    -display none -monitor none -serial stdio -no-reboot \
    -kernel "$KERNEL" -initrd "$WORK/initramfs.cpio" \
    -append "console=ttyAMA0 panic=-1 quiet" </dev/null 2>&1 || rc=$?
  echo "$rc" > "$WORK/qemu.rc"
} | tr -d '\r' | tee "$WORK/console.log"
t2=$(date +%s)
result=$(grep -a '^AARCH64-RESULT [0-9]* passed, [0-9]* failed' "$WORK/console.log" | tail -1 || true)
say "qemu ran $((t2 - t1))s, total $((t2 - t0))s; console log: $WORK/console.log"
rc=$(cat "$WORK/qemu.rc" 2>/dev/null || echo '?')
[ "$rc" = 124 ] && die "qemu timed out after ${QEMU_TIMEOUT}s"
[ -n "$result" ] || die "no AARCH64-RESULT line: the guest did not finish (qemu exit status $rc; see the log)"
echo "$result"
set -- $result
[ "$2" -gt 0 ] && [ "$4" -eq 0 ] || die "aarch64 tests failed"
[ "$rc" = 0 ] || die "qemu exit status $rc"
