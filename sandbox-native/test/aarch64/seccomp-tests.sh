#!/bin/sh
# The seccomp programs the JAVA compiler generates for aarch64, on an arm64 kernel (qemu guest), as
# root and as uid 65534: SeccompPolicies.defaultDenyList(), the precompiled SeccompProfiles and a
# custom kafel policy with argument conditions (argcond.kafel). run.sh compiled them on the host
# into /usr/share/sb4j/bpf/ (visible in the jails through the /usr bind); mkspec --seccomp-file
# embeds one in a spec, or sb4j-attack --install puts one on itself (STDIO_ONLY, LOCKDOWN_NO_EXEC:
# neither allows the launcher's execve). Every expectation is paired with a control: the same
# probe in a jail without a filter (the "control" jail) gets something other than the filter's
# answer. Probe lines are "PROBE ok" or "PROBE ENAME" (see attack.c).
# Usage: seccomp-tests.sh DIR   (DIR holds sandbox4j-launcher, mkspec, readrec)
set -u
T=$1
P=/usr/share/sb4j/bpf
W=$(mktemp -d /tmp/sb4j-sec.XXXXXX)
chmod 755 "$W"
cp "$T/sandbox4j-launcher" "$T/mkspec" "$T/readrec" "$W/"
pass=0
fail=0

# bpf(2) answers EPERM to unprivileged callers while kernel.unprivileged_bpf_disabled is set (Debian:
# 2, which root may lower), which would make the control look like the filter: lower it.
echo 0 > /proc/sys/kernel/unprivileged_bpf_disabled 2>/dev/null
BPF_CTL=EINVAL
[ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled 2>/dev/null)" = 0 ] || BPF_CTL=EPERM

# jail NAME PROGRAM|- MKSPEC-ARGS...: one jail in $D under $P/PROGRAM.bpf (- = no filter)
jail() {
  name=$1 prog=$2; shift 2
  if [ "$prog" = - ]; then
    "$W/mkspec" "$@" > "$D/$name.spec" || { echo "mkspec failed: $*"; return 1; }
  else
    # SV=1|2: the launcher's seccomp supervisor (REPORT, LEARN) for this jail
    "$W/mkspec" ${SV:+--supervise $SV} --seccomp-file "$P/$prog.bpf" "$@" > "$D/$name.spec" || { echo "mkspec failed: $*"; return 1; }
  fi
  chmod 644 "$D/$name.spec"
  $AS /bin/sh -c "cd '$D' && '$W/readrec' run /bin/sh -c 'exec \"$W/sandbox4j-launcher\" 3<$name.spec 4>$name.st 5>$name.res >$name.out 2>$name.err </dev/null' > $name.ws"
  "$W/readrec" status "$D/$name.st" > "$D/$name.status" 2>&1
  "$W/readrec" result "$D/$name.res" > "$D/$name.result" 2>&1
}
ok() { pass=$((pass + 1)); echo "  ok    $MODE: $1"; }
ko() {
  fail=$((fail + 1)); echo "  FAIL  $MODE: $1"
  for f in ws status result out err; do [ -s "$D/$2.$f" ] && sed "s/^/        $f: /" "$D/$2.$f" | head -8; done
}
expect() {
  if [ "$(head -1 "$D/$2.$3" 2>/dev/null)" = "$4" ]; then ok "$1"; else ko "$1 (wanted $3 '$4')" "$2"; fi
}
# word JAIL PROBE: the probe's result in JAIL's output
word() { sed -n "s/^$2 //p" "$D/$1.out" | head -1; }
# probe WHAT JAIL PROBE WANT CONTROL-WANT: PROBE answers WANT under JAIL's filter, CONTROL-WANT in
# the control jail (no filter)
probe() {
  got=$(word "$2" "$3") ctl=$(word control "$3")
  if [ "$got" = "$4" ] && [ "$ctl" = "$5" ]; then
    ok "$1: $3 -> $4 (control: $5)"
  else
    ko "$1: $3 wanted $4 (control $5), got '$got' (control '$ctl')" "$2"
  fi
}

B="--basic-root"
A=/usr/bin/sb4j-attack
DENY_PROBES="mount ptrace bpf io_uring keyctl personality personality-query personality-linux tiocsti tiocsti-hi clone-newuser clone3 unshare-user fork thread"
# (unshare(CLONE_NEWUSER) before any thread: it needs a single-threaded caller, EINVAL otherwise)
suite() {
  # the control: every probe without a filter (exec last: it replaces the process)
  jail control - $B --exec $A $DENY_PROBES socket-inet socket-unix socketpair write1 write2 lseek-0 lseek-4g kill-0 kill-usr1 exec
  expect "control: the probes run without a filter" control ws "exited 0"

  # --- SeccompPolicies.defaultDenyList() ---
  jail deny-bb deny $B --exec /bin/sh -c 'true && echo hi | cat && ls -d /usr && (exit 3); echo $?'
  if [ "$(tr '\n' ' ' < "$D/deny-bb.out")" = "hi /usr 3 " ] && [ "$(cat "$D/deny-bb.ws")" = "exited 0" ]; then
    ok "deny list: busybox true, cat, ls, sh -c (pipe, subshell) work"; else ko "deny list: busybox true, cat, ls, sh -c work" deny-bb; fi
  jail deny-unshare deny $B --exec /bin/unshare -U /bin/true
  jail ctl-unshare - $B --exec /bin/unshare -U /bin/true
  if [ "$(cat "$D/deny-unshare.ws")" = "exited 1" ] && grep -q "Operation not permitted" "$D/deny-unshare.err" &&
     [ "$(cat "$D/ctl-unshare.ws")" = "exited 0" ]; then
    ok "deny list: busybox unshare -U fails with EPERM (control: exits 0)"
  else ko "deny list: busybox unshare -U fails with EPERM (control: exits 0)" deny-unshare; sed 's/^/        control: /' "$D/ctl-unshare.ws" "$D/ctl-unshare.err"; fi
  jail deny-probes deny $B --exec $A $DENY_PROBES
  expect "deny list: the probe program runs to its end" deny-probes ws "exited 0"
  probe "deny list" deny-probes mount EPERM ENOENT
  probe "deny list" deny-probes ptrace EPERM ESRCH
  probe "deny list" deny-probes bpf EPERM $BPF_CTL
  probe "deny list" deny-probes io_uring EPERM EFAULT
  probe "deny list" deny-probes keyctl EPERM ok
  probe "deny list" deny-probes personality EPERM ok
  probe "deny list" deny-probes personality-query ok ok
  probe "deny list" deny-probes personality-linux ok ok
  probe "deny list" deny-probes tiocsti EPERM ENOTTY
  probe "deny list (request's upper half set)" deny-probes tiocsti-hi EPERM ENOTTY
  probe "deny list" deny-probes clone-newuser EPERM ok
  probe "deny list" deny-probes clone3 ENOSYS EINVAL
  probe "deny list" deny-probes fork ok ok
  probe "deny list (glibc falls back to clone)" deny-probes thread ok ok
  probe "deny list" deny-probes unshare-user EPERM ok

  # --- a kafel policy with argument conditions ---
  jail args argcond $B --exec $A write1 write2 lseek-0 lseek-4g kill-0
  probe "argcond.kafel" args write1 ok ok
  probe "argcond.kafel (fd == 2)" args write2 EIO ok
  probe "argcond.kafel" args lseek-0 ok ok
  probe "argcond.kafel (offset == 1<<32)" args lseek-4g E2BIG ok
  probe "argcond.kafel" args kill-0 ok ok
  jail args-kill argcond $B --exec $A kill-usr1
  if [ "$(cat "$D/args-kill.ws")" = "signaled 31" ] && [ ! -s "$D/args-kill.out" ] && [ "$(word control kill-usr1)" = ok ]; then
    ok "argcond.kafel: kill(self, SIGUSR1) is KILL_PROCESS: SIGSYS (control: ok)"
  else ko "argcond.kafel: kill(self, SIGUSR1) is KILL_PROCESS: SIGSYS (control: ok)" args-kill; fi

  # --- the seccomp supervisor on arm64: a kill is reported (argcond's kill rule), the jail still
  #     ends with SIGSYS; control: the unsupervised jail above has no records ---
  SV=1
  jail args-kill-sv argcond $B --exec $A kill-usr1
  SV=
  if [ "$(cat "$D/args-kill-sv.ws")" = "signaled 31" ] && grep -q "^seccomp violation 129 0x80000000 1$" "$D/args-kill-sv.result" &&
     ! grep -q "^seccomp" "$D/args-kill.result"; then
    ok "supervised argcond.kafel: kill(self, SIGUSR1) is reported (nr 129, KILL_PROCESS) and still ends SIGSYS"
  else ko "supervised argcond.kafel: kill(self, SIGUSR1) is reported and still ends SIGSYS" args-kill-sv; fi

  # --- a policy learned on x86_64 (sandbox4j learn on the host), compiled for aarch64 ---
  if [ -f "$P/learned.bpf" ]; then
    SV=1 # a failure then names the call the learned policy missed
    jail learned learned $B --exec $A write1 lseek-0 fork thread
    SV=
    expect "learned on x86_64: the same probes run on aarch64" learned ws "exited 0"
    probe "learned on x86_64" learned fork ok ok
    probe "learned on x86_64" learned thread ok ok
    SV=1
    jail learned-more learned $B --exec $A socket-inet
    SV=
    if [ "$(cat "$D/learned-more.ws")" = "signaled 31" ] && grep -q "^seccomp violation 198 0x80000000 1$" "$D/learned-more.result" &&
       [ "$(word control socket-inet)" = ok ]; then
      ok "learned on x86_64: one more call (socket) is killed and reported on aarch64 (control: ok)"
    else ko "learned on x86_64: one more call (socket) is killed and reported on aarch64 (control: ok)" learned-more
      sed 's/^/        policy: /' "$P/learned.policy" | grep -v '^ *policy: *//' | head -30; fi
  else
    echo "  note  no learned policy (run.sh learns one on an x86_64 host with gcc)"
  fi

  # --- LOCKDOWN_NO_EXEC (a program puts it on itself; the launcher's own execve is refused) ---
  jail lockdown - $B --exec $A --install $P/LOCKDOWN_NO_EXEC.bpf unshare-user fork clone-newuser thread exec
  probe "LOCKDOWN_NO_EXEC (glibc: clone3 ENOSYS, then clone with CLONE_THREAD)" lockdown thread ok ok
  probe "LOCKDOWN_NO_EXEC" lockdown fork EPERM ok
  probe "LOCKDOWN_NO_EXEC" lockdown clone-newuser EPERM ok
  probe "LOCKDOWN_NO_EXEC" lockdown unshare-user EPERM ok
  probe "LOCKDOWN_NO_EXEC" lockdown exec EPERM ok
  jail lockdown-spec LOCKDOWN_NO_EXEC $B --exec /bin/true
  if [ "$(cat "$D/lockdown-spec.ws")" = "exited 127" ] && grep -q "^status -1 execve EPERM /bin/true " "$D/lockdown-spec.status"; then
    ok "LOCKDOWN_NO_EXEC in the spec: the launcher's execve fails with EPERM (exit 127, status record)"
  else ko "LOCKDOWN_NO_EXEC in the spec: the launcher's execve fails with EPERM" lockdown-spec; fi

  # --- STDIO_ONLY (default KILL_PROCESS; installed by the program itself) ---
  jail stdio - $B --exec $A --install $P/STDIO_ONLY.bpf stdio
  if [ "$(tr '\n' ' ' < "$D/stdio.out")" = "stdio-data stdio ok " ] && [ "$(cat "$D/stdio.ws")" = "exited 0" ]; then
    ok "STDIO_ONLY: reading stdin, writing stdout and exiting work"; else ko "STDIO_ONLY: reading stdin, writing stdout and exiting work" stdio; fi
  jail stdio-sock - $B --exec $A --install $P/STDIO_ONLY.bpf socket-unix
  if [ "$(cat "$D/stdio-sock.ws")" = "signaled 31" ] && [ "$(word control socket-unix)" = ok ]; then
    ok "STDIO_ONLY: socket() is killed with SIGSYS (control: ok)"; else ko "STDIO_ONLY: socket() is killed with SIGSYS (control: ok)" stdio-sock; fi
  jail stdio-spec STDIO_ONLY $B --exec /bin/true
  expect "STDIO_ONLY in the spec: the launcher's execve is killed (SIGSYS)" stdio-spec ws "signaled 31"

  # --- the jail profiles (in the spec; they allow execve and a static binary's start-up) ---
  for prof in DOCUMENT_PARSER NETWORK_CLIENT JVM_WORKER; do
    jail "$prof-ls" "$prof" $B --exec /bin/ls -d /usr
    expect "$prof: busybox ls runs" "$prof-ls" out "/usr"
    jail "$prof" "$prof" $B --exec $A socket-inet socketpair fork thread clone-newuser
  done
  probe DOCUMENT_PARSER DOCUMENT_PARSER socket-inet EPERM ok
  probe DOCUMENT_PARSER DOCUMENT_PARSER fork EPERM ok
  probe DOCUMENT_PARSER DOCUMENT_PARSER thread ok ok
  probe NETWORK_CLIENT NETWORK_CLIENT socket-inet ok ok
  probe NETWORK_CLIENT NETWORK_CLIENT fork EPERM ok
  probe NETWORK_CLIENT NETWORK_CLIENT clone-newuser EPERM ok
  probe JVM_WORKER JVM_WORKER socket-inet EPERM ok
  probe JVM_WORKER JVM_WORKER socketpair ok ok
  probe JVM_WORKER JVM_WORKER fork EPERM ok
  probe JVM_WORKER JVM_WORKER thread ok ok
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
echo "seccomp-tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
