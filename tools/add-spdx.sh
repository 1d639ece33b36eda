#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Adds "SPDX-License-Identifier: Apache-2.0" to every file tools/check-spdx.sh lists as
# missing it, in the file's own comment syntax: first line, or after a #! line. Safe to
# re-run (after merging branches with new files); changes nothing else.
set -eu
cd "$(dirname "$0")/.."
TAG="SPDX-License-Identifier: Apache-2.0"
n=0
while read -r f; do
	case $f in
	*.c | *.h | *.map) line="/* $TAG */" ;;
	man/*) line=".\\\" $TAG" ;;
	*) line="# $TAG" ;;
	esac
	tmp=$(mktemp "$f.XXXXXX")
	if head -n 1 "$f" | grep -q '^#!'; then
		{ head -n 1 "$f"; printf '%s\n' "$line"; tail -n +2 "$f"; } >"$tmp"
	else
		{ printf '%s\n' "$line"; cat "$f"; } >"$tmp"
	fi
	chmod --reference="$f" "$tmp" && mv "$tmp" "$f"
	n=$((n + 1))
done < <(tools/check-spdx.sh --missing)
echo "add-spdx: $n file(s) changed"
