#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Measured boot end to end: reference-values (src/measure) names a direct boot's kernel,
# initrd and command line; the simulator boots it (the same rules write its event log and
# set the quote's RTMRs); the real client sends the log (fetch --ccel) and the key server
# replays it and decides on the components (evlog's policy members):
#   the predicted boot -> release; another command line -> refused, the denial names the
#   cmdline; a kernel that is not allowed appending the allowed kernel's digest -> refused;
#   the allowed boot with an extra RTMR2 event -> refused; no log -> refused;
#   the new command line's reference values merged into the policy -> release.
# A second resource is guarded by policy-from-quote --eventlog of the same simulated boot:
# the boot is released, another command line refused, reference values merge into it.
source "$(dirname "$0")/lib.bash"
need_fuse
command -v jq >/dev/null || skip "jq absent (make deps)"
command -v python3 >/dev/null || skip "python3 absent (makes the test kernels)"
SIM=$BUILD/tdx-sim KS=$BUILD/tdx-keyserver TU=$BUILD/tdx-unlock
for b in "$SIM" "$KS" "$TU"; do [ -x "$b" ] || fail "$b not built"; done
"$KS" --help 2>&1 | grep -q reference-values || fail "tdx-keyserver has no reference-values"
KE=$PWD/keys-example

# Two PE32+ kernels (the allowed one and another) and an initrd.
make_pe() { # FILE SEED
	python3 - "$1" "$2" <<-'PY'
	import sys
	b = bytearray(0x600)
	b[0:2] = b'MZ'; b[0x3c] = 0x80; b[0x80:0x84] = b'PE\0\0'
	b[0x84:0x86] = b'\x64\x86'; b[0x86] = 1; b[0x94] = 240
	o = 0x98; b[o:o + 2] = b'\x0b\x02'; b[o + 61] = 2; b[o + 108] = 16
	s = o + 240; b[s:s + 5] = b'.text'; b[s + 17] = 4; b[s + 21] = 2
	for i in range(0x200, 0x600): b[i] = (i * int(sys.argv[2])) & 0xff
	open(sys.argv[1], 'wb').write(b)
	PY
}
make_pe "$TMP/vmlinuz" 7
make_pe "$TMP/evil.efi" 11
head -c 8192 /dev/urandom >"$TMP/initrd"
CMDLINE="console=ttyS0 root=/dev/vda1"
NEW_CMDLINE="console=ttyS0 root=/dev/vda1 quiet"

"$SIM" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"
boot() { # NAME KERNEL CMDLINE [--append-event ...]: a simulated TD that booted this
	local name=$1 kernel=$2 cmdline=$3
	shift 3
	mount_sim "$TMP/$name" --kernel "$kernel" --initrd "$TMP/initrd" --cmdline "$cmdline" --ccel-out "$TMP/$name.ccel" "$@"
}
boot good "$TMP/vmlinuz" "$CMDLINE"
boot newcmd "$TMP/vmlinuz" "$NEW_CMDLINE"
kernel_digest=$("$KS" reference-values --kernel "$TMP/vmlinuz" --json | jq -r '.kernel[0]')
# the hostile kernel forges the allowed kernel's event after its own
boot evil "$TMP/evil.efi" "$CMDLINE" --append-event "1:$kernel_digest"
cmd_digest=$("$KS" reference-values --kernel "$TMP/vmlinuz" --initrd "$TMP/initrd" --cmdline "$CMDLINE" |
	sed -n 's/.*LoadOptions digest \([0-9a-f]*\)).*/\1/p')
boot extra "$TMP/vmlinuz" "$CMDLINE" --append-event "2:$cmd_digest"

# The policy: the firmware's RTMR0 (the same for every boot here) and the components of
# the predicted boot, as reference-values prints them.
rtmr0=$("$TU" inspect "$TMP/good.ccel" --json | jq -r '.rtmr[0]')
rv=$("$KS" reference-values --kernel "$TMP/vmlinuz" --initrd "$TMP/initrd" --cmdline "$CMDLINE" --json) ||
	fail "reference-values"
jq -n --argjson rv "$rv" --arg r0 "$rtmr0" '{"default/luks/root": ($rv + {"rtmr0": [$r0], "tcb_status": ["UpToDate"]})}' \
	>"$TMP/policy.json"
# A second resource guarded by what policy-from-quote --eventlog makes of the same boot
# (a quote of the good boot's TD profile and its log): pinned layout, components named.
"$SIM" eventlog --kernel "$TMP/vmlinuz" --initrd "$TMP/initrd" --cmdline "$CMDLINE" --ccel-out "$TMP/ref.ccel" \
	--td-out "$TMP/ref.td" || fail "tdx-sim eventlog"
cmp -s "$TMP/ref.ccel" "$TMP/good.ccel" || fail "tdx-sim eventlog and mount wrote different logs"
"$SIM" quote --pki "$TMP/pki" --td "$TMP/ref.td" --report-data "$(printf '0%.0s' $(seq 128))" -o "$TMP/ref.quote" ||
	fail "tdx-sim quote"
"$KS" policy-from-quote "$TMP/ref.quote" --eventlog "$TMP/ref.ccel" --resource default/luks/pfq >"$TMP/pfq.json" ||
	fail "policy-from-quote --eventlog"
jq -s '.[0] * .[1]' "$TMP/policy.json" "$TMP/pfq.json" >"$TMP/policy.new" && mv "$TMP/policy.new" "$TMP/policy.json"
[ "$(jq -r '.["default/luks/pfq"].kernel[0]' "$TMP/policy.json")" = "$kernel_digest" ] ||
	fail "policy-from-quote names another kernel than reference-values: $(cat "$TMP/pfq.json")"
mkdir -p "$TMP/res/default/luks"
head -c 32 /dev/urandom >"$TMP/res/default/luks/root" && chmod 600 "$TMP/res/default/luks/root"
cp "$TMP/res/default/luks/root" "$TMP/res/default/luks/pfq"
start_keyserver ks 0

fetch() { # NAME [client options]: sets RC; stderr in $TMP/NAME.err (resource: root unless given)
	local name=$1
	shift
	"$TU" fetch --url "https://127.0.0.1:$SRV_PORT" --ca "$KE/ca.pem" --resource default/luks/root \
		--timeout 5 "$@" -o "$TMP/$name.secret" 2>"$TMP/$name.err"
	RC=$?
}
refused() { # NAME PATTERN: exit 1, no secret, a policy refusal whose KBS error detail (the
	# client's log) and audit line both carry PATTERN
	[ "$RC" = 1 ] || fail "$1: exit $RC, expected a refusal: $(tail -n 3 "$TMP/$1.err")"
	[ ! -e "$TMP/$1.secret" ] || fail "$1: a secret was written"
	grep -q -- "PolicyDeny: Access denied by policy: .*$2" "$TMP/$1.err" ||
		fail "$1: not a policy refusal naming '$2': $(cat "$TMP/$1.err")"
	tail -n 1 "$TMP/ks.audit" | grep -q -- "$2" || fail "$1: '$2' not in the audit line: $(tail -n 1 "$TMP/ks.audit")"
	ok "$1 refused: $(tail -n 1 "$TMP/ks.audit" | jq -r .reason | cut -c1-120)"
}

fetch good --tsm-dir "$TMP/good" --ccel "$TMP/good.ccel"
{ [ "$RC" = 0 ] && cmp -s "$TMP/good.secret" "$TMP/res/default/luks/root"; } ||
	fail "predicted boot not released (rc $RC): $(tail -n 3 "$TMP/good.err")"
tail -n 1 "$TMP/ks.audit" | grep -q "kernel=$kernel_digest" || fail "audit line without the kernel: $(tail -n 1 "$TMP/ks.audit")"
ok "the boot reference-values predicted is released"

# the denial's digest is what reference-values prints for the command line the TD booted
new_digest=$("$KS" reference-values --kernel "$TMP/vmlinuz" --initrd "$TMP/initrd" --cmdline "$NEW_CMDLINE" |
	sed -n 's/.*LoadOptions digest \([0-9a-f]*\)).*/\1/p')
fetch newcmd --tsm-dir "$TMP/newcmd" --ccel "$TMP/newcmd.ccel"
refused newcmd "cmdline not allowed: the measured command line (SHA-384 $new_digest"
fetch pfq-good --tsm-dir "$TMP/good" --ccel "$TMP/good.ccel" --resource default/luks/pfq
[ "$RC" = 0 ] || fail "policy-from-quote's policy refuses the boot it was made from: $(tail -n 1 "$TMP/ks.audit")"
fetch pfq-newcmd --tsm-dir "$TMP/newcmd" --ccel "$TMP/newcmd.ccel" --resource default/luks/pfq
refused pfq-newcmd "cmdline"
ok "policy-from-quote --eventlog of the simulated boot: same boot released, another cmdline refused"
fetch evil --tsm-dir "$TMP/evil" --ccel "$TMP/evil.ccel"
refused evil "kernel [0-9a-f]\{96\} not allowed"
grep -q "kernel $kernel_digest not allowed" "$TMP/evil.err" && fail "evil: the forged digest was taken for the kernel"
fetch extra --tsm-dir "$TMP/extra" --ccel "$TMP/extra.ccel"
refused extra "RTMR2 event"
fetch nolog --tsm-dir "$TMP/good" --ccel none
refused nolog "no event log"

# The update: the new command line's values merged (union) into the policy, the server
# reloads it on SIGHUP: both boots are released.
rv2=$("$KS" reference-values --kernel "$TMP/vmlinuz" --initrd "$TMP/initrd" --cmdline "$NEW_CMDLINE" --json) ||
	fail "reference-values (new cmdline)"
for res in root pfq; do
	jq --argjson rv "$rv2" --arg r "default/luks/$res" \
		'.[$r] |= (reduce ($rv | keys[]) as $k (.; .[$k] = ((.[$k] // []) + $rv[$k] | unique)))' \
		"$TMP/policy.json" >"$TMP/policy.new" && mv "$TMP/policy.new" "$TMP/policy.json"
done
[ "$(jq -r '.["default/luks/root"].cmdline | length' "$TMP/policy.json")" = 2 ] || fail "merge: $(cat "$TMP/policy.json")"
# (the server says so: "reload: policies from FILE in force")
kill -HUP "$SRV_PID" || fail "SIGHUP"
wait_for 50 grep -q "reload: policies from .* in force" "$TMP/ks.log" || fail "no reload after SIGHUP: $(tail -n 2 "$TMP/ks.log")"
fetch newcmd2 --tsm-dir "$TMP/newcmd" --ccel "$TMP/newcmd.ccel"
[ "$RC" = 0 ] || fail "new command line not released after the merge (rc $RC): $(tail -n 3 "$TMP/newcmd2.err")"
fetch good2 --tsm-dir "$TMP/good" --ccel "$TMP/good.ccel"
[ "$RC" = 0 ] || fail "old command line no longer released after the merge"
fetch pfq-newcmd2 --tsm-dir "$TMP/newcmd" --ccel "$TMP/newcmd.ccel" --resource default/luks/pfq
[ "$RC" = 0 ] || fail "policy-from-quote policy + merged reference values: new command line refused"
ok "merged reference values: old and new command lines released (both policies)"
