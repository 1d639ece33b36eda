#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# BENCHMARKS.md is the current figures, not a log of sessions (issue 14 item 17): every
# bench/ script or program it names exists, every benchmark script of bench/ is in it with
# its command, and it stays short (the history is in git).
source "$(dirname "$0")/lib.bash"
B=BENCHMARKS.md
[ -f "$B" ] || fail "$B missing"
lines=$(wc -l <"$B")
[ "$lines" -le 300 ] || fail "$B has $lines lines: keep the current figures, move the story to git"
! grep -qiE '^#+ .*session [0-9]' "$B" || fail "$B has per-session headings: $(grep -iE '^#+ .*session [0-9]' "$B" | head -n 1)"
while read -r f; do   # a script, or a program built from bench/NAME.c
	[ -e "$f" ] || [ -e "$f.c" ] || fail "$B names $f, which does not exist"
done < <(grep -oE 'bench/[A-Za-z0-9_-]+(\.[a-z]+)?' "$B" | sort -u)
for f in bench/*.sh; do
	case $f in bench/run.sh | bench/lib.sh) continue ;; esac # the runner and its helpers
	grep -qF "$f" "$B" || fail "$B does not show how to run $f"
done
n=$(grep -c '^Command' "$B")
[ "$n" -ge 4 ] || fail "$B: only $n 'Command:' lines (one per benchmark table)"
ok "$B: $lines lines, $n benchmark commands, every bench/ script named and present"
