#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every source and script file of the repository says its license in one of its first five
# lines: "SPDX-License-Identifier: Apache-2.0" (C, headers, linker maps, shell, Python,
# Makefile, systemd units and drop-ins, sysusers files, man pages, .ci/run).
# Usage: tools/check-spdx.sh            exit 1 and list the files without it
#        tools/check-spdx.sh --missing  only print them (tools/add-spdx.sh uses this)
set -u
cd "$(dirname "$0")/.." || exit 2
TAG="SPDX-License-Identifier: Apache-2.0"

# The files that must carry the line: git's tracked files (and new ones not yet ignored).
spdx_files() {
	git ls-files --cached --others --exclude-standard | while read -r f; do
		[ -f "$f" ] || continue
		case $f in
		*.c | *.h | *.map | *.sh | *.bash | *.py | Makefile | */Makefile | *.service | \
		systemd/*.conf | *.sysusers | man/*.[1-8] | .ci/run) echo "$f" ;;
		*.*) ;;
		*) head -n 1 "$f" | grep -qE '^#!.*(sh|bash|python3?)( |$)' && echo "$f" ;;
		esac
	done
}

missing=0
while read -r f; do
	head -n 5 "$f" | grep -qF "$TAG" && continue
	echo "$f"
	missing=$((missing + 1))
done < <(spdx_files)
[ "${1:-}" = --missing ] && exit 0
if [ $missing -gt 0 ]; then
	echo "check-spdx: $missing file(s) above lack '$TAG' in their first 5 lines (tools/add-spdx.sh adds it)" >&2
	exit 1
fi
echo "check-spdx: every source and script file carries $TAG"
