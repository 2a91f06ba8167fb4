#!/bin/sh
# Real-kernel smoke tests of the launcher, each run as root and as uid 65534 (setpriv).
# Usage: test/run-tests.sh LAUNCHER TESTBIN_DIR   (called by `make check`)
set -u
LAUNCHER=$1
BIN=$2
W=$(mktemp -d /tmp/sb4j-test.XXXXXX)
U=$$ # unique markers: other runs of this script may be on the machine
chmod 755 "$W"
cp "$LAUNCHER" "$W/sandbox4j-launcher"
cp "$BIN/mkspec" "$BIN/readrec" "$W/"
chmod 755 "$W"/*
# A host secret in a directory that no jail binds.
mkdir -p "$W/secret" && echo topsecret > "$W/secret/file" && chmod 644 "$W/secret/file"
ln -s secret "$W/secretlink"
mkdir -p "$W/rootdir/usr" && touch "$W/rootdir/usr/mk" && chmod 755 "$W/rootdir" "$W/rootdir/usr" && ln -s rootdir "$W/rootlink"
pass=0
fail=0
trap 'rm -rf "$W"' EXIT

# jail NAME [--signal-after MS SIG] -- MKSPEC-ARGS: runs one jail in $D; leaves NAME.{ws,st,res,out,err}
jail() {
  name=$1; shift
  sig=""
  if [ "$1" = "--signal-after" ]; then sig="--signal-after $2 $3"; shift 3; fi
  [ "$1" = "--" ] && shift
  "$W/mkspec" "$@" > "$D/$name.spec" || { echo "mkspec failed: $*"; return 1; }
  chmod 644 "$D/$name.spec"
  $AS /bin/sh -c "cd '$D' && '$W/readrec' run $sig /bin/sh -c 'exec \"$W/sandbox4j-launcher\" 3<$name.spec 4>$name.st 5>$name.res >$name.out 2>$name.err </dev/null' > $name.ws"
  "$W/readrec" status "$D/$name.st" > "$D/$name.status" 2>&1
  "$W/readrec" result "$D/$name.res" > "$D/$name.result" 2>&1
}

ok() { pass=$((pass + 1)); echo "  ok    $MODE: $1"; }
ko() {
  fail=$((fail + 1)); echo "  FAIL  $MODE: $1"
  for f in ws status result out err; do [ -s "$D/$2.$f" ] && sed "s/^/        $f: /" "$D/$2.$f" | head -5; done
}
# expect DESC NAME FILE CONTENT: the file's first line equals CONTENT
expect() {
  if [ "$(head -1 "$D/$2.$3" 2>/dev/null)" = "$4" ]; then ok "$1"; else ko "$1 (wanted $3 '$4')" "$2"; fi
}
# expect_grep DESC NAME FILE PATTERN
expect_grep() {
  if grep -q -- "$4" "$D/$2.$3" 2>/dev/null; then ok "$1"; else ko "$1 (wanted $3 ~ '$4')" "$2"; fi
}

B="--basic-root"
case $(uname -m) in aarch64) UNAME_NR=160 EXECVE_NR=221 ;; *) UNAME_NR=63 EXECVE_NR=59 ;; esac
suite() {
  jail true -- $B --exec /bin/true
  expect "/bin/true exits 0" true ws "exited 0"
  expect "result record for exit 0" true result "result exited 0 0"
  if [ ! -s "$D/true.st" ]; then ok "no status record on success"; else ko "no status record on success" true; fi

  jail exit3 -- $B --exec /bin/sh -c 'exit 3'
  expect "exit code 3 mirrored" exit3 ws "exited 3"
  expect "result record for exit 3" exit3 result "result exited 3 0"

  jail noinit -- $B --no-init --exec /bin/sh -c 'echo $$; exit 4'
  expect "without init the target is pid 1 and exit 4 is mirrored" noinit ws "exited 4"
  expect "without init the target is pid 1" noinit out "1"

  jail selfterm -- $B --exec /bin/sh -c 'kill -TERM $$'
  expect "death by SIGTERM mirrored (launcher dies by it)" selfterm ws "signaled 15"
  expect "result record for SIGTERM" selfterm result "result signaled 15 0"

  jail fwd --signal-after 300 15 -- $B --exec /bin/sleep 30
  expect "SIGTERM to the launcher is forwarded to the target" fwd ws "signaled 15"

  jail robind -- $B --exec /bin/sh -c 'echo x > /usr/sb4j-test'
  expect_grep "writing to a read-only bind fails" robind err "Read-only file system"

  jail secret -- $B --exec /bin/sh -c "test ! -e '$W/secret/file' && ! grep -rqs topsecret /tmp /usr/local"
  expect "a host secret is not visible" secret ws "exited 0"

  jail proc -- $B --exec /bin/sh -c 'echo $$; ls -d /proc/[0-9]* | wc -l'
  expect "the target is pid 2 under init" proc out "2"
  if [ "$(sed -n 2p "$D/proc.out")" -le 4 ] 2>/dev/null; then ok "/proc shows only jail pids"; else ko "/proc shows only jail pids" proc; fi

  # Jail init is non-dumpable and holds no fd of ours; the shell itself (dumpable) is the control.
  jail initprot -- $B --env SB4J_SECRET=init-secret --exec /bin/sh -c \
    'cat /proc/1/environ >/dev/null 2>&1 && echo environ; ls /proc/1/fd >/dev/null 2>&1 && echo fd;
     echo x 2>/dev/null >> /proc/1/mem && echo mem; grep -c init-secret /proc/$$/environ'
  expect "init's /proc/1/environ, fd, mem refused; the program's own environ readable" initprot out "1"
  jail initsec -- $B --exec /bin/sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/1/status | tr -s "\t\n" "  "'
  expect "init runs under its own filter" initsec out "NoNewPrivs: 1 Seccomp: 2 "
  jail initfwd --signal-after 300 15 -- $B --exec /bin/sh -c 'sleep 30 & wait'
  expect "init under its filter still forwards SIGTERM" initfwd ws "signaled 15"
  jail initreap -- $B --exec /bin/sh -c '(sleep 0.1 &) ; sleep 0.3; exit 6'
  expect "init under its filter still reaps orphans and relays the exit" initreap result "result exited 6 0"

  jail host -- $B --hostname sb4j-jail --exec /bin/cat /proc/sys/kernel/hostname
  expect "hostname set" host out "sb4j-jail"

  jail caps -- $B --exec /bin/sh -c 'grep -E "^Cap(Eff|Prm|Bnd|Amb)" /proc/self/status | sort -u -k2 | wc -l; grep NoNewPrivs /proc/self/status'
  expect "no capabilities in any set" caps out "1"

  jail bindmiss -- $B --ro-bind /nonexistent/sb4j /x --exec /bin/true
  expect "missing bind source: bind status record, ENOENT, op index" bindmiss status \
    "status 8 bind ENOENT /nonexistent/sb4j | open bind source /nonexistent/sb4j: No such file or directory"
  expect "setup failure exits 125" bindmiss ws "exited 125"
  expect "setup failure still writes a result" bindmiss result "result exited 125 0"

  jail bindtry -- $B --bind-try /nonexistent/sb4j /x --exec /bin/sh -c 'test ! -e /x'
  expect "optional missing bind is skipped" bindtry ws "exited 0"

  jail noexec -- $B --exec /nonexistent/prog
  expect_grep "exec of a missing program: execve ENOENT" noexec status "^status -1 execve ENOENT /nonexistent/prog"
  expect "exec failure exits 127" noexec ws "exited 127"

  jail badspec2 -- --ns user --hostname x --root host --exec /bin/true
  expect_grep "a spec violating the rules gives a spec status record" badspec2 status "^status -1 spec EINVAL"

  head -c 200 /dev/urandom > "$D/garbage.spec"; chmod 644 "$D/garbage.spec"
  $AS /bin/sh -c "cd '$D' && '$W/readrec' run /bin/sh -c 'exec \"$W/sandbox4j-launcher\" 3<garbage.spec 4>garbage.st 5>garbage.res >garbage.out 2>&1' > garbage.ws"
  "$W/readrec" status "$D/garbage.st" > "$D/garbage.status" 2>&1
  expect_grep "a garbage spec gives a spec status record" garbage status "^status -1 spec EINVAL"
  expect "a garbage spec exits 125" garbage ws "exited 125"
  $AS /bin/sh -c "'$W/sandbox4j-launcher' 2>'$D/usage.err' 3<&- 4>&- 5>&-; echo \$? > '$D/usage.ws'"
  expect "started without fds 3-5: exit 125" usage ws "125"
  expect_grep "started without fds 3-5: usage names the library" usage err "started by the sandbox4j library"

  start=$(date +%s)
  jail timeout -- $B --time-limit 300 --exec /bin/sleep 30
  end=$(date +%s)
  expect "time limit kills" timeout result "result signaled 9 1"
  if [ $((end - start)) -lt 5 ]; then ok "time limit is prompt"; else ko "time limit is prompt" timeout; fi

  "$W/mkspec" $B --die-with-parent --exec /bin/sleep 31.4159$U > "$D/life.spec"; chmod 644 "$D/life.spec"
  $AS /bin/sh -c "cd '$D' && sleep 0.3 | (exec '$W/sandbox4j-launcher' 3<life.spec 4>life.st 5>life.res 6<&0 </dev/null >life.out 2>life.err)" 2>/dev/null
  "$W/readrec" result "$D/life.res" > "$D/life.result" 2>&1
  expect "closing the lifeline kills the jail" life result "result signaled 9 2"
  sleep 0.1
  if pgrep -f 31.4159$U >/dev/null; then ko "no process left after the lifeline closed" life; else ok "no process left after the lifeline closed"; fi

  # SIG_END_JAIL (SIGALRM, what destroyForcibly() sends): the launcher kills pid 1, here the program
  # itself, which ignores SIGTERM/SIGHUP; the whole pid namespace goes with it.
  jail endjail --signal-after 300 14 -- $B --no-init --exec /bin/sh -c 'trap "" TERM HUP; sleep 27.1828'"$U"'; :'
  expect "SIG_END_JAIL kills the jail's pid 1 and the launcher mirrors SIGKILL" endjail ws "signaled 9"
  expect "SIG_END_JAIL: result record says SIGKILL" endjail result "result signaled 9 0"
  sleep 0.1
  if pgrep -f 27.1828$U >/dev/null; then ko "no process left after SIG_END_JAIL" endjail; else ok "no process left after SIG_END_JAIL"; fi

  # A shared pid namespace (no /proc mount possible; /dev for the shell's &): the launcher is the
  # subreaper of the jail and kills an orphaned daemon (double fork: the subshell exits at once)
  # when pid 1 exits. (The setsid() variant is JailEndTest's; busybox may lack setsid.)
  jail subreap -- --ns user,mnt,net,ipc,uts,cgroup --ro-bind /usr /usr --symlink usr/bin /bin \
    --symlink usr/lib /lib --symlink usr/lib64 /lib64 --tmpfs /tmp --dev /dev \
    --exec /bin/sh -c '(sleep 27.1829'"$U"' &); exit 0'
  expect "shared pid namespace: the program's exit is mirrored" subreap ws "exited 0"
  sleep 0.1
  if pgrep -f 27.1829$U >/dev/null; then ko "shared pid namespace: an orphaned daemon dies with the jail" subreap # (the sleep ends by itself)
  else ok "shared pid namespace: an orphaned daemon dies with the jail"; fi

  echo "passed fd" > "$D/fdfile"; chmod 644 "$D/fdfile"
  "$W/mkspec" $B --fd 9 3 --exec /bin/sh -c 'cat <&3; ls /proc/self/fd | tr "\n" " "' > "$D/fd.spec"; chmod 644 "$D/fd.spec"
  $AS /bin/sh -c "cd '$D' && exec '$W/sandbox4j-launcher' 3<fd.spec 4>fd.st 5>fd.res 9<fdfile 8<fdfile >fd.out 2>fd.err </dev/null"
  expect "FDMAP passes fd 9 as fd 3" fd out "passed fd"
  expect_grep "no other fd reaches the target" fd out "^0 1 2 3 [0-9]* $"

  jail seccomp -- $B --seccomp-errno 999999 1 --exec /bin/true
  expect "a seccomp filter is installed and the target runs" seccomp ws "exited 0"
  jail seccomp2 -- $B --seccomp-errno $UNAME_NR 1 --exec /bin/sh -c 'uname -s || exit 9'
  expect "the seccomp filter applies to the target (uname denied)" seccomp2 ws "exited 9"
  # The seccomp supervisor (supervise.c): REPORT keeps the filter's answer and names the call; LEARN
  # lets every call run and records it. Control: the unsupervised jail above reports nothing.
  jail seccomp-sv -- $B --supervise 1 --seccomp-errno $UNAME_NR 1 --exec /bin/sh -c 'uname -s || exit 9'
  expect "supervised filter: the errno still applies (uname denied)" seccomp-sv ws "exited 9"
  expect_grep "supervised filter: the refused uname is reported (nr, ERRNO(1), once)" seccomp-sv result "^seccomp violation $UNAME_NR 0x50001 1$"
  if grep -q "^seccomp" "$D/seccomp2.result"; then ko "unsupervised filter: no seccomp records" seccomp2; else ok "unsupervised filter: no seccomp records"; fi
  jail seccomp-learn -- $B --supervise 2 --seccomp-errno $UNAME_NR 1 --exec /bin/sh -c 'uname -s'
  expect "learning: the filter is not applied, uname runs" seccomp-learn out "Linux"
  expect_grep "learning: the program's execve is learned" seccomp-learn result "^seccomp learned $EXECVE_NR "
  expect_grep "learning: uname is learned" seccomp-learn result "^seccomp learned $UNAME_NR 0x0 [1-9][0-9]*$"
  jail seccomp-bad -- $B --supervise 3 --seccomp-errno $UNAME_NR 1 --exec /bin/true
  expect_grep "an unknown supervise mode is refused" seccomp-bad status "supervise mode 3 unknown"

  jail rlim -- $B --rlimit 7 64 64 --exec /bin/sh -c 'ulimit -n'
  expect "rlimit applied" rlim out "64"

  jail files -- $B --dir /data 0700 --file /data/hello "hi there" --symlink /data/hello /link --ro-file /ro hello \
    --exec /bin/sh -c 'cat /link; stat -c %a /data; echo x 2>/dev/null > /ro || echo ro-ok; test -c /dev/null && echo > /dev/null && echo dev-ok'
  if [ "$(tr '\n' ' ' < "$D/files.out")" = "hi there700 ro-ok dev-ok " ]; then ok "dir, file, symlink, ro-file, /dev ops"; else ko "dir, file, symlink, ro-file, /dev ops" files; fi

  jail rootro -- $B --root-ro --exec /bin/sh -c 'mkdir /x 2>/dev/null && exit 1; echo y > /tmp/y && exit 0'
  expect "ROOT_READONLY: / read-only, /tmp still writable" rootro ws "exited 0"

  jail hide -- $B --ro-bind "$W/secret" /s --hide /s --exec /bin/sh -c 'test ! -e /s/file'
  expect "HIDE covers a directory" hide ws "exited 0"

  # NO_SYMLINKS: a link anywhere in the source is refused; the control follows it without the flag.
  jail nosym -- $B --ro-bind-nosym "$W/secretlink" /s --exec /bin/true
  expect_grep "NO_SYMLINKS refuses a symlinked bind source (ELOOP)" nosym status "^status [0-9]* bind ELOOP $W/secretlink"
  jail nosymctl -- $B --ro-bind "$W/secretlink" /s --exec /bin/cat /s/file
  expect "without NO_SYMLINKS the same link is followed" nosymctl out "topsecret"
  jail nosymok -- $B --ro-bind-nosym "$W/secret" /s --exec /bin/cat /s/file
  expect "NO_SYMLINKS binds a link-free source" nosymok out "topsecret"

  # ROOT_F_NO_SYMLINKS: a BIND root reached through a link is refused; control: followed without it.
  jail rootnosym -- --root "bind-nosym:$W/rootlink" --exec /bin/true
  expect_grep "NO_SYMLINKS refuses a symlinked root directory (ELOOP)" rootnosym status "^status -1 root ELOOP $W/rootlink"
  jail rootsym -- --root "bind:$W/rootlink" --ro-bind "$W/mkspec" /usr/mk --exec /usr/mk --bogus
  expect_grep "without NO_SYMLINKS the root link is followed" rootsym err "usage"

  # The staging root is anonymous: the host's /tmp (where $W is) bound into the jail is the host's.
  jail hosttmp -- $B --ro-bind /tmp /hosttmp --exec /bin/cat "/hosttmp/${W#/tmp/}/secret/file"
  expect "binding the host's /tmp shows the host's /tmp" hosttmp out "topsecret"

  jail small -- $B --tmpfs-size /small 65536 --exec /bin/sh -c \
    'dd if=/dev/zero of=/small/f bs=1024 count=1024 2>/dev/null && exit 1; rm /small/f; echo y > /small/y'
  expect "a tmpfs size reaches the kernel (64 KiB refuses 1 MiB)" small ws "exited 0"
  jail size0 -- $B --tmpfs-size /small 0 --exec /bin/true
  expect_grep "a tmpfs size of 0 (unlimited to the kernel) is refused" size0 status "^status [0-9]* spec .*tmpfs size 0"
  # Best effort's shape (issue 14): no namespaces, the host's root, a LANDLOCK record with only the
  # ABI 1 file rights (what Java sends for readOnly(...) on Landlock ABI 1 to 3).
  sys=""
  for p in /bin /sbin /lib /lib64 /usr /etc/ld.so.cache; do [ -e "$p" ] && sys="$sys --landlock-ro $p"; done
  be="--ns none --root host --no-lo --nnp --uid 65534 --gid 65534"
  jail be -- $be $sys --exec /bin/sh -c "cat '$W/secret/file'"
  jail bectl -- $be --exec /bin/sh -c "cat '$W/secret/file'"
  expect "best effort shape, control: the same jail without the record reads it" bectl out "topsecret"
  abi=$("$W/readrec" landlock-abi)
  if [ "$abi" -ge 1 ]; then
    expect "best effort shape: ABI 1 rules on Landlock ABI $abi refuse a host file outside them" be ws "exited 1"
  else
    # min_abi 0: the launcher applies nothing and runs the program (Java's report says so)
    expect "best effort shape on a kernel without Landlock: the record is skipped, the jail runs" be out "topsecret"
  fi
}

for MODE in root nobody; do
  D="$W/$MODE"
  mkdir -p "$D"
  if [ "$MODE" = root ]; then
    AS=""
    [ "$(id -u)" = 0 ] || { echo "  skip  root: not running as root"; continue; }
  else
    if [ "$(id -u)" = 0 ]; then
      chown 65534:65534 "$D"
      AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
    else
      AS=""
    fi
  fi
  suite
done
echo "run-tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
