#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# make demo, step 6: boot the QEMU test VM whose LUKS2 root is bound with `tdx-unlock bind`,
# with the simulator inside the initramfs and the example key server on 127.0.0.1, and show
# what tdx-unlock printed on the console and what the key server decided.
source "$(dirname "$0")/harness.sh" || exit 1
source "$H_QDIR/scenarios.sh" || exit 1
trap h_cleanup EXIT
trap 'exit 130' INT TERM

h_prereqs || { echo "demo: QEMU prerequisites unavailable (see above)"; exit 1; }
t0=$SECONDS
echo "building (first run: kernel, debootstrap root, LUKS2 image, initramfs; ~2 min) ..."
h_build >"$W/demo-build.log" 2>&1 || { tail -n 20 "$W/demo-build.log"; exit 1; }
echo "built in $((SECONDS - t0)) s (kernel $KVER, cache $W)"
mkdir -p "$W/runs"
sc_tdx_unlock >"$W/runs/demo.log" 2>&1
rc=$?
echo
echo "console lines of tdx-unlock inside the VM:"
sc_console | grep -a -E 'tdx-unlock(\[[0-9]+\])?:' | sed 's/^.*tdx-unlock\[[0-9]*\]: /  /' | head -n 12
echo "key server audit log:"
jq -c '{event, decision, tcb_status, resource, mr_td: (.mr_td // "" | .[0:16])}' "$KS_DIR/audit.log" 2>/dev/null | sed 's/^/  /'
echo
if [ $rc = 0 ]; then
	echo "summary: the TD attested (simulated TDX quote, DCAP-verified against the simulator's root),"
	echo "         the key server released default/luks/root, tdx-unlock opened the LUKS2 root and"
	echo "         the root file system mounted: $(sc_console | grep -a -m1 -o 'BOOT-OK root=[^ ]*')"
	echo "         boot to the root's marker: ${BOOT_WALL} s (QEMU TCG, no KVM here)"
else
	echo "demo: the VM did not boot through tdx-unlock (details: $W/runs/demo.log)"
	tail -n 20 "$W/runs/demo.log"
fi
exit $rc
