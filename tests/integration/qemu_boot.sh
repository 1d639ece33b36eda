#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# QEMU (TCG) boot tests: tests/qemu/run.sh runs every scenario and prints one line each.
# First run builds the cached work directory (~1.5 min + package installation), then
# ~25-50 s per boot. TDX_QEMU=0 skips; TDX_QEMU_SCENARIOS="keyfile prompt" narrows.
cd "$(dirname "$0")/../.." || exit 1
[ "${TDX_QEMU:-1}" = 0 ] && { echo "SKIP: TDX_QEMU=0"; exit 77; }
# (2400 s: the default set has nine scenarios; tdx_update boots three times, ~4.5 min)
# shellcheck disable=SC2086
exec timeout "${TDX_QEMU_TOTAL_TIMEOUT:-2400}" bash tests/qemu/run.sh ${TDX_QEMU_SCENARIOS:-}
