#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Issue 14 item 2: one client flooding /auth must not lock legitimate TDs out. Before, one
# keep-alive connection filled the session table (max_sessions) with challenges in seconds
# and every TD got 503 for the 300 s session lifetime. Now a challenge lives
# challenge_lifetime_s unless attested, one address holds max_challenges_per_address of
# them, and a full table evicts the oldest challenge. The table here is small (2000) so the
# flood fills it many times over in a few seconds:
#  1. one attacker address floods; the TD on 127.0.0.1 attests and gets its secret, the
#     attacker gets 503 past its quota, the server warns at most once per 10 s;
#  2. twelve attacker addresses (12 x 256 challenges > 2000): the table is full of
#     challenges and evicts the oldest; the TD still attests and gets its secret;
#  3. the sibling: a genuine TD (any TDX guest has quotes) attests 40 times into a table of
#     20 sessions, each good for 300 s; the table evicts the oldest attested session and
#     another TD still gets in (before, it got 503 until the sessions expired).
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/kbs_hostile.bash"
need_fuse
need_attack_tools
hostile_setup
start_keyserver flood 0 '"max_sessions":2000'

# flood_until NAME SOURCES MIN: floods in the background until $TMP/NAME.stop exists (20 s
# at most); returns once MIN requests were answered.
flood_until() {
	local name=$1 src=$2 min=$3
	python3 "$ATTACK" flood --port "$SRV_PORT" --source "$src" --seconds 20 --requests 100000 \
		--progress "$TMP/$name.progress" --stop-file "$TMP/$name.stop" >"$TMP/$name.out" 2>&1 &
	FLOOD_PID=$!
	PIDS+=("$FLOOD_PID")
	for _ in $(seq 200); do
		[ "$(cat "$TMP/$name.progress" 2>/dev/null || echo 0)" -ge "$min" ] && return 0
		kill -0 "$FLOOD_PID" 2>/dev/null || fail "$name: attack client died: $(cat "$TMP/$name.out")"
		sleep 0.1
	done
	fail "$name: the flood did not reach $min requests in 20 s: $(cat "$TMP/$name.out")"
}
val() { awk -v k="$2" '$1 == k { print $2 }' "$TMP/$1.out"; }

# --- 1. one address ------------------------------------------------------------------------
flood_until one 127.0.0.2 3000 # 1.5 times the table
legit_fetch during-one --timeout 10
touch "$TMP/one.stop"
wait "$FLOOD_PID"
cat "$TMP/one.out"
[ "$RC" = 0 ] && cmp -s "$TMP/during-one.secret" "$TMP/res/default/luks/demo" ||
	fail "TD refused during a one-address flood (rc $RC, $MS ms): $(tail -3 "$TMP/during-one.err")"
ok "TD released in $MS ms while one address flooded /auth ($(val one requests) requests)"
[ "$(val one ok)" -le 256 ] || fail "the attacker got $(val one ok) challenges, quota 256"
[ "$(val one busy)" -ge 2000 ] || fail "the attacker got only $(val one busy) 503s"
[ "$(val one reconnects)" = 1 ] || fail "the flood needed $(val one reconnects) connections"
n=$(grep -c "challenges from this address unanswered" "$TMP/flood.log")
[ "$n" -ge 1 ] && [ "$n" -le 3 ] || fail "$n quota warnings logged (one per 10 s expected)"
ok "attacker held at most 256 challenges, $(val one busy) answers were 503, $n warning line(s)"

# --- 2. many addresses: the table fills with challenges and evicts the oldest ---------------------
srcs=$(seq -s, -f '127.0.0.%g' 2 13)
flood_until many "$srcs" 4000 # 12 x 256 = 3072 challenges held > the 2000 slots
legit_fetch during-many --timeout 10
touch "$TMP/many.stop"
wait "$FLOOD_PID"
cat "$TMP/many.out"
[ "$RC" = 0 ] && cmp -s "$TMP/during-many.secret" "$TMP/res/default/luks/demo" ||
	fail "TD refused during a twelve-address flood (rc $RC, $MS ms): $(tail -3 "$TMP/during-many.err")"
[ "$(val many ok)" -ge 2500 ] || fail "only $(val many ok) challenges: the table did not fill (nothing evicted)"
grep -q "session table full" "$TMP/flood.log" && fail "the table refused instead of evicting a challenge"
ok "TD released in $MS ms while twelve addresses flooded ($(val many ok) challenges in a 2000-slot table)"
kill -0 "$SRV_PID" || fail "key server died"
kill "$SRV_PID"

# --- 3. attested sessions fill the table -----------------------------------------------------------
start_keyserver attested 0 '"max_sessions":20'
for i in $(seq 40); do
	legit_fetch "hog$i" --timeout 5
	[ "$RC" = 0 ] || fail "attested flood: fetch $i refused: $(tail -2 "$TMP/hog$i.err")"
done
legit_fetch after-hog --timeout 5
[ "$RC" = 0 ] || fail "TD refused after 40 attested sessions in a 20-slot table: $(tail -2 "$TMP/after-hog.err")"
grep -q "session table full of attested sessions (max_sessions 20): evicting the oldest" "$TMP/attested.log" ||
	fail "no log line for the evicted attested sessions"
ok "40 attested sessions into a table of 20: the oldest evicted, the next TD released in $MS ms"
