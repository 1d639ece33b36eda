#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Boot timeline from QEMU serial consoles: the guest-clock time (kernel time stamps, s since
# the kernel started) of each boot phase, median over the boots of each variant, printed as a
# Markdown table. The consoles need time stamps on systemd's and the services' lines: boot with
#   TDX_QEMU_APPEND="$(bench/boot-timeline.sh --append)"
# (PID 1 and journald log to kmsg; bench/boot.sh does this with BOOT_TIMELINE=1).
# Usage: bench/boot-timeline.sh LABEL=LOG[,LOG...] ...    e.g. a=runs/k1/serial.log,runs/k2/serial.log
# (logs in boot order: after the table, /init to switch-root per boot and, for the 2nd and
# later labels, the paired differences to the first label round by round)
#        bench/boot-timeline.sh --append                   the kernel command line options
set -u
source "$(dirname "$0")/lib.sh" || exit 1
if [ "${1:-}" = --append ]; then
	echo "systemd.log_target=kmsg printk.devkmsg=on systemd.log_level=info" \
		"systemd.journald.forward_to_kmsg=1 systemd.journald.max_level_kmsg=info"
	exit 0
fi
[ $# -gt 0 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

# One "ROW<TAB>seconds" line per phase found in one console (first occurrence; the real
# root's lines come after "Switching root.").
phases() {
	tr -d '\r' <"$1" | sed 's/\x1b\[[0-9;]*m//g' | awk '
	function t() { s = $0; sub(/^\[ */, "", s); sub(/\].*/, "", s); return s + 0 }
	function mark(row) { if (!(row in seen)) { seen[row] = 1; printf "%s\t%.2f\n", row, t() } }
	!/^\[ *[0-9]+\.[0-9]+\]/ { next }
	/Freeing initrd memory/ { mark("01 initramfs unpacked (kernel)") }
	/Run \/init as init process/ { mark("02 /init starts") }
	/Queued start job for default target initrd.target/ { mark("03 initrd transaction queued (generators done)") }
	/Finished dracut-cmdline.service/ { mark("04 dracut-cmdline hooks done") }
	/Finished dracut-pre-udev.service/ { mark("05 dracut-pre-udev hooks done") }
	/Started systemd-udevd.service/ && !root { mark("06 udevd started") }
	/Finished systemd-udev-trigger.service/ && !root { mark("07 udev coldplug trigger done") }
	/Started systemd-networkd.service/ && !root { mark("08 systemd-networkd started") }
	/virtio_blk.*\[vda\]/ && !root { mark("08a virtio disk probed") }
	/virtio_net.*renamed from eth0/ && !root { mark("08b virtio NIC probed (renamed)") }
	/Found device dev-disk-by.x2duuid/ && !root { mark("09 LUKS disk found") }
	/systemd-networkd.*: Gained carrier/ && !/lo: / && !root { mark("10 NIC carrier") }
	/systemd-networkd.*DHCPv4 address/ && !root { mark("11 DHCPv4 lease") }
	/Reached target network-online.target/ && !root { mark("12 network-online.target") }
	/Starting tdx-unlock.service/ && !root { mark("13 tdx-unlock starts") }
	/tdx-unlock.*attempt 1: .*failed/ && !root { mark("14 first try failed (no route yet)") }
	/tdx-unlock.*obtained a .*quote/ && !root { mark("15 quote obtained") }
	/tdx-unlock.*attested; the session is kept/ && !root { mark("15a attested (before the resource)") }
	/tdx-unlock.*released [0-9]+ resource/ && !root { mark("16 secret released") }
	/Starting systemd-cryptsetup@/ && !root { mark("17 systemd-cryptsetup starts") }
	/tdx-unlock.*unlocked with keyslot/ && !root { mark("18 volume unlocked (tdx-unlock)") }
	/Finished systemd-cryptsetup@/ && !root { mark("19 systemd-cryptsetup done") }
	/Reached target cryptsetup.target/ && !root { mark("20 cryptsetup.target") }
	/EXT4-fs \(dm-0\): mounted|Mounted sysroot.mount/ && !root { mark("21 /sysroot mounted") }
	/Switching root\.|systemd-journald.*Received SIGTERM from PID 1/ && !root { mark("22 switch-root"); root = 1 }
	/Starting boot-ok.service/ && root { mark("23 marker unit starts (real root)") }'
}

declare -A V=()          # V[label|row] = "v1 v2 ..."
declare -A R=()          # R[label|row] = the same, minus that boot's /init time
declare -A N=()          # boots per label
labels=() rows=()
for arg in "$@"; do
	label=${arg%%=*} files=${arg#*=}
	labels+=("$label")
	IFS=, read -r -a logs <<<"$files"
	for f in "${logs[@]}"; do
		[ -r "$f" ] || { echo "cannot read $f" >&2; continue; }
		N[$label]=$(( ${N[$label]:-0} + 1 ))
		out=$(phases "$f")
		init=$(echo "$out" | awk -F'\t' '$1 == "02 /init starts" { print $2 }')
		while IFS=$'\t' read -r row s; do
			[ -n "$row" ] || continue
			V["$label|$row"]="${V["$label|$row"]:-} $s"
			[ -n "$init" ] && R["$label|$row"]="${R["$label|$row"]:-} $(awk -v a="$s" -v b="$init" 'BEGIN { printf "%.2f", a - b }')"
			rows+=("$row")
		done <<<"$out"
	done
done

mapfile -t rows < <(printf '%s\n' "${rows[@]}" | sort -u)
printf '| phase (guest clock, s; medians) |'
for l in "${labels[@]}"; do printf ' %s (%s boots) | since /init |' "$l" "${N[$l]:-0}"; done
printf '\n|---|'
for _ in "${labels[@]}"; do printf -- '---|---|'; done
echo
for row in "${rows[@]}"; do
	printf '| %s |' "${row#* }"
	for l in "${labels[@]}"; do
		m=$(echo "${V["$l|$row"]:-}" | median %.2f)
		r=$(echo "${R["$l|$row"]:-}" | median %.2f)
		printf ' %s | %s |' "${m:--}" "${r:--}"
	done
	echo
done

# Per boot, /init to switch-root (the initramfs part without the kernel's own start, which
# varies by +-1.5 s between identical TCG boots), and each label's paired differences to the
# first label's boot of the same round (the variants boot interleaved, so a round shares the
# host's load): single boots swing by seconds, the paired median is the steadier figure.
sr="22 switch-root"
first=${labels[0]}
echo
for l in "${labels[@]}"; do
	printf '/init to switch-root, per boot, %s:%s\n' "$l" "${R["$l|$sr"]:-}"
done
read -r -a base <<<"${R["$first|$sr"]:-}"
for l in "${labels[@]:1}"; do
	read -r -a cur <<<"${R["$l|$sr"]:-}"
	[ ${#cur[@]} = ${#base[@]} ] && [ ${#cur[@]} -gt 0 ] || continue
	d=$(for i in "${!cur[@]}"; do awk -v x="${cur[i]}" -v y="${base[i]}" 'BEGIN { printf "%+.2f ", x - y }'; done)
	printf '%s - %s, paired per round: %s-> median %+.2f s\n' "$l" "$first" "$d" "$(echo "$d" | tr -d + | median %.2f)"
done
