#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# QEMU boot scenarios (sourced by run.sh after harness.sh). Each sc_NAME function prints
# what it saw and returns 0 (pass), 1 (fail) or 77 (skip, with "SKIP: reason").
# Every scenario boots once; the harness enforces the per-boot hard limit.
# shellcheck disable=SC2034  # H_SCENARIOS, H_PASS_MARK are for run.sh, which sources this

H_PASS_MARK='BOOT-OK root='
H_DEADLINE=${TDX_UNLOCK_TEST_DEADLINE:-120}     # the helper's default overall deadline
H_DENY_DEADLINE=30                               # rd.tdx_unlock.timeout= of the deny scenario

sc_note() { echo "  $*"; }
# The console without colour codes (systemd status lines are cut at 80 columns).
sc_console() { tr -d '\r' <"$BOOT_LOG" | sed 's/\x1b\[[0-9;]*m//g' | tr -d '\033'; }
# sc_has [-i] ERE: does the console match? (reads it all: no SIGPIPE under pipefail)
sc_has() { sc_console | grep -a -E "$@" >/dev/null; }
# Last lines of a boot's console, for failure reports (secrets never reach the console).
sc_tail() { echo "  --- console tail ($BOOT_LOG)"; tail -n "${1:-25}" "$BOOT_LOG" | tr -d '\r' | sed 's/^/  | /'; }

# ------------------------------------------------------------------ always runnable
# Baseline for the benchmark: key file inside the initramfs, picked up by
# systemd-cryptsetup as /etc/cryptsetup-keys.d/<volume>.key (no network at all).
sc_keyfile() {
	h_initrd keyfile "$H_MODS_BASE" "" \
		--include "$W/disk/keyfile" "/etc/cryptsetup-keys.d/luks-$LUKS_UUID.key" || return 1
	sc_note "initrd $(stat -c %s "$INITRD") bytes"
	h_boot keyfile "$INITRD" "$W/disk/root.img" "$(h_append)"
	sc_note "result $BOOT_RESULT, to marker ${BOOT_WALL}s"
	[ "$BOOT_RESULT" = boot-ok ] && [ -z "$BOOT_PROMPT_AT" ] && return 0
	sc_tail; return 1
}

# No key anywhere: systemd-cryptsetup must ask on the console. The harness types the
# recovery passphrase (proves the fallback end to end; a killed VM would prove less).
sc_prompt() {
	h_initrd nokey "$H_MODS_BASE" "" || return 1
	H_ANSWER=1 h_boot prompt "$INITRD" "$W/disk/root.img" "$(h_append)"
	sc_note "result $BOOT_RESULT, prompt at ${BOOT_PROMPT_AT:-never}s, to marker ${BOOT_WALL}s"
	[ "$BOOT_RESULT" = boot-ok ] && [ -n "$BOOT_PROMPT_AT" ] && return 0
	sc_tail; return 1
}

# ------------------------------------------------------------------ attested unlock
# Guards: the parts other engineers are building. One SKIP line names what is missing.
sc_need() {
	local what
	for what in "$@"; do
		case $what in
		client) "$H_BUILD/tdx-unlock" --help 2>&1 | grep -E '^ +unlock ' >/dev/null &&
			"$H_BUILD/tdx-unlock" --help 2>&1 | grep -E '^ +bind ' >/dev/null ||
			{ echo "SKIP: $BUILD/tdx-unlock has no 'unlock'/'bind' command yet"; return 77; } ;;
		server) "$H_BUILD/tdx-keyserver" --help 2>&1 | grep -E '^ +serve ' >/dev/null ||
			{ echo "SKIP: $BUILD/tdx-keyserver serve not built"; return 77; } ;;
		sim) [ "${TDX:-0}" = 1 ] && continue
			[ -x "$H_BUILD/tdx-sim" ] && [ -e /dev/fuse ] ||
			{ echo "SKIP: $BUILD/tdx-sim or /dev/fuse missing"; return 77; } ;;
		plugin) [ -f "$H_BUILD/libcryptsetup-token-tdx-unlock.so" ] ||
			{ echo "SKIP: $BUILD/libcryptsetup-token-tdx-unlock.so not built yet"; return 77; } ;;
		esac
	done
}

# A copy of the root image with a tdx-unlock keyslot + token (bind on the host: header
# only, no device-mapper), the released secret stored as the server's resource.
# Rebuilt when root.img or the client changes. Sets BOUND_IMG.
sc_bound_disk() {
	BOUND_IMG=$W/disk/bound.img
	[ -f "$BOUND_IMG" ] && [ "$BOUND_IMG" -nt "$W/disk/root.img" ] && [ "$BOUND_IMG" -nt "$H_BUILD/tdx-unlock" ] && return 0
	mkdir -p "$W/ks/resources/default/luks" && chmod 700 "$W/ks"
	# a re-bind makes a new secret: the old one belongs to the old image (bind never overwrites)
	rm -f "$W/ks/resources/default/luks/root"
	cp --sparse=always "$W/disk/root.img" "$W/disk/bound.tmp" &&
	"$H_BUILD/tdx-unlock" bind "$W/disk/bound.tmp" --url "https://$H_GUEST_IP:$H_GUEST_PORT" \
		--resource default/luks/root --ca "$H_ROOT/keys-example/ca.pem" \
		--key-file "$W/disk/passphrase" --secret-out "$W/ks/resources/default/luks/root" \
		>"$W/disk/bind.log" 2>&1 &&
	mv "$W/disk/bound.tmp" "$BOUND_IMG" || { echo "  bind failed, see $W/disk/bind.log"; return 1; }
}

# initrd with the network, the project module and (not with TDX=1) the simulator.
# $1 = token|service.
sc_tdx_initrd() {
	local method=$1 sim=tdx-sim
	if [ "${TDX:-0}" = 1 ]; then sim=; else h_sim_pki || return 1; fi
	# what a production image carries: the measured server URL and its CA
	mkdir -p "$W/tdx-conf" && cp "$H_ROOT/keys-example/ca.pem" "$W/tdx-conf/kbs-ca.pem" &&
		printf 'url = https://%s:%s\nca = /etc/tdx-unlock/kbs-ca.pem\n' "$H_GUEST_IP" "$H_GUEST_PORT" \
		>"$W/tdx-conf/tdx-unlock.conf" || return 1
	h_initrd "tdx-$method${sim:+-sim}" "$H_MODS_NET tdx-unlock $sim" \
"tdx_unlock_method=$method
tdx_unlock_bindir=$H_BUILD
tdx_unlock_plugindir=$H_BUILD
tdx_unlock_confdir=$W/tdx-conf
tdx_sim_bin=$H_BUILD/tdx-sim
tdx_sim_pki=$W/pki/sim"
}

# Kernel command line of the attested boots: network by DHCP (slirp), the simulator as
# configfs-tsm. The URL comes from the token (rd.tdx_unlock.url= would override it).
sc_tdx_append() {
	local tsm=rd.tdx_unlock.tsm=/run/tdx-sim
	[ "${TDX:-0}" = 1 ] && tsm=
	h_append "rd.neednet=1 ip=dhcp $tsm $*"
}

# sc_tdx_prepare RUN METHOD POLICY CERT: disk, initrd, key server config. Sets KS_DIR, KS_PORT.
sc_tdx_prepare() {
	local run=$1 method=$2 policy=$3 cert=$4
	sc_bound_disk && sc_tdx_initrd "$method" || return 1
	KS_DIR=$W/ks/$run KS_PORT=$(h_free_port) || return 1
	rm -rf "$KS_DIR"
	h_keyserver_config "$KS_DIR" "$KS_PORT" "$policy" "$cert"
}

# Did the key server release the secret (audit log of this scenario's server)?
sc_released() { grep -a '"decision":"release"' "$KS_DIR/audit.log" >/dev/null 2>&1; }
# Did the console show tdx-unlock (or the plugin) working at all?
sc_saw_helper() { grep -ai 'tdx-unlock' "$BOOT_LOG" >/dev/null; }

# Wiring check that runs with any tdx-unlock binary: the attested-unlock initrd (network,
# 50tdx-unlock service method, simulator) on a disk WITHOUT a token. tdx-unlock.service
# must run after the network and the simulator, end (fail or find nothing) and leave the
# passphrase prompt to systemd-cryptsetup within 90 s (no key server runs here: the helper
# must see the disk carries no token rather than retry until its deadline); the harness
# answers it.
sc_tdx_unbound() {
	[ -x "$H_BUILD/tdx-unlock" ] || { echo "SKIP: $BUILD/tdx-unlock not built"; return 77; }
	sc_need sim || return $?
	[ "${TDX:-0}" = 1 ] && { echo "SKIP: simulator wiring check (not with TDX=1)"; return 77; }
	sc_tdx_initrd service || return 1
	sc_note "initrd $(stat -c %s "$INITRD") bytes"
	H_ANSWER=1 h_boot tdx-unbound "$INITRD" "$W/disk/root.img" "$(sc_tdx_append)"
	sc_note "result $BOOT_RESULT, prompt at ${BOOT_PROMPT_AT:-never}s, to marker ${BOOT_WALL}s"
	sc_console | grep -aE '(Started|Failed to start) tdx-sim|(Finished|Failed to start) tdx-unlock|tdx-unlock\[' |
		head -n 6 | sed 's/^/  console: /'
	# nothing to attest for: the prompt must not wait for the helper's deadline (120 s)
	[ "$BOOT_RESULT" = boot-ok ] && [ -n "$BOOT_PROMPT_AT" ] && [ "${BOOT_PROMPT_AT%.*}" -lt 90 ] &&
		sc_has 'Started tdx-sim.service' &&
		sc_has '(Finished|Failed to start) tdx-unlock' && return 0
	sc_tail 40; return 1
}

# Wiring check of the token method with a stub plugin (tests/qemu/stub/, always -EAGAIN)
# on a disk whose header carries a tdx-unlock token: systemd-cryptsetup must wait for
# network-online.target (drop-in), call the plugin, then prompt; the harness answers.
sc_token_wiring() {
	local S=$W/stub tok order
	command -v cc >/dev/null || { echo "SKIP: no C compiler for the stub plugin"; return 77; }
	mkdir -p "$S"
	cc -shared -fPIC -O2 -Wl,--version-script="$H_QDIR/stub/token-stub.map" \
		-Wl,-soname,libcryptsetup-token-tdx-unlock.so -o "$S/libcryptsetup-token-tdx-unlock.so.tmp" \
		"$H_QDIR/stub/token-stub.c" || return 1
	cmp -s "$S/libcryptsetup-token-tdx-unlock.so.tmp" "$S/libcryptsetup-token-tdx-unlock.so" ||
		mv "$S/libcryptsetup-token-tdx-unlock.so.tmp" "$S/libcryptsetup-token-tdx-unlock.so"
	if [ ! -f "$W/disk/stub.img" ] || [ "$W/disk/root.img" -nt "$W/disk/stub.img" ]; then
		tok='{"type":"tdx-unlock","keyslots":["1"],"version":1,"kbs-urls":["https://10.0.2.100:8443"],"resource":"default/luks/root"}'
		cp --sparse=always "$W/disk/root.img" "$W/disk/stub.tmp" &&
			echo "$tok" | cryptsetup token import "$W/disk/stub.tmp" &&
			mv "$W/disk/stub.tmp" "$W/disk/stub.img" || return 1
	fi
	h_initrd token-stub "$H_MODS_NET tdx-unlock" \
"tdx_unlock_method=token
tdx_unlock_bindir=$S
tdx_unlock_plugindir=$S" || return 1
	sc_note "initrd $(stat -c %s "$INITRD") bytes"
	H_ANSWER=1 h_boot token-wiring "$INITRD" "$W/disk/stub.img" "$(sc_tdx_append)"
	sc_note "result $BOOT_RESULT, prompt at ${BOOT_PROMPT_AT:-never}s, to marker ${BOOT_WALL}s"
	sc_console | grep -aE 'Reached target network-online|tdx-unlock-stub|Please enter passphrase' |
		head -n 4 | sed 's/^/  console: /'
	# order on the console: network online, then the plugin, then the prompt
	order=$(sc_console | grep -aoE 'Reached target network-online|tdx-unlock-stub|Please enter passphrase' |
		sed 's/Reached target //' | uniq | tr '\n' ' ')
	sc_note "order: $order"
	[ "$BOOT_RESULT" = boot-ok ] && [ -n "$BOOT_PROMPT_AT" ] &&
		[ "${order% }" = "network-online tdx-unlock-stub Please enter passphrase" ] && return 0
	sc_tail 40; return 1
}

# (1) success: the root file system mounts through tdx-unlock, no prompt.
sc_tdx_unlock() {
	sc_need client server sim || return $?
	sc_tdx_prepare success service allow server || return 1
	h_keyserver_start "$KS_DIR" "$KS_PORT" || return 1
	h_boot tdx-success "$INITRD" "$BOUND_IMG" "$(sc_tdx_append)" "$KS_PORT"
	h_cleanup
	sc_note "result $BOOT_RESULT, to marker ${BOOT_WALL}s, initrd $(stat -c %s "$INITRD") bytes"
	sc_console | grep -a 'tdx-unlock\[' | head -n 4 | sed 's/^/  console: /'
	[ "$BOOT_RESULT" = boot-ok ] && [ -z "$BOOT_PROMPT_AT" ] && sc_released &&
		sc_has 'BOOT-OK root=/dev/mapper/luks-' && return 0
	sc_tail; return 1
}

# (2) policy deny: nothing unlocked, nothing released, the prompt appears within the
# deadline (rd.tdx_unlock.timeout=30, counted from the start of tdx-unlock.service, +10 s),
# the LUKS2 header is byte-identical afterwards (the VM writes to a copy, no snapshot).
sc_tdx_deny() {
	local before after img=$W/disk/deny.img
	sc_need client server sim || return $?
	sc_tdx_prepare deny service deny server || return 1
	cp --sparse=always "$BOUND_IMG" "$img" && before=$(h_header_sha "$img")
	h_keyserver_start "$KS_DIR" "$KS_PORT" || return 1
	# a refusal is retried until the deadline: a short one (rd.tdx_unlock.timeout=) keeps
	# the test fast and checks that the command line deadline is honoured
	H_DISK_RW=1 H_STOP_ON_PROMPT=1 H_TIMEOUT=$((H_DENY_DEADLINE + 120)) \
		h_boot tdx-deny "$INITRD" "$img" "$(sc_tdx_append rd.tdx_unlock.timeout=$H_DENY_DEADLINE)" "$KS_PORT"
	h_cleanup
	after=$(h_header_sha "$img")
	rm -f "$img"
	sc_note "result $BOOT_RESULT, tdx-unlock started at ${BOOT_UNLOCK_AT:-never}s, network online at" \
		"${BOOT_NET_AT:-never}s, prompt at ${BOOT_PROMPT_AT:-never}s, header ${before:0:12} -> ${after:0:12}"
	# the prompt must follow the helper's start within its deadline (+10 s)
	sc_console | grep -a 'tdx-unlock\[' | head -n 4 | sed 's/^/  console: /'
	[ "$BOOT_RESULT" = prompt ] && [ "$before" = "$after" ] && sc_saw_helper && [ -n "$BOOT_UNLOCK_AT" ] &&
		! sc_released &&
		[ $(( ${BOOT_PROMPT_AT%.*} - ${BOOT_UNLOCK_AT%.*} )) -le $((H_DENY_DEADLINE + 10)) ] && return 0
	sc_tail; return 1
}

# sc_late_server RUN DELAY: starts the key server ($KS_DIR) DELAY s after the guest's
# network is online (under TCG the VM needs ~20 s to get there: counting from QEMU's
# start would not test the retries). Bounded; the PID recorded is the server's own.
sc_late_server() {
	local log=$W/runs/$1/serial.log
	rm -rf "$W/runs/$1"
	(for _ in $(seq 900); do grep -aq 'Reached target.*network-online' "$log" 2>/dev/null && break; sleep 0.2; done
	 sleep "$2"; exec "$H_BUILD/tdx-keyserver" serve --config "$KS_DIR/config.json") >>"$KS_DIR/keyserver.log" 2>&1 &
	H_PIDS+=("$!")
}

# (3) the key server starts 15 s late: the helper's retries get the key.
sc_tdx_late_server() {
	sc_need client server sim || return $?
	sc_tdx_prepare late service allow server || return 1
	sc_late_server tdx-late 15
	h_boot tdx-late "$INITRD" "$BOUND_IMG" "$(sc_tdx_append)" "$KS_PORT"
	h_cleanup
	sc_note "result $BOOT_RESULT, to marker ${BOOT_WALL}s, network online at ${BOOT_NET_AT:-never}s"
	sc_console | grep -a 'tdx-unlock\[' | head -n 8 | sed 's/^/  console: /'
	[ "$BOOT_RESULT" = boot-ok ] && [ -z "$BOOT_PROMPT_AT" ] && sc_released && return 0
	sc_tail; return 1
}

# (4) the server presents a certificate from a CA the TD does not trust: refused with a
# clear console line, then the prompt.
sc_tdx_wrong_ca() {
	sc_need client server sim || return $?
	sc_tdx_prepare wrong-ca service allow rogue || return 1
	h_keyserver_start "$KS_DIR" "$KS_PORT" || return 1
	H_STOP_ON_PROMPT=1 H_TIMEOUT=$((H_DEADLINE + 120)) \
		h_boot tdx-wrong-ca "$INITRD" "$BOUND_IMG" "$(sc_tdx_append)" "$KS_PORT"
	h_cleanup
	sc_note "result $BOOT_RESULT, prompt at ${BOOT_PROMPT_AT:-never}s"
	sc_console | grep -aiE 'tdx-unlock.*(certificate|tls|ssl|issuer|verif)' | head -n 2 | sed 's/^/  console: /'
	[ "$BOOT_RESULT" = prompt ] && sc_has -i 'tdx-unlock.*(certificate|tls|ssl|issuer)' && ! sc_released && return 0
	sc_tail; return 1
}

# (1) through the token plugin: systemd-cryptsetup@ (rd.luks.uuid) calls the plugin.
sc_token_unlock() {
	sc_need plugin server sim || return $?
	sc_tdx_prepare token token allow server || return 1
	h_keyserver_start "$KS_DIR" "$KS_PORT" || return 1
	h_boot tdx-token "$INITRD" "$BOUND_IMG" "$(sc_tdx_append)" "$KS_PORT"
	h_cleanup
	sc_note "result $BOOT_RESULT, to marker ${BOOT_WALL}s, initrd $(stat -c %s "$INITRD") bytes"
	# the plugin logs to the journal only: the key server's audit log is the evidence
	[ "$BOOT_RESULT" = boot-ok ] && [ -z "$BOOT_PROMPT_AT" ] && sc_released && return 0
	sc_tail; return 1
}

# ------------------------------------------------------------------ measured boot update
# The guest's event log path: the harness hands the log it computed as a fw_cfg item.
H_CCEL_GUEST=/sys/firmware/qemu_fw_cfg/by_name/opt/org.tdx-unlock/ccel/raw

# sc_update_evidence RUN APPEND: the event log a direct boot of this kernel, initrd ($INITRD)
# and command line writes, and the simulator's TD profile whose RTMRs are its replay
# (tdx-sim eventlog: the rules of reference-values); H_FW_CFG hands both to the guest.
sc_update_evidence() {
	local d=$W/update/$1
	mkdir -p "$d" || return 1
	if ! "$H_BUILD/tdx-sim" eventlog --kernel "$KDIR/boot/vmlinuz-$KVER" --initrd "$INITRD" --cmdline "$2" \
		--ccel-out "$d/ccel.bin" --td-out "$d/td.json" 2>"$d/eventlog.err"; then
		echo "  tdx-sim eventlog failed: $(cat "$d/eventlog.err")"
		return 1
	fi
	# shellcheck disable=SC2034  # read by h_boot_once (harness.sh)
	H_FW_CFG="ccel=$d/ccel.bin td=$d/td.json"
}

# sc_update_policy TD_PROFILE: the resource's policy before any component is named: the
# firmware's RTMR0 (stable across kernel/initrd/cmdline updates) and the TCB status. The
# RTMR1/RTMR2 events must then be TDVF's direct-boot layout with named components.
sc_update_policy() {
	jq -n --arg r0 "$(jq -r .rtmr0 "$1")" '{"default/luks/root": {"rtmr0": [$r0], "tcb_status": ["UpToDate"]}}' \
		>"$KS_DIR/policy.json"
}

# sc_update_allow APPEND: merges reference-values for the booted kernel, initrd and this
# command line into the resource's policy (lists: union), as an operator would.
sc_update_allow() {
	local rv pol=$KS_DIR/policy.json
	rv=$("$H_BUILD/tdx-keyserver" reference-values --kernel "$KDIR/boot/vmlinuz-$KVER" --initrd "$INITRD" \
		--cmdline "$1" --json) || return 1
	jq --argjson rv "$rv" '.["default/luks/root"] |= (reduce ($rv | keys[]) as $k (.; .[$k] = ((.[$k] // []) + $rv[$k] | unique)))' \
		"$pol" >"$pol.new" && mv "$pol.new" "$pol"
}

# An update of the kernel command line, end to end: the policy names the booted kernel,
# initrd and command line (reference-values) and pins the firmware events -> unlock; a
# boot with another command line -> refused, the server's audit line and the helper's
# console line name the cmdline, the prompt comes within the helper's deadline; the new
# line's reference values merged into the policy, the server reloads it (SIGHUP), the same
# boot again -> unlock.
sc_tdx_update() {
	local a1 a2 released
	sc_need client server sim || return $?
	[ "${TDX:-0}" = 1 ] && { echo "SKIP: tdx_update simulates the event log (not with TDX=1)"; return 77; }
	command -v jq >/dev/null || { echo "SKIP: jq missing"; return 77; }
	"$H_BUILD/tdx-keyserver" --help 2>&1 | grep -q 'reference-values' ||
		{ echo "SKIP: $BUILD/tdx-keyserver has no reference-values"; return 77; }
	sc_tdx_prepare update service allow server || return 1
	a1=$(sc_tdx_append "rd.tdx_unlock.ccel=$H_CCEL_GUEST")
	a2="$a1 rd.tdx_unlock.timeout=$H_DENY_DEADLINE"
	# the policy: what the server requires besides the components (tcb_status), the
	# firmware's events pinned from this boot's log, the components of boot 1
	sc_update_evidence tdx-update-1 "$a1" || return 1
	sc_update_policy "$W/update/tdx-update-1/td.json" || return 1
	sc_update_allow "$a1" || return 1
	h_keyserver_start "$KS_DIR" "$KS_PORT" || return 1

	h_boot tdx-update-1 "$INITRD" "$BOUND_IMG" "$a1" "$KS_PORT"
	sc_note "result $BOOT_RESULT (boot 1, allowed command line), to marker ${BOOT_WALL}s"
	released=$(grep -ac '"decision":"release"' "$KS_DIR/audit.log")
	if [ "$BOOT_RESULT" != boot-ok ] || [ -n "$BOOT_PROMPT_AT" ] || [ "$released" -lt 1 ]; then
		sc_note "boot 1 did not unlock"; sc_tail; return 1
	fi

	sc_update_evidence tdx-update-2 "$a2" || return 1
	H_STOP_ON_PROMPT=1 H_TIMEOUT=$((H_DENY_DEADLINE + 120)) \
		h_boot tdx-update-2 "$INITRD" "$BOUND_IMG" "$a2" "$KS_PORT"
	sc_note "result $BOOT_RESULT (boot 2, changed command line), tdx-unlock at ${BOOT_UNLOCK_AT:-never}s," \
		"prompt at ${BOOT_PROMPT_AT:-never}s"
	grep -a '"decision":"refuse"' "$KS_DIR/audit.log" | tail -n 1 | jq -r .reason | cut -c1-150 | sed 's/^/  audit: /'
	sc_console | grep -a 'tdx-unlock.*PolicyDeny' | head -n 1 | cut -c1-150 | sed 's/^/  console: /'
	if [ "$BOOT_RESULT" != prompt ] || [ -z "$BOOT_UNLOCK_AT" ] ||
		[ "$(grep -ac '"decision":"release"' "$KS_DIR/audit.log")" != "$released" ] ||
		! grep -a '"decision":"refuse"' "$KS_DIR/audit.log" | grep -aq 'cmdline not allowed' ||
		! sc_has 'tdx-unlock.*PolicyDeny.*cmdline not allowed' ||
		[ $(( ${BOOT_PROMPT_AT%.*} - ${BOOT_UNLOCK_AT%.*} )) -gt $((H_DENY_DEADLINE + 10)) ]; then
		sc_note "boot 2 was not refused with the command line named, prompt by the deadline"; sc_tail; return 1
	fi

	# the update: predict, merge, reload, boot again
	sc_update_allow "$a2" || return 1
	kill -HUP "$KS_PID" || return 1
	for _ in $(seq 50); do grep -q "reload: policies from .* in force" "$KS_DIR/keyserver.log" && break; sleep 0.1; done
	grep -q "reload: policies from .* in force" "$KS_DIR/keyserver.log" ||
		{ sc_note "the key server did not reload its policy: $(tail -n 2 "$KS_DIR/keyserver.log")"; return 1; }
	h_boot tdx-update-3 "$INITRD" "$BOUND_IMG" "$a2" "$KS_PORT"
	h_cleanup
	sc_note "result $BOOT_RESULT (boot 3, reference values merged, SIGHUP), to marker ${BOOT_WALL}s"
	[ "$BOOT_RESULT" = boot-ok ] && [ -z "$BOOT_PROMPT_AT" ] &&
		[ "$(grep -ac '"decision":"release"' "$KS_DIR/audit.log")" -gt "$released" ] && return 0
	sc_tail; return 1
}

# Default set (run.sh without arguments). token_wiring (stub plugin) runs by name: it
# checks the token method's ordering without the real plugin.
H_SCENARIOS="keyfile prompt tdx_unbound tdx_unlock tdx_deny tdx_late_server tdx_wrong_ca token_unlock tdx_update"
