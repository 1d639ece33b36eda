#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Evidence collection through the real client code on the simulator: configfs-tsm on a
# `tdx-sim mount` (v4 and v5, generation race, EBUSY, no provider) and TDREPORT + QGS.
source "$(dirname "$0")/lib.bash"
need_fuse
SIM=$BUILD/tdx-sim
TU=$BUILD/tdx-unlock
"$SIM" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"


rd_of() { "$TU" inspect "$1" --json | jq -r .report_data; }

for v in 4 5; do
	mount_sim "$TMP/m$v" --quote-version "$v"
	rd=$(head -c 64 /dev/urandom | xxd -p -c 64)
	"$TU" quote --report-data "$rd" --tsm-dir "$TMP/m$v" -o "$TMP/q$v.bin" 2>"$TMP/err" || fail "quote v$v: $(cat "$TMP/err")"
	[ "$(rd_of "$TMP/q$v.bin")" = "$rd" ] || fail "v$v REPORTDATA differs"
	[ "$("$TU" inspect "$TMP/q$v.bin" --json | jq .version)" = "$v" ] || fail "not a v$v quote"
	grep -q "through configfs-tsm" "$TMP/err" || fail "method not reported: $(cat "$TMP/err")"
	[ -z "$(ls -A "$TMP/m$v")" ] || fail "report entry left behind in m$v: $(ls "$TMP/m$v")"
	ok "configfs-tsm round trip, quote v$v"
done
# Short REPORTDATA is zero-padded to 64 bytes.
"$TU" quote --report-data abcd --tsm-dir "$TMP/m4" -o "$TMP/short.bin" 2>/dev/null || fail "short report data"
[ "$(rd_of "$TMP/short.bin")" = "abcd$(printf '0%.0s' $(seq 124))" ] || fail "padding"
ok "REPORTDATA zero-padded"

mount_sim "$TMP/race" --race
"$TU" quote --report-data 01 --tsm-dir "$TMP/race" -o "$TMP/race.bin" 2>"$TMP/err" || fail "race retry failed: $(cat "$TMP/err")"
grep -q "another writer interfered" "$TMP/err" || fail "generation race not detected: $(cat "$TMP/err")"
ok "generation race detected and retried"

mount_sim "$TMP/busy" --busy 2
"$TU" quote --report-data 02 --tsm-dir "$TMP/busy" -o "$TMP/busy.bin" 2>"$TMP/err" || fail "EBUSY retry failed: $(cat "$TMP/err")"
[ "$(grep -c 'Device or resource busy' "$TMP/err")" = 2 ] || fail "EBUSY not reported per attempt: $(cat "$TMP/err")"
ok "EBUSY retried"

mount_sim "$TMP/busy9" --busy 9
"$TU" quote --report-data 02 --tsm-dir "$TMP/busy9" -o "$TMP/b9.bin" 2>"$TMP/err"; rc=$?
[ $rc = 1 ] && grep -q "no quote after 5 attempts" "$TMP/err" || fail "bounded EBUSY retries (rc $rc): $(cat "$TMP/err")"
[ ! -e "$TMP/b9.bin" ] || fail "output written on failure"
ok "EBUSY retries are bounded"

mount_sim "$TMP/noprov" --no-provider
"$TU" quote --report-data 03 --tsm-dir "$TMP/noprov" -o "$TMP/np.bin" 2>"$TMP/err"; rc=$?
[ $rc = 1 ] && grep -q "no TSM provider: not a TDX guest, or tdx_guest not loaded" "$TMP/err" || fail "no provider (rc $rc): $(cat "$TMP/err")"
ok "no provider reported"

# TDREPORT + QGS over TCP.
"$SIM" qgs --listen tcp:127.0.0.1:0 --pki "$TMP/pki" >"$TMP/qgs.out" 2>&1 &
PIDS+=($!)
wait_for 100 grep -q "listening on" "$TMP/qgs.out" || fail "QGS did not start: $(cat "$TMP/qgs.out")"
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$TMP/qgs.out")
rd=$(head -c 64 /dev/urandom | xxd -p -c 64)
"$SIM" tdreport --report-data "$rd" -o "$TMP/tdr.bin" || fail "tdreport"
"$TU" quote --report-data "$rd" --qgs "tcp:127.0.0.1:$port" --tdreport "$TMP/tdr.bin" -o "$TMP/qgs.bin" 2>"$TMP/err" || fail "QGS quote: $(cat "$TMP/err")"
[ "$(rd_of "$TMP/qgs.bin")" = "$rd" ] || fail "QGS quote REPORTDATA differs"
grep -q "through TDREPORT + QGS" "$TMP/err" || fail "QGS method not reported"
"$TU" inspect "$TMP/tdr.bin" --json | jq -e ".report_data == \"$rd\"" >/dev/null || fail "TDREPORT inspect"
ok "TDREPORT + QGS over TCP"
"$TU" quote --report-data "$rd" --qgs "tcp:127.0.0.1:1" --tdreport "$TMP/tdr.bin" -o "$TMP/x.bin" 2>"$TMP/err"; rc=$?
[ $rc = 1 ] && grep -q "QGS: connecting to tcp:127.0.0.1:1" "$TMP/err" || fail "QGS down (rc $rc): $(cat "$TMP/err")"
ok "QGS unreachable reported"
