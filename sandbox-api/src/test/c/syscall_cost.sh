#!/usr/bin/env bash
# What a seccomp filter costs per system call, ours vs libseccomp's, for the two reference
# allow-lists (docs/performance.md, "Seccomp"). Needs gcc, libseccomp-dev and the built CLI
# (mvn -DskipTests package). Usage: syscall_cost.sh [ROUNDS] [CALLS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
cli="$root/sandbox-examples/target/sandbox4j"
lists="$root/sandbox-api/src/test/resources/org/sandbox4j/seccomp/bench"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -Wall -Wextra -o "$work/syscall_cost" "$here/syscall_cost.c" -lseccomp
for n in 64 299; do
  "$cli" seccomp compile --arch x86_64 --allow-file "$lists/seccomp-allow-$n.txt" --default KILL -o "$work/ours-$n.bpf" 2>/dev/null
  echo "== allow-list seccomp-allow-$n.txt, default KILL_PROCESS (median of ${1:-7} rounds of ${2:-1000000} calls)"
  "$work/syscall_cost" "$lists/seccomp-allow-$n.txt" "$work/ours-$n.bpf" "${1:-7}" "${2:-1000000}"
done
