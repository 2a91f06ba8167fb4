#!/bin/sh
# The cgroup tests on a cgroup v2-only kernel: Debian's x86_64 kernel under qemu-system-x86_64 (KVM
# when /dev/kvm is there, TCG otherwise), the host's file system shared read-only by 9p, the host's
# JDK running the built sandbox-api classes and CgroupTest three times: as root, as uid 65534 in a
# delegated subtree, as uid 65534 without one (refusal). Usage: test/cgroup2/run.sh (from
# `make check-cgroup2`, after `mvn -pl sandbox-api -am test-compile` or a full build; as root).
# Environment: SB4J_QEMU_TIMEOUT=900 (seconds; TCG needs about 10 min on a busy 2-core host, KVM far less), SB4J_CGROUP2_REFRESH=1 re-fetches the kernel,
# SB4J_CGROUP2_TESTS="org.sandbox4j.CgroupTest ..." the classes to run.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
NATIVE=$(cd "$HERE/../.." && pwd)
ROOT=$(cd "$NATIVE/.." && pwd)
CACHE=$NATIVE/target/cgroup2-cache
WORK=$NATIVE/target/cgroup2-test
QEMU_TIMEOUT=${SB4J_QEMU_TIMEOUT:-900}
TESTS=${SB4J_CGROUP2_TESTS:-org.sandbox4j.CgroupTest org.sandbox4j.worker.WorkerCgroupTest}
t0=$(date +%s)
say() { echo "cgroup2: $*"; }
die() { echo "cgroup2: error: $*" >&2; exit 1; }
[ "$(uname -m)" = x86_64 ] || die "needs an x86_64 host"
for tool in qemu-system-x86_64 cpio dpkg-deb apt-get timeout busybox; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (.ci/install-deps installs qemu-system-x86, busybox-static, cpio)"
done
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAVA=$(readlink -f "$(command -v "$JAVA")")
CLASSES=$ROOT/sandbox-api/target/classes
TCLASSES=$ROOT/sandbox-api/target/test-classes
[ -f "$TCLASSES/org/sandbox4j/CgroupTest.class" ] || die "$TCLASSES has no CgroupTest: run 'mvn -B -pl sandbox-api -am test-compile' first"

# 1. The kernel and its 9p/virtio modules, from the host's apt sources (cached).
[ "${SB4J_CGROUP2_REFRESH:-0}" = 1 ] && rm -rf "$CACHE"
if ! ls "$CACHE"/boot/vmlinuz-* >/dev/null 2>&1; then
  rm -rf "$CACHE" && mkdir -p "$CACHE/debs"
  kpkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
  [ -n "$kpkg" ] || die "no linux-image-*-amd64 in the apt lists (apt-get update?)"
  say "downloading $kpkg"
  (cd "$CACHE/debs" && apt-get -q download "$kpkg") >"$CACHE/download.log" 2>&1 || { cat "$CACHE/download.log" >&2; die "apt-get download failed"; }
  dpkg-deb -x "$CACHE"/debs/linux-image-*.deb "$CACHE/pkg"
  mkdir -p "$CACHE/boot" && mv "$CACHE"/pkg/boot/vmlinuz-* "$CACHE/boot/"
  mv "$CACHE/pkg/lib/modules" "$CACHE/modules" 2>/dev/null || mv "$CACHE/pkg/usr/lib/modules" "$CACHE/modules"
  rm -rf "$CACHE/pkg" "$CACHE/debs"
else
  say "using the cached kernel in $CACHE"
fi
KERNEL=$(ls "$CACHE"/boot/vmlinuz-* | sort -V | tail -1)
KVER=$(basename "$KERNEL" | sed 's/^vmlinuz-//')
MODS=$CACHE/modules/$KVER/kernel

# 2. The initramfs: busybox, /init, the modules in dependency order, guest.sh and its settings.
rm -rf "$WORK" && R=$WORK/root && mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/modules"
cp "$(command -v busybox)" "$R/bin/busybox"
order=""
add() { # MODULE-NAME: its dependencies first (the depends= of its .modinfo section), then itself
  f=$(find "$MODS" -name "$1.ko" | head -1)
  [ -n "$f" ] || { say "note: module $1 not in the package (built in?)"; return 0; }
  case " $order " in *" $1.ko "*) return 0 ;; esac
  for d in $(tr '\0' '\n' < "$f" | sed -n 's/^depends=//p' | head -1 | tr ',' ' '); do add "$d"; done
  case " $order " in *" $1.ko "*) return 0 ;; esac
  f=$(find "$MODS" -name "$1.ko" | head -1) # again: sh has no local variables, the recursion reused f
  cp "$f" "$R/modules/" && order="$order $1.ko"
}
for m in virtio_pci 9pnet_virtio 9p; do add "$m"; done
echo $order | tr ' ' '\n' > "$R/modules.order"
cp "$HERE/init" "$R/init" && cp "$HERE/guest.sh" "$R/guest.sh"
printf '#!/bin/busybox sh\n/bin/busybox echo KVM-PROBE-OK\n/bin/busybox poweroff -f\n' > "$R/probe" && chmod 755 "$R/probe"
# A snapshot of the compiled classes (a build running meanwhile must not change them under the guest),
# the dependencies from Maven, and the test runner compiled here (javac under TCG would take long).
mkdir -p "$WORK/snap" && cp -r "$CLASSES" "$WORK/snap/classes" && cp -r "$TCLASSES" "$WORK/snap/test-classes"
(cd "$ROOT/sandbox-api" && mvn -B -q -o -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$WORK/deps.txt") >"$WORK/mvn.log" 2>&1 || { cat "$WORK/mvn.log" >&2; die "mvn dependency:build-classpath failed"; }
LAUNCHER_JAR=$(ls ~/.m2/repository/org/junit/platform/junit-platform-launcher/1.11.4/junit-platform-launcher-1.11.4.jar 2>/dev/null || true)
[ -n "$LAUNCHER_JAR" ] || die "junit-platform-launcher 1.11.4 is not in ~/.m2 (mvn -B dependency:get -Dartifact=org.junit.platform:junit-platform-launcher:1.11.4)"
CP=$WORK/snap/classes:$WORK/snap/test-classes:$(cat "$WORK/deps.txt"):$LAUNCHER_JAR
"$(dirname "$JAVA")/javac" -d "$WORK/snap/runner" -cp "$CP" "$HERE/GuestRunner.java" || die "javac GuestRunner.java failed"
{ echo "JAVA='$JAVA'"; echo "CP='$CP:$WORK/snap/runner'"; echo "SRC='$ROOT/sandbox-api/src/test/c'"
  echo "TESTS='$TESTS'"; } > "$R/guest.env"
chmod 755 "$R/init" "$R/guest.sh"
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$WORK/initramfs.cpio"
say "kernel $KVER, modules:$order; prepared in $(($(date +%s) - t0))s"

# 3. Boot. KVM when the host has it and it boots this kernel (a short probe: some nested hosts
#    hang in early boot under KVM), else TCG, which is slower: say so. SB4J_QEMU_ACCEL=kvm|tcg forces.
QEMU="qemu-system-x86_64 -smp 2 -m 2048 -nic none -display none -monitor none -serial stdio -no-reboot"
KVM="-enable-kvm -cpu ${SB4J_QEMU_CPU:-host,-arch-capabilities}"
ACCEL=${SB4J_QEMU_ACCEL:-auto}
if [ "$ACCEL" = auto ]; then
  ACCEL=tcg
  if [ ! -w /dev/kvm ]; then
    say "note: /dev/kvm is not usable here: TCG emulation (slower)"
  elif timeout -k 2 20 $QEMU $KVM -kernel "$KERNEL" -initrd "$WORK/initramfs.cpio" \
         -append "console=ttyS0 panic=-1 quiet rdinit=/probe" </dev/null 2>&1 | grep -q KVM-PROBE-OK; then
    ACCEL=kvm
  else
    say "note: /dev/kvm is present but this kernel does not boot under it within 20 s (nested KVM): TCG emulation (slower)"
  fi
fi
[ "$ACCEL" = kvm ] && ACCEL_OPTS=$KVM || ACCEL_OPTS="-cpu max"
say "booting qemu-system-x86_64 ($ACCEL: $ACCEL_OPTS, -smp 2 -m 2048, timeout ${QEMU_TIMEOUT}s)"
t1=$(date +%s)
{ rc=0
  timeout -k 5 "$QEMU_TIMEOUT" $QEMU $ACCEL_OPTS -kernel "$KERNEL" -initrd "$WORK/initramfs.cpio" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -append "console=ttyS0 panic=-1 quiet cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1" </dev/null 2>&1 || rc=$?
  echo "$rc" > "$WORK/qemu.rc"
} | tr -d '\r' | tee "$WORK/console.log"
say "qemu ran $(($(date +%s) - t1))s, total $(($(date +%s) - t0))s; console log: $WORK/console.log"
rc=$(cat "$WORK/qemu.rc" 2>/dev/null || echo '?')
[ "$rc" = 124 ] && die "qemu timed out after ${QEMU_TIMEOUT}s"
n=$(grep -a -c '^GUEST-RESULT ' "$WORK/console.log" || true)
[ "$n" -ge 4 ] || die "expected 4 GUEST-RESULT lines (root, delegated, leak, refused), got $n (qemu exit status $rc)"
passed=$(grep -a '^GUEST-RESULT ' "$WORK/console.log" | awk '{p += $3} END {print p}')
failed=$(grep -a '^GUEST-RESULT ' "$WORK/console.log" | awk '{f += $5} END {print f}')
echo "CGROUP2-RESULT $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || die "cgroup v2 tests failed"
