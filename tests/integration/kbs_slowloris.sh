#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Issue 14 item 3: slowloris. Before, 512 TLS connections from one address trickling a
# byte every 4 s held every connection slot (libmicrohttpd's timeout is an idle timeout
# that each byte resets) and nobody else got in. Now one address (IPv4, or IPv6 /64) holds
# at most max_connections_per_address connections (256), and a request must be complete
# request_timeout_s after its connection opened or its previous request ended.
#  1. defaults: 512 trickling connections from 127.0.0.2; at most 256 are accepted and the
#     TD on 127.0.0.1 attests and gets its secret meanwhile;
#  2. request_timeout_s 3: connections trickling a byte a second (inside the 10 s idle
#     timeout) are closed after ~3 s, whether they trickle the HTTP request or the TLS
#     ClientHello itself; a keep-alive client whose requests each finish in time keeps its
#     one connection for longer than that.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/kbs_hostile.bash"
need_fuse
need_attack_tools
hostile_setup
val() { awk -v k="$2" '$1 == k { print $2 }' "$TMP/$1.out"; }

# slow NAME CONNS INTERVAL [--raw]: trickling connections from 127.0.0.2 in the background
# (20 s at most); returns once they are open.
slow() {
	python3 "$ATTACK" slowloris --port "$SRV_PORT" --source 127.0.0.2 --conns "$2" --interval "$3" ${4:+"$4"} \
		--seconds 20 --progress "$TMP/$1.progress" --stop-file "$TMP/$1.stop" >"$TMP/$1.out" 2>&1 &
	SLOW_PID=$!
	PIDS+=("$SLOW_PID")
	wait_for 300 test -s "$TMP/$1.progress" || fail "$1: connections not open after 30 s: $(cat "$TMP/$1.out")"
}

# --- 1. one address cannot take every connection ------------------------------------------------
start_keyserver slow 0
slow many 512 4
legit_fetch during --timeout 10
touch "$TMP/many.stop"
wait "$SLOW_PID"
cat "$TMP/many.out"
[ "$RC" = 0 ] && cmp -s "$TMP/during.secret" "$TMP/res/default/luks/demo" ||
	fail "TD refused while one address held connections (rc $RC, $MS ms): $(tail -3 "$TMP/during.err")"
opened=$(val many opened)
[ "$opened" -le 256 ] && [ "$opened" -ge 128 ] || fail "the attacker opened $opened connections (cap 256)"
grep -q "max_connections_per_address" "$TMP/slow.log" || fail "no log line for the refused connections"
ok "TD released in $MS ms while 127.0.0.2 trickled on $opened connections ($(val many refused) refused)"
kill "$SRV_PID"

# --- 2. a deadline for the whole request -----------------------------------------------------------
start_keyserver deadline 0 '"request_timeout_s":3'
start=$(date +%s%N)
slow trickle 4 1
wait "$SLOW_PID"
cat "$TMP/trickle.out"
[ "$(val trickle closed_by_server)" = 4 ] || fail "trickling connections not closed by the deadline"
awk -v t="$(val trickle last_close_s)" 'BEGIN { exit !(t >= 2.5 && t <= 6) }' ||
	fail "trickling connections closed after $(val trickle last_close_s) s, expected ~3 s"
grep -q "request not complete after 3 s" "$TMP/deadline.log" || fail "no log line for the deadline"
ok "connections trickling a byte a second closed after $(val trickle last_close_s) s (deadline 3 s)"
slow rawtrickle 4 1 --raw
wait "$SLOW_PID"
cat "$TMP/rawtrickle.out"
[ "$(val rawtrickle closed_by_server)" = 4 ] || fail "connections trickling a ClientHello not closed by the deadline"
awk -v t="$(val rawtrickle last_close_s)" 'BEGIN { exit !(t >= 2.5 && t <= 6) }' ||
	fail "connections trickling a ClientHello closed after $(val rawtrickle last_close_s) s, expected ~3 s"
ok "connections trickling a TLS ClientHello closed after $(val rawtrickle last_close_s) s"
python3 "$ATTACK" flood --port "$SRV_PORT" --source 127.0.0.3 --seconds 10 --requests 11 --pace 0.5 \
	>"$TMP/keepalive.out" 2>&1
[ "$(val keepalive reconnects)" = 1 ] && [ "$(val keepalive errors)" = 0 ] ||
	fail "a keep-alive client lost its connection: $(cat "$TMP/keepalive.out")"
legit_fetch after --timeout 10
[ "$RC" = 0 ] || fail "TD refused after the trickle: $(tail -3 "$TMP/after.err")"
[ "$(val keepalive requests)" = 11 ] || fail "keep-alive client: $(cat "$TMP/keepalive.out")"
ok "a keep-alive client kept one connection for 11 requests over 5 s (deadline 3 s); TD released"
kill -0 "$SRV_PID" || fail "key server died"
echo "took $((($(date +%s%N) - start) / 1000000)) ms for part 2"
