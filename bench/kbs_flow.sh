#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Full KBS flows against a real tdx-keyserver on 127.0.0.1 with a simulator PKI: builds
# $BUILD/bench/kbs_load, starts the server, runs the load generator and prints its
# "key value" lines (see bench/kbs_load.c); then stops the server by PID.
# Usage: bench/kbs_flow.sh [kbs_load options...]   e.g. --threads 64 --flows 10000 --floor 1
# Environment: BUILD (default build-bench), SERVER_THREADS (2), KEEP_DIR (keep the work dir),
# SERVER_BIN (default $BUILD/tdx-keyserver: another build's server against the same generator),
# LOAD_BIN (default $BUILD/bench/kbs_load: another build's generator against the same server),
# PERF_OUT=FILE (perf record of the server; PERF_OPTS, default -g), STRACE_OUT=FILE (strace -c -f
# of the server: system calls per flow are its counts / flows).
# CONN_COST=N: afterwards, N sequential `curl .../healthz` (bench/conn_cost.sh): the server's
# CPU per new HTTPS connection alone (TCP + TLS handshake + one tiny request), same server.
# REUSE=1: afterwards, the same flows again over kept connections (kbs_load --reuse, one per
# client thread): the difference is what the new TCP connection + TLS handshake costs per flow.
# TCP floor (bench/tcp_floor.c): the flow's bytes over plain TCP, a new connection per flow,
# as many client threads (in one process) as the load, before and after the load (the mean is
# tcp_floor_us_per_flow); then once sequentially (tcp_floor_seq_), with one send per server
# turn (tcp_floor_turns_), bare connect + 100 bytes each way + close (tcp_floor_min_), reading
# each TLS record's header and body apart as GnuTLS does (tcp_floor_records_), and the same with
# the real server's user time per flow spent between the turns (tcp_floor_loaded_).
# lower_bound_ratio = (crypto floor + TCP floor) / crypto floor: no server can do better.
# After the generator's lines it prints the bound this machine puts on flows/s when server and
# generator share its cores: cores / (server CPU per flow + generator CPU per flow).
# EVENTLOG=FILE: every TD sends this event log as cc_eventlog (kbs_load --eventlog) and the
# policy names its kernel, initrd and command line (policy-from-quote --eventlog).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
SERVER_THREADS=${SERVER_THREADS:-2}
make -s BUILD="$BUILD" "$BUILD/tdx-keyserver" "$BUILD/tdx-sim" "$BUILD/bench/kbs_load" "$BUILD/bench/tcp_floor" \
	${EVENTLOG:+"$BUILD/tdx-unlock"} >/dev/null

flows=2000 threads=8 # kbs_load's defaults
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
	[ "${args[i]}" = --flows ] && flows=${args[i + 1]}
	[ "${args[i]}" = --threads ] && threads=${args[i + 1]}
done

dir=$(mktemp -d /tmp/kbs-flow.XXXXXX)
spid=
cleanup() {
	if [ -n "$spid" ]; then kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; fi
	[ -n "${KEEP_DIR:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

"$BUILD/tdx-sim" pki "$dir/pki" >/dev/null
td=() evl=()
if [ -n "${EVENTLOG:-}" ]; then # the simulated TD's RTMRs are the log's replay
	"$BUILD/tdx-unlock" inspect "$EVENTLOG" --json |
		jq '{rtmr0: .rtmr[0], rtmr1: .rtmr[1], rtmr2: .rtmr[2], rtmr3: .rtmr[3]}' >"$dir/td.json"
	td=(--td "$dir/td.json") evl=(--eventlog "$EVENTLOG")
fi
"$BUILD/tdx-sim" quote --pki "$dir/pki" "${td[@]}" --report-data "$(printf '0%.0s' {1..128})" -o "$dir/q.bin"
"$BUILD/tdx-keyserver" policy-from-quote --resource default/luks/demo "$dir/q.bin" \
	${EVENTLOG:+--eventlog "$EVENTLOG"} >"$dir/policy.json"
mkdir -p "$dir/res/default/luks"
head -c 32 /dev/urandom >"$dir/res/default/luks/demo"
chmod 600 "$dir/res/default/luks/demo"
# Sessions live session_lifetime_s (300 s) after /auth even when the flow is over, so the
# table must hold every flow of the run (the default 10000 would refuse flow 10001).
runs=$((${REUSE:+1} + 1))
max_sessions=$((runs * flows + 1000 > 10000 ? runs * flows + 1000 : 10000))
cat >"$dir/config.json" <<EOF
{"listen":"127.0.0.1:0","tls_cert":"$PWD/keys-example/server.pem","tls_key":"$PWD/keys-example/server.key",
 "resources_dir":"$dir/res","policy_file":"$dir/policy.json","collateral_dir":"$dir/pki/collateral",
 "trust_anchor":"$dir/pki/collateral/root_ca.pem","audit_log":"$dir/audit.log","threads":$SERVER_THREADS,
 "max_sessions":$max_sessions}
EOF
if [ -n "${IN_PROCESS:-}" ]; then # the request handler alone: no TLS, HTTP or server process
	"$BUILD/bench/kbs_load" --in-process "$dir/config.json" --pki "$dir/pki" --resource default/luks/demo \
		--expect "$dir/res/default/luks/demo" "${evl[@]}" "$@"
	exit
fi
"${SERVER_BIN:-$BUILD/tdx-keyserver}" serve --config "$dir/config.json" 2>"$dir/server.log" &
spid=$!
port=
for _ in $(seq 100); do
	port=$(sed -n 's|.*listening on https://127.0.0.1:\([0-9]*\).*|\1|p' "$dir/server.log")
	[ -n "$port" ] && break
	kill -0 "$spid" 2>/dev/null || break
	sleep 0.05
done
[ -n "$port" ] || { echo "kbs_flow.sh: server did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }
echo "server_threads $SERVER_THREADS"
echo "server_max_sessions $max_sessions"
rc=0
tcp_floor() { "$BUILD/bench/tcp_floor" --flows 3000 "$@"; }
tf_before=$(tcp_floor --clients "$threads" --name tcp_floor_before) || rc=1
ppid=
if [ -n "${PERF_OUT:-}" ]; then # profile the server during the load: perf report -i $PERF_OUT
	perf record -q ${PERF_OPTS:--g} -p "$spid" -o "$PERF_OUT" 2>/dev/null &
	ppid=$!
elif [ -n "${STRACE_OUT:-}" ]; then # count the server's system calls: strace -c -f
	strace -q -c -f -p "$spid" -o "$STRACE_OUT" &
	ppid=$!
	sleep 0.5 # attached to every thread before the first flow
fi
out=$("${LOAD_BIN:-$BUILD/bench/kbs_load}" --url "https://127.0.0.1:$port" --ca keys-example/ca.pem --pki "$dir/pki" \
	--resource default/luks/demo --expect "$dir/res/default/luks/demo" --server-pid "$spid" \
	--max-sessions "$max_sessions" "${evl[@]}" "$@") || rc=$?
if [ -n "$ppid" ]; then kill -INT "$ppid"; wait "$ppid" 2>/dev/null || true; fi
echo "$out"
echo "audit_lines $(wc -l <"$dir/audit.log")"
if [ -n "${REUSE:-}" ]; then
	# shellcheck disable=SC2046  # the options are words
	ru=$("${LOAD_BIN:-$BUILD/bench/kbs_load}" --url "https://127.0.0.1:$port" --ca keys-example/ca.pem --pki "$dir/pki" \
		--resource default/luks/demo --expect "$dir/res/default/luks/demo" --server-pid "$spid" \
		"${evl[@]}" --reuse $(echo " $* " | sed 's/ --floor [^ ]*//; s/ --reuse//')) || rc=$?
	echo "$ru" | grep -E '^(errors|flows_per_s|generator_cpu|server_cpu)' | sed 's/^/reuse_/'
	out="$out
$(echo "$ru" | grep '^server_cpu_us_per_flow' | sed 's/^/reuse_/')"
fi
if [ -n "${CONN_COST:-}" ]; then
	cc=$(bench/conn_cost.sh "$spid" "$port" "$CONN_COST") || rc=1
	echo "$cc" | sed 's/^/conn_cost_/'
	out="$out
$cc"
fi
# The kernel's share as a lower bound: the same bytes over plain TCP (bench/tcp_floor.c).
# the server's user time per flow, spread over its 4 answering turns, for tcp_floor_loaded_
work=$(echo "$out" | awk '$1 == "server_cpu_us_per_flow" { c = $2 } $1 == "server_sys_us_per_flow" { s = $2 }
	END { w = (c - s) / 4; print (w > 0 ? int(w) : 0) }')
tf=$tf_before
for a in "--clients $threads --name tcp_floor_after" "--clients 1 --name tcp_floor_seq" \
	"--clients $threads --mode turns --name tcp_floor_turns" "--clients $threads --mode min --name tcp_floor_min" \
	"--clients $threads --mode records --name tcp_floor_records" \
	"--clients $threads --mode records --work-us $work --name tcp_floor_loaded"; do
	t=$(tcp_floor $a) || rc=1
	tf="$tf
$t"
done
tf="$tf
$(echo "$tf" | awk '$1 ~ /^tcp_floor_(before|after)_(server_user_us|server_sys_us|us)_per_flow$/ {
	k = $1; sub(/_(before|after)/, "", k); sum[k] += $2; n[k]++ }
	END { for (k in sum) printf "%s %.1f\n", k, sum[k] / n[k] }' | sort)"
echo "$tf"
out="$out
$tf"
# What this machine can show: the generator runs on the same cores as the server.
echo "$out" | awk -v cores="$(nproc)" '$1 == "server_cpu_us_per_flow" { s = $2 }
	$1 == "generator_cpu_us_per_flow" { g = $2 }
	$1 == "floor_us_per_flow" { f = $2 }
	$1 == "flows_per_s" { fps = $2 }
	$1 == "server_cpu_us_per_conn" { c = $2 }
	$1 == "reuse_server_cpu_us_per_flow" { r = $2 }
	$1 == "tcp_floor_us_per_flow" { t = $2 }
	$1 == "tcp_floor_server_sys_us_per_flow" { ts = $2 }
	$1 == "server_sys_us_per_flow" { ss = $2 }
	END { if (s > 0 && f > 0) printf "server_cpu_per_flow_over_floor %.2f\n", s / f
	      if (c > 0 && f > 0) printf "conn_cost_over_floor %.2f\n", c / f
	      # no server can go below the crypto floor plus the kernel'"'"'s TCP work of the flow
	      if (t > 0 && f > 0) printf "tcp_floor_over_floor %.2f\nlower_bound_ratio %.2f\n", t / f, (f + t) / f
	      # the real server'"'"'s kernel time beyond what the bytes alone cost
	      if (ts > 0 && ss != "") printf "server_sys_over_tcp_floor_us_per_flow %.1f\n", ss - ts
	      if (r > 0 && s > 0 && f > 0) printf "new_connection_us_per_flow %.0f\nnew_connection_over_floor %.2f\nreuse_server_cpu_per_flow_over_floor %.2f\n", s - r, (s - r) / f, r / f
	      if (s + g > 0) printf "machine_cores %d\nmachine_bound_flows_per_s %.0f\n", cores, cores * 1e6 / (s + g)
	      if (s > 0) printf "server_bound_flows_per_s %.0f\n", cores * 1e6 / s
	      # cores the run got (server + generator CPU per second of wall time): below the
	      # machine'"'"'s count when other work shares it
	      if (s + g > 0 && fps > 0) printf "cores_used %.2f\n", fps * (s + g) / 1e6 }'
exit $rc
