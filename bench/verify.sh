#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# DCAP verify throughput, one thread, repeat platform (dcapqvl_v4_uptodate, collateral cached),
# against the bound of one OpenSSL ECDSA-P256 verify, with mbedTLS's rate for comparison.
# Usage: bench/verify.sh [SECONDS]   (builds into build-bench/ unless BUILD is set)
set -eu
cd "$(dirname "$0")/.."
secs=${1:-3}
BUILD=${BUILD:-build-bench}
CC=${CC:-cc}
TD=${TDX_TESTDATA:-$(cd .. && pwd)/shared/testdata/tdx}
case_dir=$TD/dcapqvl_v4_uptodate
[ -d "$case_dir" ] || { echo "bench/verify.sh: $case_dir absent"; exit 77; }
make -s BUILD="$BUILD" "$BUILD/libverify.a" "$BUILD/libtdx.a" "$BUILD/libcommon.a" >/dev/null
flags="-std=c11 -D_GNU_SOURCE -O2 -Isrc"
$CC $flags -o "$BUILD/verify_bench" bench/verify_bench.c \
	"$BUILD/libverify.a" "$BUILD/libtdx.a" "$BUILD/libcommon.a" -lcrypto -ljson-c -lpthread
$CC $flags -o "$BUILD/ecdsa_mbedtls_bench" bench/ecdsa_mbedtls_bench.c -lmbedcrypto
out=$("$BUILD/verify_bench" "$case_dir/quote.bin" "$case_dir/collateral" 2025-07-19T10:00:34Z "$secs")
mb=$("$BUILD/ecdsa_mbedtls_bench" "$secs")
v=$(echo "$out" | awk '/^dcap_verify_per_s/ {print $2}')
o=$(echo "$out" | awk '/^openssl_ecdsa_p256_verify_per_s/ {print $2}')
m=$(echo "$mb" | awk '{print $2}')
echo "DCAP verify, repeat platform, 1 thread: $v /s"
echo "bound, OpenSSL ECDSA-P256 verify:       $o /s"
echo "mbedTLS ECDSA-P256 verify:              $m /s"
# The same repeat-platform verification from a collateral store holding 1 platform and one
# holding 100 (simulator PKI, every set loaded before timing): lookups are in memory.
make -s BUILD="$BUILD" "$BUILD/tdx-sim" >/dev/null
pki=$(mktemp -d /tmp/verify-bench-pki.XXXXXX)
trap 'rm -rf "$pki" /tmp/verify-bench-1.* /tmp/verify-bench-n.*' EXIT
"$BUILD/tdx-sim" pki "$pki" --platforms 100 >/dev/null
rd=$(printf '0%.0s' $(seq 128))
for i in $(seq 0 99); do
	"$BUILD/tdx-sim" quote --pki "$pki" --platform "$i" --report-data "$rd" -o "$pki/q$i.bin"
done
st=$("$BUILD/verify_bench" --store "$pki" 100 "$secs")
s1=$(echo "$st" | awk '/^store_1_verify_per_s/ {print $2}')
s100=$(echo "$st" | awk '/^store_100_verify_per_s/ {print $2}')
d1=$(echo "$st" | awk '/^dir_verify_per_s/ {print $2}')
echo "one directory (--collateral), same quote: $d1 /s"
echo "store, 1 FMSPC, repeat platform:        $s1 /s"
echo "store, 100 FMSPCs, repeat platform:     $s100 /s"
awk -v v="$v" -v o="$o" -v m="$m" -v a="$s1" -v b="$s100" -v d="$d1" 'BEGIN {
	printf "ratio store 100 FMSPCs / 1 FMSPC: %.3f (goal >= 0.90)\n", b / a
	printf "ratio store 100 FMSPCs / one directory: %.3f (goal >= 0.90)\n", b / d
	printf "ratio verify / OpenSSL bound: %.2f (goal >= 0.50)\n", v / o
	printf "ratio OpenSSL / mbedTLS ECDSA: %.1fx\n", o / m
	printf "ratio verify / target 10000/s: %.2f\n", v / 10000 }'
