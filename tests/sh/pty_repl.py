#!/usr/bin/env python3
"""Type into the spacexnet REPL through a pseudo-terminal, the way a person
does (Tab included), and print what the terminal showed.

usage: pty_repl.py BINARY KEYS   (KEYS with \\t for Tab and \\n for Enter;
each line is sent once the previous prompt has appeared)"""
import os
import pty
import select
import sys
import time


def read_until(fd, marker, out, timeout_s=10.0):
    """Append what the terminal shows to out[-1] until it ends with marker."""
    deadline = time.time() + timeout_s
    while not out[-1].endswith(marker):
        left = deadline - time.time()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return False
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return False
        if not chunk:
            return False
        out[-1] += chunk.decode("utf-8", "replace")
    return True


def main():
    binary, keys = sys.argv[1], sys.argv[2].encode().decode("unicode_escape")
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "dumb"
        os.execv(binary, [binary])
    out = [""]
    read_until(fd, "> ", out)
    for line in keys.splitlines(keepends=True):
        for part in line.split("\t")[:-1]:  # text then Tab: wait for readline's answer
            os.write(fd, (part + "\t").encode())
            time.sleep(0.3)
        os.write(fd, line.split("\t")[-1].encode())
        out.append("")
        read_until(fd, "> ", out)
    os.write(fd, b"\x04")  # Ctrl-D leaves
    time.sleep(0.2)
    try:
        while select.select([fd], [], [], 1.0)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            out[-1] += chunk.decode("utf-8", "replace")
    except OSError:
        pass
    os.waitpid(pid, 0)
    sys.stdout.write("".join(out).replace("\r", ""))


main()
