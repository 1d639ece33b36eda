#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# 50tdx-unlock in host-only mode, without QEMU: a loop-attached LUKS2 file with a
# tdx-unlock token makes check() include the module by itself, install() writes the
# per-volume systemd-cryptsetup drop-in and rd.neednet=1; without the token the module
# is not included. dracut --no-kernel with a private module tree; needs root, dracut,
# loop devices and a C compiler (the stub token plugin from tests/qemu/stub/).
source "$(dirname "$0")/lib.bash"
[ "$(id -u)" = 0 ] || skip "needs root"
command -v dracut >/dev/null && command -v cryptsetup >/dev/null && command -v cc >/dev/null ||
	skip "needs dracut, cryptsetup and cc (tests/qemu/harness.sh deps)"
LOOP=
trap 'cleanup; [ -n "$LOOP" ] && losetup -d "$LOOP"' EXIT
LOOP=$(losetup -f --show "$(truncate -s 32M "$TMP/disk.img" && echo "$TMP/disk.img")" 2>/dev/null) ||
	skip "no loop devices"

# a LUKS2 volume bound by a token (the header is all that matters here)
printf 'pass' >"$TMP/pass"
cryptsetup luksFormat --batch-mode --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
	--key-file "$TMP/pass" "$LOOP" || fail "luksFormat"
uuid=$(cryptsetup luksUUID "$LOOP")
udevadm settle -t 5 2>/dev/null
blkid -p "$LOOP" >/dev/null || fail "blkid does not see the volume"

# private dracut tree with the module laid out as `make install` would
mkdir -p "$TMP/base" "$TMP/conf.d" "$TMP/plugin"
cp -a /usr/lib/dracut/. "$TMP/base/"
mkdir -p "$TMP/base/modules.d/50tdx-unlock"
cp -a dracut-module/50tdx-unlock/. systemd/. "$TMP/base/modules.d/50tdx-unlock/"
cc -shared -fPIC -Wl,--version-script=tests/qemu/stub/token-stub.map \
	-o "$TMP/plugin/libcryptsetup-token-tdx-unlock.so" tests/qemu/stub/token-stub.c || fail "stub plugin"
# the token method: what this test checks is its per-volume drop-in (the default is service)
printf 'tdx_unlock_plugindir=%s\ntdx_unlock_bindir=%s\ntdx_unlock_method=token\n' "$TMP/plugin" "$TMP/plugin" >"$TMP/dracut.conf"

build() {   # build NAME [dracut options]: host-only image, default module set minus the slow ones
	dracutbasedir="$TMP/base" timeout 300 dracut --conf "$TMP/dracut.conf" --confdir "$TMP/conf.d" \
		--hostonly --hostonly-cmdline --no-kernel --force \
		--omit "plymouth i18n kernel-modules resume lvm mdraid dmraid multipath btrfs nvdimm" "${@:2}" \
		"$TMP/$1.img" >"$TMP/$1.log" 2>&1 || { tail -n 20 "$TMP/$1.log"; fail "dracut $1"; }
	lsinitrd "$TMP/$1.img" >"$TMP/$1.list" 2>/dev/null
	lsinitrd -f etc/cmdline.d/50tdx-unlock.conf "$TMP/$1.img" >"$TMP/$1.cmdline" 2>/dev/null
}

build unbound
grep -qE '^tdx-unlock$|tdx-unlock-generator|token-tdx-unlock' "$TMP/unbound.list" &&
	fail "module included without a bound volume"
[ -s "$TMP/unbound.cmdline" ] && fail "etc/cmdline.d/50tdx-unlock.conf without a bound volume"
ok "no bound volume: module not included, no rd.neednet"

# The README's way to ask for it (dracut names a module without its number: --add 50tdx-unlock fails)
build added --add tdx-unlock
grep -qx 'tdx-unlock' "$TMP/added.list" || fail "dracut --add tdx-unlock did not include the module"
ok "dracut --add tdx-unlock includes the module"

echo '{"type":"tdx-unlock","keyslots":["0"],"version":1,"kbs-urls":["https://kbs.example:8443"],"resource":"default/luks/t"}' |
	cryptsetup token import "$LOOP" || fail "token import"
build bound
esc=$(systemd-escape "luks-$uuid")
grep -qF "systemd-cryptsetup@$esc.service.d/50-tdx-unlock.conf" "$TMP/bound.list" ||
	fail "per-volume drop-in missing for luks-$uuid"
grep -q 'systemd-cryptsetup@.service.d/50-tdx-unlock.conf' "$TMP/bound.list" &&
	fail "template drop-in installed in host-only mode (would delay every volume)"
grep -q 'cryptsetup/libcryptsetup-token-tdx-unlock.so' "$TMP/bound.list" || fail "plugin not in the token dir"
grep -q 'system-generators/tdx-unlock-generator' "$TMP/bound.list" || fail "generator missing"
grep -qx 'tdx-unlock' "$TMP/bound.list" || fail "module not listed in the image's dracut modules"
grep -q 'rd.neednet=1' "$TMP/bound.cmdline" || fail "rd.neednet=1 missing from etc/cmdline.d"
ok "bound volume: module included, drop-in for luks-$uuid, plugin, generator, rd.neednet=1"
