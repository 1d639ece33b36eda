#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# 50tdx-unlock — dracut 059 module: unlock LUKS2 volumes in the initrd by TDX attestation
# to a key server (tdx-unlock). Glue only; the logic lives in the C helper and plugin.
#
# Two ways to run the unlock (dracut.conf: tdx_unlock_method=token|service):
#   service  (default) tdx-unlock.service runs `tdx-unlock unlock --all` before
#            cryptsetup.target; systemd-cryptsetup@ waits for it and prompts only if it
#            failed. Its lines reach the console; one attestation serves every volume.
#   token    libcryptsetup-token-tdx-unlock.so; systemd-cryptsetup@ calls it, ordered
#            after network-online.target by a drop-in (its log goes to the journal only)
# Either way the passphrase prompt of systemd-cryptsetup stays the last resort.
#
# Optional dracut.conf variables (for packaging and the QEMU tests):
#   tdx_unlock_bindir=DIR     where tdx-unlock is   (default: $PATH)
#   tdx_unlock_plugindir=DIR  where the plugin is   (default: libcryptsetup's token dir)
#   tdx_unlock_confdir=DIR    copied to /etc/tdx-unlock in the image (default /etc/tdx-unlock)
#   tdx_unlock_method=token|service
# shellcheck disable=SC2154  # dracut sets initdir, moddir, hostonly_cmdline, libdirs, systemd*dir, ...

TDX_PLUGIN=libcryptsetup-token-tdx-unlock.so

# Path of the tdx-unlock binary, or nothing.
tdx_binary() {
    if [[ $tdx_unlock_bindir ]]; then
        [[ -x $tdx_unlock_bindir/tdx-unlock ]] && echo "$tdx_unlock_bindir/tdx-unlock"
    else
        # dracut's PATH has no /usr/local: look there too (make install PREFIX=/usr/local)
        PATH="$PATH:/usr/local/sbin:/usr/local/bin" command -v tdx-unlock
    fi
}

# libcryptsetup's external token directory (Debian: /lib/x86_64-linux-gnu/cryptsetup).
tdx_token_dir() {
    local d
    for d in $libdirs /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
        [[ -e $d/libcryptsetup.so.12 ]] && { echo "$d/cryptsetup"; return 0; }
    done
    return 1
}

tdx_plugin() { echo "${tdx_unlock_plugindir:-$(tdx_token_dir)}/$TDX_PLUGIN"; }

tdx_method() {
    echo "${tdx_unlock_method:-service}"
}

# UUIDs of the LUKS2 devices on this host that carry a tdx-unlock token (host-only mode).
tdx_bound_uuids() {
    local dev
    for dev in $(blkid -t TYPE=crypto_LUKS -o device 2>/dev/null); do
        cryptsetup luksDump "$dev" 2>/dev/null | grep -qE '^[[:space:]]+[0-9]+: tdx-unlock$' &&
            blkid -s UUID -o value "$dev"
    done
}

# Volume name for a UUID as in /etc/crypttab, else systemd's default luks-UUID.
tdx_volume_name() {
    local name
    name=$(awk -v u="$1" '$1 !~ /^#/ && ($2 == "UUID=" u || $2 == "/dev/disk/by-uuid/" u) { print $1; exit }' \
        "${dracutsysrootdir}/etc/crypttab" 2>/dev/null)
    echo "${name:-luks-$1}"
}

check() {
    require_binaries cryptsetup || return 1
    if [[ -z $(tdx_binary) ]] && [[ ! -e $(tdx_plugin) ]]; then
        dinfo "tdx-unlock: neither tdx-unlock nor $TDX_PLUGIN found"
        return 1
    fi
    # host-only: include by itself only when a local LUKS2 volume is bound
    [[ $hostonly ]] && [[ $(tdx_bound_uuids) ]] && return 0
    # otherwise only on request (--add tdx-unlock): never force the network on an image
    return 255
}

depends() {
    # "network", not a backend: 40network picks the one the image uses. Exception: an image
    # that names systemd-networkd itself gets only that; 40network would add nothing it needs
    # (systemd-network-generator handles ip=, ifname=, ...) but a pre-udev shell hook and a
    # cmdline hook on the way to the root (~1 s under TCG).
    local m="crypt systemd network"
    dracut_module_included systemd-networkd && m="crypt systemd systemd-networkd"
    # dracut-ng split systemd-cryptsetup into its own module
    [[ -d $(dracut_module_path systemd-cryptsetup 2>/dev/null) ]] && m="$m systemd-cryptsetup"
    echo "$m"
    return 0
}

cmdline() {
    [[ $(tdx_bound_uuids) ]] && printf ' rd.neednet=1'
}

installkernel() {
    # configfs-tsm (tsm), the TDX guest driver and the other CoCo guest drivers (names vary
    # by kernel version: take the whole directory), vsock for the QGS fallback path.
    hostonly='' instmods configfs tsm tdx-guest vsock vmw_vsock_virtio_transport
    # shellcheck disable=SC2283  # =DIR is instmods' syntax for a kernel directory
    hostonly='' instmods =drivers/virt/coco
}

# Writes the [Unit] drop-in that orders one bound volume after the network.
tdx_volume_dropin() {
    local unit dir
    unit=$(systemd-escape "$1") || return 1
    dir="$initdir$systemdsystemunitdir/systemd-cryptsetup@$unit.service.d"
    mkdir -p "$dir"
    cp "$moddir/tdx-unlock-cryptsetup-network.conf" "$dir/50-tdx-unlock.conf"
}

install() {
    local bin plugin method f t uuid confdir=${tdx_unlock_confdir:-/etc/tdx-unlock}
    bin=$(tdx_binary)
    plugin=$(tdx_plugin)
    method=$(tdx_method)

    # One method per image: with both, a refused unlock would run its full deadline twice
    # (tdx-unlock.service, then the plugin inside systemd-cryptsetup) before the prompt.
    # Libraries (libcryptsetup, OpenSSL, mbedTLS, json-c; libcurl is static unless built
    # with make CURL=system) are resolved by dracut-install; a dlopen()ed plugin is not a
    # dependency of anything: install it.
    case $method in
    service) [[ $bin ]] && inst_binary "$bin" /usr/bin/tdx-unlock ;;
    token) [[ -e $plugin ]] && inst_binary "$plugin" "$(tdx_token_dir)/$TDX_PLUGIN" ;;
    esac
    inst_multiple -o modprobe

    # Configuration and CA (measured as part of the initramfs).
    if [[ -d $confdir ]]; then
        for f in "$confdir"/*; do
            [[ -f $f ]] && inst_simple "$f" "/etc/tdx-unlock/${f##*/}"
        done
    fi

    # rd.tdx_unlock.* -> /run/tdx-unlock/env, device ordering, timeout (see the script).
    inst_script "$moddir/tdx-unlock-generator.sh" "$systemdutildir/system-generators/tdx-unlock-generator"

    case $method in
    service)
        [[ $bin ]] || { derror "tdx-unlock: method 'service' needs the tdx-unlock binary"; return 1; }
        inst_simple "$moddir/tdx-unlock.service" "$systemdsystemunitdir/tdx-unlock.service"
        inst_multiple -o "$systemdsystemunitdir/modprobe@.service"
        inst_simple "$moddir/tdx-unlock-cryptsetup-after-service.conf" \
            "$systemdsystemunitdir/systemd-cryptsetup@.service.d/50-tdx-unlock.conf"
        $SYSTEMCTL -q --root "$initdir" enable tdx-unlock.service
        # a longer deadline in the measured config: let the unit live as long (+30 s)
        t=$(sed -n 's/^[[:space:]]*timeout[[:space:]]*=[[:space:]]*\([0-9]\{1,4\}\)[[:space:]]*$/\1/p' \
            "$confdir/tdx-unlock.conf" 2>/dev/null | tail -n 1)
        if [[ $t ]] && ((t + 30 > 150)); then
            mkdir -p "$initdir$systemdsystemunitdir/tdx-unlock.service.d"
            printf '[Service]\nTimeoutStartSec=%d\n' $((t + 30)) \
                >"$initdir$systemdsystemunitdir/tdx-unlock.service.d/40-config-timeout.conf"
        fi
        ;;
    token)
        [[ -e $plugin ]] || { derror "tdx-unlock: method 'token' needs $plugin"; return 1; }
        if [[ $hostonly ]] && [[ $(tdx_bound_uuids) ]]; then
            # only the bound volumes wait for the network
            for uuid in $(tdx_bound_uuids); do
                tdx_volume_dropin "$(tdx_volume_name "$uuid")"
            done
        else
            # generic image: every systemd-cryptsetup@ instance (bound or not) waits
            inst_simple "$moddir/tdx-unlock-cryptsetup-network.conf" \
                "$systemdsystemunitdir/systemd-cryptsetup@.service.d/50-tdx-unlock.conf"
        fi
        ;;
    *)
        derror "tdx-unlock: unknown tdx_unlock_method '$method' (token|service)"
        return 1
        ;;
    esac

    # Host-only images with a bound volume bring the network up (R2: only then).
    if [[ $hostonly_cmdline == yes ]] && [[ $(tdx_bound_uuids) ]]; then
        mkdir -p "$initdir/etc/cmdline.d"
        echo " rd.neednet=1 " >"$initdir/etc/cmdline.d/50tdx-unlock.conf"
    fi
}
