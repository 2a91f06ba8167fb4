#!/usr/bin/env bash
# samba-soak.sh MINUTES [CLIENTS] - the soak variant of SambaJailTest (not in CI; docs/performance.md).
# Runs smbd in a jail from src/test/resources/samba (root caller, ranges 0:100000:65536) through the
# sandbox4j CLI, keeps CLIENTS smbclient loops (list, read, failed escape) going for MINUTES, and
# prints once a minute: connections served, failures, the jail's process count, total RSS and fds.
# At the end: SIGTERM, and whether anything of the jail is left. Needs root, samba, smbclient.
set -euo pipefail
minutes=${1:?usage: samba-soak.sh MINUTES [CLIENTS]}
clients=${2:-4}
here=$(cd "$(dirname "$0")/../../.." && pwd)
cli=$here/../sandbox-examples/target/sandbox4j
res=$here/src/test/resources/samba
dir=$(mktemp -d /tmp/samba-soak.XXXXXX)
chmod 755 "$dir"
port=$(( 40000 + RANDOM % 20000 ))
mkdir -p "$dir"/{share,secret} "$dir"/state/{lock,state,cache,private,pid,log,bind-dns,ncalrpc}
chmod -R 777 "$dir/state"
head -c 1048576 /dev/urandom > "$dir/share/big.bin"
echo hello > "$dir/share/hello.txt"
echo SOAK-SECRET > "$dir/secret/secret.txt"
ln -s "$dir/secret/secret.txt" "$dir/share/escape"
sed "s|@PORT@|$port|; s|@DIR@|$dir|" "$res/smb.conf" > "$dir/smb.conf"
maps='uidmap { inside_id: "0" outside_id: "100000" count: 65536 }\ngidmap { inside_id: "0" outside_id: "100000" count: 65536 }'
sed "s|@DIR@|$dir|g; s|@MAPS@|$maps|" "$res/smbd.cfg" > "$dir/smbd.cfg"
cp "$res/smbd.policy" "$dir/"
chmod -R a+rX "$dir/share" "$dir/smb.conf" "$dir/smbd.cfg" "$dir/smbd.policy"
# smbd --foreground ends when its stdin reaches EOF: give it a FIFO this script holds open.
mkfifo "$dir/stdin"
exec 3<>"$dir/stdin"
"$cli" run --config "$dir/smbd.cfg" < "$dir/stdin" > "$dir/smbd.out" 2>&1 &
cli_pid=$!
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
end=$(( $(date +%s) + minutes * 60 ))
client() {
  local ok=0 bad=0
  while [ "$(date +%s)" -lt "$end" ]; do
    if smbclient -p "$port" -N //127.0.0.1/share -c "get big.bin /dev/null; get hello.txt /dev/null" >/dev/null 2>&1; then
      ok=$((ok + 1)); else bad=$((bad + 1)); fi
    if smbclient -p "$port" -N //127.0.0.1/share -c "get escape /dev/null" 2>&1 | grep -q SOAK-SECRET; then
      echo "ESCAPE: the secret was served" >&2; bad=$((bad + 1)); fi
  done
  echo "$ok $bad"
}
client_pids=()
for i in $(seq "$clients"); do client > "$dir/client.$i" & client_pids+=($!); done
while [ "$(date +%s)" -lt "$end" ]; do
  sleep 60
  pids=$(pgrep -u 100000,101000 -f smbd || true)
  n=0 rss=0 fds=0
  for p in $pids; do
    n=$((n + 1))
    rss=$(( rss + $(awk '/VmRSS/ {print $2}' /proc/$p/status 2>/dev/null || echo 0) ))
    fds=$(( fds + $(ls /proc/$p/fd 2>/dev/null | wc -l) ))
  done
  echo "$(date -u +%H:%M:%S) smbd processes=$n rss_kib=$rss fds=$fds"
done
wait "${client_pids[@]}" || true
awk '{ok += $1; bad += $2} END {print "sessions ok=" ok " failed=" bad}' "$dir"/client.*
kill -TERM "$cli_pid"; sleep 5
wait "$cli_pid" || true
left=$(pgrep -u 100000,101000 -f smbd | wc -l || true)
echo "after SIGTERM: smbd processes left=$left; the jail's exit: $(tail -1 "$dir/smbd.out")"
echo "seccomp kills logged: $(grep -c 'Bad system call' "$dir/smbd.out" || true)"
rm -rf "$dir"
