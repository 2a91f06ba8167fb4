#!/usr/bin/env python3
"""Generates the seccomp syscall tables (name<TAB>number) for x86_64 and aarch64.

Sources, in order of authority:
  1. tools/syscalls/<arch>.tbl: the kernel's own syscall table lines (number, ABI, name) of the
     kernel version named by its 'kernel=' line. The distribution's UAPI headers are often older
     than the kernels the jails run on (Debian 12 ships 6.1), so the committed data decides.
  2. The installed UAPI headers, when present, for calls numbered above the data's highest:
     headers newer than the data extend the table. A header number that contradicts the data is
     an error; a header name the data lacks below its highest number (a call the kernel retired,
     such as nfsservctl on arm64) is reported and left out.
     x86_64: /usr/include/x86_64-linux-gnu/asm/unistd_64.h (plain '#define __NR_name N' lines).
     aarch64: the asm-generic unistd.h of the arm64 cross headers, expanded by the cross
     compiler's preprocessor exactly as arm64 builds of the kernel and libc do.

Usage: gen-syscall-tables.py [--check] [--no-headers] [OUTDIR]
  OUTDIR defaults to src/main/resources/org/sandbox4j/seccomp next to this script.
  --check compares instead of writing and exits 1 on a difference.
  --no-headers uses the data alone.
"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "syscalls")
# SC4J_X86_UNISTD names another x86_64 header (the tests give one newer than the data).
X86_HEADER = os.environ.get("SC4J_X86_UNISTD", "/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
AARCH64_CC = "aarch64-linux-gnu-gcc"
DEFINE = re.compile(r"^#define\s+__NR_([a-z0-9_]+)\s+(\d+)\s*$")
# The ABIs of the kernel tables each architecture is built with.
ABIS = {
    "x86_64": {"common", "64"},
    "aarch64": {"common", "64", "renameat", "newstat", "rlimit", "memfd_secret"},
}


def data_table(arch):
    """Reads tools/syscalls/<arch>.tbl; returns (kernel version, {name: number})."""
    path = os.path.join(DATA, arch + ".tbl")
    table, kernel = {}, None
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            m = re.match(r"#\s*kernel=(\S+)$", line)
            if m:
                kernel = m.group(1)
            if not line or line.startswith("#"):
                continue
            fields = line.split()
            if len(fields) < 3 or not fields[0].isdigit():
                raise SystemExit("%s:%d: expected 'number abi name'" % (path, lineno))
            if fields[1] not in ABIS[arch]:
                continue
            name, nr = fields[2], int(fields[0])
            if table.get(name, nr) != nr:
                raise SystemExit("%s:%d: %s numbered twice" % (path, lineno, name))
            table[name] = nr
    if kernel is None:
        raise SystemExit(path + ": no 'kernel=' line")
    return kernel, table


def x86_64_headers():
    if not os.path.exists(X86_HEADER):
        return None
    table = {}
    with open(X86_HEADER) as f:
        for line in f:
            m = DEFINE.match(line.strip())
            if m:
                table[m.group(1)] = int(m.group(2))
    return table


def aarch64_headers():
    if shutil.which(AARCH64_CC) is None:
        return None
    names = subprocess.run(
        [AARCH64_CC, "-E", "-dM", "-x", "c", "-"], input="#include <asm/unistd.h>\n",
        capture_output=True, text=True, check=True).stdout
    nr = sorted({m.group(1) for m in re.finditer(r"#define __NR_([a-z0-9_]+)\s", names)})
    nr = [n for n in nr if n != "syscalls" and not n.startswith("arch_specific")]
    src = "#include <asm/unistd.h>\n" + "".join(
        "SC4J %s __NR_%s\n" % (n, n) for n in nr)
    out = subprocess.run([AARCH64_CC, "-E", "-P", "-x", "c", "-"], input=src,
                         capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        if line.startswith("SC4J "):
            _, name, expr = line.split(" ", 2)
            expr = expr.strip()
            if re.fullmatch(r"[0-9()+ ]+", expr):
                table[name] = eval(expr)  # only digits, parentheses and '+'
    return table


HEADERS = {"x86_64": x86_64_headers, "aarch64": aarch64_headers}


def merge(arch, table, headers):
    """Adds the header calls numbered above the data's highest; returns how many."""
    top = max(table.values())
    added = 0
    for name, nr in sorted(headers.items(), key=lambda kv: kv[1]):
        if name in table:
            if table[name] != nr:
                raise SystemExit("%s: %s is %d in the headers but %d in tools/syscalls"
                                 % (arch, name, nr, table[name]))
        elif nr > top:
            table[name] = nr
            added += 1
        else:
            print("%s: header call %s (%d) is not in the kernel's table, left out"
                  % (arch, name, nr), file=sys.stderr)
    return added


def render(table, source):
    rows = sorted(table.items(), key=lambda kv: (kv[1], kv[0]))
    return ("# name\tnumber -- %s; generated by sandbox-api/tools/gen-syscall-tables.py, do not edit\n"
            % source) + "".join("%s\t%d\n" % kv for kv in rows)


def main(argv):
    check = "--check" in argv
    use_headers = "--no-headers" not in argv
    args = [a for a in argv if not a.startswith("--")]
    outdir = args[0] if args else os.path.join(
        HERE, "..", "src", "main", "resources", "org", "sandbox4j", "seccomp")
    status = 0
    for arch in ("x86_64", "aarch64"):
        kernel, table = data_table(arch)
        source = "Linux %s (tools/syscalls/%s.tbl)" % (kernel, arch)
        headers = HEADERS[arch]() if use_headers else None
        if headers is not None and merge(arch, table, headers):
            source += " and newer installed headers"
        text = render(table, source)
        path = os.path.join(outdir, "syscalls-%s.tsv" % arch)
        if check:
            with open(path) as f:
                if f.read() != text:
                    print("differs: " + path)
                    status = 1
        else:
            with open(path, "w") as f:
                f.write(text)
            print("wrote %s (%d syscalls, highest %d)" % (path, len(table), max(table.values())))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
