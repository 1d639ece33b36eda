#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The client (tdx-unlock, the token plugin) links the static HTTPS-only libcurl of
# $BUILD/curl (tools/build-libcurl.sh), not Debian's libcurl.so and its libraries; a second
# run of the build script does nothing. Skipped for CURL=system builds. (TLS, cookies and
# timeouts through this libcurl: kbs_e2e, kbs_garbage, luks_*.)
source "$(dirname "$0")/lib.bash"
{ [ "${CURL:-static}" = system ] || [ "$(cat "$BUILD/curl-mode" 2>/dev/null)" = system ]; } && skip "CURL=system build"
[ -f "$BUILD/curl/stamp" ] || skip "no static libcurl in $BUILD/curl (built with CURL=system?)"
command -v readelf >/dev/null || skip "needs readelf (binutils)"

zoo='libcurl|libnghttp2|libldap|liblber|libsasl2|libgssapi|libkrb5|libidn2|librtmp|libssh2|libpsl|libbrotli|libgnutls|libnettle'
for f in "$BUILD/tdx-unlock" "$BUILD/libcryptsetup-token-tdx-unlock.so"; do
	[ -f "$f" ] || { [[ $f == *.so ]] && continue; fail "$f missing"; }
	needed=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	grep -q '^libssl\.so' <<<"$needed" || fail "$f does not need libssl (static libcurl linked with OpenSSL?): $needed"
	grep -Eq "^($zoo)" <<<"$needed" && fail "$f needs $(grep -E "^($zoo)" <<<"$needed" | tr '\n' ' ')"
	closure=$(ldd "$f") || fail "ldd $f"
	grep -Eq "($zoo)[.-]" <<<"$closure" && fail "$f pulls in $(grep -Eo "($zoo)[^ ]*" <<<"$closure" | tr '\n' ' ')"
	ok "$(basename "$f"): $(wc -l <<<"$closure") libraries, no libcurl.so"
done
nm "$BUILD/tdx-unlock" | grep -Eq ' [Tt] curl_easy_perform$' || fail "curl_easy_perform is not linked into tdx-unlock"

# Re-running the build script is a no-op (no network, no new files).
before=$(stat -c %Y "$BUILD/curl/lib/libcurl.a")
start=$(date +%s%N)
tools/build-libcurl.sh "$BUILD/curl" || fail "tools/build-libcurl.sh re-run failed"
ms=$((($(date +%s%N) - start) / 1000000))
[ "$(stat -c %Y "$BUILD/curl/lib/libcurl.a")" = "$before" ] || fail "re-run replaced libcurl.a"
((ms < 2000)) || fail "re-run took $ms ms"
ok "build-libcurl.sh re-run: nothing to do ($ms ms); $(cut -d' ' -f1 "$BUILD/curl/stamp")"
