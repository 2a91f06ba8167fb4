"""Runs a command on a new pseudo-terminal, as a user at a terminal would: the command is a session
leader with the pty as its controlling terminal. Sends the lines of $PTY_INPUT one at a time, each
after the previous output has settled on a shell prompt ('$ ' or '# '), then waits for the command
to exit. Prints everything the terminal showed, then a last line 'PTY-EXIT <status>'."""
import os
import pty
import select
import sys
import time

args = sys.argv[1:]
lines = [l for l in os.environ.get("PTY_INPUT", "").split("\n") if l]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)

out = bytearray()


def pump(until, timeout):
    """Reads until until(out) is true, EOF, or timeout; returns False on EOF."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if until(out):
            return True
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            out.extend(data)
    return True


def prompt(b):
    t = bytes(b).rstrip(b" ")
    return bytes(b).endswith(b"$ ") or bytes(b).endswith(b"# ")


alive = pump(prompt, 20)
for line in lines:
    if not alive:
        break
    mark = len(out)
    os.write(fd, line.encode() + b"\n")
    alive = pump(lambda b: len(b) > mark + len(line) + 1 and prompt(b[mark + len(line):]), 20)
pump(lambda b: False, 20 if alive else 0.1)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
sys.stdout.write("\nPTY-EXIT %d\n" % code)
