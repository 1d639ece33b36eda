#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# tdx-keyserver reference-values: hand-made PE images and, when one is at hand, a real
# kernel ($TDX_TEST_KERNEL or the QEMU tests' cached Debian kernel); the Authenticode
# digest equals osslsigncode's (when installed) and survives signing; the command line
# follows the firmware class; bad input exits 1, usage errors 2.
source "$(dirname "$0")/lib.bash"
KS=$BUILD/tdx-keyserver
[ -x "$KS" ] || fail "$KS missing (make all)"

# A PE32+ image: 0x200 bytes of headers, .text and .data of 0x200 bytes each.
make_pe() {
	python3 - "$1" <<-'PY'
	import sys
	b = bytearray(0x600)
	b[0:2] = b'MZ'; b[0x3c] = 0x80; b[0x80:0x84] = b'PE\0\0'
	b[0x84:0x86] = b'\x64\x86'; b[0x86] = 2; b[0x94] = 240
	o = 0x98; b[o:o + 2] = b'\x0b\x02'; b[o + 61] = 2; b[o + 108] = 16
	s = o + 240
	b[s:s + 5] = b'.text'; b[s + 17] = 2; b[s + 21] = 2
	b[s + 40:s + 45] = b'.data'; b[s + 57] = 2; b[s + 61] = 4
	for i in range(0x200, 0x600): b[i] = (i * 7) & 0xff
	open(sys.argv[1], 'wb').write(b)
	PY
}
command -v python3 >/dev/null || skip "python3 missing (makes the test PE image)"
make_pe "$TMP/pe.efi"
printf 'initrd bytes' >"$TMP/initrd"

json=$("$KS" reference-values --kernel "$TMP/pe.efi" --initrd "$TMP/initrd" --cmdline "console=ttyS0 root=/dev/vda1" --json) ||
	fail "reference-values exited $?"
[ "$(jq -r '.kernel | length' <<<"$json")" = 1 ] || fail "kernel is not a one-element list: $json"
[ "$(jq -r '.initrd[0]' <<<"$json")" = "$(sha384sum "$TMP/initrd" | cut -d' ' -f1)" ] || fail "initrd digest: $json"
[ "$(jq -r '.cmdline[0]' <<<"$json")" = "initrd=initrd console=ttyS0 root=/dev/vda1" ] || fail "cmdline (202508 prefix): $json"
[ "$(jq -r 'keys | join(",")' <<<"$json")" = "cmdline,initrd,kernel" ] || fail "members: $json"
ok "policy members kernel, initrd, cmdline"

# The measured LoadOptions digests of measured-boot.md §4.2 for both firmware classes.
"$KS" reference-values --kernel "$TMP/pe.efi" --initrd "$TMP/initrd" --cmdline "console=ttyS0 root=/dev/vda1" \
	--firmware edk2-stable202411 | grep -q '^cmdline: "console=ttyS0 root=/dev/vda1 initrd=initrd" (LoadOptions digest e8ff50bed8f5064b' ||
	fail "suffix class"
"$KS" reference-values --kernel "$TMP/pe.efi" --initrd "$TMP/initrd" --cmdline "console=ttyS0 root=/dev/vda1" |
	grep -q '(LoadOptions digest 688d8100fe711a54' || fail "prefix class"
# Without -initrd and -append nothing is measured: no cmdline member.
[ "$("$KS" reference-values --kernel "$TMP/pe.efi" --json | jq -r 'has("cmdline")')" = false ] || fail "empty boot has a cmdline"
ok "command line per firmware class"

# QEMU < 10.2's header rewrite needs a Linux setup header: refused on the bare PE image
# (it is shorter than 4 KiB), with --ram required.
"$KS" reference-values --kernel "$TMP/pe.efi" --qemu-header-patch 2>/dev/null; [ $? = 2 ] || fail "--qemu-header-patch without --ram"
"$KS" reference-values --kernel "$TMP/pe.efi" --qemu-header-patch --ram 2G 2>"$TMP/err"; [ $? = 1 ] || fail "short image patched"
grep -q "shorter than 4 KiB" "$TMP/err" || fail "patch error: $(cat "$TMP/err")"

# Bad input: a non-PE kernel (exit 1, one line naming the problem), usage errors (2).
printf 'not a kernel' >"$TMP/bad"
"$KS" reference-values --kernel "$TMP/bad" 2>"$TMP/err"; [ $? = 1 ] || fail "non-PE kernel accepted"
{ [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q 'kernel: not a PE image' "$TMP/err"; } || fail "message: $(cat "$TMP/err")"
"$KS" reference-values --kernel "$TMP/pe.efi" --firmware edk2-stable202302 2>/dev/null; [ $? = 2 ] || fail "unknown firmware"
"$KS" reference-values 2>/dev/null; [ $? = 2 ] || fail "no --kernel"
"$KS" reference-values --kernel "$TMP/none" 2>/dev/null; [ $? = 2 ] || fail "missing file"
"$KS" reference-values --kernel "$TMP/pe.efi" --cmdline "$(printf 'caf\xc3\xa9')" 2>/dev/null; [ $? = 1 ] || fail "non-ASCII cmdline"
ok "bad input and usage errors"

# Signing does not change the digest, and osslsigncode computes the same one.
if command -v osslsigncode >/dev/null && command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/sk.pem" -out "$TMP/sc.pem" -subj /CN=t -days 1 2>/dev/null ||
		fail "openssl req"
	sign_check() { # FILE
		local want got
		want=$("$KS" reference-values --kernel "$1" --json | jq -r '.kernel[0]')
		osslsigncode sign -h sha384 -certs "$TMP/sc.pem" -key "$TMP/sk.pem" -in "$1" -out "$1.signed" >/dev/null 2>&1 ||
			fail "osslsigncode sign $1"
		got=$(osslsigncode verify -in "$1.signed" 2>&1 | sed -n 's/^Current message digest *: *\([0-9A-F]*\).*/\1/p' | tr 'A-F' 'a-f')
		[ "$got" = "$want" ] || fail "$(basename "$1"): osslsigncode $got, ours $want"
		[ "$("$KS" reference-values --kernel "$1.signed" --json | jq -r '.kernel[0]')" = "$want" ] ||
			fail "$(basename "$1"): the signed image hashes differently"
	}
	sign_check "$TMP/pe.efi"
	ok "hand-made PE: osslsigncode agrees, signature not hashed"
else
	echo "note: osslsigncode not installed, cross-check skipped"
fi

kernel=${TDX_TEST_KERNEL:-$(find tests/qemu/work/kernel -path '*/boot/vmlinuz-*' 2>/dev/null | sort | tail -n1)}
if [ -n "$kernel" ] && [ -f "$kernel" ]; then
	json=$("$KS" reference-values --kernel "$kernel" --json) || fail "real kernel $kernel"
	patched=$("$KS" reference-values --kernel "$kernel" --initrd "$TMP/initrd" --qemu-header-patch --ram 2G --json) ||
		fail "real kernel, QEMU < 10.2"
	[ "$(jq -r '.kernel[0]' <<<"$json")" != "$(jq -r '.kernel[0]' <<<"$patched")" ] || fail "header patch changed nothing"
	if command -v osslsigncode >/dev/null; then
		cp "$kernel" "$TMP/vmlinuz"
		sign_check "$TMP/vmlinuz"
	fi
	ok "real kernel $(basename "$kernel")"
else
	echo "note: no real kernel (set TDX_TEST_KERNEL or run the QEMU tests once)"
fi
