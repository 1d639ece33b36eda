#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The real client and key server end to end on 127.0.0.1 with the simulated platform:
# release, every refusal the operator can cause (policy, debug TD, unknown resource, wrong
# CA), a server that never answers, one that starts late, and a misbehaving TLS front
# (tests/integration/kbs_badproxy.py: tampered JWE tag, oversized answer, server killed
# mid-flow). Each refusal: exit status 1, no output file, a clear last line, bounded time;
# the secret never appears on stderr. Prints the measured times.
source "$(dirname "$0")/lib.bash"
need_fuse
command -v python3 >/dev/null && python3 -c 'import ssl' 2>/dev/null || skip "python3 with ssl absent (make deps)"
command -v jq >/dev/null || skip "jq absent (make deps)"
SIM=$BUILD/tdx-sim KS=$BUILD/tdx-keyserver TU=$BUILD/tdx-unlock
for b in "$SIM" "$KS" "$TU"; do [ -x "$b" ] || fail "$b not built"; done
KE=$PWD/keys-example
PROXY=tests/integration/kbs_badproxy.py
TIMES=()

"$SIM" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"

mount_sim "$TMP/tsm"
echo '{"td_attributes":"0100001000000000"}' >"$TMP/debug-td.json"
mount_sim "$TMP/tsm-debug" --td "$TMP/debug-td.json"

# Resources and policies: demo is pinned to the simulator's TD; othertd is pinned to
# another MRTD (the TD matches everything else).
"$SIM" quote --pki "$TMP/pki" --report-data "$(printf '0%.0s' $(seq 128))" -o "$TMP/q.bin" || fail "tdx-sim quote"
"$KS" policy-from-quote --resource default/luks/demo "$TMP/q.bin" >"$TMP/pinned.json" || fail "policy-from-quote"
jq '. + {"default/luks/othertd": (.["default/luks/demo"] | .mr_td = ["'"$(printf 'ab%.0s' $(seq 48))"'"])}' \
	"$TMP/pinned.json" >"$TMP/policy.json"
mkdir -p "$TMP/res/default/luks"
SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '\n')
printf %s "$SECRET" >"$TMP/res/default/luks/demo"
printf %s "$SECRET" >"$TMP/res/default/luks/othertd"
chmod 600 "$TMP/res/default/luks/"*

# start_proxy MODE [UPSTREAM]: sets PX_PORT, PX_PID.
start_proxy() {
	local mode=$1 up=${2:-}
	python3 "$PROXY" --mode "$mode" ${up:+--upstream "$up"} >"$TMP/proxy-$mode.out" 2>&1 &
	PX_PID=$!
	PIDS+=("$PX_PID")
	wait_for 100 grep -q "listening on" "$TMP/proxy-$mode.out" || fail "proxy $mode did not start: $(cat "$TMP/proxy-$mode.out")"
	PX_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/proxy-$mode.out")
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# fetch NAME PORT [options...]: runs the client; sets RC and MS (elapsed milliseconds);
# stdout in $TMP/NAME.out, stderr in $TMP/NAME.err, secret file $TMP/NAME.secret.
fetch() {
	local name=$1 port=$2; shift 2
	local start
	start=$(date +%s%N)
	"$TU" fetch --url "https://127.0.0.1:$port" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" "$@" \
		>"$TMP/$name.out" 2>"$TMP/$name.err"
	RC=$?
	MS=$((($(date +%s%N) - start) / 1000000))
	TIMES+=("$(printf '%-34s %6d ms  (rc %d)' "$name" "$MS" "$RC")")
}

# refused NAME MAX_MS PATTERN: exit 1, no output file, the pattern in stderr, a last line
# that says the client gave up, and no more than MAX_MS.
refused() {
	local name=$1 max=$2 pattern=$3 last
	last=$(tail -n 1 "$TMP/$name.err")
	[ "$RC" = 1 ] || fail "$name: exit status $RC, expected 1: $(cat "$TMP/$name.err")"
	[ ! -e "$TMP/$name.secret" ] || fail "$name: an output file exists after a refusal"
	[ ! -s "$TMP/$name.out" ] || fail "$name: something on stdout"
	grep -q -- "$pattern" "$TMP/$name.err" || fail "$name: '$pattern' not in the client log: $(cat "$TMP/$name.err")"
	[[ $last == *"giving up"* ]] || fail "$name: unclear last line: $last"
	[ "$MS" -le "$max" ] || fail "$name: took $MS ms (limit $max)"
	ok "$name refused in $MS ms: $last"
}

audit_last() { tail -n 1 "$TMP/$1.audit"; }

start_keyserver main 0
MAIN=$SRV_PORT MAIN_PID=$SRV_PID

# --- success ------------------------------------------------------------------------------
umask 022
fetch success "$MAIN" --resource default/luks/demo --timeout 20 -o "$TMP/success.secret"
[ "$RC" = 0 ] || fail "success: rc $RC: $(cat "$TMP/success.err")"
[ "$(cat "$TMP/success.secret")" = "$SECRET" ] || fail "released secret differs"
cmp -s "$TMP/success.secret" "$TMP/res/default/luks/demo" || fail "not byte-equal"
[ "$(stat -c %a "$TMP/success.secret")" = 600 ] || fail "output mode $(stat -c %a "$TMP/success.secret"), expected 600"
[ ! -s "$TMP/success.out" ] || fail "-o FILE wrote to stdout"
[ "$(wc -l <"$TMP/main.audit")" = 2 ] || fail "expected 2 audit lines: $(cat "$TMP/main.audit")"
head -n 1 "$TMP/main.audit" | jq -e '.event == "attest" and .decision == "attested" and .tcb_status == "UpToDate"
	and (.mr_td | length) == 96 and (.session | length) == 32' >/dev/null || fail "attest audit line: $(head -n 1 "$TMP/main.audit")"
audit_last main | jq -e '.event == "resource" and .decision == "release" and .resource == "default/luks/demo"
	and .reason == null' >/dev/null || fail "release audit line: $(audit_last main)"
ok "released in $MS ms, byte-equal, mode 600, audit: attested + release"

# An existing output file is replaced, still 0600; -o - is the only way to stdout.
echo old >"$TMP/success.secret"; chmod 644 "$TMP/success.secret"
fetch success-overwrite "$MAIN" --resource default/luks/demo -o "$TMP/success.secret"
[ "$RC" = 0 ] && [ "$(cat "$TMP/success.secret")" = "$SECRET" ] || fail "overwrite: rc $RC"
fetch stdout "$MAIN" --resource default/luks/demo -o -
[ "$RC" = 0 ] && [ "$(cat "$TMP/stdout.out")" = "$SECRET" ] || fail "-o - did not print exactly the secret (rc $RC)"
"$TU" -v fetch --url "https://127.0.0.1:$MAIN" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" \
	--resource default/luks/demo >"$TMP/noout.out" 2>"$TMP/noout.err"
[ $? = 2 ] && [ ! -s "$TMP/noout.out" ] || fail "fetch without -o must be a usage error with nothing on stdout"
"$TU" -v fetch --url "https://127.0.0.1:$MAIN" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" \
	--resource default/luks/demo -o "$TMP/verbose.secret" >"$TMP/verbose.out" 2>"$TMP/verbose.err"
[ $? = 0 ] && [ ! -s "$TMP/verbose.out" ] || fail "verbose fetch"
ok "-o - prints the secret; -o FILE and verbose runs print nothing on stdout"

# --- refusals by the server -------------------------------------------------------------------
fetch wrong-mrtd "$MAIN" --resource default/luks/othertd --timeout 8 -o "$TMP/wrong-mrtd.secret"
refused wrong-mrtd 8500 "HTTP 401 PolicyDeny"
tail -n 1 "$TMP/wrong-mrtd.err" | grep -q "last failure at resource: HTTP 401 PolicyDeny" || fail "wrong MRTD: the last line does not name the refusal"
audit_last main | jq -e '.decision == "refuse" and .resource == "default/luks/othertd" and (.reason | test("^mr_td "))' \
	>/dev/null || fail "wrong MRTD audit line: $(audit_last main)"

# (a later --tsm-dir overrides the default one of fetch())
fetch debug-td "$MAIN" --tsm-dir "$TMP/tsm-debug" --resource default/luks/demo --timeout 8 -o "$TMP/debug-td.secret"
refused debug-td 8500 "HTTP 401 PolicyDeny"
audit_last main | jq -e '.decision == "refuse" and (.reason | test("debug TD"))' >/dev/null || fail "debug TD audit: $(audit_last main)"

fetch unknown-resource "$MAIN" --resource default/luks/nope --timeout 5 -o "$TMP/unknown-resource.secret"
refused unknown-resource 5500 "HTTP 401 PluginInternalError"
audit_last main | jq -e '.decision == "refuse" and .resource == "default/luks/nope" and (.reason | test("no policy"))' \
	>/dev/null || fail "unknown resource audit: $(audit_last main)"

# --- transport ------------------------------------------------------------------------------
fetch wrong-ca "$MAIN" --ca "$KE/other-ca.pem" --resource default/luks/demo --timeout 30 -o "$TMP/wrong-ca.secret"
refused wrong-ca 2000 "TLS certificate verification failed"
tail -n 1 "$TMP/wrong-ca.err" | grep -q "TLS certificate verification failed" || fail "wrong CA: the last line does not say so"

start_proxy hold
fetch never-answers "$PX_PORT" --resource default/luks/demo --timeout 5 -o "$TMP/never-answers.secret"
refused never-answers 6500 "imed out"
[ "$MS" -ge 4500 ] || fail "never-answers gave up after $MS ms, before its 5 s timeout"
kill "$PX_PID"

# A server that comes up 10 s after the client started: retries until it answers.
LATE=$(free_port)
"$TU" fetch --url "https://127.0.0.1:$LATE" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" --timeout 60 \
	--resource default/luks/demo -o "$TMP/late.secret" >"$TMP/late.out" 2>"$TMP/late.err" &
late_pid=$!
late_start=$(date +%s%N)
sleep 10
start_keyserver late "$LATE"
[ "$SRV_PORT" = "$LATE" ] || fail "late server on $SRV_PORT, not $LATE"
for _ in $(seq 600); do kill -0 "$late_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$late_pid" 2>/dev/null && { kill "$late_pid"; fail "client still running 70 s after start"; }
wait "$late_pid"; RC=$?
MS=$((($(date +%s%N) - late_start) / 1000000))
TIMES+=("$(printf '%-34s %6d ms  (rc %d)' late-server "$MS" "$RC")")
[ "$RC" = 0 ] && cmp -s "$TMP/late.secret" "$TMP/res/default/luks/demo" || fail "late server: rc $RC: $(cat "$TMP/late.err")"
grep -q "Couldn't connect" "$TMP/late.err" || fail "late server: no connect failures logged: $(cat "$TMP/late.err")"
ok "server up 10 s late: released after $MS ms and $(grep -c 'failed' "$TMP/late.err") failed attempts"
kill "$SRV_PID"

# The network comes up 1.5 s after the client started (an initrd before its DHCP lease): in a
# network namespace whose loopback is down every try fails at once without a route; those
# retries come 0.25-0.5 s apart (one line each) or as soon as an address or route appears
# (rtnetlink), so the release follows the network closely. The server listens already.
if unshare -n true 2>/dev/null && command -v ip >/dev/null; then
	NR=$(free_port)
	sed "s/\"listen\":\"127.0.0.1:0\"/\"listen\":\"127.0.0.1:$NR\"/; s/main.audit/noroute.audit/" \
		"$TMP/main.json" >"$TMP/noroute.json"
	cat >"$TMP/noroute.sh" <<-EOF
	"$TU" fetch --url "https://127.0.0.1:$NR" --ca "$KE/ca.pem" --tsm-dir "$TMP/tsm" --timeout 30 \\
		--resource default/luks/demo -o "$TMP/noroute.secret" >"$TMP/noroute.out" 2>"$TMP/noroute.err" &
	c=\$!
	"$KS" serve --config "$TMP/noroute.json" 2>"$TMP/noroute.log" &
	s=\$!
	sleep 1.5
	ip link set lo up
	date +%s%N >"$TMP/noroute.up"
	wait \$c
	echo \$? >"$TMP/noroute.rc"
	kill \$s
	EOF
	timeout 60 unshare -n bash "$TMP/noroute.sh"
	RC=$(cat "$TMP/noroute.rc" 2>/dev/null)
	MS=$((($(date +%s%N) - $(cat "$TMP/noroute.up")) / 1000000))
	TIMES+=("$(printf '%-34s %6d ms  (rc %s)' "no-route-1.5s (after the network)" "$MS" "$RC")")
	[ "$RC" = 0 ] && cmp -s "$TMP/noroute.secret" "$TMP/res/default/luks/demo" ||
		fail "no route for 1.5 s: rc $RC: $(cat "$TMP/noroute.err")"
	n=$(grep -c 'no route to the server yet (.*Network is unreachable.*); next try .* in 0\.[2-6] s' "$TMP/noroute.err")
	[ "$n" -ge 3 ] || fail "no route: expected quick retries (0.2-0.6 s), got $n: $(cat "$TMP/noroute.err")"
	grep -q 'next try .* when an address or route appears or in ' "$TMP/noroute.err" || fail "no route: no network watch"
	grep -q 'warning:.*unreachable' "$TMP/noroute.err" && fail "no route: tries while the network comes up logged as warnings"
	[ "$MS" -le 2000 ] || fail "no route: released $MS ms after the network came up"
	ok "no route for 1.5 s: $n quick retries, released $MS ms after the network came up"
else
	echo "SKIP (part): no network namespaces here, the no-route retry case is not run"
fi

# --- a misbehaving TLS front ----------------------------------------------------------------------
start_proxy tamper-tag "$MAIN"
fetch tamper-tag "$PX_PORT" --resource default/luks/demo --timeout 20 -o "$TMP/tamper-tag.secret"
refused tamper-tag 5000 "JWE for default/luks/demo rejected"
grep -q "malformed responses twice" "$TMP/tamper-tag.err" || fail "tamper-tag: server not dropped after two bad JWEs"
kill "$PX_PID"

start_proxy oversize "$MAIN"
fetch oversize "$PX_PORT" --resource default/luks/demo --timeout 20 -o "$TMP/oversize.secret"
refused oversize 5000 "response larger than 1 MiB"
kill "$PX_PID"

start_proxy die-after-auth "$MAIN"
fetch die-after-auth "$PX_PORT" --resource default/luks/demo --timeout 6 -o "$TMP/die-after-auth.secret"
refused die-after-auth 6500 "attest failed"
grep -q "killed after relaying" "$TMP/proxy-die-after-auth.out" || fail "proxy did not die after auth"
grep -q "Couldn't connect" "$TMP/die-after-auth.err" || fail "die-after-auth: retries did not see the dead server"

# --- not a TD: the client gives up at once instead of waiting for its deadline --------------------
mkdir -p "$TMP/no-tsm"
start=$(date +%s%N)
"$TU" fetch --url "https://127.0.0.1:$MAIN" --ca "$KE/ca.pem" --tsm-dir "$TMP/no-tsm/report" \
	--resource default/luks/demo --timeout 30 -o "$TMP/not-a-td.secret" >"$TMP/not-a-td.out" 2>"$TMP/not-a-td.err"
RC=$?
MS=$((($(date +%s%N) - start) / 1000000))
refused not-a-td 3000 "cannot produce TDX evidence"
[ "$(grep -c 'attempt' "$TMP/not-a-td.err")" -le 2 ] || fail "not-a-td: retried: $(cat "$TMP/not-a-td.err")"

# --- the secret never reaches stderr or the audit log -------------------------------------------
for f in "$TMP"/*.err "$TMP"/*.log "$TMP"/*.audit "$TMP"/proxy-*.out; do
	! grep -qF -- "$SECRET" "$f" || fail "the secret appears in $f"
done
ok "the secret is in no log, no stderr and no audit line"

kill -0 "$MAIN_PID" 2>/dev/null || fail "main key server died"
echo "timings:"
printf '  %s\n' "${TIMES[@]}"
