#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# QEMU boot-test harness for tdx-unlock: everything a boot test needs, built from Debian
# packages into ONE cached work directory, and a bounded QEMU (TCG) boot with the serial
# console captured to a file.
#
# Sourced by tests/qemu/run.sh (scenarios) or run directly:
#   tests/qemu/harness.sh deps|build|shell-vars|clean
#
# Work directory (git-ignored): $TDX_QEMU_WORK, default tests/qemu/work/
#   kernel/         extracted linux-image-6.12.*-amd64-unsigned (.deb, nothing installed)
#   rootfs/         debootstrap minbase + boot-ok.service (prints BOOT-OK, powers off)
#   disk/           root.img (LUKS2: slot 0 passphrase, slot 1 key file), ids, secrets
#   dracut/         private copy of /usr/lib/dracut + the project's modules
#   initrd/NAME.img initramfs images, rebuilt only when their inputs change
#   pki/            server certificates (test CA, rogue CA) and the simulator PKI
#   runs/NAME/      per-boot logs: serial.log, qemu.err, keyserver.log
#
# Nothing here needs the network except apt-get/debootstrap (Debian archive). QEMU uses
# user networking with restrict=on and exactly one guestfwd to one 127.0.0.1 port.
# shellcheck disable=SC2034  # H_*, INITRD, BOOT_* are for run.sh and scenarios.sh, which source this
set -u
set -o pipefail

H_QDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
H_ROOT=$(cd "$H_QDIR/../.." && pwd)
W=${TDX_QEMU_WORK:-$H_QDIR/work}
BUILD=${BUILD:-build}
case $BUILD in /*) H_BUILD=$BUILD ;; *) H_BUILD=$H_ROOT/$BUILD ;; esac
H_BOOT_TIMEOUT=${TDX_QEMU_BOOT_TIMEOUT:-120}   # hard limit per boot (s), scenarios may raise it
H_GUEST_IP=10.0.2.100                          # the key server as the guest sees it
H_GUEST_PORT=8443
H_PIDS=()                                      # processes we started, killed by PID on exit

h_log() { printf '[harness %5ss] %s\n' "$SECONDS" "$*" >&2; }
h_die() { h_log "ERROR: $*"; return 1; }

# Is PID still running? (our children stay as zombies until reaped: those count as gone)
h_alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$st" ] && [ "$st" != Z ]
}
# h_stop PID [GRACE]: SIGTERM, up to GRACE s (default 5) to exit, then SIGKILL; reaps it.
h_stop() {
	local i
	kill "$1" 2>/dev/null
	for i in $(seq $((${2:-5} * 10))); do h_alive "$1" || break; sleep 0.1; done
	h_alive "$1" && kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}
# Kills what we started (by PID only) — called from the EXIT trap and after every boot.
h_cleanup() {
	local p
	for p in "${H_PIDS[@]}"; do h_stop "$p"; done
	H_PIDS=()
}
h_forget_pid() { local p n=(); for p in "${H_PIDS[@]}"; do [ "$p" = "$1" ] || n+=("$p"); done; H_PIDS=("${n[@]}"); }

# ---------------------------------------------------------------------------- packages
# dracut-core and dracut-network: dracut's tools and modules, which live beside Debian's
# initramfs-tools. Not the "dracut" package: it only adds the kernel hooks and conflicts with
# initramfs-tools, the initramfs generator of a Debian workstation.
H_PKGS="dracut-core dracut-network cryptsetup qemu-system-x86 qemu-utils debootstrap socat zstd fuse3 openssl"

# h_install_pkgs LOG PKG...: installs the missing packages with apt-get (apt-get update only
# when the package lists are stale); quick and offline when everything is present. Never
# removes initramfs-tools by surprise (clevis-dracut needs the "dracut" package): returns 2
# with a SKIP line unless TDX_QEMU_REPLACE_INITRAMFS_TOOLS=1 (CI containers, build VMs).
h_install_pkgs() {
	local log=$1 p missing=
	shift
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || { h_log "missing packages:$missing (need root to install)"; return 1; }
	mkdir -p "$(dirname "$log")"
	# shellcheck disable=SC2086  # package names are words
	apt-get install -s --no-install-recommends $missing >"$log.sim" 2>&1 ||
		{ DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -qq >"$log" 2>&1 &&
		  apt-get install -s --no-install-recommends $missing >"$log.sim" 2>&1; } ||
		{ h_log "apt-get cannot install$missing, see $log.sim"; return 1; }
	if grep -q '^Remv initramfs-tools ' "$log.sim" && [ "${TDX_QEMU_REPLACE_INITRAMFS_TOOLS:-0}" != 1 ]; then
		echo "SKIP: installing$missing would remove this machine's initramfs-tools;" \
			"set TDX_QEMU_REPLACE_INITRAMFS_TOOLS=1 to allow it (CI container or build VM only)"
		return 2
	fi
	h_log "installing:$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq --no-install-recommends $missing >>"$log" 2>&1 ||
		{ h_log "apt-get failed, see $log"; return 1; }
}

h_deps() { h_install_pkgs "$W/apt.log" $H_PKGS; }

# Can this machine boot the test VM at all? (root, packages, /dev/fuse for the simulator)
h_prereqs() {
	[ "$(id -u)" = 0 ] || { echo "SKIP: QEMU boot tests need root (LUKS images, debootstrap)"; return 1; }
	mkdir -p "$W" || return 1
	local r
	h_deps; r=$?
	[ $r = 2 ] && return 1
	[ $r = 0 ] || { echo "SKIP: QEMU prerequisites cannot be installed"; return 1; }
	command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86_64 missing"; return 1; }
	if [ "${TDX:-0}" = 1 ]; then
		# Real TD (README "TDX=1"): KVM with TDX enabled, TDVF firmware. Untested here.
		[ "$(cat /sys/module/kvm_intel/parameters/tdx 2>/dev/null)" = Y ] ||
			{ echo "SKIP: TDX=1 needs a host whose KVM has TDX enabled (kvm_intel tdx=Y)"; return 1; }
		[ -f "${TDX_OVMF:-/usr/share/ovmf/OVMF.fd}" ] || { echo "SKIP: TDX=1 needs TDVF firmware (TDX_OVMF)"; return 1; }
	fi
}

# ---------------------------------------------------------------------------- kernel
# Newest Debian 6.12 generic kernel, extracted (not installed) + depmod. Sets KVER, KDIR.
h_kernel() {
	local pkg deb
	pkg=$(apt-cache search --names-only '^linux-image-6\.12\..*-amd64-unsigned$' | awk '{print $1}' |
		grep -E '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64-unsigned$' | sort -V | tail -n1)
	[ -n "$pkg" ] || { timeout 300 apt-get update -qq && pkg=$(apt-cache search --names-only '^linux-image-6\.12\..*-amd64-unsigned$' |
		awk '{print $1}' | grep -E '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64-unsigned$' | sort -V | tail -n1); }
	[ -n "$pkg" ] || { h_die "no linux-image-6.12.*-amd64-unsigned in the archive"; return 1; }
	KVER=${pkg#linux-image-}; KVER=${KVER%-unsigned}
	KDIR=$W/kernel/$KVER
	[ -f "$KDIR/.done" ] && return 0
	h_log "kernel: $pkg (download + extract + depmod)"
	rm -rf "$KDIR" "$W/kernel/deb" && mkdir -p "$KDIR" "$W/kernel/deb" || return 1
	(cd "$W/kernel/deb" && timeout 600 apt-get download "$pkg" >"$W/kernel/download.log" 2>&1) || { h_die "apt-get download $pkg"; return 1; }
	deb=$(ls "$W/kernel/deb/"*.deb) && dpkg-deb -x "$deb" "$KDIR" && depmod -b "$KDIR" "$KVER" || return 1
	rm -rf "$W/kernel/deb"
	touch "$KDIR/.done"
}

# ---------------------------------------------------------------------------- root fs
# debootstrap minbase (cached); boot-ok.service prints the marker on ttyS0 and powers off.
h_rootfs() {
	local R=$W/rootfs u mirror
	if [ ! -f "$W/rootfs.done" ]; then
		mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
		h_log "rootfs: debootstrap minbase (${mirror:-default mirror})"
		rm -rf "$R"
		timeout 900 debootstrap --variant=minbase --include=systemd-sysv,udev bookworm "$R" ${mirror:+"$mirror"} \
			>"$W/debootstrap.log" 2>&1 || { h_die "debootstrap failed, see $W/debootstrap.log"; return 1; }
		rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/lib/apt/lists/* "$R"/usr/share/doc/* \
			"$R"/usr/share/man/* "$R"/usr/share/locale/*
		touch "$W/rootfs.done"
	fi
	: >"$R/etc/machine-id"
	echo "tdx-test" >"$R/etc/hostname"
	cat >"$R/etc/systemd/system/boot-ok.service" <<-'UNIT'
	[Unit]
	Description=Print the BOOT-OK marker and power off (tdx-unlock QEMU tests)
	After=local-fs.target
	DefaultDependencies=no
	[Service]
	Type=oneshot
	ExecStart=/bin/sh -c 'echo "BOOT-OK root=$(findmnt -n -o SOURCE /) kernel=$(uname -r)" >/dev/ttyS0'
	ExecStartPost=/bin/systemctl --no-block poweroff
	[Install]
	WantedBy=multi-user.target
	UNIT
	mkdir -p "$R/etc/systemd/system/multi-user.target.wants"
	ln -sf /etc/systemd/system/boot-ok.service "$R/etc/systemd/system/multi-user.target.wants/boot-ok.service"
	for u in systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_reap.service; do
		ln -sf /dev/null "$R/etc/systemd/system/$u"
	done
}

# ---------------------------------------------------------------------------- disk
# LUKS2 root image built offline (no device-mapper on the host): ext4 from a directory,
# then `cryptsetup reencrypt --encrypt`. Slot 0: passphrase (fallback, typed at the
# prompt); slot 1: a random key file (the "keyfile" baseline). PBKDF2-1000 for both: TCG
# is slow and Argon2 would only measure the emulator. Sets LUKS_UUID, FS_UUID.
h_disk() {
	local D=$W/disk
	mkdir -p "$D" && chmod 700 "$D"
	if [ ! -f "$D/root.img" ] || [ "$W/rootfs.done" -nt "$D/root.img" ]; then
		h_log "disk: ext4 -d rootfs, offline LUKS2 encryption"
		rm -f "$D"/*.img
		[ -f "$D/fs.uuid" ] || cat /proc/sys/kernel/random/uuid >"$D/fs.uuid"
		head -c 18 /dev/urandom | base64 | tr -d '\n/+=' >"$D/passphrase"   # no newline: typed as is
		head -c 32 /dev/urandom >"$D/keyfile"
		chmod 600 "$D/passphrase" "$D/keyfile"
		echo "UUID=$(cat "$D/fs.uuid") / ext4 defaults 0 1" >"$W/rootfs/etc/fstab"
		truncate -s 400M "$D/root.tmp" &&
		mkfs.ext4 -q -F -L root -U "$(cat "$D/fs.uuid")" -d "$W/rootfs" "$D/root.tmp" 368M &&
		cryptsetup reencrypt --encrypt --type luks2 --reduce-device-size 32M \
			--pbkdf pbkdf2 --pbkdf-force-iterations 1000 --cipher aes-xts-plain64 --key-size 512 \
			--key-file "$D/passphrase" --batch-mode "$D/root.tmp" &&
		cryptsetup luksAddKey --batch-mode --key-file "$D/passphrase" --pbkdf pbkdf2 \
			--pbkdf-force-iterations 1000 "$D/root.tmp" "$D/keyfile" &&
		mv "$D/root.tmp" "$D/root.img" || { h_die "building the LUKS2 image"; return 1; }
	fi
	LUKS_UUID=$(cryptsetup luksUUID "$D/root.img") && FS_UUID=$(cat "$D/fs.uuid")
}

# Hash of the LUKS2 header area (first 16 MiB = data offset of the image).
h_header_sha() { head -c $((16 << 20)) "$1" | sha256sum | cut -d' ' -f1; }

# ---------------------------------------------------------------------------- dracut
# Private dracut tree: a copy of /usr/lib/dracut (cp -a: dracut installs symlinked module
# files as symlinks) with 90kernel-network-modules slimmed to virtio_net (otherwise every
# NIC driver lands in the image), plus the project's module and the test-only simulator
# module. Host /etc/dracut.conf.d is ignored (own --conf/--confdir).
h_dracut_tree() {
	local B=$W/dracut/base ver
	ver=$(dpkg-query -W -f='${Version}' dracut-core)
	if [ "$(cat "$W/dracut/version" 2>/dev/null)" != "$ver" ]; then
		rm -rf "$W/dracut" && mkdir -p "$W/dracut" && cp -a /usr/lib/dracut "$B" || return 1
		cat >"$B/modules.d/90kernel-network-modules/module-setup.sh" <<-'MS'
		#!/bin/bash
		# slimmed for the QEMU tests: only the virtio NIC
		check() { return 255; }
		depends() { return 0; }
		installkernel() { hostonly='' instmods virtio_net af_packet; }
		MS
		echo "$ver" >"$W/dracut/version"
	fi
	# The project's module, laid out as `make install` would: module-setup.sh + units.
	rm -rf "$B/modules.d/50tdx-unlock" "$B/modules.d/91tdx-sim"
	mkdir -p "$B/modules.d/50tdx-unlock"
	cp -a "$H_ROOT/dracut-module/50tdx-unlock/." "$B/modules.d/50tdx-unlock/"
	cp -a "$H_ROOT/systemd/." "$B/modules.d/50tdx-unlock/"
	cp -a "$H_QDIR/dracut/91tdx-sim" "$B/modules.d/"
	mkdir -p "$W/dracut/conf.d"          # stays empty: no host configuration
}

# h_initrd NAME "MODULES" "CONF" [dracut args...]: builds $W/initrd/NAME.img with CONF
# (dracut.conf text: the modules' variables) unless an image from identical inputs (conf,
# args, module trees, binaries, files named in args) exists. Sets INITRD.
h_initrd() {
	local name=$1 mods=$2 conf=$3; shift 3
	local out=$W/initrd/$name.img key log=$W/initrd/$name.log t0 f
	mkdir -p "$W/initrd"
	printf '%s\n' "$conf" >"$W/initrd/$name.conf"
	key=$( { echo "$KVER $mods $H_DRIVERS $*"; cat "$W/dracut/version" "$W/initrd/$name.conf";
		for f in "$@"; do [ -f "$f" ] && sha256sum "$f"; done
		case " $mods " in *" tdx-"*)   # the project's modules and whatever binaries they may pick up
			find "$W/dracut/base/modules.d/50tdx-unlock" "$W/dracut/base/modules.d/91tdx-sim" \
				-type f -exec sha256sum {} + | sort
			for f in "$H_BUILD"/tdx-unlock "$H_BUILD"/libcryptsetup-token-tdx-unlock.so "$H_BUILD"/tdx-sim \
				"$W"/stub/*.so; do [ -f "$f" ] && stat -c '%n %Y %s' "$f"; done ;;
		esac; } | sha256sum | cut -c1-16)
	INITRD=$out
	[ -f "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ] && return 0
	h_log "initrd $name: dracut -m \"$mods\" $*"
	t0=$SECONDS
	dracutbasedir="$W/dracut/base" timeout 600 dracut --conf "$W/initrd/$name.conf" --confdir "$W/dracut/conf.d" \
		--no-hostonly --kver "$KVER" --kmoddir "$KDIR/lib/modules/$KVER" --zstd --force \
		--add-drivers "$H_DRIVERS" -m "$mods" "$@" "$out" >"$log" 2>&1 || { rm -f "$out"; h_die "dracut $name failed, see $log"; return 1; }
	echo "$key" >"$out.key"
	h_log "initrd $name: $(stat -c %s "$out") bytes in $((SECONDS - t0)) s"
}

# Kernel modules of the slim images (no kernel-modules dracut module: virtio disk/NIC
# only), plus what dm-crypt with aes-xts needs.
H_DRIVERS="virtio_pci virtio_blk virtio_net dm_mod dm_crypt ext4 xts aesni_intel sha256_generic"
# Modules of the slim images: systemd initrd, block root, dm-crypt (systemd-cryptsetup).
H_MODS_BASE="systemd systemd-initrd dracut-systemd base fs-lib rootfs-block udev-rules dm crypt"
# ... plus the network for the attested unlock (systemd-networkd: what the recipe measured).
H_MODS_NET="$H_MODS_BASE systemd-networkd"

# ---------------------------------------------------------------------------- TLS
# Server certificates for the guest's view of the server (https://10.0.2.100:8443):
#  pki/server.pem  signed by the project's TEST-ONLY example CA (keys-example/ca.pem)
#  pki/rogue.pem   same names, signed by a throwaway CA the guest does not trust
h_tls() {
	local P=$W/pki ext
	mkdir -p "$P" && chmod 700 "$P"
	[ -f "$P/server.pem" ] && [ -f "$P/rogue.pem" ] && [ "$P/server.pem" -nt "$H_ROOT/keys-example/ca.pem" ] && return 0
	ext=$(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:%s,IP:127.0.0.1,DNS:localhost\n' "$H_GUEST_IP")
	(
		set -e
		cd "$P"
		openssl ecparam -name prime256v1 -genkey -noout -out server.key 2>/dev/null
		openssl req -new -key server.key -subj "/O=tdx-unlock QEMU test (TEST ONLY)/CN=$H_GUEST_IP" -out server.csr 2>/dev/null
		openssl x509 -req -in server.csr -CA "$H_ROOT/keys-example/ca.pem" -CAkey "$H_ROOT/keys-example/ca.key" \
			-set_serial "0x$(openssl rand -hex 8)" -sha256 -days 30 -extfile <(echo "$ext") -out server.pem 2>/dev/null
		openssl ecparam -name prime256v1 -genkey -noout -out rogue-ca.key 2>/dev/null
		openssl req -x509 -new -key rogue-ca.key -sha256 -days 30 -subj "/O=tdx-unlock QEMU test (TEST ONLY)/CN=rogue CA" \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" -out rogue-ca.pem 2>/dev/null
		openssl x509 -req -in server.csr -CA rogue-ca.pem -CAkey rogue-ca.key -set_serial "0x$(openssl rand -hex 8)" \
			-sha256 -days 30 -extfile <(echo "$ext") -out rogue.pem 2>/dev/null
		cp server.key rogue.key
		rm -f server.csr
		chmod 600 ./*.key
	) || { h_die "creating test TLS certificates"; return 1; }
}

# Simulator PKI (DCAP test root, collateral, PCK chain, attestation key): one per week.
h_sim_pki() {
	local S=$W/pki/sim
	[ -x "$H_BUILD/tdx-sim" ] || return 1
	[ -f "$S/collateral/root_ca.pem" ] && [ -n "$(find "$S/collateral/root_ca.pem" -mtime -7)" ] && return 0
	rm -rf "$S" && "$H_BUILD/tdx-sim" pki "$S" >/dev/null || { h_die "tdx-sim pki"; return 1; }
}

# ---------------------------------------------------------------------------- key server
# h_free_port: a TCP port on 127.0.0.1 nobody listens on (bounded tries).
h_free_port() {
	local i p
	for i in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}

# h_keyserver_config DIR PORT POLICY(allow|deny) CERT(server|rogue): writes DIR/config.json.
# The one place that knows the key server's configuration format (src/server/ks_config.h).
h_keyserver_config() {
	local dir=$1 port=$2 policy=$3 cert=$4 pol
	mkdir -p "$dir"
	local collateral=$W/pki/sim/collateral anchor="\"$W/pki/sim/collateral/root_ca.pem\""
	# TDX=1: Intel's pinned root and real collateral for the host's platform
	[ "${TDX:-0}" = 1 ] && collateral=${TDX_COLLATERAL:?TDX=1 needs TDX_COLLATERAL} anchor='"intel"'
	case $policy in
	allow) pol=${TDX_QEMU_ALLOW_POLICY:-'{"default/luks/root": {"tcb_status": ["UpToDate"]}}'} ;;
	deny) pol="{\"default/luks/root\": {\"mr_td\": [\"$(printf '0%.0s' $(seq 96))\"]}}" ;;
	esac
	echo "$pol" >"$dir/policy.json"
	cat >"$dir/config.json" <<-EOF
	{
	  "listen": "127.0.0.1:$port",
	  "tls_cert": "$W/pki/$cert.pem",
	  "tls_key": "$W/pki/$cert.key",
	  "resources_dir": "$W/ks/resources",
	  "policy_file": "$dir/policy.json",
	  "collateral_dir": "$collateral",
	  "trust_anchor": $anchor,
	  "audit_log": "$dir/audit.log"
	}
	EOF
}

# h_keyserver_start DIR PORT: starts the server in the background (PID in KS_PID) and
# waits (bounded) until the port accepts connections.
h_keyserver_start() {
	local dir=$1 port=$2 i
	"$H_BUILD/tdx-keyserver" serve --config "$dir/config.json" >>"$dir/keyserver.log" 2>&1 &
	KS_PID=$!
	H_PIDS+=("$KS_PID")
	for i in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		h_alive "$KS_PID" || break
		sleep 0.1
	done
	h_die "key server did not come up on 127.0.0.1:$port, see $dir/keyserver.log"
}

# ---------------------------------------------------------------------------- boot
# h_boot RUN INITRD DISK "APPEND" [PORT]
#   Boots QEMU (TCG) with the serial console in $W/runs/RUN/serial.log and watches it.
#   Env knobs: H_ANSWER=1 types the passphrase at the prompt; H_STOP_ON_PROMPT=1 kills
#   the VM as soon as the prompt shows; H_TIMEOUT overrides the hard limit;
#   H_DISK_RW=1 writes to DISK (otherwise snapshot=on keeps it pristine); H_FW_CFG="NAME=FILE
#   ..." hands files to the guest as fw_cfg items opt/org.tdx-unlock/NAME (the guest reads
#   /sys/firmware/qemu_fw_cfg/by_name/opt/org.tdx-unlock/NAME/raw).
#   Results: BOOT_RESULT=boot-ok|prompt|exited|timeout, BOOT_WALL (s to the marker, or
#   to the prompt, or to the end), BOOT_PROMPT_AT (s to the prompt, "" if none),
#   BOOT_NET_AT (s to network-online.target, "" if none), BOOT_UNLOCK_AT (s to the start of
#   tdx-unlock.service, "" if none), BOOT_LOG.
h_boot() {
	h_boot_once "$@"
	# TCG's multi-threaded emulation can run a stale translation while the kernel patches a
	# static branch with int3 (seen as "Oops: int3" in sched_clock ~3 s in, before /init):
	# an emulator fault, not ours. Such a boot never reached the initramfs: boot once more.
	if [ "$BOOT_RESULT" = exited ] && grep -aq 'Kernel panic' "$BOOT_LOG" && ! grep -aq 'Run /init' "$BOOT_LOG"; then
		cp "$BOOT_LOG" "$W/runs/$1.kernel-panic.log"
		echo "note: $1: the kernel panicked before /init under TCG ($(grep -a -m1 'Oops' "$BOOT_LOG" | cut -c1-80)); booting once more" >&2
		h_boot_once "$@"
	fi
}

h_boot_once() {
	local run=$1 initrd=$2 disk=$3 append=$4 port=${5:-}
	local R=$W/runs/$run limit=${H_TIMEOUT:-$H_BOOT_TIMEOUT} t0 now pid i answered=0 snap=,snapshot=on
	[ "${H_DISK_RW:-0}" = 1 ] && snap=
	rm -rf "$R" && mkdir -p "$R" "$W/tmp"
	# shellcheck disable=SC1007  # empty assignments
	BOOT_LOG=$R/serial.log BOOT_RESULT=timeout BOOT_PROMPT_AT= BOOT_NET_AT= BOOT_UNLOCK_AT= BOOT_WALL=
	[ -n "$port" ] || port=$(h_free_port)   # nothing listens: guest connections just fail
	mkfifo "$R/console.in"
	exec {H_CONSOLE}<>"$R/console.in"       # keeps QEMU's stdin open; used to type
	local machine=(-accel tcg -cpu max) fwcfg=() item
	for item in ${H_FW_CFG:-}; do fwcfg+=(-fw_cfg "name=opt/org.tdx-unlock/${item%%=*},file=${item#*=}"); done
	if [ "${TDX:-0}" = 1 ]; then
		# a real TD: QGS reached by the host's vsock (TDX_QGS_CID/PORT, default 2:4050)
		# shellcheck disable=SC2054  # commas inside one QEMU option
		machine=(-accel kvm -cpu host -machine q35,kernel-irqchip=split,confidential-guest-support=tdx0
			-object "{\"qom-type\":\"tdx-guest\",\"id\":\"tdx0\",\"quote-generation-socket\":{\"type\":\"vsock\",\"cid\":\"${TDX_QGS_CID:-2}\",\"port\":\"${TDX_QGS_PORT:-4050}\"}}"
			-bios "${TDX_OVMF:-/usr/share/ovmf/OVMF.fd}")
	fi
	t0=$(date +%s%N)
	# libslirp hands the guestfwd command the connection as stdin, stdout and stderr: socat
	# logs to a file, or its "Connection refused" text would reach the guest as TLS bytes.
	TMPDIR=$W/tmp qemu-system-x86_64 "${machine[@]}" -m 1024 -smp 2 \
		-display none -nodefaults -no-reboot -serial stdio \
		-kernel "$KDIR/boot/vmlinuz-$KVER" -initrd "$initrd" -append "$append" \
		-drive "file=$disk,format=raw,if=virtio$snap" "${fwcfg[@]}" \
		-netdev "user,id=n0,restrict=on,guestfwd=tcp:$H_GUEST_IP:$H_GUEST_PORT-cmd:socat -lf $R/socat.log - TCP:127.0.0.1:$port" \
		-device virtio-net-pci,netdev=n0,romfile= \
		<"$R/console.in" >"$BOOT_LOG" 2>"$R/qemu.err" &
	pid=$!
	H_PIDS+=("$pid")
	echo "$pid" >"$R/qemu.pid"
	# Watch the console: marker, prompt, VM exit, or the hard limit (every 0.2 s).
	while :; do
		now=$(( ($(date +%s%N) - t0) / 1000000 ))
		if grep -aq 'BOOT-OK root=' "$BOOT_LOG"; then BOOT_RESULT=boot-ok; break; fi
		[ -z "$BOOT_NET_AT" ] && grep -aq 'Reached target.*network-online' "$BOOT_LOG" && BOOT_NET_AT=$(h_secs "$now")
		# (systemd's status line colours the unit name: escape codes follow "Starting")
		[ -z "$BOOT_UNLOCK_AT" ] && grep -aq 'Starting.*tdx-unlock\.servi' "$BOOT_LOG" && BOOT_UNLOCK_AT=$(h_secs "$now")
		if [ -z "$BOOT_PROMPT_AT" ] && grep -aq 'Please enter passphrase for disk' "$BOOT_LOG"; then
			BOOT_PROMPT_AT=$(h_secs "$now")
			[ "${H_STOP_ON_PROMPT:-0}" = 1 ] && { BOOT_RESULT=prompt; break; }
		fi
		if [ -n "$BOOT_PROMPT_AT" ] && [ "${H_ANSWER:-0}" = 1 ] && [ $answered = 0 ]; then
			sleep 0.5                                   # let the agent switch the tty to raw
			printf '%s\r' "$(cat "$W/disk/passphrase")" >&"$H_CONSOLE"
			answered=1
		fi
		h_alive "$pid" || { BOOT_RESULT=exited; break; }
		[ "$now" -ge $((limit * 1000)) ] && break
		sleep 0.2
	done
	BOOT_WALL=$(h_secs "$now")
	[ "$BOOT_RESULT" = prompt ] && BOOT_WALL=$BOOT_PROMPT_AT
	# After the marker the guest powers off by itself (bounded wait), else it is stopped.
	if [ "$BOOT_RESULT" = boot-ok ]; then
		for _ in $(seq 150); do h_alive "$pid" || break; sleep 0.1; done
	fi
	h_stop "$pid"
	h_forget_pid "$pid"
	exec {H_CONSOLE}>&-
	rm -f "$R/console.in"
	echo "$BOOT_RESULT wall=${BOOT_WALL}s prompt_at=${BOOT_PROMPT_AT:--} net_at=${BOOT_NET_AT:--}" \
		"unlock_at=${BOOT_UNLOCK_AT:--}" >"$R/result"
}
h_secs() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# Common kernel command line: unlock through systemd-cryptsetup (rd.luks.uuid), the root
# file system by its UUID (whoever opens the volume), failures power the VM off.
# TDX_QEMU_APPEND adds options to every boot (e.g. the timeline's systemd.log_target=kmsg).
h_append() {
	echo "root=UUID=$FS_UUID rootfstype=ext4 rd.luks.uuid=$LUKS_UUID console=ttyS0 panic=-1" \
		"rd.shell=0 rd.emergency=poweroff systemd.show_status=1 $* ${TDX_QEMU_APPEND:-}"
}

# ---------------------------------------------------------------------------- build all
# Everything the always-runnable scenarios need (kernel, rootfs, disk, dracut tree, TLS).
h_build() {
	h_kernel && h_rootfs && h_disk && h_dracut_tree && h_tls
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	trap h_cleanup EXIT
	case ${1:-build} in
	deps) mkdir -p "$W" && h_deps ;;
	build) h_prereqs && h_build ;;
	clean) rm -rf "$W" ;;
	*) echo "usage: $0 deps|build|clean" >&2; exit 2 ;;
	esac
fi
