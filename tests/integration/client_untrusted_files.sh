#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Files the client opens because configuration, a LUKS2 token or an option names them (CA
# bundle, tdx-unlock.conf, the kernel command line, crypttab) are read only when they are
# regular files, opened non-blocking, under the deadline: a FIFO, a device or a directory
# is refused at once with one line, where it used to block the helper (and the token
# plugin) past its deadline. A listener that accepts and never speaks stands in for the key
# server, so the old code reached the TLS handshake and blocked opening the CA there.
source "$(dirname "$0")/lib.bash"
command -v python3 >/dev/null || skip "python3 absent (the stand-in listener)"
TU=$BUILD/tdx-unlock
[ -x "$TU" ] || fail "$TU not built"
export TDX_UNLOCK_CONFIG=$TMP/none.conf TDX_UNLOCK_CMDLINE=$TMP/cmdline
echo "root=x" >"$TDX_UNLOCK_CMDLINE"

python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
time.sleep(120)' >"$TMP/port" &
PIDS+=($!)
wait_for 100 test -s "$TMP/port" || fail "listener did not start"
PORT=$(cat "$TMP/port")
mkfifo "$TMP/ca.fifo" "$TMP/conf.fifo" "$TMP/cmdline.fifo"
mkdir "$TMP/ca.dir"

# run LABEL LIMIT_S COMMAND...: runs under timeout 60, sets RC and MS, stderr in $TMP/LABEL.err.
run() {
	local label=$1 limit=$2 start
	shift 2
	start=$(date +%s%N)
	timeout 60 "$@" >/dev/null 2>"$TMP/$label.err"
	RC=$?
	MS=$((($(date +%s%N) - start) / 1000000))
	[ "$RC" != 124 ] || fail "$label: still blocked after 60 s: $(cat "$TMP/$label.err")"
	[ "$MS" -lt $((limit * 1000)) ] || fail "$label: took $MS ms (limit $limit s)"
}
REFUSED="not a regular file (a FIFO, device, socket or directory is refused)"

for ca in "$TMP/ca.fifo" "$TMP/ca.dir" /dev/zero; do
	run ca 5 "$TU" fetch --url "https://127.0.0.1:$PORT" --resource a/b/c --ca "$ca" -o "$TMP/out" --timeout 20
	[ "$RC" = 1 ] || fail "CA $ca: exit $RC: $(cat "$TMP/ca.err")"
	grep -qx "tdx-unlock: error: CA file $ca: $REFUSED: not contacting the key server" "$TMP/ca.err" ||
		fail "CA $ca: unclear: $(cat "$TMP/ca.err")"
	ok "fetch with $ca as CA: refused in $MS ms (deadline 20 s)"
done

run conf 5 env TDX_UNLOCK_CONFIG="$TMP/conf.fifo" "$TU" unlock --all --test --timeout 20
grep -qx "tdx-unlock: error: reading $TMP/conf.fifo: $REFUSED (check its permissions; at most 64 KiB)" "$TMP/conf.err" ||
	fail "configuration FIFO: unclear: $(cat "$TMP/conf.err")"
ok "a FIFO as tdx-unlock.conf: refused in $MS ms"
run cmdline 5 env TDX_UNLOCK_CMDLINE="$TMP/cmdline.fifo" "$TU" unlock --all --test --timeout 20
grep -qx "tdx-unlock: error: reading the kernel command line $TMP/cmdline.fifo: $REFUSED" "$TMP/cmdline.err" ||
	fail "command line FIFO: unclear: $(cat "$TMP/cmdline.err")"
ok "a FIFO as the kernel command line: refused in $MS ms"

# The CA now reaches libcurl as a blob: it must still be the only trust. A key server with
# the keys-example certificate, OpenSSL's default store pointed at that CA (SSL_CERT_FILE):
# pinned to another CA, the client refuses; pinned to the right one, TLS passes (the attempt
# then fails at the evidence step: no TD here).
KS=$BUILD/tdx-keyserver
if [ -x "$KS" ] && command -v openssl >/dev/null; then
	KE=$PWD/keys-example
	mkdir -p "$TMP/ks/res" "$TMP/ks/coll"
	echo '{}' >"$TMP/ks/policy.json"
	cat >"$TMP/ks/ks.json" <<-JSON
	{"listen":"127.0.0.1:0","tls_cert":"$KE/server.pem","tls_key":"$KE/server.key",
	 "resources_dir":"res","policy_file":"policy.json","collateral_dir":"coll",
	 "trust_anchor":"$KE/ca.pem","audit_log":"audit.log","threads":2}
	JSON
	"$KS" serve --config "$TMP/ks/ks.json" 2>"$TMP/ks.log" &
	PIDS+=($!)
	wait_for 100 grep -q "listening on" "$TMP/ks.log" || fail "key server did not start: $(cat "$TMP/ks.log")"
	KPORT=$(sed -n 's/.*listening on https:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/ks.log")
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=other-ca -days 1 \
		-keyout "$TMP/other-ca.key" -out "$TMP/other-ca.pem" 2>/dev/null || fail "openssl: other CA"
	mkdir -p "$TMP/no-tsm"
	run other 30 env SSL_CERT_FILE="$KE/ca.pem" "$TU" fetch --url "https://127.0.0.1:$KPORT" --resource a/b/c \
		--ca "$TMP/other-ca.pem" --tsm-dir "$TMP/no-tsm" -o "$TMP/out" --timeout 20
	grep -q "TLS certificate verification failed" "$TMP/other.err" || fail "another CA pinned: $(cat "$TMP/other.err")"
	run right 30 "$TU" fetch --url "https://127.0.0.1:$KPORT" --resource a/b/c --ca "$KE/ca.pem" \
		--tsm-dir "$TMP/no-tsm" -o "$TMP/out" --timeout 20
	grep -q "evidence failed\|giving up.*TDX evidence" "$TMP/right.err" || fail "right CA: $(cat "$TMP/right.err")"
	grep -q "TLS certificate verification failed" "$TMP/right.err" && fail "right CA refused: $(cat "$TMP/right.err")"
	ok "the pinned CA blob is the only trust (the default store is not consulted); the right CA passes TLS"
else
	echo "note: $KS or openssl absent: the pinning check is not run"
fi

# A token naming a FIFO as its CA, with no configuration file (the mode that trusts the
# token): unlock refuses at once instead of blocking until the deadline and beyond.
if [ "$(id -u)" != 0 ] || ! command -v cryptsetup >/dev/null; then
	echo "note: not root or no cryptsetup: the token case is not run (luks_plugin.sh covers the plugin)"
	exit 0
fi
IMG=$TMP/disk.img
printf 'passphrase' >"$TMP/pass"
truncate -s 32M "$IMG"
cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 "$IMG" "$TMP/pass" || fail "luksFormat"
"$TU" bind "$IMG" --url "https://127.0.0.1:$PORT" --resource default/luks/fifo --ca "$TMP/ca.fifo" --timeout 30 \
	--key-file "$TMP/pass" --secret-out "$TMP/secret" 2>/dev/null || fail "bind"
mkdir -p "$TMP/fake-tsm"
run token 5 "$TU" unlock "$IMG" --test --tsm-dir "$TMP/fake-tsm"
[ "$RC" = 1 ] || fail "token with a FIFO CA: exit $RC"
grep -qx "tdx-unlock: error: CA file $TMP/ca.fifo: $REFUSED: not contacting the key server" "$TMP/token.err" ||
	fail "token with a FIFO CA: unclear: $(cat "$TMP/token.err")"
ok "a token naming a FIFO as CA (no configuration): unlock refused in $MS ms (token deadline 30 s)"
