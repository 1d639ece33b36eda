#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Issue 14 item 5: resource reads stay beneath resources_dir. Before, O_NOFOLLOW covered
# only the last component: a directory symlink or a hard link in resources_dir released a
# file from elsewhere, and a FIFO there blocked a server thread in open() (two FIFO
# requests wedged both threads). Each of these, requested by an attested TD whose policy
# allows it, is now refused with one log line saying what to fix, and the server keeps
# answering: a directory link out of the tree, a link as the last component, a hard link
# to a file outside, a FIFO (asked for twice: once per server thread).
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/kbs_hostile.bash"
need_fuse
need_attack_tools
hostile_setup

mkdir -p "$TMP/outside/luks"
echo "outside-secret" >"$TMP/outside/luks/key"
echo "hardlinked-secret" >"$TMP/outside/luks/hardsrc"
chmod 600 "$TMP/outside/luks/"*
ln -s ../outside "$TMP/res/evilrepo"
ln -s ../../../outside/luks/key "$TMP/res/default/luks/final"
ln "$TMP/outside/luks/hardsrc" "$TMP/res/default/luks/hard"
mkfifo -m 600 "$TMP/res/default/luks/fifo"
jq --slurpfile p "$TMP/pinned.json" -n '{"default/luks/demo": $p[0], "evilrepo/luks/key": $p[0],
	"default/luks/final": $p[0], "default/luks/hard": $p[0], "default/luks/fifo": $p[0]}' >"$TMP/policy.json"
start_keyserver escape 0

# refused RESOURCE LOG_PATTERN
refused() {
	local res=$1 pattern=$2 name=${1//\//_}
	legit_fetch "$name" --resource "$res" --timeout 3
	[ "$RC" = 1 ] && [ ! -e "$TMP/$name.secret" ] || fail "$res: released (rc $RC)"
	grep -q "PluginInternalError" "$TMP/$name.err" || fail "$res: $(tail -1 "$TMP/$name.err")"
	grep -q "resource $TMP/res/$res: refusing.*$pattern" "$TMP/escape.log" ||
		fail "$res: no log line saying '$pattern': $(tail -3 "$TMP/escape.log")"
	grep -qE "outside-secret|hardlinked-secret" "$TMP/$name.err" "$TMP/escape.log" && fail "$res: the outside file leaked"
	python3 "$ATTACK" healthz --port "$SRV_PORT" >/dev/null || fail "server unresponsive after $res"
	ok "$res refused in $MS ms: $(grep -o "refusing.*" "$TMP/escape.log" | grep -m1 "$pattern")"
}

refused evilrepo/luks/key "symbolic link"
refused default/luks/final "symbolic link"
refused default/luks/hard "more than one hard link"
refused default/luks/fifo "non-regular file"
refused default/luks/fifo "non-regular file"
jq -e 'select(.resource == "default/luks/fifo") | .decision == "refuse" and .reason == "resource unreadable"' \
	"$TMP/escape.audit" >/dev/null || fail "no audit refusal for the FIFO"
legit_fetch demo --timeout 10
[ "$RC" = 0 ] && cmp -s "$TMP/demo.secret" "$TMP/res/default/luks/demo" || fail "the real resource: rc $RC: $(tail -3 "$TMP/demo.err")"
ok "the real resource is still released ($MS ms)"
