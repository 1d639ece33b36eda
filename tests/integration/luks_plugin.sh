#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The token plugin build/libcryptsetup-token-tdx-unlock.so loaded by the real cryptsetup
# from the build directory (LD_PRELOAD shim of boot-integration.md §2.6): exports, dump,
# validate refusing malformed tokens, the fallback codes within the deadline (not a TD: at
# once; nobody listening: -EAGAIN within timeout-s), and, when the key server and the
# simulator are built, the whole unlock through cryptsetup, a refusing server, a wrong
# secret, and a token rewritten by the host that must not redirect the TD.
source "$(dirname "$0")/lib.bash"
[ "$(id -u)" = 0 ] || skip "needs root (LUKS formatting)"
command -v cryptsetup >/dev/null || skip "cryptsetup absent (apt-get install cryptsetup-bin)"
command -v cc >/dev/null || skip "no C compiler for the LD_PRELOAD shim"
command -v readelf >/dev/null || skip "readelf absent (binutils)"
SO=$BUILD/libcryptsetup-token-tdx-unlock.so TU=$BUILD/tdx-unlock
[ -f "$SO" ] || fail "$SO not built"
[ -x "$TU" ] || fail "$TU not built"
KE=$PWD/keys-example
IMG=$TMP/disk.img PASS=$TMP/pass
printf 'recovery passphrase' >"$PASS"

# --- exports --------------------------------------------------------------------------------
syms=$(readelf --dyn-syms -W "$SO" | awk '$5 == "GLOBAL" && $7 != "UND" && $4 == "FUNC" {print $8}' | sort)
expect=$(printf '%s@@CRYPTSETUP_TOKEN_1.0\n' cryptsetup_token_buffer_free cryptsetup_token_dump \
	cryptsetup_token_open cryptsetup_token_open_pin cryptsetup_token_validate cryptsetup_token_version | sort)
[ "$syms" = "$expect" ] || fail "exported functions differ: $syms"
readelf -d "$SO" | grep -q 'SONAME.*\[libcryptsetup-token-tdx-unlock.so\]' || echo "note: no SONAME"
ok "exports exactly the six cryptsetup_token_* symbols @@CRYPTSETUP_TOKEN_1.0"

# --- the shim and an image bound to a port nobody listens on -----------------------------------
cat >"$TMP/shim.c" <<'C'
#include <stdlib.h>
const char *crypt_token_external_path(void);
const char *crypt_token_external_path(void) { const char *p = getenv("TOKEN_DIR"); return p ? p : "/nonexistent"; }
C
cc -shared -fPIC -o "$TMP/shim.so" "$TMP/shim.c" || fail "building the shim"
export TOKEN_DIR=$PWD/$BUILD
[[ $BUILD == /* ]] && TOKEN_DIR=$BUILD
CS() { LD_PRELOAD=$TMP/shim.so cryptsetup "$@"; }
export TDX_UNLOCK_CMDLINE=$TMP/cmdline TDX_UNLOCK_CONFIG=$TMP/none.conf
: >"$TDX_UNLOCK_CMDLINE"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 9; }
DEAD=$(free_port)

truncate -s 32M "$IMG"
cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 "$IMG" "$PASS" || fail "luksFormat"
"$TU" bind "$IMG" --url "https://127.0.0.1:$DEAD" --resource default/luks/plugin --ca "$KE/ca.pem" --timeout 5 \
	--key-file "$PASS" --secret-out "$TMP/secret" 2>/dev/null || fail "bind"
CS luksDump "$IMG" >"$TMP/dump" 2>&1
grep -q "resource: *default/luks/plugin" "$TMP/dump" && grep -q "kbs-url: *https://127.0.0.1:$DEAD" "$TMP/dump" ||
	fail "luksDump does not show the plugin's dump: $(cat "$TMP/dump")"
grep -qF "$(cat "$TMP/secret")" "$TMP/dump" && fail "secret in luksDump"
ok "luksDump prints resource and URL through the plugin"

# open_token LABEL [env...]: cryptsetup open --test-passphrase --token-only; sets RC, MS, $TMP/LABEL.err
open_token() {
	local label=$1 start; shift
	start=$(date +%s%N)
	env "$@" LD_PRELOAD="$TMP/shim.so" cryptsetup open --test-passphrase --token-only --debug "$IMG" \
		>"$TMP/$label.err" 2>&1
	RC=$?
	MS=$((($(date +%s%N) - start) / 1000000))
}

# --- fallback codes -------------------------------------------------------------------------
if grep -qw tdx_guest /proc/cpuinfo || [ -e /dev/tdx_guest ]; then
	echo "note: this is a TD; the not-a-TD case is not tested"
else
	open_token notd
	[ "$RC" != 0 ] || fail "not a TD: token open succeeded"
	grep -q 'Token 0 (tdx-unlock) open failed with -11' "$TMP/notd.err" || fail "not a TD: no -EAGAIN: $(cat "$TMP/notd.err")"
	grep -q 'not running in a TDX trust domain' "$TMP/notd.err" || fail "not a TD: unclear message"
	[ "$MS" -lt 2000 ] || fail "not a TD: took $MS ms"
	ok "not a TD: -EAGAIN at once ($MS ms), no network"
fi
mkdir -p "$TMP/fake-tsm"
echo "rd.tdx_unlock.tsm=$TMP/fake-tsm" >"$TDX_UNLOCK_CMDLINE"
open_token dead
[ "$RC" != 0 ] || fail "nobody listening: token open succeeded"
grep -q 'Token 0 (tdx-unlock) open failed with -11' "$TMP/dead.err" || fail "nobody listening: no -EAGAIN: $(cat "$TMP/dead.err")"
[ "$MS" -le 7000 ] || fail "nobody listening: took $MS ms with timeout-s 5"
grep -q 'attempt 1: ' "$TMP/dead.err" || fail "no per-attempt line: $(cat "$TMP/dead.err")"
grep -q 'no secret for default/luks/plugin after [0-9.]* s (the deadline passed; see above)' "$TMP/dead.err" ||
	fail "no summary line: $(grep -v '^#' "$TMP/dead.err")"
ok "nobody listening on the URL: -EAGAIN after $MS ms (timeout-s 5), one line per attempt"
echo "rd.tdx_unlock=0" >"$TDX_UNLOCK_CMDLINE"
open_token disabled
[ "$RC" != 0 ] && [ "$MS" -lt 2000 ] || fail "rd.tdx_unlock=0: rc $RC, $MS ms"
grep -q 'disabled by rd.tdx_unlock=0' "$TMP/disabled.err" || fail "rd.tdx_unlock=0: unclear: $(cat "$TMP/disabled.err")"
ok "rd.tdx_unlock=0: token skipped at once"
echo "rd.tdx_unlock.tsm=$TMP/fake-tsm" >"$TDX_UNLOCK_CMDLINE"

# --- validate refuses malformed tokens ------------------------------------------------------------
bad_token() { jq -c "$1" <<<'{"type":"tdx-unlock","keyslots":["1"],"version":1,"kbs-urls":["https://k"],"resource":"a/b/c"}'; }
command -v jq >/dev/null || skip "jq absent (make deps)"
n=0
for filter in '.["kbs-urls"] = ["http://plain"]' '.version = 2' '.resource = "a/../b"' '.keyslots = []' \
	'.["timeout-s"] = 4' '.["ca-file"] = "rel.pem"' '.["ca-pem"] = "x"' 'del(.resource)'; do
	bad_token "$filter" >"$TMP/bad.json"
	CS token import --json-file "$TMP/bad.json" --token-id 7 "$IMG" 2>"$TMP/import.err" &&
		fail "token import accepted a malformed token ($filter)"
	grep -q 'tdx-unlock: token: ' "$TMP/import.err" || fail "validate did not say which field ($filter): $(cat "$TMP/import.err")"
	n=$((n + 1))
done
ok "validate refused $n malformed tokens at import, naming the field"
# The same token written without the plugin (as a host could): skipped, fast.
bad_token '.["kbs-urls"] = ["http://plain"]' >"$TMP/bad.json"
cryptsetup token import --json-file "$TMP/bad.json" --token-id 7 "$IMG" || fail "import without the plugin"
open_token badtok env
grep -q 'Token 7 (tdx-unlock) validation failed' "$TMP/badtok.err" || fail "token 7 not skipped: $(cat "$TMP/badtok.err")"
CS luksDump "$IMG" 2>&1 | sed -n '/^  7: tdx-unlock/,/Keyslot/p' | grep -q 'resource:' && fail "dump of a malformed token"
cryptsetup token remove --token-id 7 "$IMG" || fail "token remove"
ok "a malformed token written behind the plugin's back is skipped (validation failed)"

# A token (trusted: no configuration file) naming a FIFO as its CA, its URL a listener that
# accepts and never speaks: refused at once, where the plugin used to block opening the CA
# in the TLS handshake far past the deadline.
python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
time.sleep(120)' >"$TMP/mute.port" &
PIDS+=($!)
wait_for 100 test -s "$TMP/mute.port" || fail "listener did not start"
mkfifo "$TMP/ca.fifo"
cryptsetup token export --token-id 0 "$IMG" >"$TMP/orig.json"
jq -c --arg u "https://127.0.0.1:$(cat "$TMP/mute.port")" --arg ca "$TMP/ca.fifo" \
	'.["kbs-urls"] = [$u] | .["ca-file"] = $ca | .["timeout-s"] = 5' "$TMP/orig.json" >"$TMP/fifo.json"
{ cryptsetup token remove --token-id 0 "$IMG" && CS token import --json-file "$TMP/fifo.json" --token-id 0 "$IMG"; } ||
	fail "token with a FIFO CA"
start=$(date +%s%N)
timeout 60 env LD_PRELOAD="$TMP/shim.so" cryptsetup open --test-passphrase --token-only --debug "$IMG" >"$TMP/fifo.err" 2>&1
RC=$?
MS=$((($(date +%s%N) - start) / 1000000))
{ [ "$RC" != 0 ] && [ "$RC" != 124 ]; } || fail "FIFO CA: rc $RC after $MS ms"
grep -q "CA file $TMP/ca.fifo: not a regular file" "$TMP/fifo.err" || fail "FIFO CA: unclear: $(grep -v '^#' "$TMP/fifo.err")"
[ "$MS" -lt 3000 ] || fail "FIFO CA: took $MS ms"
grep -q 'no secret for default/luks/plugin after [0-9.]* s (the configuration, the token or the CA file is not usable; see above)' \
	"$TMP/fifo.err" || fail "FIFO CA: no summary line: $(grep -v '^#' "$TMP/fifo.err")"
{ cryptsetup token remove --token-id 0 "$IMG" && CS token import --json-file "$TMP/orig.json" --token-id 0 "$IMG"; } ||
	fail "restoring the token"
ok "a token naming a FIFO as CA: the plugin refuses it in $MS ms (timeout-s 5)"

# --- live: the key server and the simulator ----------------------------------------------------
SIM=$BUILD/tdx-sim KS=$BUILD/tdx-keyserver
if [ ! -x "$KS" ] || [ ! -x "$SIM" ] || [ ! -e /dev/fuse ]; then
	echo "note: $KS / $SIM / FUSE absent: the live part is not run"
	exit 0
fi
"$SIM" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"
mount_sim "$TMP/tsm"
"$SIM" quote --pki "$TMP/pki" --report-data "$(printf '0%.0s' $(seq 128))" -o "$TMP/q.bin" || fail "tdx-sim quote"
"$KS" policy-from-quote --resource default/luks/plugin "$TMP/q.bin" >"$TMP/pinned.json" || fail "policy-from-quote"
jq '. + {"default/luks/othertd": (.["default/luks/plugin"] | .mr_td = ["'"$(printf 'ab%.0s' $(seq 48))"'"])}' \
	"$TMP/pinned.json" >"$TMP/policy.json"
mkdir -p "$TMP/res/default/luks"
cp "$TMP/secret" "$TMP/res/default/luks/plugin"
cp "$TMP/secret" "$TMP/res/default/luks/othertd"
chmod 600 "$TMP/res/default/luks/"*
start_keyserver main
MAIN=$SRV_PORT
start_keyserver evil
EVIL=$SRV_PORT
echo "rd.tdx_unlock.tsm=$TMP/tsm" >"$TDX_UNLOCK_CMDLINE"
printf 'url = https://127.0.0.1:%s\nca = %s\n' "$MAIN" "$KE/ca.pem" >"$TMP/tdx-unlock.conf"
export TDX_UNLOCK_CONFIG=$TMP/tdx-unlock.conf

open_token live
[ "$RC" = 0 ] || fail "token unlock through the key server failed: $(grep -v '^#' "$TMP/live.err")"
grep -qF "$(cat "$TMP/secret")" "$TMP/live.err" && fail "the secret appears in the debug output"
ok "cryptsetup open --test-passphrase --token-only through the plugin, key server and simulator: $MS ms"

# The host rewrites the token: its own server (a certificate from the same CA, the same
# resource, a one-hour deadline). The measured
# configuration pins the server: the TD never talks to it and still unlocks.
cryptsetup token export --token-id 0 "$IMG" |
	jq -c --arg u "https://127.0.0.1:$EVIL" '.["kbs-urls"] = [$u] | .["timeout-s"] = 3600' >"$TMP/evil.json"
cryptsetup token remove --token-id 0 "$IMG" && CS token import --json-file "$TMP/evil.json" --token-id 0 "$IMG" ||
	fail "rewriting the token"
open_token rewritten
[ "$RC" = 0 ] || fail "pinned configuration: unlock failed: $(grep -v '^#' "$TMP/rewritten.err")"
[ ! -s "$TMP/evil.audit" ] || fail "the TD talked to the server named by the rewritten token: $(cat "$TMP/evil.audit")"
ok "token rewritten to another server: the measured url/ca are used, the other server saw nothing ($MS ms)"
# Without a configuration file the rewritten token is followed (documented, with a warning).
open_token unpinned TDX_UNLOCK_CONFIG="$TMP/none.conf"
[ -s "$TMP/evil.audit" ] || fail "without configuration the token's server was not used"
grep -q 'trusting the key server named in the LUKS2 token' "$TMP/unpinned.err" || fail "no warning without configuration"
ok "without a measured configuration the token's server is used, with a warning"
jq -c --arg u "https://127.0.0.1:$MAIN" '.["kbs-urls"] = [$u] | .["timeout-s"] = 5' "$TMP/evil.json" >"$TMP/main.json"
cryptsetup token remove --token-id 0 "$IMG" && CS token import --json-file "$TMP/main.json" --token-id 0 "$IMG" ||
	fail "restoring the token"

# A server that refuses (policy for another TD): the fallback code within the deadline.
cryptsetup token export --token-id 0 "$IMG" | jq -c '.resource = "default/luks/othertd"' >"$TMP/other.json"
cryptsetup token remove --token-id 0 "$IMG" && CS token import --json-file "$TMP/other.json" --token-id 0 "$IMG" || fail "token swap"
open_token refused
[ "$RC" != 0 ] || fail "policy refusal: unlocked"
grep -Eq 'Token 0 \(tdx-unlock\) open failed with -(2|1|11)\.' "$TMP/refused.err" || fail "refusal: unexpected code: $(grep -v '^# [A-Z]' "$TMP/refused.err" | tail -5)"
[ "$MS" -le 8000 ] || fail "refusal took $MS ms with timeout-s 5"
ok "policy refusal: fallback code after $MS ms ($(grep -o 'open failed with -[0-9]*' "$TMP/refused.err"))"

# A server that releases a wrong secret: the keyslot check fails, the header is unchanged.
cryptsetup token export --token-id 0 "$IMG" | jq -c '.resource = "default/luks/plugin"' >"$TMP/ok.json"
cryptsetup token remove --token-id 0 "$IMG" && CS token import --json-file "$TMP/ok.json" --token-id 0 "$IMG" || fail "token swap"
head -c 32 /dev/urandom | base64 | tr -d '\n' >"$TMP/res/default/luks/plugin"
h=$(head -c 16M "$IMG" | sha256sum)
open_token wrong
[ "$RC" != 0 ] || fail "a wrong secret unlocked"
[ "$(head -c 16M "$IMG" | sha256sum)" = "$h" ] || fail "header changed"
cryptsetup open --test-passphrase --key-file "$PASS" "$IMG" || fail "passphrase no longer opens"
ok "a wrong released secret: open fails, header unchanged, the passphrase still opens"
