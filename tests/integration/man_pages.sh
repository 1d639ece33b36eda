#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The man pages (man/) format without a warning (groff -ww, man --warnings) and stay in step
# with the programs: every subcommand of `tdx-unlock --help` and `tdx-keyserver --help`,
# every key of the key server's configuration (src/server/ks_config.c) and of the client's
# (src/luks/config_file.c) is described in its page.
source "$(dirname "$0")/lib.bash"
command -v groff >/dev/null && command -v man >/dev/null || skip "groff/man absent (make deps: groff-base, man-db)"
for b in tdx-unlock tdx-keyserver; do [ -x "$BUILD/$b" ] || fail "$BUILD/$b not built"; done
export LC_ALL=C.UTF-8 MANWIDTH=200
pages=(man/*.[1-8])
[ ${#pages[@]} -ge 3 ] || fail "man pages missing: ${pages[*]}"
for p in "${pages[@]}"; do
	groff -ww -man -z "$p" 2>"$TMP/groff.err" && [ ! -s "$TMP/groff.err" ] || fail "$p: groff -ww: $(head -n 3 "$TMP/groff.err")"
	man --warnings -l "$p" >"$TMP/$(basename "$p").txt" 2>"$TMP/man.err" && [ ! -s "$TMP/man.err" ] ||
		fail "$p: man --warnings: $(head -n 3 "$TMP/man.err")"
done
ok "${#pages[@]} pages format without warnings"

# needs PAGE WHAT WORD...: each WORD appears as a word in the formatted PAGE.
needs() {
	local page=$TMP/$1.txt what=$2 w
	shift 2
	[ $# -gt 0 ] || fail "no $what found to check (parsing broken?)"
	for w in "$@"; do
		grep -qE "(^|[^a-z_-])$w([^a-z_-]|$)" "$page" || fail "man/$(basename "$page" .txt) does not describe $what '$w'"
	done
	ok "man/$(basename "$page" .txt): all $# $what"
}
subcommands() { "$BUILD/$1" --help 2>&1 | sed -n '/^commands:/,$p' | awk 'NR > 1 && /^  [a-z]/ { print $1 }'; }
mapfile -t cmds < <(subcommands tdx-unlock)
needs tdx-unlock.8 "tdx-unlock subcommand" "${cmds[@]}"
mapfile -t cmds < <(subcommands tdx-keyserver)
needs tdx-keyserver.8 "tdx-keyserver subcommand" "${cmds[@]}"
mapfile -t keys < <({ echo listen; echo trust_anchor; grep -oE '\{ "[a-z_0-9]+",' src/server/ks_config.c | tr -d '{", '; } | sort -u)
needs tdx-keyserver.8 "configuration key" "${keys[@]}"
mapfile -t keys < <(grep -oE 'strcmp\(key, "[a-z-]+"\)' src/luks/config_file.c | sed 's/.*"\(.*\)".*/\1/' | sort -u)
needs tdx-unlock.conf.5 "configuration key" "${keys[@]}"
