#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tdx-unlock inspect on event logs: every shared log replays to its expected RTMRs, the
# one-boot pair matches its quote (exit 0), another quote or a cut log exits 1, IO 2.
source "$(dirname "$0")/lib.bash"
CCEL_TESTDATA=${CCEL_TESTDATA:-$(cd .. && pwd)/shared/testdata/ccel}
[ -d "$CCEL_TESTDATA" ] || skip "shared event logs absent ($CCEL_TESTDATA)"
command -v jq >/dev/null || skip "jq missing"
inspect() { "$BUILD"/tdx-unlock inspect "$@"; }

pair=$CCEL_TESTDATA/cos113
got=$(inspect "$pair/ccel_data.bin" --quote "$pair/quote.bin" --json) || fail "one-boot pair exited $?"
[ "$(jq -c .rtmr <<<"$got")" = "$(jq -c .rtmr_in_quote "$pair/expected.json")" ] || fail "cos113 RTMRs: $(jq -c .rtmr <<<"$got")"
[ "$(jq -c .match <<<"$got")" = '[true,true,true,true]' ] || fail "match: $(jq -c .match <<<"$got")"
[ "$(jq '[.events[] | select(.rtmr != null)] | length' <<<"$got")" = 43 ] || fail "measured events"
jq -e '.events[39] | .rtmr == 2 and .type == "EV_IPL" and (.digest | length) == 96 and
	.description == "kernel (grub) /syslinux/vmlinuz.A" and .index == 39' <<<"$got" >/dev/null || fail "event 39: $(jq -c '.events[39]' <<<"$got")"
ok "one boot: log replays to its quote's RTMR0-3"

n=0
for name in $(jq -r 'keys[]' "$CCEL_TESTDATA/logs/expected.json"); do
	got=$(inspect "$CCEL_TESTDATA/logs/$name" --json) || fail "$name exited $?"
	want=$(jq -c ".\"$name\".rtmr_replayed" "$CCEL_TESTDATA/logs/expected.json")
	[ "$(jq -c .rtmr <<<"$got")" = "$want" ] || fail "$name: $(jq -c .rtmr <<<"$got")"
	jq -e 'has("match") | not' <<<"$got" >/dev/null || fail "$name: match without --quote"
	n=$((n + 1))
done
[ $n = 8 ] || fail "only $n logs"
ok "$n logs replay to their expected RTMRs"

# Text: one line per event with the full digest, then the registers with the comparison.
inspect "$CCEL_TESTDATA/logs/trustee_CCEL_data_ovmf.bin" >"$TMP/text" || fail "text exit"
grep -Eq '^ 11 RTMR1 EV_EFI_BOOT_SERVICES_APPLICATION +a2ccae1e[0-9a-f]{88} kernel VenMedia\(1428f772-b64a-441e-b8c3-9ebdd7f893c7\)/File\(kernel\)$' "$TMP/text" ||
	fail "kernel line: $(grep ' 11 ' "$TMP/text")"
grep -q '^ 16 RTMR2 EV_EVENT_TAG .* cmdline (LOADED_IMAGE::LoadOptions)$' "$TMP/text" || fail "cmdline line"
grep -q '^rtmr1: 775b9f6b' "$TMP/text" || fail "rtmr lines"
inspect "$pair/ccel_data.bin" --quote "$pair/quote.bin" | grep -q '^rtmr2: 4969684d.* (= quote)$' || fail "text comparison"
ok "text output"

# Another boot's quote: RTMRs differ, exit 1, match says which.
quotes=("$TDX_TESTDATA"/*/quote.bin)
other=${quotes[0]}
if [ -f "$other" ]; then
	inspect "$pair/ccel_data.bin" --quote "$other" --json >"$TMP/mm" 2>"$TMP/err"; rc=$?
	[ $rc = 1 ] || fail "mismatch exit $rc"
	[ "$(jq -c '.match[0:3]' "$TMP/mm")" = '[false,false,false]' ] || fail "mismatch match: $(jq -c .match "$TMP/mm")"
	grep -q 'differ from the quote' "$TMP/err" || fail "mismatch message: $(cat "$TMP/err")"
	ok "another boot's quote: exit 1"
fi

# A log cut inside a record: exit 1 with one line; IO and usage errors: exit 2.
head -c 1000 "$CCEL_TESTDATA/logs/trustee_CCEL_data_ovmf.bin" >"$TMP/cut"
inspect "$TMP/cut" 2>"$TMP/err"; rc=$?
[ $rc = 1 ] || fail "cut log exit $rc"
{ [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q 'malformed event log' "$TMP/err"; } || fail "cut message: $(cat "$TMP/err")"
inspect "$TMP/none" 2>/dev/null; [ $? = 2 ] || fail "missing log exit"
inspect "$pair/ccel_data.bin" --quote "$TMP/none" 2>/dev/null; [ $? = 2 ] || fail "missing quote exit"
inspect "$TMP/cut" --quote "$TMP/cut" 2>/dev/null; [ $? = 1 ] || fail "a log as the quote"
ok "malformed input and IO errors"
