# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2034 # SIM, ATTACK, RC, MS... are for the scripts that source this
# Sourced (after lib.bash) by the hostile-client tests of issue 14: a key server with the
# simulator's PKI, a pinned policy and resources, the legitimate client, the attack client.
# hostile_setup: PKI, simulator at $TMP/tsm, the pinned policy ($TMP/pinned.json) for
#   default/luks/demo, the resource.
# The key server: lib.bash's start_keyserver NAME 0 [EXTRA_JSON].
# legit_fetch NAME [fetch options...]: tdx-unlock fetch of default/luks/demo from 127.0.0.1;
#   sets RC and MS; secret in $TMP/NAME.secret, stderr in $TMP/NAME.err.
# server_rss_kb PID: resident set of a process in kB.
SIM=$BUILD/tdx-sim KS=$BUILD/tdx-keyserver TU=$BUILD/tdx-unlock
ATTACK=tests/integration/kbs_attack.py
KE=$PWD/keys-example

need_attack_tools() {
	for b in "$SIM" "$KS" "$TU"; do [ -x "$b" ] || fail "$b not built"; done
	command -v python3 >/dev/null && python3 -c 'import ssl' 2>/dev/null || skip "python3 with ssl absent (make deps)"
	command -v jq >/dev/null || skip "jq absent (make deps)"
	# The attacker speaks from 127.0.0.2 (another peer than the client on 127.0.0.1).
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2",0))' 2>/dev/null ||
		skip "cannot bind 127.0.0.2 (the attacker's loopback address)"
}

hostile_setup() {
	"$SIM" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"
	mount_sim "$TMP/tsm"
	policy_from_sim_quote "$TMP/pki"
	jq '.["default/luks/demo"]' "$TMP/policy.json" >"$TMP/pinned.json"
	demo_resource
}

legit_fetch() {
	local name=$1 start; shift
	start=$(date +%s%N)
	"$TU" fetch --url "https://127.0.0.1:$SRV_PORT" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" \
		--resource default/luks/demo -o "$TMP/$name.secret" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
	MS=$((($(date +%s%N) - start) / 1000000))
}

server_rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
