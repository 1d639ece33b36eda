#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Server CPU per new HTTPS connection: N sequential `curl https://127.0.0.1:PORT/healthz`, each
# a new TCP connection and full TLS handshake; utime+stime of the server from /proc/PID/stat
# before and after. Usage: bench/conn_cost.sh PID PORT [N=500] [CA=keys-example/ca.pem]
set -eu
pid=$1 port=$2 n=${3:-500} ca=${4:-keys-example/ca.pem}
tck=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
sys() { awk '{ print $15 }' "/proc/$1/stat"; }
t0=$(cpu "$pid") s0=$(sys "$pid")
start=$(date +%s%N)
for _ in $(seq "$n"); do
	curl -s --cacert "$ca" -o /dev/null "https://127.0.0.1:$port/healthz" || { echo "conn_cost.sh: request failed" >&2; exit 1; }
done
wall=$((($(date +%s%N) - start) / 1000))
t1=$(cpu "$pid") s1=$(sys "$pid")
echo "connections $n"
echo "server_cpu_us_per_conn $(((t1 - t0) * 1000000 / tck / n))"
echo "server_sys_us_per_conn $(((s1 - s0) * 1000000 / tck / n))"
echo "wall_us_per_conn $((wall / n))"
