#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# systemd/tdx-keyserver-collateral.{service,timer}: `systemd-analyze verify` finds nothing to
# say about them (with ExecStart pointed at the built binary, as `make install` rewrites the
# prefix), the timer is daily with a randomized delay and catches up missed runs, and the
# service reads its arguments from the environment file. Exit 77 without systemd-analyze.
# shellcheck source=tests/integration/lib.bash
. "$(dirname "$0")/lib.bash"
command -v systemd-analyze >/dev/null || skip "systemd-analyze absent"
[ -x "$BUILD/tdx-keyserver" ] || skip "$BUILD/tdx-keyserver not built"
S=systemd/tdx-keyserver-collateral.service
T=systemd/tdx-keyserver-collateral.timer
for u in "$S" "$T"; do
	sed "s|/usr/sbin/tdx-keyserver|$PWD/$BUILD/tdx-keyserver|" "$u" >"$TMP/$(basename "$u")"
done
systemd-analyze verify "$TMP/$(basename "$S")" "$TMP/$(basename "$T")" >"$TMP/verify.log" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$TMP/verify.log")"
! grep -q "tdx-keyserver-collateral" "$TMP/verify.log" || fail "systemd-analyze verify warns: $(cat "$TMP/verify.log")"
ok "systemd-analyze verify"

grep -qx "OnCalendar=daily" "$T" || fail "timer not daily"
grep -q "^RandomizedDelaySec=[1-9]" "$T" || fail "timer without RandomizedDelaySec"
grep -qx "Persistent=true" "$T" || fail "timer not Persistent"
grep -qx "WantedBy=timers.target" "$T" || fail "timer not installable"
grep -qx "Type=oneshot" "$S" || fail "service not oneshot"
grep -qx "EnvironmentFile=-/etc/tdx-keyserver/collateral.env" "$S" || fail "service without the optional environment file"
grep -q "^ExecStart=/usr/sbin/tdx-keyserver collateral fetch --store \${TDX_COLLATERAL_STORE} --pcs \${TDX_PCS_URL} \$TDX_COLLATERAL_ARGS$" "$S" ||
	fail "ExecStart is not 'collateral fetch' with the environment's arguments"
ok "timer daily/randomized/persistent, service arguments from the environment"
