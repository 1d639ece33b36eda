#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The exact lines the CLIs print for usage errors and for failures they decide themselves:
# a missing required option is named, a missing path says so (not libcryptsetup's "Block
# device required"), an error the program invented carries no strerror ("disabled by
# rd.tdx_unlock=0 ...: No such file or directory" was the bug), and --version of both
# programs and the token plugin's version all come from VERSION.
source "$(dirname "$0")/lib.bash"
TU=$BUILD/tdx-unlock KS=$BUILD/tdx-keyserver PLUGIN=$BUILD/libcryptsetup-token-tdx-unlock.so
{ [ -x "$TU" ] && [ -x "$KS" ]; } || fail "$TU or $KS not built"
VERSION=$(cat VERSION)
export TDX_UNLOCK_CONFIG=$TMP/none.conf TDX_UNLOCK_CMDLINE=$TMP/cmdline
echo "root=x" >"$TDX_UNLOCK_CMDLINE"

# expect STATUS LINE COMMAND...: the command exits with STATUS and its stderr is exactly LINE.
expect() {
	local want_rc=$1 want=$2 rc=0
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	[ "$rc" = "$want_rc" ] || fail "$*: exit $rc, expected $want_rc: $(cat "$TMP/err")"
	[ "$(cat "$TMP/err")" = "$want" ] || fail "$*: printed '$(cat "$TMP/err")', expected '$want'"
	ok "$* -> $want"
}

expect 2 "tdx-unlock: error: bind: --url is required (see tdx-unlock bind --help)" \
	"$TU" bind "$TMP/img" --resource a/b/c --secret-out "$TMP/s"
expect 2 "tdx-unlock: error: bind: --resource is required (see tdx-unlock bind --help)" \
	"$TU" bind "$TMP/img" --url https://127.0.0.1:9 --secret-out "$TMP/s"
expect 2 "tdx-unlock: error: bind: --secret-out is required (see tdx-unlock bind --help)" \
	"$TU" bind "$TMP/img" --url https://127.0.0.1:9 --resource a/b/c
expect 2 "tdx-unlock: error: bind: DEVICE is required (see tdx-unlock bind --help)" \
	"$TU" bind --url https://127.0.0.1:9 --resource a/b/c --secret-out "$TMP/s"
expect 2 "tdx-unlock: error: fetch: --url is required (see tdx-unlock fetch --help)" \
	"$TU" fetch --resource a/b/c -o "$TMP/s"
expect 2 "tdx-unlock: error: fetch: -o FILE (or -o - for stdout) is required (see tdx-unlock fetch --help)" \
	"$TU" fetch --url https://127.0.0.1:9 --resource a/b/c
expect 2 "tdx-unlock: error: quote: --report-data is required (see tdx-unlock quote --help)" "$TU" quote -o "$TMP/q"
expect 2 "tdx-unlock: error: unbind: DEVICE is required (see tdx-unlock unbind --help)" "$TU" unbind
expect 2 "tdx-unlock: error: list: unexpected argument 'b' (see tdx-unlock list --help)" "$TU" list a b
expect 2 "tdx-unlock: error: unlock: DEVICE or --all is required (see tdx-unlock unlock --help)" "$TU" unlock --test
expect 2 "tdx-unlock: error: unknown option '--bogus' (see tdx-unlock --help)" "$TU" --bogus list x
expect 2 "tdx-keyserver: error: serve: --config is required (see tdx-keyserver serve --help)" "$KS" serve

# A path that does not exist: the OS's words, not libcryptsetup's ENOTBLK.
for cmd in list unbind; do
	expect 1 "tdx-unlock: error: $TMP/nonexistent: No such file or directory" "$TU" $cmd "$TMP/nonexistent"
done
expect 1 "tdx-unlock: error: /dev/null: not a block device or a LUKS2 image file" "$TU" list /dev/null
head -c 1M /dev/zero >"$TMP/zero.img"
expect 1 "tdx-unlock: error: $TMP/zero.img: not a LUKS2 volume (cryptsetup luksDump shows its header)" \
	"$TU" list "$TMP/zero.img"

# An error the program decided: no strerror after it.
echo "root=x rd.tdx_unlock=0" >"$TDX_UNLOCK_CMDLINE"
expect 1 "tdx-unlock: error: unlock: disabled by rd.tdx_unlock=0 on the kernel command line" "$TU" unlock --all --test
echo "root=x" >"$TDX_UNLOCK_CMDLINE"
# ... and the key server's configuration errors, which it decides itself too.
echo '{"bogus_key": 1}' >"$TMP/ks-unknown.json"
expect 2 'tdx-keyserver: error: config: unknown key "bogus_key"' "$KS" serve --config "$TMP/ks-unknown.json"
echo '{"listen": "127.0.0.1"}' >"$TMP/ks-listen.json"
expect 2 'tdx-keyserver: error: config: "listen" must be HOST:PORT, e.g. 127.0.0.1:8443 or [::1]:8443' \
	"$KS" serve --config "$TMP/ks-listen.json"

# One version everywhere.
expect 0 "" "$TU" --version
[ "$(cat "$TMP/out")" = "tdx-unlock $VERSION" ] || fail "tdx-unlock --version: $(cat "$TMP/out")"
expect 0 "" "$KS" --version
[ "$(cat "$TMP/out")" = "tdx-keyserver $VERSION" ] || fail "tdx-keyserver --version: $(cat "$TMP/out")"
if [ -e "$PLUGIN" ] && command -v python3 >/dev/null; then
	v=$(python3 -c 'import ctypes, sys
f = ctypes.CDLL(sys.argv[1]).cryptsetup_token_version
f.restype = ctypes.c_char_p
print(f().decode())' "$PLUGIN") || fail "loading $PLUGIN"
	[ "$v" = "$VERSION" ] || fail "plugin version '$v', VERSION says '$VERSION'"
	ok "the token plugin reports $VERSION"
else
	echo "note: plugin or python3 absent: the plugin's version is not checked"
fi
ok "tdx-unlock, tdx-keyserver and the plugin report version $VERSION"
