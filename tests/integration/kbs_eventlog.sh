#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The event log through the real client and key server (issue 13): the simulated TD's RTMRs
# are those of a real direct-boot log (Trustee's CCEL_data_ovmf); `tdx-unlock fetch --ccel`
# sends it as cc_eventlog, the server replays it against the quote and decides on the kernel,
# initrd and command line; no log = null + one info line, never fatal; a log of another boot
# is refused at /attest; a policy update takes effect on SIGHUP, an invalid one does not.
source "$(dirname "$0")/lib.bash"
need_fuse
CCEL_TESTDATA=${CCEL_TESTDATA:-$(cd .. && pwd)/shared/testdata/ccel}
[ -d "$CCEL_TESTDATA" ] || skip "shared event logs absent ($CCEL_TESTDATA)"
command -v jq >/dev/null || skip "jq absent (make deps)"
SIM=$BUILD/tdx-sim KS=$BUILD/tdx-keyserver TU=$BUILD/tdx-unlock
KE=$PWD/keys-example
LOG=$CCEL_TESTDATA/logs/trustee_CCEL_data_ovmf.bin
OTHER=$CCEL_TESTDATA/logs/dstack_samples_ccel.bin

"$SIM" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"
# The TD: the simulator's, with the RTMRs this log replays to.
"$TU" inspect "$LOG" --json >"$TMP/log.json" || fail "inspect $LOG"
jq '{rtmr0: .rtmr[0], rtmr1: .rtmr[1], rtmr2: .rtmr[2], rtmr3: .rtmr[3]}' "$TMP/log.json" >"$TMP/td.json"
mount_sim "$TMP/tsm" --td "$TMP/td.json"
KERNEL=$(jq -r '[.events[] | select(.component == "kernel")][0].digest' "$TMP/log.json")

# Policies: "boot" from the quote + log (components), "pinned" from the quote alone.
"$SIM" quote --pki "$TMP/pki" --td "$TMP/td.json" --report-data "$(printf '0%.0s' $(seq 128))" -o "$TMP/q.bin" || fail "quote"
"$KS" policy-from-quote "$TMP/q.bin" --eventlog "$LOG" --resource default/luks/boot >"$TMP/boot.json" || fail "policy-from-quote --eventlog"
jq -e --arg k "$KERNEL" '."default/luks/boot" | (has("rtmr1") or has("rtmr2") | not) and .kernel == [$k]
	and (.initrd | length) == 1 and (.cmdline_digest | length) == 1 and (.rtmr0 | length) == 1
	and .boot_events[0].rtmr1[0] == "kernel" and .boot_events[0].rtmr2 == ["cmdline", "initrd"]' \
	"$TMP/boot.json" >/dev/null || fail "policy-from-quote --eventlog: $(cat "$TMP/boot.json")"
"$KS" policy-from-quote "$TMP/q.bin" --eventlog "$OTHER" >/dev/null 2>"$TMP/pfq.err"
{ [ $? = 1 ] && grep -q "eventlog_mismatch: RTMR0" "$TMP/pfq.err"; } || fail "policy-from-quote with another boot's log: $(cat "$TMP/pfq.err")"
"$KS" policy-from-quote "$TMP/q.bin" --resource default/luks/pinned >"$TMP/pinned.json" || fail "policy-from-quote"
jq -s '.[0] * .[1]' "$TMP/boot.json" "$TMP/pinned.json" >"$TMP/policy.json"
cp "$TMP/policy.json" "$TMP/policy.good"
mkdir -p "$TMP/res/default/luks"
SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
printf %s "$SECRET" >"$TMP/res/default/luks/boot"
printf %s "$SECRET" >"$TMP/res/default/luks/pinned"
chmod 600 "$TMP/res/default/luks/"*
start_keyserver ks 0
PORT=$SRV_PORT
ok "policy-from-quote --eventlog names the kernel, initrd and command line"

# fetch NAME [options...]: sets RC; stderr in $TMP/NAME.err.
fetch() {
	local name=$1; shift
	"$TU" fetch --url "https://127.0.0.1:$PORT" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" "$@" \
		-o "$TMP/$name.secret" >"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
}
audit_last() { tail -n 1 "$TMP/ks.audit"; }
audit_attest() { grep '"event":"attest"' "$TMP/ks.audit" | tail -n 1; }

fetch with-log --ccel "$LOG" --resource default/luks/boot --timeout 20
{ [ "$RC" = 0 ] && [ "$(cat "$TMP/with-log.secret")" = "$SECRET" ]; } || fail "with log: rc $RC: $(cat "$TMP/with-log.err")"
audit_attest | jq -e --arg k "$KERNEL" '.decision == "attested" and (.boot | startswith("kernel=" + $k + " initrd="))' \
	>/dev/null || fail "attest audit line: $(audit_attest)"
audit_last | jq -e '.decision == "release" and (.boot | startswith("kernel="))' >/dev/null || fail "release audit: $(audit_last)"
ok "--ccel: the log replays to the quote, the component policy releases, audit names the boot"

# No log: cc_eventlog null and one info line; the component policy refuses, RTMR pins do not.
fetch no-log --ccel none --resource default/luks/boot --timeout 3
[ "$RC" = 1 ] || fail "no log, component policy: rc $RC"
[ "$(grep -c 'sending no event log' "$TMP/no-log.err")" = 1 ] || fail "no-log info line: $(cat "$TMP/no-log.err")"
audit_last | jq -e '.decision == "refuse" and (.reason | startswith("no event log"))' >/dev/null || fail "no-log audit: $(audit_last)"
fetch missing-file --ccel "$TMP/none.bin" --resource default/luks/pinned --timeout 20
[ "$RC" = 0 ] || fail "unreadable --ccel must not be fatal: $(cat "$TMP/missing-file.err")"
grep -q "sending no event log: cannot read $TMP/none.bin" "$TMP/missing-file.err" || fail "missing file line: $(cat "$TMP/missing-file.err")"
if [ ! -e /sys/firmware/acpi/tables/CCEL ]; then
	fetch no-ccel --resource default/luks/pinned --timeout 20
	[ "$RC" = 0 ] || fail "no firmware CCEL must not be fatal: $(cat "$TMP/no-ccel.err")"
	grep -q "sending no event log: no usable ACPI CCEL table" "$TMP/no-ccel.err" || fail "no CCEL line: $(cat "$TMP/no-ccel.err")"
fi
ok "no log: null + one info line; refused only by a component policy"

# Another boot's log: refused at /attest (RTMR0-2 differ from the quote's).
fetch other-log --ccel "$OTHER" --resource default/luks/pinned --timeout 3
[ "$RC" = 1 ] || fail "another boot's log: rc $RC"
audit_attest | jq -e '.decision == "reject" and (.reason | startswith("eventlog_mismatch: RTMR0 replays to "))' \
	>/dev/null || fail "mismatch audit: $(audit_attest)"
ok "a log that does not replay to the quote: attestation refused"

# The operator replaces the kernel list (an update window that forgot this kernel): SIGHUP.
jq '."default/luks/boot".kernel = ["'"$(printf 'ab%.0s' $(seq 48))"'"]' "$TMP/policy.good" >"$TMP/policy.json"
kill -HUP "$SRV_PID"
wait_for 50 grep -q "reload: policies from" "$TMP/ks.log" || fail "no reload line: $(cat "$TMP/ks.log")"
fetch new-policy --ccel "$LOG" --resource default/luks/boot --timeout 3
[ "$RC" = 1 ] || fail "after reload: rc $RC"
audit_last | jq -e --arg k "$KERNEL" '.decision == "refuse" and .reason == "kernel " + $k + " not allowed"' \
	>/dev/null || fail "kernel denial audit: $(audit_last)"
# ... and the TD's console says so (the KBS error detail).
grep -q "HTTP 401 PolicyDeny: Access denied by policy: kernel $KERNEL not allowed" "$TMP/new-policy.err" ||
	fail "client line: $(cat "$TMP/new-policy.err")"
# A broken file keeps the policies in force.
echo '{"default/luks/boot": {"kernel": [' >"$TMP/policy.json"
kill -HUP "$SRV_PID"
wait_for 50 grep -q "reload: keeping the policies in force" "$TMP/ks.log" || fail "no keep line: $(cat "$TMP/ks.log")"
fetch broken-policy --ccel "$LOG" --resource default/luks/boot --timeout 3
[ "$RC" = 1 ] || fail "broken policy file replaced the policies"
cp "$TMP/policy.good" "$TMP/policy.json"
kill -HUP "$SRV_PID"
reloads_done() { [ "$(grep -c 'reload: policies from' "$TMP/ks.log")" = "$1" ]; }
wait_for 50 reloads_done 2 || fail "second reload: $(cat "$TMP/ks.log")"
fetch restored --ccel "$LOG" --resource default/luks/boot --timeout 20
[ "$RC" = 0 ] || fail "restored policy: rc $RC"
kill -0 "$SRV_PID" || fail "the key server died"
ok "SIGHUP: a new policy takes effect, a broken one is refused and the old one stays"

CONC=()
# Reloads while flows run: every flow decides on whole policies (old or new, never freed
# under it); the server stays up.
for i in 1 2 3 4; do
	"$TU" fetch --url "https://127.0.0.1:$PORT" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" --ccel "$LOG" \
		--resource default/luks/boot --timeout 20 -o "$TMP/conc$i.secret" >/dev/null 2>"$TMP/conc$i.err" &
	CONC+=($!)
done
for _ in $(seq 30); do kill -HUP "$SRV_PID"; sleep 0.02; done
for i in 1 2 3 4; do
	wait "${CONC[i - 1]}" || fail "flow $i during reloads: $(cat "$TMP/conc$i.err")"
done
kill -0 "$SRV_PID" || fail "the key server died during reloads"
ok "4 flows during 30 reloads released"
