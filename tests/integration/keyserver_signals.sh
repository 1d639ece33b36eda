#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tdx-keyserver's signals, as systemd sends them: SIGHUP (systemctl reload,
# tdx-keyserver.service's ExecReload=) keeps the same process serving; SIGTERM stops it
# with exit status 0. Before, SIGHUP killed the server.
source "$(dirname "$0")/lib.bash"
command -v curl >/dev/null || skip "curl absent (make deps)"
[ -x "$BUILD/tdx-keyserver" ] && [ -x "$BUILD/tdx-sim" ] || fail "build first (make)"
"$BUILD/tdx-sim" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"
mkdir -p "$TMP/res" && echo '{}' >"$TMP/policy.json"
start_keyserver ks
healthy() { curl -sf --max-time 5 --cacert keys-example/ca.pem "https://127.0.0.1:$SRV_PORT/healthz" >/dev/null; }
healthy || fail "no answer on /healthz before the signal"
for i in 1 2 3; do
	kill -HUP "$SRV_PID" || fail "SIGHUP $i: server already gone"
	sleep 0.2
	kill -0 "$SRV_PID" 2>/dev/null || fail "SIGHUP $i stopped the server: $(tail -n 2 "$TMP/ks.log")"
	healthy || fail "no answer on /healthz after SIGHUP $i"
done
ok "3 x SIGHUP: same pid $SRV_PID, still serving"
kill -TERM "$SRV_PID"
wait "$SRV_PID"
rc=$?
[ $rc = 0 ] || fail "SIGTERM: exit status $rc, not 0"
ok "SIGTERM: clean stop (exit 0)"
