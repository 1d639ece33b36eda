#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Runs shellcheck over every shell script of the repository (*.sh, *.bash and files with a sh or
# bash #! line, the dracut modules included), at severity "warning": errors and warnings
# fail, style hints do not. A false positive gets a "# shellcheck disable=SCnnnn  # why"
# on its line (or at the top of a file for variables that dracut or a sourcing script sets).
set -u
cd "$(dirname "$0")/.." || exit 2
command -v shellcheck >/dev/null || { echo "shellcheck missing (make deps)" >&2; exit 2; }
mapfile -t files < <(git ls-files --cached --others --exclude-standard | while read -r f; do
	[ -f "$f" ] || continue
	case $f in
	*.sh | *.bash) echo "$f" ;;
	*.*) ;;
	*) head -n 1 "$f" | grep -qE '^#!.*[/ ](ba|da)?sh( |$)' && echo "$f" ;;
	esac
done)
shellcheck -x -S warning "${files[@]}" || { echo "shellcheck: findings above (${#files[@]} scripts)" >&2; exit 1; }
echo "shellcheck: ${#files[@]} scripts clean"
