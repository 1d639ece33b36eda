#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Boot to root in QEMU (the harness of tests/qemu/: TCG, same kernel, rootfs, LUKS2 image,
# user networking with restrict=on and one guestfwd to 127.0.0.1):
#  (a) key file baked into the initramfs (scenario `keyfile`, no network)
#  (b) tdx-unlock, service method, simulator + tdx-keyserver on 127.0.0.1 (scenario `tdx_unlock`)
#  (c) clevis-dracut + tang: tangd on 127.0.0.1 behind socat, the disk bound with
#      `clevis luks bind ... tang '{"url":"http://10.0.2.100:8443"}'`, an initramfs with
#      dracut's clevis modules, rd.neednet=1 ip=dhcp (tests/qemu/bench_clevis.sh)
# Each BOOT_RUNS times (default 3: a boot costs 30-50 s under TCG), interleaved a b c a b c ...
# so that load drift hits all three alike. Prints the "to marker" time of every boot (QEMU
# start to BOOT-OK on the console), the medians, the overheads of (b) and (c) over (a) and the
# initramfs bytes each adds over (a).
#  (n) with BOOT_VARIANTS containing n: the key file of (a) in the network initramfs of (c)
#      (systemd-networkd, rd.neednet=1 ip=dhcp, systemd.wants=network-online.target), the
#      unlock not waiting for the network: what the network stack alone costs the boot.
# Needs root (the harness). Exit 0, 1 (a boot failed), 77 (the harness cannot run here).
# Environment: BOOT_RUNS (3), BOOT_VARIANTS ("a b c"; any of a b c n, in boot order),
# BOOT_TIMELINE=1 (time stamps on the console and a phase table per variant from
# bench/boot-timeline.sh; the extra console output slows every boot a little), BUILD
# (default build; bench/run.sh exports build-bench), the harness's knobs (TDX_QEMU_WORK,
# TDX_QEMU_BOOT_TIMEOUT, TDX_QEMU_APPEND).
set -u
cd "$(dirname "$0")/.."
RUNS=${BOOT_RUNS:-3}
VARIANTS=" ${BOOT_VARIANTS:-a b c} "
export BUILD=${BUILD:-build}
[ "${BOOT_TIMELINE:-0}" = 1 ] && TDX_QEMU_APPEND="$(bench/boot-timeline.sh --append) ${TDX_QEMU_APPEND:-}" && export TDX_QEMU_APPEND
want() { [[ $VARIANTS == *" $1 "* ]]; }
source bench/lib.sh || exit 1
source tests/qemu/harness.sh || exit 1
source tests/qemu/scenarios.sh || exit 1
source tests/qemu/bench_clevis.sh || exit 1
trap h_cleanup EXIT
trap 'exit 130' INT TERM

h_prereqs || exit 77
h_build >&2 || { echo "FAIL: harness build (messages above)"; exit 1; }

# ---- (a) keyfile initramfs (the scenario's image)
h_initrd keyfile "$H_MODS_BASE" "" \
	--include "$W/disk/keyfile" "/etc/cryptsetup-keys.d/luks-$LUKS_UUID.key" || exit 1
A_INITRD=$INITRD

# ---- (n) the same key file in a network initramfs (no unlock waits for the network)
N_OK=0
if want n; then
	h_initrd bench-netonly "$H_MODS_NET" "" \
		--include "$W/disk/keyfile" "/etc/cryptsetup-keys.d/luks-$LUKS_UUID.key" || exit 1
	N_INITRD=$INITRD N_OK=1
fi

# ---- (b) tdx-unlock: binaries, bound disk, initramfs, one key server for the series
B_OK=1
if ! want b; then
	B_OK=0
elif ! make -s BUILD="$BUILD" "$BUILD/tdx-unlock" "$BUILD/tdx-keyserver" "$BUILD/tdx-sim" >/dev/null 2>&1; then
	echo "SKIP: (b) tdx-unlock: make $BUILD/tdx-unlock tdx-keyserver tdx-sim failed"; B_OK=0
elif ! msg=$(sc_need client server sim); then
	echo "SKIP: (b) ${msg#SKIP: }"; B_OK=0
else
	# sc_bound_disk rebinds a copy of root.img when the client is newer than bound.img, but
	# `tdx-unlock bind --secret-out` refuses to overwrite the resource of the image being
	# replaced: drop that stale resource first (same condition as sc_bound_disk's).
	[ -f "$W/disk/bound.img" ] && [ "$W/disk/bound.img" -nt "$W/disk/root.img" ] &&
		[ "$W/disk/bound.img" -nt "$H_BUILD/tdx-unlock" ] || rm -f "$W/ks/resources/default/luks/root"
fi
if [ $B_OK = 1 ] && ! { sc_tdx_prepare bench-tdx service allow server >&2 && h_keyserver_start "$KS_DIR" "$KS_PORT"; }; then
	echo "FAIL: (b) tdx-unlock setup (messages above)"; exit 1
fi
[ $B_OK = 1 ] && B_INITRD=$INITRD B_IMG=$BOUND_IMG B_PORT=$KS_PORT B_KSDIR=$KS_DIR

# ---- (c) clevis + tang
C_OK=1
if ! want c; then
	C_OK=0
elif ! bc_deps; then
	echo "SKIP: (c) clevis+tang: Debian packages $BC_PKGS cannot be installed"; C_OK=0
elif ! bc_tang_start || ! bc_clevis_disk || ! bc_clevis_initrd; then
	echo "SKIP: (c) clevis+tang: setup failed (see messages above, $BC_DIR)"; C_OK=0
fi
[ $C_OK = 1 ] && C_INITRD=$INITRD C_IMG=$CLEVIS_IMG C_PORT=$TANG_PORT

# released / recovered counts: each boot of (b)/(c) must have gone through its server
ks_released() { grep -ac '"decision":"release"' "$B_KSDIR/audit.log" 2>/dev/null; }
tang_recs() { grep -ac 'POST /rec/.* => 200' "$BC_DIR/socat.log" 2>/dev/null; }

fails=0
declare -A T=() P=() # T[variant] = "wall wall ..."; P[variant round] = wall
# one_boot V RUN INITRD DISK APPEND PORT CHECK: appends the to-marker time to T[V]
one_boot() {
	local v=$1 run=$2 initrd=$3 disk=$4 append=$5 port=$6 check=$7 before after ok=1
	before=$($check)
	h_boot "$run" "$initrd" "$disk" "$append" "$port"
	after=$($check)
	[ "$BOOT_RESULT" = boot-ok ] && grep -aq 'BOOT-OK root=/dev/mapper/luks-' "$BOOT_LOG" || ok=0
	[ "$check" = true ] || [ "${after:-0}" -gt "${before:-0}" ] || ok=0
	if [ $ok = 1 ]; then
		T[$v]="${T[$v]:-} $BOOT_WALL"
		P[$v$i]=$BOOT_WALL
		printf '  run %d  (%s)  %-14s to marker %5s s\n' "$i" "$v" "$run" "$BOOT_WALL"
	else
		fails=$((fails + 1))
		printf '  run %d  (%s)  %-14s FAILED: %s after %s s (server count %s -> %s), console %s\n' \
			"$i" "$v" "$run" "$BOOT_RESULT" "$BOOT_WALL" "$before" "$after" "$BOOT_LOG"
	fi
}

echo "boot to root (TCG, BOOT_RUNS=$RUNS each, interleaved; load before: $(cut -d' ' -f1-3 /proc/loadavg))"
for i in $(seq "$RUNS"); do
	for v in $VARIANTS; do
		case $v in
		a) one_boot a bench-keyfile$i "$A_INITRD" "$W/disk/root.img" "$(h_append)" "" true ;;
		b) [ $B_OK = 1 ] && one_boot b bench-tdx$i "$B_INITRD" "$B_IMG" "$(sc_tdx_append)" "$B_PORT" ks_released ;;
		c) [ $C_OK = 1 ] && one_boot c bench-clevis$i "$C_INITRD" "$C_IMG" "$(h_append rd.neednet=1 ip=dhcp)" "$C_PORT" tang_recs ;;
		n) [ $N_OK = 1 ] && one_boot n bench-netonly$i "$N_INITRD" "$W/disk/root.img" \
			"$(h_append rd.neednet=1 ip=dhcp systemd.wants=network-online.target)" "" true ;;
		esac
	done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
h_cleanup

size() { stat -c %s "$1"; }
ma=$(echo "${T[a]:-}" | median) mb=$(echo "${T[b]:-}" | median) mc=$(echo "${T[c]:-}" | median)
mn=$(echo "${T[n]:-}" | median)
sa=$(size "$A_INITRD")
echo
want a && printf '(a) keyfile in the initramfs   median %6s s  (runs:%s)  initramfs %d B\n' "${ma:--}" "${T[a]:-}" "$sa"
if [ $N_OK = 1 ]; then
	printf '(n) keyfile + network only     median %6s s  (runs:%s)  initramfs %d B (+%d B over (a))\n' \
		"${mn:--}" "${T[n]:-}" "$(size "$N_INITRD")" $(( $(size "$N_INITRD") - sa ))
fi
if [ $B_OK = 1 ]; then
	printf '(b) tdx-unlock + simulator     median %6s s  (runs:%s)  initramfs %d B (+%d B over (a))\n' \
		"${mb:--}" "${T[b]:-}" "$(size "$B_INITRD")" $(( $(size "$B_INITRD") - sa ))
fi
if [ $C_OK = 1 ]; then
	printf '(c) clevis-dracut + tang       median %6s s  (runs:%s)  initramfs %d B (+%d B over (a))\n' \
		"${mc:--}" "${T[c]:-}" "$(size "$C_INITRD")" $(( $(size "$C_INITRD") - sa ))
elif want c; then
	echo "SKIP: (c) clevis-dracut + tang: no figure (see the SKIP line above)"
fi
# The goal's verdict uses the paired estimate: the variants boot interleaved, so a round's
# boots share the host's load, and single TCG boots swing by seconds; the difference of the
# unpaired medians is printed too.
paired() { # $1 = variant: "d1 d2 ..." over the rounds where it and (a) both booted
	for r in $(seq "$RUNS"); do
		[ -n "${P[a$r]:-}" ] && [ -n "${P[$1$r]:-}" ] && awk -v x="${P[$1$r]}" -v a="${P[a$r]}" 'BEGIN { printf " %+.1f", x - a }'
	done
}
[ -n "$ma" ] && [ -n "$mb" ] && awk -v a="$ma" -v b="$mb" 'BEGIN { printf "(b) - (a), medians: %+.1f s\n", b - a }'
if [ -n "$ma" ] && [ -n "$mb" ]; then
	d=$(paired b) md=$(echo "$d" | tr -d '+' | median)
	awk -v d="$d" -v m="$md" 'BEGIN {
		printf "(b) - (a), paired per round:%s -> median %+.1f s (goal <= +1 s: %s)\n", d, m, (m <= 1) ? "met" : "NOT met" }'
fi
[ -n "$ma" ] && [ -n "$mc" ] && awk -v a="$ma" -v c="$mc" 'BEGIN { printf "(c) - (a): %+.1f s\n", c - a }'
[ -n "$ma" ] && [ -n "$mn" ] && awk -v a="$ma" -v n="$mn" 'BEGIN { printf "(n) - (a): %+.1f s\n", n - a }'
[ -n "$mb" ] && [ -n "$mc" ] && awk -v b="$mb" -v c="$mc" 'BEGIN {
	printf "(b) vs (c): %.1f s vs %.1f s (goal (b) faster: %s)\n", b, c, (b < c) ? "met" : "NOT met" }'
echo "(medians of $RUNS boots under TCG on a shared 2-core host: differences below ~2 s are within the noise;"
echo " BOOT_RUNS=N for more)"
if [ "${BOOT_TIMELINE:-0}" = 1 ]; then
	echo
	tl=()
	for v in $VARIANTS; do
		case $v in a) r=bench-keyfile ;; b) r=bench-tdx ;; c) r=bench-clevis ;; n) r=bench-netonly ;; esac
		logs=$(for i in $(seq "$RUNS"); do [ -f "$W/runs/$r$i/serial.log" ] && echo "$W/runs/$r$i/serial.log"; done |
			tr '\n' , | sed 's/,$//')
		[ -n "$logs" ] && tl+=("($v)=$logs")
	done
	bench/boot-timeline.sh "${tl[@]}"
fi
[ $fails = 0 ]
