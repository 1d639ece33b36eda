# SPDX-License-Identifier: Apache-2.0
# Sourced by integration tests: paths, skip/fail helpers, process cleanup by PID.
# shellcheck disable=SC2034  # SRV_PORT, SRV_PID are for the tests that source this
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
BUILD=${BUILD:-build}
TDX_TESTDATA=${TDX_TESTDATA:-$(cd .. && pwd)/shared/testdata/tdx}
KBS_TESTDATA=${KBS_TESTDATA:-$(cd .. && pwd)/shared/testdata/kbs}
TMP=$(mktemp -d /tmp/tdx-unlock-test.XXXXXX)
PIDS=()
MOUNTS=()
LOOPS=()
cleanup() {
	for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null; done
	for m in "${MOUNTS[@]}"; do fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }
need_testdata() { [ -d "$TDX_TESTDATA" ] || skip "shared TDX test data absent ($TDX_TESTDATA)"; }
need_fuse() {
	[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || skip "FUSE unavailable (/dev/fuse, fusermount3)"
}
# Waits (bounded) until a command succeeds.
wait_for() {
	local tries=$1; shift
	for _ in $(seq "$tries"); do "$@" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
# mount_sim MNT [tdx-sim mount options...]: the configfs-tsm simulator at MNT with the PKI
# made in $TMP/pki, in the foreground of a background job (tracked by PID and mount point).
mount_sim() {
	local mnt=$1; shift
	mkdir -p "$mnt"
	"$BUILD/tdx-sim" mount "$mnt" --pki "$TMP/pki" -f "$@" 2>"$mnt.log" &
	PIDS+=($!)
	MOUNTS+=("$mnt")
	wait_for 100 mountpoint -q "$mnt" || fail "simulator did not mount $mnt: $(cat "$mnt.log")"
}
# start_keyserver NAME [PORT [EXTRA_JSON]]: tdx-keyserver on 127.0.0.1:PORT (default 0 = any)
# with the keys-example certificate and, relative to $TMP, resources in res/, policy.json and
# the simulator PKI's collateral in pki/; audit log $TMP/NAME.audit; EXTRA_JSON adds config
# members (e.g. '"request_timeout_s":3'). Sets SRV_PORT and SRV_PID (serve_keyserver).
start_keyserver() {
	local name=$1 port=${2:-0} extra=${3:-}
	cat >"$TMP/$name.json" <<-JSON
	{"listen":"127.0.0.1:$port","tls_cert":"$PWD/keys-example/server.pem","tls_key":"$PWD/keys-example/server.key",
	 "resources_dir":"res","policy_file":"policy.json","collateral_dir":"pki/collateral",
	 "trust_anchor":"pki/collateral/root_ca.pem","audit_log":"$name.audit"${extra:+,$extra}}
	JSON
	serve_keyserver "$name"
}
# start_sim_pcs PKIDIR [tdx-sim pcs options...]: the PCS simulator (tdx-sim pcs) serving the
# PKI in PKIDIR on a free 127.0.0.1 port, e.g. with --fault SPEC, --fault-file F, --pccs or
# --tls-cert keys-example/server.pem --tls-key keys-example/server.key (then the client's CA
# is keys-example/ca.pem). Returns once it listens; sets PCS_URL (http[s]://127.0.0.1:PORT),
# PCS_PID and PCS_LOG and prints the URL. Call it directly, not in $(...): the PID must reach
# the cleanup list.
start_sim_pcs() {
	local dir=$1; shift
	PCS_LOG=$(mktemp "$TMP/pcs.XXXXXX.log")
	"$BUILD/tdx-sim" pcs --pki "$dir" --listen tcp:127.0.0.1:0 "$@" >"$PCS_LOG" 2>&1 &
	PCS_PID=$!
	PIDS+=("$PCS_PID")
	wait_for 100 grep -q "^listening on" "$PCS_LOG" || fail "PCS simulator did not start: $(cat "$PCS_LOG")"
	PCS_URL=$(sed -n 's/^listening on //p' "$PCS_LOG")
	echo "$PCS_URL"
}
# serve_keyserver NAME [serve options...]: tdx-keyserver serve with the config $TMP/NAME.json
# (written by the caller, listening on 127.0.0.1), log $TMP/NAME.log. Returns once it listens;
# sets SRV_PID (in the cleanup list) and SRV_PORT.
serve_keyserver() {
	local name=$1; shift
	"$BUILD/tdx-keyserver" serve --config "$TMP/$name.json" "$@" 2>"$TMP/$name.log" &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	wait_for 100 grep -q "listening on" "$TMP/$name.log" || fail "key server $name did not start: $(cat "$TMP/$name.log")"
	SRV_PORT=$(sed -n 's/.*listening on https:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/$name.log")
}
# demo_resource: the resource default/luks/demo in $TMP/res: 32 random bytes in base64, mode 600.
demo_resource() {
	mkdir -p "$TMP/res/default/luks"
	head -c 32 /dev/urandom | base64 | tr -d '\n' >"$TMP/res/default/luks/demo"
	chmod 600 "$TMP/res/default/luks/demo"
}
# policy_from_sim_quote PKIDIR: $TMP/policy.json for default/luks/demo pinned to a simulator
# quote of the PKI in PKIDIR ($TMP/q.bin, report data all zero; policy-from-quote).
policy_from_sim_quote() {
	"$BUILD/tdx-sim" quote --pki "$1" --report-data "$(printf '%0128d' 0)" -o "$TMP/q.bin" || fail "tdx-sim quote"
	"$BUILD/tdx-keyserver" policy-from-quote --resource default/luks/demo "$TMP/q.bin" >"$TMP/policy.json" ||
		fail "policy-from-quote"
}
