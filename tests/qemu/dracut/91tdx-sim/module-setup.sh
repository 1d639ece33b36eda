#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# 91tdx-sim — TESTS ONLY, never in a production initramfs. The guest kernel under TCG
# has configfs-tsm but no TDX provider, so this mounts the project's FUSE simulator of
# /sys/kernel/config/tsm/report at /run/tdx-sim before tdx-unlock runs; boot with
# rd.tdx_unlock.tsm=/run/tdx-sim. Quotes are signed by the test PKI the key server trusts.
#
# dracut.conf: tdx_sim_bin=/path/to/build/tdx-sim  tdx_sim_pki=/path/to/pki-dir
# shellcheck disable=SC2154  # dracut sets initdir, moddir, systemdsystemunitdir and the dracut.conf variables

check() {
    [[ -x $tdx_sim_bin ]] && [[ -d $tdx_sim_pki ]] || return 1
    return 255   # only when asked for (--add tdx-sim)
}

depends() {
    echo systemd
    return 0
}

installkernel() {
    instmods qemu_fw_cfg    # a boot's TD profile may come as a fw_cfg item (tdx-sim.service)
}

install() {
    local f
    inst_binary "$tdx_sim_bin" /usr/bin/tdx-sim     # + libfuse3, libcrypto, json-c
    inst_multiple -o fusermount3 modprobe
    # the PKI: private keys of the TEST platform (attestation key, PCK) and chains
    while IFS= read -r f; do
        inst_simple "$tdx_sim_pki/$f" "/etc/tdx-sim/pki/$f"
    done < <(cd "$tdx_sim_pki" && find . -type f -printf '%P\n')
    inst_simple "$moddir/tdx-sim.service" "$systemdsystemunitdir/tdx-sim.service"
    $SYSTEMCTL -q --root "$initdir" enable tdx-sim.service
}
