#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# make demo: the whole flow on this machine with the example (TEST-ONLY) keys: a simulated
# TDX platform, the example key server on 127.0.0.1, a TD-side fetch of the secret, and,
# when the QEMU harness is available, a VM booting from a LUKS2 root unlocked that way.
set -u
cd "$(dirname "$0")/.." || exit 1
B=${BUILD:-build}
W=$(mktemp -d /tmp/tdx-unlock-demo.XXXXXX)
PIDS=()
cleanup() {
	fusermount3 -u "$W/tsm" 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

step "1. A simulated TDX platform (test PKI + configfs-tsm over FUSE)"
"$B/tdx-sim" pki "$W/pki" >/dev/null || die "tdx-sim pki failed"
mkdir -p "$W/tsm"
"$B/tdx-sim" mount "$W/tsm" --pki "$W/pki" -f 2>"$W/sim.log" &
PIDS+=($!)
for _ in $(seq 100); do mountpoint -q "$W/tsm" && break; sleep 0.1; done
mountpoint -q "$W/tsm" || die "simulator did not mount: $(cat "$W/sim.log")"
echo "configfs-tsm simulator at $W/tsm"

step "2. The example key server on 127.0.0.1 (keys-example/, test only)"
mkdir -p "$W/ks/resources/default/luks"
cp keys-example/resources/default/luks/demo "$W/ks/resources/default/luks/demo"
chmod 600 "$W/ks/resources/default/luks/demo"
cat >"$W/ks/keyserver.json" <<JSON
{"listen": "127.0.0.1:0",
 "tls_cert": "$PWD/keys-example/server.pem", "tls_key": "$PWD/keys-example/server.key",
 "resources_dir": "resources", "policy_file": "$PWD/keys-example/policy.json",
 "collateral_dir": "$W/pki/collateral", "trust_anchor": "$W/pki/collateral/root_ca.pem",
 "audit_log": "audit.log"}
JSON
"$B/tdx-keyserver" serve --config "$W/ks/keyserver.json" 2>"$W/ks.log" &
PIDS+=($!)
for _ in $(seq 100); do grep -q listening "$W/ks.log" && break; sleep 0.1; done
port=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$W/ks.log")
[ -n "$port" ] || die "key server did not start: $(cat "$W/ks.log")"
echo "key server at https://127.0.0.1:$port"

step "3. Inside the TD: attest and fetch the disk secret"
start=$(date +%s%N)
"$B/tdx-unlock" fetch --url "https://127.0.0.1:$port" --resource default/luks/demo \
	--ca keys-example/ca.pem --tsm-dir "$W/tsm" -o "$W/secret" || die "fetch failed"
ms=$((($(date +%s%N) - start) / 1000000))
cmp -s "$W/secret" keys-example/resources/default/luks/demo || die "released secret differs"
echo "secret released and byte-equal to the stored resource ($(stat -c %s "$W/secret") bytes, mode $(stat -c %a "$W/secret")) in $ms ms"

step "4. What the key server decided (audit log)"
jq -c '{event, decision, mr_td: (.mr_td[0:16] + "..."), tcb_status, resource}' "$W/ks/audit.log"

step "5. The attested TD (tdx-unlock quote + inspect)"
"$B/tdx-unlock" quote --report-data 00 --tsm-dir "$W/tsm" -o "$W/quote.bin" 2>/dev/null
"$B/tdx-unlock" inspect "$W/quote.bin" | grep -E '^(version|mr_td|rtmr0|td_attributes|xfam|debug|fmspc):'
"$B/tdx-keyserver" verify "$W/quote.bin" --collateral "$W/pki/collateral" --anchor "$W/pki/collateral/root_ca.pem" --json |
	jq -c '{result, tcb_status, qe_tcb_status}'

if [ -x tests/qemu/demo.sh ]; then
	step "6. Boot a VM whose LUKS2 root is unlocked by tdx-unlock (QEMU, TCG)"
	tests/qemu/demo.sh || die "VM demo failed"
else
	step "6. VM boot: not available yet (tests/qemu/demo.sh missing)"
fi
echo
echo "demo: OK"
