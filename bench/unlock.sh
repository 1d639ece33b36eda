#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Unlock latency on small LUKS2 image files (no device-mapper: every variant checks the key
# without activating), all in one run, each repeated UNLOCK_RUNS times (default 7):
#  (a) tdx-unlock unlock IMAGE --test: token -> quote from the simulator (FUSE configfs-tsm)
#      -> attestation + secret from tdx-keyserver on 127.0.0.1 over TLS -> keyslot checked
#      (PBKDF2-SHA512, 1000 iterations, as bind writes it);
#  (b) clevis + tang on 127.0.0.1 (Debian's clevis, clevis-luks, tang; tangd behind socat):
#      clevis luks pass -d IMAGE -s SLOT | cryptsetup open --test-passphrase --key-slot SLOT
#      IMAGE --key-file -   (clevis's own keyslot: PBKDF2, 1000 iterations; clevis luks pass
#      itself checks the passphrase with cryptsetup open --test-passphrase WITHOUT --key-slot,
#      so the Argon2id keyslot 0 is tried first, as cryptsetup open -d- in clevis luks unlock);
#  (b2) clevis's read-slot + clevis decrypt with that check skipped (its own shell function
#      clevis_luks_unlock_device_by_slot DEV SLOT YES) | the same cryptsetup: clevis's best case;
#  (c) the Argon2id passphrase keyslot luksFormat writes with cryptsetup's defaults:
#      cryptsetup open --test-passphrase --key-slot 0 IMAGE --key-file PASSFILE;
#  (f) the floor (a) and (b) share: cryptsetup checking the same kind of PBKDF2 keyslot and the
#      volume-key digest with the key already in hand.
# Prints "key value" lines (medians in ms, ratios) and a summary; "SKIP: ..." lines (exit 0)
# for a variant whose prerequisite is missing. Installs clevis/clevis-luks/tang/socat with
# apt-get when root and they are absent (NO_INSTALL=1 to never install).
# Environment: BUILD (default build-bench), UNLOCK_RUNS (7), KEEP_DIR (keep the work dir),
# UNLOCK_VERBOSE=1 (one tdx-unlock -v run's log on stderr), UNLOCK_FORMAT_ARGS (extra
# luksFormat options instead of cryptsetup's defaults, e.g. a forced KDF cost, which also
# gives the volume-key digest the minimum 1000 iterations instead of a 125 ms benchmark).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
RUNS=${UNLOCK_RUNS:-7}
KE=$PWD/keys-example
case $RUNS in '' | *[!0-9]* | 0) echo "unlock.sh: UNLOCK_RUNS must be a positive integer" >&2; exit 2 ;; esac

skip_all() { echo "SKIP: unlock bench: $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip_all "needs root (LUKS formatting of image files)"
command -v cryptsetup >/dev/null || skip_all "cryptsetup absent (apt-get install cryptsetup-bin)"
make -s BUILD="$BUILD" "$BUILD/tdx-unlock" "$BUILD/tdx-keyserver" "$BUILD/tdx-sim" >/dev/null

# clevis + tang from Debian, installed here when missing (the only bench that needs them).
have_clevis() {
	command -v clevis >/dev/null && command -v clevis-luks-pass >/dev/null && command -v socat >/dev/null &&
		[ -x /usr/libexec/tangd ] && [ -x /usr/libexec/tangd-keygen ]
}
if ! have_clevis && [ -z "${NO_INSTALL:-}" ] && command -v apt-get >/dev/null; then
	echo "installing clevis clevis-luks tang socat (apt-get)" >&2
	export DEBIAN_FRONTEND=noninteractive
	{ timeout 300 apt-get install -y -qq --no-install-recommends clevis clevis-luks tang socat ||
		{ timeout 300 apt-get update -qq && timeout 300 apt-get install -y -qq --no-install-recommends \
			clevis clevis-luks tang socat; }; } >/dev/null 2>&1 || true
fi

dir=$(mktemp -d /tmp/unlock-bench.XXXXXX)
pids=()
mnt=
# shellcheck disable=SC2317 # called through the EXIT trap
cleanup() {
	if [ -n "$mnt" ] && mountpoint -q "$mnt" 2>/dev/null; then
		fusermount3 -u "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null || true
	fi
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	[ -n "${KEEP_DIR:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for TRIES CMD...: bounded wait, 50 ms steps.
wait_for() {
	local tries=$1
	shift
	for _ in $(seq "$tries"); do "$@" 2>/dev/null && return 0; sleep 0.05; done
	return 1
}
now_ns() { date +%s%N; }
# median of the numbers on stdin (ns) printed in ms with 1 decimal
median_ms() { sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f\n", m / 1e6 }'; }
range_ms() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.1f-%.1f\n", lo / 1e6, hi / 1e6 }'; }
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The same image for every variant: one 32 MiB file, LUKS2, cryptsetup's defaults (keyslot 0 =
# Argon2id passphrase; the volume-key digest PBKDF2-SHA256 with the iteration count luksFormat
# benchmarks for 125 ms), copied so that (a) and (b) share the volume key and the digest.
PASS=$dir/pass
printf 'correct horse battery staple' >"$PASS"
truncate -s 32M "$dir/a.img"
# shellcheck disable=SC2086 # UNLOCK_FORMAT_ARGS: extra luksFormat options, word-split on purpose
cryptsetup luksFormat -q --type luks2 ${UNLOCK_FORMAT_ARGS:-} "$dir/a.img" "$PASS"
cp "$dir/a.img" "$dir/b.img"
cryptsetup luksDump "$dir/a.img" >"$dir/dump"
kdf=$(awk '/^Keyslots:/ { k = 1 } k && /PBKDF:/ { print $2; exit }' "$dir/dump")
mem=$(awk '/^Keyslots:/ { k = 1 } k && /Memory:/ { print $2; exit }' "$dir/dump")
tcost=$(awk '/^Keyslots:/ { k = 1 } k && /Time cost:/ { print $3; exit }' "$dir/dump")
diter=$(awk '/^Digests:/ { d = 1 } d && /Iterations:/ { print $2; exit }' "$dir/dump")
echo "image 32 MiB LUKS2, cryptsetup $(cryptsetup --version | awk '{ print $2 }') ${UNLOCK_FORMAT_ARGS:-defaults}: keyslot 0 $kdf (memory ${mem:-?} KiB, time cost ${tcost:-?}); volume-key digest PBKDF2-SHA256 ${diter:-?} iterations"

# ---- (a) setup: simulator (FUSE), key server on 127.0.0.1, bind ------------------------------
a_ok=1
if [ ! -e /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	echo "SKIP: (a) tdx-unlock: FUSE unavailable (/dev/fuse, fusermount3) for the simulator"
	a_ok=
fi
if [ -n "$a_ok" ]; then
	"$BUILD/tdx-sim" pki "$dir/pki" >/dev/null
	mkdir -p "$dir/tsm"
	"$BUILD/tdx-sim" mount "$dir/tsm" --pki "$dir/pki" -f 2>"$dir/sim.log" &
	pids+=($!)
	mnt=$dir/tsm
	wait_for 100 mountpoint -q "$dir/tsm" || { echo "unlock.sh: simulator did not mount: $(cat "$dir/sim.log")" >&2; exit 1; }
	"$BUILD/tdx-sim" quote --pki "$dir/pki" --report-data "$(printf '0%.0s' {1..128})" -o "$dir/q.bin"
	"$BUILD/tdx-keyserver" policy-from-quote --resource default/luks/bench "$dir/q.bin" >"$dir/policy.json"
	mkdir -p "$dir/res/default/luks"
	cat >"$dir/ks.json" <<-EOF
	{"listen":"127.0.0.1:0","tls_cert":"$KE/server.pem","tls_key":"$KE/server.key",
	 "resources_dir":"$dir/res","policy_file":"$dir/policy.json","collateral_dir":"$dir/pki/collateral",
	 "trust_anchor":"$dir/pki/collateral/root_ca.pem","audit_log":"$dir/ks.audit"}
	EOF
	"$BUILD/tdx-keyserver" serve --config "$dir/ks.json" 2>"$dir/ks.log" &
	pids+=($!)
	wait_for 100 grep -q "listening on" "$dir/ks.log" || { echo "unlock.sh: key server did not start: $(cat "$dir/ks.log")" >&2; exit 1; }
	port=$(sed -n 's|.*listening on https://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$dir/ks.log")
	# The measured configuration pins URL and CA (as in a TD); no kernel command line options.
	export TDX_UNLOCK_CMDLINE=$dir/cmdline TDX_UNLOCK_CONFIG=$dir/tdx-unlock.conf
	: >"$TDX_UNLOCK_CMDLINE"
	printf 'url = https://127.0.0.1:%s\nca = %s\n' "$port" "$KE/ca.pem" >"$TDX_UNLOCK_CONFIG"
	"$BUILD/tdx-unlock" bind "$dir/a.img" --url "https://127.0.0.1:$port" --resource default/luks/bench \
		--ca "$KE/ca.pem" --key-file "$PASS" --secret-out "$dir/secret" 2>"$dir/bind.err" ||
		{ echo "unlock.sh: tdx-unlock bind: $(cat "$dir/bind.err")" >&2; exit 1; }
	cp "$dir/secret" "$dir/res/default/luks/bench"
	chmod 600 "$dir/res/default/luks/bench"
	a_cmd=("$BUILD/tdx-unlock" unlock "$dir/a.img" --test --tsm-dir "$dir/tsm")
	"${a_cmd[@]}" 2>"$dir/a.err" || { echo "unlock.sh: (a) warm-up: $(cat "$dir/a.err")" >&2; exit 1; }
	grep -q 'key checked with keyslot 1' "$dir/a.err" || { echo "unlock.sh: (a) unexpected: $(cat "$dir/a.err")" >&2; exit 1; }
fi

# ---- (b) setup: tangd on 127.0.0.1 behind socat, clevis luks bind -----------------------------
b_ok=1
b2_ok=
if ! have_clevis; then
	echo "SKIP: (b) clevis+tang: clevis, clevis-luks, tang or socat absent (apt-get install clevis clevis-luks tang socat)"
	b_ok=
fi
if [ -n "$b_ok" ]; then
	mkdir -p "$dir/tang"
	/usr/libexec/tangd-keygen "$dir/tang" >/dev/null
	tport=
	for _ in 1 2 3; do # a port taken between free_port and socat's bind: try another
		p=$(free_port)
		socat TCP-LISTEN:"$p",bind=127.0.0.1,reuseaddr,fork EXEC:"/usr/libexec/tangd $dir/tang" 2>"$dir/socat.log" &
		spid=$!
		if wait_for 100 curl -sf -o /dev/null "http://127.0.0.1:$p/adv"; then
			pids+=("$spid")
			tport=$p
			break
		fi
		kill "$spid" 2>/dev/null || true
		wait "$spid" 2>/dev/null || true
	done
	[ -n "$tport" ] || { echo "unlock.sh: tangd behind socat did not answer: $(cat "$dir/socat.log")" >&2; exit 1; }
	clevis luks bind -y -d "$dir/b.img" -k "$PASS" tang "{\"url\":\"http://127.0.0.1:$tport\"}" \
		>"$dir/clevis-bind.log" 2>&1 || { echo "unlock.sh: clevis luks bind: $(cat "$dir/clevis-bind.log")" >&2; exit 1; }
	bslot=$(clevis luks list -d "$dir/b.img" | awk -F: '/tang/ { print $1; exit }')
	[ -n "$bslot" ] || { echo "unlock.sh: clevis luks list shows no tang slot" >&2; exit 1; }
	b_once() {
		clevis luks pass -d "$dir/b.img" -s "$bslot" |
			cryptsetup open --test-passphrase --key-slot "$bslot" "$dir/b.img" --key-file -
	}
	b_once || { echo "unlock.sh: (b) warm-up: clevis luks pass | cryptsetup open --test-passphrase failed" >&2; exit 1; }
	# (b2) clevis without the check of clevis luks pass (which runs cryptsetup open
	# --test-passphrase without --key-slot, so the Argon2id keyslot 0 is tried first): clevis's
	# own read-slot + clevis decrypt function with its check skipped, as clevis luks unlock uses it.
	CLF=/usr/bin/clevis-luks-common-functions
	b2_once() {
		# shellcheck disable=SC1090
		(. "$CLF" && clevis_luks_unlock_device_by_slot "$dir/b.img" "$bslot" YES) |
			cryptsetup open --test-passphrase --key-slot "$bslot" "$dir/b.img" --key-file -
	}
	b2_ok=1
	# shellcheck disable=SC1090
	if ! [ -r "$CLF" ] || ! (. "$CLF" && declare -F clevis_luks_unlock_device_by_slot >/dev/null) || ! b2_once; then
		echo "SKIP: (b2) clevis decrypt without the any-slot check: $CLF lacks clevis_luks_unlock_device_by_slot"
		b2_ok=
	fi
fi

c_once() { cryptsetup open --test-passphrase --key-slot 0 "$dir/a.img" --key-file "$PASS"; }
# (f) the floor (a) and (b) share: cryptsetup checking a PBKDF2-1000 keyslot + the volume-key
# digest with the key already in hand (= the second half of (b); (a) does it in-process).
f_once() { cryptsetup open --test-passphrase --key-slot 1 "$dir/a.img" --key-file "$dir/secret"; }
[ -z "$a_ok" ] || f_once || { echo "unlock.sh: (f) the bind secret does not open keyslot 1" >&2; exit 1; }
c_once || { echo "unlock.sh: (c) passphrase does not open keyslot 0" >&2; exit 1; }

# ---- timed runs, interleaved (a, b, c, a, b, c, ...) so that machine load hits all alike ------
: >"$dir/a.ns"
: >"$dir/b.ns"
: >"$dir/c.ns"
: >"$dir/f.ns"
: >"$dir/b2.ns"
for _ in $(seq "$RUNS"); do
	if [ -n "$a_ok" ]; then
		t=$(now_ns)
		"${a_cmd[@]}" 2>"$dir/a.err" || { echo "unlock.sh: (a): $(cat "$dir/a.err")" >&2; exit 1; }
		echo $(($(now_ns) - t)) >>"$dir/a.ns"
	fi
	if [ -n "$b_ok" ]; then
		t=$(now_ns)
		b_once || { echo "unlock.sh: (b) failed" >&2; exit 1; }
		echo $(($(now_ns) - t)) >>"$dir/b.ns"
	fi
	if [ -n "$b2_ok" ]; then
		t=$(now_ns)
		b2_once || { echo "unlock.sh: (b2) failed" >&2; exit 1; }
		echo $(($(now_ns) - t)) >>"$dir/b2.ns"
	fi
	t=$(now_ns)
	c_once || { echo "unlock.sh: (c) failed" >&2; exit 1; }
	echo $(($(now_ns) - t)) >>"$dir/c.ns"
	if [ -n "$a_ok" ]; then
		t=$(now_ns)
		f_once || { echo "unlock.sh: (f) failed" >&2; exit 1; }
		echo $(($(now_ns) - t)) >>"$dir/f.ns"
	fi
done

echo "runs $RUNS"
a_ms=''
b_ms=''
if [ -n "$a_ok" ]; then
	a_ms=$(median_ms <"$dir/a.ns")
	echo "a_tdx_unlock_ms $a_ms (range $(range_ms <"$dir/a.ns"))"
fi
if [ -n "$b_ok" ]; then
	b_ms=$(median_ms <"$dir/b.ns")
	echo "b_clevis_tang_ms $b_ms (range $(range_ms <"$dir/b.ns"))"
fi
b2_ms=
if [ -n "$b2_ok" ]; then
	b2_ms=$(median_ms <"$dir/b2.ns")
	echo "b2_clevis_own_slot_only_ms $b2_ms (range $(range_ms <"$dir/b2.ns"); clevis decrypt via tang, no Argon2id attempt)"
fi
c_ms=$(median_ms <"$dir/c.ns")
echo "c_argon2id_ms $c_ms (range $(range_ms <"$dir/c.ns"))"
if [ -n "$a_ok" ]; then
	f_ms=$(median_ms <"$dir/f.ns")
	echo "f_keyslot_floor_ms $f_ms (range $(range_ms <"$dir/f.ns"); cryptsetup with the key in hand: PBKDF2-1000 keyslot + ${diter:-?}-iteration digest)"
fi
if [ -n "$a_ok" ]; then
	if [ -n "$b_ok" ]; then
		awk -v a="$a_ms" -v b="$b_ms" -v f="$f_ms" 'BEGIN {
			printf "(b)/(a) clevis+tang / tdx-unlock: %.1f ms / %.1f ms = %.1fx (goal >= 20x: %s)\n", b, a, b / a, (b / a >= 20) ? "met" : "NOT met"
			if (a > f) printf "(b-f)/(a-f) above the shared keyslot floor: %.1f ms / %.1f ms = %.1fx\n", b - f, a - f, (b - f) / (a - f)
			# (f) is the part of every key-checking unlock that no client can avoid, so (b)/(f)
			# bounds the ratio any implementation could reach on this image.
			if (f > 0) printf "(b)/(f) bound for any unlock that checks the key on this image: %.1fx (20x needs (f) <= %.1f ms)\n", b / f, b / 20 }'
		[ -z "$b2_ms" ] || awk -v a="$a_ms" -v b="$b2_ms" 'BEGIN { printf "(b2)/(a) clevis own slot only / tdx-unlock: %.1f ms / %.1f ms = %.1fx\n", b, a, b / a }'
	else
		echo "SKIP: (b)/(a) ratio: no clevis+tang figure"
	fi
	awk -v a="$a_ms" -v c="$c_ms" 'BEGIN { printf "(c)/(a) Argon2id passphrase / tdx-unlock: %.1f ms / %.1f ms = %.1fx\n", c, a, c / a }'
else
	echo "SKIP: ratios against (a): no tdx-unlock figure"
fi
if [ -n "$a_ok" ] && [ -n "${UNLOCK_VERBOSE:-}" ]; then
	echo "--- one tdx-unlock -v run (stderr) ---" >&2
	"$BUILD/tdx-unlock" -v unlock "$dir/a.img" --test --tsm-dir "$dir/tsm" >&2 || true
fi
exit 0
