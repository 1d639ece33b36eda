#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Issue 14 item 7: request bodies buffered at once are bounded. Before, every connection
# could buffer a body of max_body_bytes (2 MiB), so one client with many connections took
# hundreds of MB of the server's memory. Now all buffered bodies share max_body_total_bytes
# (64 MiB by default) and one address (IPv4, or IPv6 /64) at most an eighth of it; a body
# over budget is read and dropped, then answered 503 (Retry-After).
#  1. one address, 64 connections each holding a 2 MB body one byte short: the server's
#     RSS grows by less than 40 MiB (was ~128 MB) and the TD on 127.0.0.1 gets its secret;
#  2. sixteen addresses, 128 connections (256 MB of bodies): RSS grows by less than 96 MiB
#     (64 MiB budget + connections and TLS; was ~256 MB); the refused bodies get 503.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/kbs_hostile.bash"
need_fuse
need_attack_tools
hostile_setup
start_keyserver bodies 0
val() { awk -v k="$2" '$1 == k { print $2 }' "$TMP/$1.out"; }

# hold NAME SOURCES CONNS: bodies held in the background; returns once all are sent and
# sets GROWTH_KB (the server's RSS, highest of ten samples over 1 s, minus BASE_KB).
hold() {
	python3 "$ATTACK" bodies --port "$SRV_PORT" --source "$2" --conns "$3" --size 2000000 --seconds 25 \
		--progress "$TMP/$1.progress" --stop-file "$TMP/$1.stop" >"$TMP/$1.out" 2>&1 &
	HOLD_PID=$!
	PIDS+=("$HOLD_PID")
	wait_for 250 test -s "$TMP/$1.progress" || fail "$1: bodies not sent in 25 s: $(cat "$TMP/$1.out")"
	local max=0 r
	for _ in $(seq 10); do
		r=$(server_rss_kb "$SRV_PID")
		[ "$r" -gt "$max" ] && max=$r
		sleep 0.1
	done
	GROWTH_KB=$((max - BASE_KB))
}

legit_fetch warmup --timeout 10 # the server's steady state before the attack
[ "$RC" = 0 ] || fail "warm-up fetch: $(tail -3 "$TMP/warmup.err")"
BASE_KB=$(server_rss_kb "$SRV_PID")

# --- 1. one address ---------------------------------------------------------------------------
hold one 127.0.0.2 64
legit_fetch during --timeout 10
touch "$TMP/one.stop"
wait "$HOLD_PID"
cat "$TMP/one.out"
[ "$(val one sent)" = 64 ] || fail "attacker could not send its bodies"
[ "$GROWTH_KB" -lt $((40 * 1024)) ] || fail "one address grew the server's RSS by $GROWTH_KB kB (bound 40 MiB)"
[ "$RC" = 0 ] && cmp -s "$TMP/during.secret" "$TMP/res/default/luks/demo" ||
	fail "TD refused while one address held bodies (rc $RC): $(tail -3 "$TMP/during.err")"
[ "$(val one status_503)" -ge 56 ] || fail "expected most of the 64 bodies to be refused with 503"
grep -q "refused with 503: over its share" "$TMP/bodies.log" || fail "no log line for the refused bodies"
ok "64 x 2 MB bodies from one address: RSS +$GROWTH_KB kB, $(val one status_503) answered 503, TD released"

# --- 2. sixteen addresses: the total bound ------------------------------------------------------
hold many "$(seq -s, -f '127.0.0.%g' 2 17)" 128
touch "$TMP/many.stop"
wait "$HOLD_PID"
cat "$TMP/many.out"
[ "$(val many sent)" = 128 ] || fail "attacker could not send its bodies"
[ "$GROWTH_KB" -lt $((96 * 1024)) ] || fail "sixteen addresses grew the server's RSS by $GROWTH_KB kB (bound 96 MiB)"
[ "$(val many status_503)" -ge 90 ] || fail "expected at least 90 of 128 bodies refused with 503"
ok "128 x 2 MB bodies from sixteen addresses: RSS +$GROWTH_KB kB, $(val many status_503) answered 503"
legit_fetch after --timeout 10
[ "$RC" = 0 ] || fail "TD refused after the attack: $(tail -3 "$TMP/after.err")"
kill -0 "$SRV_PID" || fail "key server died"
