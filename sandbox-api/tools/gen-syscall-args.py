#!/usr/bin/env python3
"""Generates the seccomp argument-name tables (name<TAB>arg0<TAB>arg1...) for x86_64 and aarch64.

kafel lets a rule name a system call's arguments without declaring them (`read { fd == 0 }`); the
names are the kernel's own, the parameter names of the call's SYSCALL_DEFINEn(...) definition
(the names ftrace shows). This script reads them from a Linux source tree:
  1. the architecture's syscall table gives each call's entry point (x86_64:
     arch/x86/entry/syscalls/syscall_64.tbl; aarch64: scripts/syscall.tbl with arm64's ABIs), so
     that `stat` finds sys_newstat and `umount2` finds sys_umount;
  2. SYSCALL_DEFINEn(entry, type, name, ...) in the architecture's own directory wins over one in
     the generic code; a call defined more than once under different configurations is settled by
     CHOICES below (the configuration the architecture builds with) or the script stops.
Calls added by kernels newer than the tree get no names here: a rule for them must declare its
argument names. Entry points that take the register file (x86_64's rt_sigreturn) have none.

Usage: gen-syscall-args.py LINUX_SOURCE_DIR [OUTDIR]
  OUTDIR defaults to src/main/resources/org/sandbox4j/seccomp next to this script. The tree is
  not kept in this repository (Debian's linux-source package holds one); the output is committed.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ABIS = {
    "x86_64": {"common", "64"},
    "aarch64": {"common", "64", "renameat", "newstat", "rlimit", "memfd_secret"},
}
ARCH_DIR = {"x86_64": "arch/x86/", "aarch64": "arch/arm64/"}
TABLE = {"x86_64": "arch/x86/entry/syscalls/syscall_64.tbl", "aarch64": "scripts/syscall.tbl"}
# entry -> argument names, for entries defined more than once in the generic code, keyed by
# architecture: the variant that architecture's Kconfig selects.
CHOICES = {
    # kernel/fork.c: x86_64 builds the plain variant; arm64 selects CLONE_BACKWARDS (tls before
    # child_tidptr).
    ("x86_64", "clone"): ["clone_flags", "newsp", "parent_tidptr", "child_tidptr", "tls"],
    ("aarch64", "clone"): ["clone_flags", "newsp", "parent_tidptr", "tls", "child_tidptr"],
}
DEFINE = re.compile(r"\bSYSCALL_DEFINE(\d)\s*\(\s*(\w+)\s*((?:,[^;{]*?)?)\)\s*(?=\{|$|\n)", re.S)
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def definitions(root, arch):
    """{entry: [[names], ...]}: every SYSCALL_DEFINE of the generic code and of arch's directory."""
    generic, own = {}, {}
    for top in ("arch", "block", "fs", "io_uring", "ipc", "kernel", "mm", "net", "security", "lib",
                "init", "crypto", "virt", "drivers/char"):
        base = os.path.join(root, top)
        for dirpath, _, files in os.walk(base):
            rel = os.path.relpath(dirpath, root) + "/"
            if rel.startswith("arch/") and not rel.startswith(ARCH_DIR[arch]):
                continue
            target = own if rel.startswith(ARCH_DIR[arch]) else generic
            for f in files:
                if not f.endswith(".c"):
                    continue
                with open(os.path.join(dirpath, f), errors="replace") as fh:
                    text = COMMENT.sub(" ", fh.read())
                for m in DEFINE.finditer(text):
                    n, name, rest = int(m.group(1)), m.group(2), m.group(3)
                    parts = [p.strip() for p in rest.split(",")[1:]] if n else []
                    if len(parts) != 2 * n:
                        raise SystemExit("%s%s: cannot read SYSCALL_DEFINE%d(%s ...)" % (rel, f, n, name))
                    names = parts[1::2]
                    lst = target.setdefault(name, [])
                    if names not in lst:
                        lst.append(names)
    merged = dict(generic)
    merged.update(own)
    return merged


def entries(root, arch):
    """[(name, entry)] of arch's syscall table, in number order."""
    out = []
    with open(os.path.join(root, TABLE[arch])) as fh:
        for line in fh:
            f = line.split()
            if not f or f[0].startswith("#") or len(f) < 4 or f[1] not in ABIS[arch]:
                continue
            out.append((f[2], f[3]))
    return out


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    root = sys.argv[1]
    outdir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        HERE, "..", "src", "main", "resources", "org", "sandbox4j", "seccomp")
    version = ""
    with open(os.path.join(root, "Makefile")) as fh:
        head = dict(re.findall(r"^(VERSION|PATCHLEVEL)\s*=\s*(\d+)", fh.read(), re.M))
        version = head["VERSION"] + "." + head["PATCHLEVEL"]
    for arch in ("x86_64", "aarch64"):
        defs = definitions(root, arch)
        rows = []
        for name, entry in entries(root, arch):
            e = entry[len("sys_"):] if entry.startswith("sys_") else entry
            if (arch, e) in CHOICES:
                rows.append((name, CHOICES[(arch, e)]))
                continue
            found = defs.get(e)
            if not found:
                if e != "ni_syscall":
                    print("%s: no SYSCALL_DEFINE for %s (%s): left without names" % (arch, name, entry),
                          file=sys.stderr)
                continue
            if len(found) > 1:
                raise SystemExit("%s: %s is defined %d ways %s: add it to CHOICES" % (arch, e, len(found), found))
            rows.append((name, found[0]))
        path = os.path.join(outdir, "syscall-args-%s.tsv" % arch)
        with open(path, "w") as fh:
            fh.write("# name\targument names -- the parameter names of the SYSCALL_DEFINE of Linux %s for %s;"
                     " generated by sandbox-api/tools/gen-syscall-args.py, do not edit\n" % (version, arch))
            for name, args in rows:
                fh.write("\t".join([name] + args) + "\n")
        print("%s: %d calls with argument names -> %s" % (arch, len(rows), path))


if __name__ == "__main__":
    main()
