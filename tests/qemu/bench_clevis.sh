#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# clevis-dracut + tang for the boot benchmark (bench/boot.sh). Sourced AFTER harness.sh:
# adds functions only (prefix bc_), changes nothing that the scenarios of `make check` use.
#
#  bc_deps            Debian's clevis, clevis-luks, clevis-dracut, clevis-systemd, tang, socat
#                     (apt-get when missing; returns 1 when they cannot be had)
#  bc_tang_start      tangd on 127.0.0.1:TANG_PORT behind socat (keys cached in $W/bench-clevis/tang);
#                     the PID is in H_PIDS (killed by h_cleanup)
#  bc_clevis_disk     $W/disk/clevis.img: a copy of root.img with a clevis tang binding to
#                     http://10.0.2.100:8443 (what the guest reaches through the harness's one
#                     guestfwd). The advertisement is fetched from the local tangd and passed as
#                     "adv" (the host cannot reach 10.0.2.100). Sets CLEVIS_IMG.
#  bc_clevis_initrd   the network initrd of (b) without tdx-unlock, plus dracut's 60clevis and
#                     60clevis-pin-tang (systemd: clevis-luks-askpass.path answers
#                     systemd-cryptsetup's password request). Sets INITRD.
# shellcheck disable=SC2034  # TANG_PORT is for the scenarios that source this

BC_PKGS="clevis clevis-luks clevis-dracut clevis-systemd tang socat"
BC_DIR=$W/bench-clevis

bc_deps() { h_install_pkgs "$BC_DIR/apt.log" $BC_PKGS; }

# tangd (one process per connection, socat fork) on 127.0.0.1; sets TANG_PID, TANG_PORT.
bc_tang_start() {
	local i p
	mkdir -p "$BC_DIR/tang" && chmod 700 "$BC_DIR"
	ls "$BC_DIR/tang/"*.jwk >/dev/null 2>&1 || /usr/libexec/tangd-keygen "$BC_DIR/tang" || return 1
	for _ in 1 2 3; do     # a port taken between h_free_port and socat's bind: another one
		p=$(h_free_port) || return 1
		socat TCP-LISTEN:"$p",bind=127.0.0.1,reuseaddr,fork EXEC:"/usr/libexec/tangd $BC_DIR/tang" \
			2>>"$BC_DIR/socat.log" &
		TANG_PID=$!
		H_PIDS+=("$TANG_PID")
		for _ in $(seq 50); do
			curl -sf --max-time 2 "http://127.0.0.1:$p/adv" -o "$BC_DIR/adv.jws" 2>/dev/null &&
				{ TANG_PORT=$p; return 0; }
			h_alive "$TANG_PID" || break
			sleep 0.1
		done
		h_stop "$TANG_PID"; h_forget_pid "$TANG_PID"
	done
	h_die "tangd behind socat did not answer, see $BC_DIR/socat.log"
}

# Needs a running tangd (bc_tang_start): its advertisement. Rebuilt when root.img or the
# tang keys change.
bc_clevis_disk() {
	CLEVIS_IMG=$W/disk/clevis.img
	local keys
	keys=$(cat "$BC_DIR/tang/"*.jwk | sha256sum | cut -c1-16)
	[ -f "$CLEVIS_IMG" ] && [ "$CLEVIS_IMG" -nt "$W/disk/root.img" ] &&
		[ "$(cat "$CLEVIS_IMG.keys" 2>/dev/null)" = "$keys" ] && return 0
	cp --sparse=always "$W/disk/root.img" "$W/disk/clevis.tmp" &&
	clevis luks bind -y -d "$W/disk/clevis.tmp" -k "$W/disk/keyfile" tang \
		"{\"url\":\"http://$H_GUEST_IP:$H_GUEST_PORT\",\"adv\":\"$BC_DIR/adv.jws\"}" \
		>"$BC_DIR/bind.log" 2>&1 &&
	clevis luks list -d "$W/disk/clevis.tmp" >>"$BC_DIR/bind.log" 2>&1 &&
	mv "$W/disk/clevis.tmp" "$CLEVIS_IMG" && echo "$keys" >"$CLEVIS_IMG.keys" ||
		{ rm -f "$W/disk/clevis.tmp"; h_die "clevis luks bind, see $BC_DIR/bind.log"; return 1; }
}

# dracut's clevis modules into the harness's private dracut tree (it is a copy of
# /usr/lib/dracut made before clevis-dracut may have been installed), then the image.
bc_clevis_initrd() {
	local m B=$W/dracut/base/modules.d
	for m in 60clevis 60clevis-pin-tang; do
		[ -d "/usr/lib/dracut/modules.d/$m" ] || { h_die "/usr/lib/dracut/modules.d/$m missing (clevis-dracut)"; return 1; }
		diff -rq "/usr/lib/dracut/modules.d/$m" "$B/$m" >/dev/null 2>&1 ||
			{ rm -rf "${B:?}/$m" && cp -a "/usr/lib/dracut/modules.d/$m" "$B/"; } || return 1
	done
	h_initrd bench-clevis-tang "$H_MODS_NET clevis clevis-pin-tang" ""
}
