#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The shipped tdx-keyserver.service under a real systemd: boots a Debian 12 container
# (systemd-nspawn, debootstrap root cached in tests/nspawn/work/, throw-away overlay per
# run), installs `make install DESTDIR=...` into it, runs the README's operator steps
# ("Running the key server under systemd") as written, starts the unit and fetches the
# secret from the host over 127.0.0.1 with the simulated TD. Then checks the service's
# user, the audit log's owner, that `systemctl reload` keeps the same process serving, and
# a clean stop. First run ~1.5 min (debootstrap), then ~10-15 s.
# TDX_NSPAWN=0 skips; TDX_NSPAWN_WORK moves the cache.
source "$(dirname "$0")/lib.bash"
[ "${TDX_NSPAWN:-1}" = 0 ] && skip "TDX_NSPAWN=0"
[ "$(id -u)" = 0 ] || skip "needs root (systemd-nspawn, debootstrap)"
need_fuse
command -v jq >/dev/null || skip "jq absent (make deps)"
SIM=$BUILD/tdx-sim TU=$BUILD/tdx-unlock
for b in "$SIM" "$TU" "$BUILD/tdx-keyserver"; do [ -x "$b" ] || fail "$b not built"; done

# systemd-container and debootstrap change nothing on the host's boot path.
if ! command -v systemd-nspawn >/dev/null || ! command -v debootstrap >/dev/null; then
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get install -y -qq --no-install-recommends systemd-container debootstrap ||
	  { apt-get update -qq && apt-get install -y -qq --no-install-recommends systemd-container debootstrap; }; } \
		>"$TMP/apt.log" 2>&1 || skip "systemd-nspawn/debootstrap cannot be installed: $(tail -n 1 "$TMP/apt.log")"
fi
W=${TDX_NSPAWN_WORK:-$PWD/tests/nspawn/work}
R=$W/rootfs
# The server's shared libraries come from Debian's packages, as on a real key server.
PKGS=systemd-sysv,procps,libmicrohttpd12,libjson-c5,libssl3
if [ "$(cat "$W/rootfs.done" 2>/dev/null)" != "$PKGS" ]; then
	mkdir -p "$W" && rm -rf "$R" "$W/rootfs.done"
	mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
	echo "rootfs: debootstrap minbase into $R"
	timeout 900 debootstrap --variant=minbase --include="$PKGS" bookworm "$R" ${mirror:+"$mirror"} \
		>"$W/debootstrap.log" 2>&1 || skip "debootstrap failed (offline?): $(tail -n 1 "$W/debootstrap.log")"
	echo "$PKGS" >"$W/rootfs.done"
fi

# What `make install` puts on a key server, and the operator's files (README).
make -s install DESTDIR="$TMP/stage" PREFIX=/usr BUILD="$BUILD" >"$TMP/install.log" 2>&1 ||
	fail "make install: $(tail -n 5 "$TMP/install.log")"
for f in usr/sbin/tdx-keyserver usr/bin/tdx-unlock usr/lib/sysusers.d/tdx-keyserver.conf \
	usr/share/man/man8/tdx-unlock.8 usr/share/man/man8/tdx-keyserver.8 usr/share/man/man5/tdx-unlock.conf.5 \
	usr/share/doc/tdx-unlock/LICENSE usr/share/doc/tdx-unlock/examples/keyserver.json \
	usr/share/doc/tdx-unlock/examples/tdx-unlock.conf usr/share/doc/tdx-unlock/examples/policy.json; do
	[ -f "$TMP/stage/$f" ] || fail "make install PREFIX=/usr did not install /$f"
done
grep -q '^ExecStart=/usr/sbin/tdx-keyserver ' "$TMP"/stage/*/systemd/system/tdx-keyserver.service ||
	fail "installed unit does not start PREFIX/sbin/tdx-keyserver"
"$SIM" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"
mount_sim "$TMP/tsm"
"$SIM" quote --pki "$TMP/pki" --report-data "$(printf "0%.0s" $(seq 128))" -o "$TMP/td.quote" || fail "tdx-sim quote"
OP=$TMP/op
mkdir -p "$OP"
# A policy file for the resource (policy-from-quote --resource prints one; without it, one
# policy object to wrap).
if ! "$BUILD/tdx-keyserver" policy-from-quote "$TMP/td.quote" --resource default/luks/vm1-root \
	>"$OP/policy.json" 2>/dev/null; then
	"$BUILD/tdx-keyserver" policy-from-quote "$TMP/td.quote" >"$TMP/pinned.json" || fail "policy-from-quote"
	jq '{"default/luks/vm1-root": .}' "$TMP/pinned.json" >"$OP/policy.json"
fi
head -c 32 /dev/urandom | base64 | tr -d '\n' >"$OP/vm1-root.secret"
cp keys-example/server.pem keys-example/server.key "$OP/"
cp -r "$TMP/pki/collateral" "$OP/collateral"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The shipped example, with a loopback port and the simulator's root instead of Intel's.
jq --arg l "127.0.0.1:$PORT" '.listen = $l | .trust_anchor = "/var/lib/tdx-keyserver/collateral/root_ca.pem"' \
	examples/keyserver.json >"$OP/config.json"
# The operator's steps: the README's block, as written, run inside the container from the
# directory holding the files (README "Running the key server under systemd").
awk 'index($0, "<!-- commands: tests/integration/systemd_unit.sh -->") { f = 1; next } f && /^```sh/ { g = 1; next }
	g && /^```/ { exit } g' README.md >"$TMP/readme-block.sh"
grep -q "systemctl enable --now tdx-keyserver" "$TMP/readme-block.sh" || fail "README block for this test not found"
{ echo 'set -eux'; echo 'tar -C /stage -c . | tar -C / -x --keep-directory-symlink   # = make install'
  echo 'cd /op'; cat "$TMP/readme-block.sh"; } >"$OP/setup.sh"

systemd-nspawn -q -D "$R" --volatile=overlay --register=no --keep-unit /bin/true >"$TMP/probe.log" 2>&1 ||
	skip "systemd-nspawn cannot run a container here: $(tail -n 1 "$TMP/probe.log")"
systemd-nspawn -q -D "$R" --volatile=overlay --boot --register=no --keep-unit \
	--bind-ro="$TMP/stage:/stage" --bind-ro="$OP:/op" </dev/null >"$TMP/nspawn.log" 2>&1 &
NSPAWN=$!
PIDS+=("$NSPAWN")
# The container's PID 1 (systemd) is the nspawn process's child.
ct_pid() { C=$(pgrep -P "$NSPAWN" -x systemd); [ -n "$C" ]; }
wait_for 300 ct_pid || fail "container did not start: $(tail -n 5 "$TMP/nspawn.log")"
ct() { nsenter -t "$C" -a -- "$@"; }
booted() { case $(ct systemctl is-system-running 2>/dev/null) in running|degraded) return 0 ;; esac; return 1; }
wait_for 600 booted || fail "container systemd did not finish booting: $(ct systemctl is-system-running)"
journal() { ct journalctl -b --no-pager -u tdx-keyserver | tail -n 15; }
ct /bin/bash /op/setup.sh >"$TMP/setup.log" 2>&1 || fail "operator steps failed: $(tail -n 5 "$TMP/setup.log"); $(journal)"
ok "README operator steps ran inside the container (systemd $(ct systemctl --version | head -n 1 | cut -d' ' -f2))"

ct systemd-analyze verify --man=no tdx-keyserver.service >"$TMP/verify.log" 2>&1 || fail "systemd-analyze verify: $(cat "$TMP/verify.log")"
[ -s "$TMP/verify.log" ] && fail "systemd-analyze verify warns: $(cat "$TMP/verify.log")"
ok "systemd-analyze verify: no warning"

listening() { ct journalctl -b --no-pager -u tdx-keyserver | grep -q "listening on"; }
wait_for 100 listening || fail "tdx-keyserver.service did not start: $(journal)"
[ "$(ct systemctl is-active tdx-keyserver)" = active ] || fail "service not active: $(journal)"
MAIN=$(ct systemctl show -P MainPID tdx-keyserver)
[ "$(ct stat -c %U "/proc/$MAIN")" = tdx-keyserver ] || fail "service does not run as tdx-keyserver"
ok "tdx-keyserver.service active as user tdx-keyserver (pid $MAIN in the container)"

fetch() {
	"$TU" fetch --url "https://127.0.0.1:$PORT" --resource default/luks/vm1-root --ca keys-example/ca.pem \
		--tsm-dir "$TMP/tsm" --timeout 20 -o "$TMP/$1" 2>"$TMP/$1.err" ||
		fail "fetch from the unit failed: $(tail -n 2 "$TMP/$1.err"); $(journal)"
	cmp -s "$TMP/$1" "$OP/vm1-root.secret" || fail "fetched secret differs"
}
fetch got1
ok "secret released over 127.0.0.1 by the service (0600 resource owned by tdx-keyserver)"
# The README's ownership rule: a root-owned 0600 secret is unreadable for the service.
SECRET=/var/lib/tdx-keyserver/resources/default/luks/vm1-root
ct chown root:root "$SECRET"
if "$TU" fetch --url "https://127.0.0.1:$PORT" --resource default/luks/vm1-root --ca keys-example/ca.pem \
	--tsm-dir "$TMP/tsm" --timeout 5 -o "$TMP/got-root" 2>"$TMP/got-root.err"; then
	fail "a root-owned secret was released"
fi
grep -q PluginInternalError "$TMP/got-root.err" || fail "root-owned secret: unexpected refusal: $(tail -n 1 "$TMP/got-root.err")"
ct chown tdx-keyserver:tdx-keyserver "$SECRET"
ok "a root-owned 0600 secret is refused (PluginInternalError), as the README says"
AUDIT=/var/log/tdx-keyserver/audit.log
[ "$(ct stat -c '%U %a' "$AUDIT")" = "tdx-keyserver 600" ] || fail "audit log owner/mode: $(ct stat -c '%U %a' "$AUDIT")"
ct cat "$AUDIT" | jq -se 'map(select(.event == "resource" and .decision == "release" and
	.resource == "default/luks/vm1-root")) | length >= 1' >/dev/null || fail "audit log has no release line: $(ct cat "$AUDIT")"
ok "audit line written to $AUDIT (tdx-keyserver, 0600)"

ct systemctl reload tdx-keyserver || fail "systemctl reload failed: $(journal)"
sleep 0.5
if [ "$(ct systemctl is-active tdx-keyserver)" != active ] || [ "$(ct systemctl show -P MainPID tdx-keyserver)" != "$MAIN" ]; then
	fail "reload did not keep the same process: $(journal)"
fi
fetch got2
ok "systemctl reload (SIGHUP) keeps pid $MAIN serving"

ct systemctl stop tdx-keyserver || fail "stop failed"
[ "$(ct systemctl show -P Result tdx-keyserver)" = success ] || fail "unclean stop: $(journal)"
ok "clean stop"
ct systemctl poweroff >/dev/null 2>&1
for _ in $(seq 100); do kill -0 "$NSPAWN" 2>/dev/null || break; sleep 0.1; done
