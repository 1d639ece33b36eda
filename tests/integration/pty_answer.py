#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs a command on a new pseudo-terminal, answers one prompt, and relays the output.

usage: pty_answer.py PROMPT ANSWER_FILE CMD [ARG...]
Waits (at most 20 s) until PROMPT appears on the terminal, types the content of ANSWER_FILE
and Enter, then copies everything the command writes to the terminal to stdout until it
exits (at most 60 s). Exit status: the command's, or 124 on a timeout. Tests use it to check
that a passphrase typed at a prompt is read without echo.
"""
import os
import pty
import select
import sys
import time


def main():
    prompt, answer_file, cmd = sys.argv[1].encode(), sys.argv[2], sys.argv[3:]
    with open(answer_file, "rb") as f:
        answer = f.read()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out, answered, start = b"", False, time.monotonic()
    while True:
        limit = 20 if not answered else 60
        if time.monotonic() - start > limit:
            os.kill(pid, 9)
            sys.stdout.buffer.write(out)
            return 124
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                break
            out += chunk
        if not answered and prompt in out:
            os.write(fd, answer + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(out)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
