#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tdx-sim mount --kernel --initrd --cmdline --ccel-out: the quotes' RTMR0-3 are the replay
# of the event log the simulator writes (an independent replay in Python, and the
# project's parser through `tdx-unlock inspect LOG --quote` when it has one); the log's
# kernel/cmdline/initrd digests are reference-values'; appended events extend after them.
source "$(dirname "$0")/lib.bash"
need_fuse
command -v python3 >/dev/null || skip "python3 missing (independent replay)"
SIM=$BUILD/tdx-sim
TU=$BUILD/tdx-unlock
KS=$BUILD/tdx-keyserver
"$SIM" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"

# A PE32+ kernel stand-in (the log only needs its Authenticode digest) and an initrd.
python3 - "$TMP/kernel" <<-'PY'
import sys
b = bytearray(0x600)
b[0:2] = b'MZ'; b[0x3c] = 0x80; b[0x80:0x84] = b'PE\0\0'
b[0x84:0x86] = b'\x64\x86'; b[0x86] = 1; b[0x94] = 240
o = 0x98; b[o:o + 2] = b'\x0b\x02'; b[o + 61] = 2; b[o + 108] = 16
s = o + 240; b[s:s + 5] = b'.text'; b[s + 17] = 4; b[s + 21] = 2
for i in range(0x200, 0x600): b[i] = (i * 13) & 0xff
open(sys.argv[1], 'wb').write(b)
PY
head -c 4096 /dev/urandom >"$TMP/initrd"
CMDLINE="console=ttyS0 root=/dev/vda1 quiet"

# replay LOG: RTMR0-3 (hex, one per line) and the RTMR2 tag digests, from the raw log.
replay() {
	python3 - "$1" <<-'PY'
	import hashlib, struct, sys
	d = open(sys.argv[1], 'rb').read()
	off = 32 + struct.unpack_from('<I', d, 28)[0]
	rtmr = [bytes(48)] * 4
	tags = []
	while off + 8 <= len(d) and d[off:off + 8] not in (b'\xff' * 8, b'\0' * 8):
	    mr, typ, cnt = struct.unpack_from('<III', d, off)
	    assert cnt == 1 and struct.unpack_from('<H', d, off + 12)[0] == 0xc
	    dig = d[off + 14:off + 62]
	    size = struct.unpack_from('<I', d, off + 62)[0]
	    data = d[off + 66:off + 66 + size]
	    rtmr[mr - 1] = hashlib.sha384(rtmr[mr - 1] + dig).digest()
	    if typ == 6 and mr == 3:
	        tags.append('%08x %s' % (struct.unpack_from('<I', data)[0], dig.hex()))
	    if typ == 0x80000003:
	        tags.append('kernel ' + dig.hex())
	    off += 66 + size
	for r in rtmr: print(r.hex())
	for t in tags: print(t)
	PY
}
quote_rtmrs() { "$TU" inspect "$1" --json | jq -r '.rtmr[]'; }

mount_sim "$TMP/m" --kernel "$TMP/kernel" --initrd "$TMP/initrd" --cmdline "$CMDLINE" --ccel-out "$TMP/ccel.bin"
"$TU" quote --report-data 01 --tsm-dir "$TMP/m" -o "$TMP/q.bin" 2>/dev/null || fail "quote"
[ "$(stat -c %s "$TMP/ccel.bin")" = 65536 ] || fail "log area is not 64 KiB"
replay "$TMP/ccel.bin" >"$TMP/replay"
[ "$(head -n4 "$TMP/replay")" = "$(quote_rtmrs "$TMP/q.bin")" ] || fail "quote RTMRs differ from the log's replay"
ok "quote RTMR0-3 = replay of the simulator's log"

ref=$("$KS" reference-values --kernel "$TMP/kernel" --initrd "$TMP/initrd" --cmdline "$CMDLINE" --json) || fail "reference-values"
grep -q "^kernel $(jq -r '.kernel[0]' <<<"$ref")$" "$TMP/replay" || fail "kernel event is not reference-values' digest"
grep -q "^8f3b22ec $(jq -r '.initrd[0]' <<<"$ref")$" "$TMP/replay" || fail "initrd tag is not reference-values' digest"
cmd_digest=$("$KS" reference-values --kernel "$TMP/kernel" --initrd "$TMP/initrd" --cmdline "$CMDLINE" |
	sed -n 's/.*LoadOptions digest \([0-9a-f]*\)).*/\1/p')
grep -q "^8f3b22ed $cmd_digest$" "$TMP/replay" || fail "LoadOptions tag is not reference-values' digest"
ok "kernel, cmdline and initrd events carry reference-values' digests"

# A hostile kernel's appended events: RTMR1/RTMR2 extended after the boot, still consistent.
fake=$(jq -r '.kernel[0]' <<<"$ref")
mount_sim "$TMP/h" --kernel "$TMP/kernel" --initrd "$TMP/initrd" --cmdline "$CMDLINE" --ccel-out "$TMP/hostile.bin" \
	--append-event "1:$fake" --append-event "2:$cmd_digest"
"$TU" quote --report-data 02 --tsm-dir "$TMP/h" -o "$TMP/qh.bin" 2>/dev/null || fail "quote (hostile)"
replay "$TMP/hostile.bin" >"$TMP/replay_h"
[ "$(head -n4 "$TMP/replay_h")" = "$(quote_rtmrs "$TMP/qh.bin")" ] || fail "hostile: quote RTMRs differ from the replay"
[ "$(sed -n 1p "$TMP/replay_h")" = "$(sed -n 1p "$TMP/replay")" ] || fail "RTMR0 changed by appended events"
[ "$(sed -n 2p "$TMP/replay_h")" != "$(sed -n 2p "$TMP/replay")" ] || fail "RTMR1 not extended"
[ "$(grep -c '^kernel ' "$TMP/replay_h")" = 2 ] || fail "the fake kernel event is missing"
ok "appended events extend RTMR1/RTMR2 after the boot"

# The project's parser agrees, when this tree has it (tdx-unlock inspect LOG --quote).
if "$TU" inspect "$TMP/ccel.bin" --quote "$TMP/q.bin" --json >"$TMP/inspect.json" 2>/dev/null; then
	[ "$(jq -r '.rtmr[]' "$TMP/inspect.json")" = "$(head -n4 "$TMP/replay")" ] || fail "inspect's replay differs"
	ok "tdx-unlock inspect: the log replays to the quote"
else
	echo "note: this tdx-unlock does not inspect event logs yet"
fi

# Usage errors: --kernel without --ccel-out, a malformed --append-event, a non-PE kernel.
"$SIM" mount "$TMP/x" --pki "$TMP/pki" -f --kernel "$TMP/kernel" 2>/dev/null; [ $? = 2 ] || fail "--kernel without --ccel-out"
"$SIM" mount "$TMP/x" --pki "$TMP/pki" -f --kernel "$TMP/kernel" --ccel-out "$TMP/x.bin" --append-event 4:00 2>/dev/null
[ $? = 2 ] || fail "bad --append-event"
"$SIM" mount "$TMP/x" --pki "$TMP/pki" -f --kernel "$TMP/initrd" --ccel-out "$TMP/x.bin" 2>"$TMP/err"; [ $? = 1 ] || fail "non-PE kernel"
grep -q "not a PE image" "$TMP/err" || fail "non-PE message: $(cat "$TMP/err")"
ok "usage errors"

# tdx-sim eventlog: the same log without a mount, and the TD profile that goes with it.
"$SIM" eventlog --kernel "$TMP/kernel" --initrd "$TMP/initrd" --cmdline "$CMDLINE" --ccel-out "$TMP/ev.bin" \
	--td-out "$TMP/td.json" || fail "tdx-sim eventlog"
cmp -s "$TMP/ev.bin" "$TMP/ccel.bin" || fail "eventlog wrote another log than mount"
[ "$(jq -r '.rtmr0, .rtmr1, .rtmr2, .rtmr3' "$TMP/td.json")" = "$(head -n4 "$TMP/replay")" ] || fail "profile RTMRs"
mount_sim "$TMP/p" --td "$TMP/td.json"
"$TU" quote --report-data 03 --tsm-dir "$TMP/p" -o "$TMP/qp.bin" 2>/dev/null || fail "quote (profile)"
[ "$(quote_rtmrs "$TMP/qp.bin")" = "$(head -n4 "$TMP/replay")" ] || fail "mount --td: quote RTMRs differ"
ok "tdx-sim eventlog: log + matching TD profile"
