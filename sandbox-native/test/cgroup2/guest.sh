#!/bin/bash
# Runs in the guest as pid 1, switched to the host's (read-only) file system with a cgroup2-only
# /sys/fs/cgroup: the cgroup tests as root, as uid 65534 in a delegated subtree, and as uid 65534
# without one. Prints GUEST-RESULT lines (run.sh sums them).
set -u
. /tmp/guest.env   # JAVA, CP (colon list on the host, the runner last), SRC (sandbox-api/src/test/c), TESTS
echo "guest: kernel $(uname -r), cgroup controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
# uid 65534 cannot read root's ~/.m2 or a private clone: copy the class path to the guest's tmpfs.
mkdir -p /tmp/cp && i=0 && GCP=""
for e in $(echo "$CP" | tr ':' ' '); do
  [ -e "$e" ] || continue
  if [ -d "$e" ]; then dst=/tmp/cp/$i; cp -r "$e" "$dst"; else dst=/tmp/cp/$i.jar; cp "$e" "$dst"; fi
  GCP="$GCP:$dst"; i=$((i + 1))
done
mkdir -p /tmp/src && cp "$SRC"/*.c /tmp/src/
chmod -R a+rX /tmp/cp /tmp/src
GCP=${GCP#:}
run() { # LABEL USER-PREFIX... -- JAVA-OPTS...
  label=$1; shift
  (cd /tmp && "$@" "$JAVA" -Xshare:auto -XX:TieredStopAtLevel=1 -Dsandbox4j.test.csrc=/tmp/src -Djava.io.tmpdir=/tmp \
     -cp "$GCP" $JOPTS GuestRunner "$label" $TESTS 2>&1)
}
AS65534="setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp"

echo "guest: === as root (the library's own subtree /sys/fs/cgroup/sandbox4j)"
JOPTS="" run root env

echo "guest: === as uid 65534 in a subtree delegated to it (as systemd's Delegate=yes does)"
D=/sys/fs/cgroup/deleg
mkdir $D && echo "+memory +pids +cpu" > /sys/fs/cgroup/cgroup.subtree_control
chown 65534:65534 $D $D/cgroup.procs $D/cgroup.subtree_control $D/cgroup.threads
JOPTS="-Dsandbox4j.test.cgroups=delegated" run delegated sh -c "echo \$\$ > $D/cgroup.procs && exec $AS65534 \"\$@\"" sh
left=$(find /sys/fs/cgroup -name 'sb4j-[0-9]*' | wc -l)
if [ "$left" = 0 ]; then echo "GUEST-RESULT leak 1 passed, 0 failed, 0 skipped"; else
  echo "  FAIL  leak: $left jail cgroups left:"; find /sys/fs/cgroup -name 'sb4j-[0-9]*'; echo "GUEST-RESULT leak 0 passed, 1 failed, 0 skipped"; fi

echo "guest: === as uid 65534 without delegation (must refuse, naming the fix)"
JOPTS="-Dsandbox4j.test.cgroups=refused" run refused $AS65534
echo "guest: done"
sync
echo o > /proc/sysrq-trigger # power off (pid 1 must not exit)
sleep 10
