#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Load test of tdx-keyserver: 64 concurrent clients, 10,000 complete KBS flows (fresh TLS
# connection per flow, auth, simulator quote, attest, resource, JWE decrypted and checked)
# through bench/kbs_flow.sh; zero errors, and the server's RSS after the last thousand flows
# within 10 % of its RSS after the first thousand. Wall time ~35 s on 2 cores.
#
# Sessions outlive their flow (session_lifetime_s, 300 s), so the 10,000 flows leave 10,000
# live sessions in the server's fixed-size session table (max_sessions; 816 B a slot), whose
# pages become resident as it fills (~13 MB here). That memory is bounded by configuration,
# not a leak, so the 10 % check is on RSS minus the table's resident pages (from smaps); the
# raw figures are printed too.
source "$(dirname "$0")/lib.bash"
[ -f keys-example/server.pem ] || skip "keys-example/server.pem absent"
out=$TMP/load.out
BUILD=$BUILD bench/kbs_flow.sh --threads 64 --flows 10000 >"$out" 2>"$TMP/load.err"
rc=$?
cat "$out"
[ -s "$TMP/load.err" ] && sed 's/^/stderr: /' "$TMP/load.err" | head -20
[ $rc = 0 ] || fail "load run failed (rc $rc)"
val() { awk -v k="$1" '$1 == k { print $2 }' "$out"; }
errors=$(val errors)
flows=$(val flows)
[ "$flows" = 10000 ] || fail "flows: $flows"
[ "$errors" = 0 ] || fail "$errors of $flows flows failed"
ok "10000 flows, 0 errors, $(val flows_per_s) flows/s, p50 $(val latency_p50_ms) ms, p99 $(val latency_p99_ms) ms"
first=$(val server_rss_kb_excl_sessions_after_1000)
last=$(val server_rss_kb_excl_sessions_after_10000)
echo "server RSS (raw): start $(val server_rss_kb_start) kB, after 1000 flows $(val server_rss_kb_after_1000) kB, after 10000 flows $(val server_rss_kb_after_10000) kB"
echo "server RSS without the session table ($(val server_session_table_kb) kB): after 1000 flows $first kB, after 10000 flows $last kB"
[ -n "$first" ] && [ -n "$last" ] && [ "$first" -gt 0 ] && [ "$last" -gt 0 ] ||
	fail "session table not found in the server's smaps: cannot compare RSS"
awk -v a="$first" -v b="$last" 'BEGIN { d = (b - a) / a; printf "RSS change first -> last thousand: %+.1f %%\n", 100 * d; exit !(d <= 0.10 && d >= -0.10) }' ||
	fail "server RSS changed by more than 10 % between the first and the last thousand flows"
ok "server RSS stable within 10 %"
