#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds the slim libcurl the client links: static, PIC (the token plugin is a shared
# object), OpenSSL backend, HTTP/HTTPS only, from Debian's own curl source package with
# Debian's patches (security fixes) applied.
#
# Usage: tools/build-libcurl.sh OUTDIR
#   -> OUTDIR/include/curl/*.h, OUTDIR/lib/libcurl.a, OUTDIR/lib/pkgconfig/libcurl.pc,
#      OUTDIR/stamp ("VERSION CONFIG-ID WANTED")
#
# Version: the installed libcurl4-openssl-dev's if the archive still has it, else the
# newest one of bookworm, bookworm-updates, bookworm-security. Sources come through
# apt-get with a private sources list and private state (the system's apt configuration
# is not touched; the archive signatures are checked as usual), then dpkg-source -x.
#
# Cached and shared between build directories: $CURL_CACHE (default .cache/curl in the
# repository, git-ignored) keeps the source package and one install tree per
# VERSION-CONFIG-ID (CONFIG-ID = hash of this script and of the compiler's version), under a
# lock. When OUTDIR/stamp matches, the script does nothing (no network).
# CURL_CC (default cc) compiles curl; every build directory links the same archive.
# DEBIAN_MIRROR (default http://deb.debian.org) serves debian/ and debian-security/.
set -eu

[ $# = 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${CURL_CACHE:-$root/.cache/curl}
cc=${CURL_CC:-cc}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org}
fallback="build with 'make CURL=system' to link Debian's libcurl instead"

said=
die() {
	echo "build-libcurl: $*" >&2
	said=1
	exit 1
}
# Temporary directories go on any exit; an unforeseen failure still gets one line.
tmpdirs=
finish() {
	rc=$?
	# shellcheck disable=SC2086
	[ -z "$tmpdirs" ] || rm -rf $tmpdirs
	[ "$rc" = 0 ] || [ -n "$said" ] || echo "build-libcurl: failed (exit $rc); $fallback" >&2
}
trap finish EXIT

config_id=$({ cat "$0"; $cc --version 2>/dev/null | head -n 1; } | sha256sum | cut -c1-12)
want=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' libcurl4-openssl-dev 2>/dev/null |
	sed -n 's/^ii *//p') || want=

# Fast path: this build directory already has it.
if [ -f "$out/stamp" ]; then
	read -r _ s_id s_want <"$out/stamp" || true
	[ "$s_id" = "$config_id" ] && [ "${s_want:-}" = "$want" ] && [ -f "$out/lib/libcurl.a" ] && exit 0
fi

for t in apt-get dpkg-source patch make flock "$cc"; do
	command -v "$t" >/dev/null || die "'$t' is missing (make deps installs it), or $fallback"
done

mkdir -p "$cache/src"
exec 9>"$cache/lock"
flock 9

start=$(date +%s)
# The version this archive resolved $want to last time (it differs when the archive no
# longer carries the installed version).
ver=
[ -n "$want" ] && [ -f "$cache/resolved-$want" ] && ver=$(cat "$cache/resolved-$want")
[ -n "$want" ] && [ -z "$ver" ] && [ -f "$cache/src/curl_${want#*:}.dsc" ] && ver=$want

if [ -z "$ver" ]; then
	apt=$cache/apt
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d"
	cat >"$apt/sources.list" <<-EOF
		deb-src $mirror/debian bookworm main
		deb-src $mirror/debian bookworm-updates main
		deb-src $mirror/debian-security bookworm-security main
	EOF
	set -- -o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/sources.list.d" \
		-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Debug::NoLocking=1
	echo "build-libcurl: fetching the curl source package list from $mirror"
	# apt-get update exits 0 when a mirror is unreachable (it only warns): check the lists
	if ! apt-get -qq "$@" update >"$cache/apt.log" 2>&1 || grep -q '^[WE]: Failed to fetch' "$cache/apt.log"; then
		die "apt-get update of the bookworm deb-src lists failed ($mirror unreachable? $cache/apt.log); $fallback"
	fi
	dl=$(mktemp -d "$cache/dl.XXXXXX")
	tmpdirs="$tmpdirs $dl"
	# apt downloads as _apt when run as root: let it write there
	[ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1 && chown _apt "$dl"
	if [ -n "$want" ] && (cd "$dl" && apt-get -qq "$@" source --download-only "curl=$want") >>"$cache/apt.log" 2>&1; then
		:
	else
		[ -n "$want" ] && echo "build-libcurl: curl $want (installed libcurl4-openssl-dev) is not in the archive; taking the newest"
		(cd "$dl" && apt-get -qq "$@" source --download-only curl) >>"$cache/apt.log" 2>&1 ||
			die "apt-get source curl failed ($cache/apt.log); $fallback"
	fi
	set -- "$dl"/curl_*.dsc
	{ [ $# = 1 ] && [ -f "$1" ]; } || die "expected one curl .dsc from apt-get source, got: $*"
	ver=$(sed -n 's/^Version: *//p' "$1")
	[ -n "$ver" ] || die "no Version in $1"
	mv "$dl"/* "$cache/src/"
	[ -n "$want" ] && echo "$ver" >"$cache/resolved-$want"
fi

key=$ver-$config_id
entry=$cache/$key
if [ ! -f "$entry/stamp" ]; then
	echo "build-libcurl: building static HTTPS-only libcurl $ver (Debian source, patches applied; ~1-2 min, log $cache/build.log)"
	tmp=$(mktemp -d "$cache/build.XXXXXX")
	tmpdirs="$tmpdirs $tmp"
	log=$cache/build.log
	: >"$log"
	dpkg-source -x "$cache/src/curl_${ver#*:}.dsc" "$tmp/src" >>"$log" 2>&1 || die "dpkg-source -x failed ($log)"
	# Debian's OpenSSL flavour (libcurl4) is built without the last two patches of the
	# series, which rename the library for the GnuTLS and NSS flavours (debian/rules).
	tail -n 2 "$tmp/src/debian/patches/series" | tr '\n' ' ' | grep -qx '90_gnutls.patch 99_nss.patch ' ||
		die "unexpected end of debian/patches/series in curl $ver (expected 90_gnutls.patch 99_nss.patch)"
	(cd "$tmp/src" && patch -s -R -p1 <debian/patches/99_nss.patch && patch -s -R -p1 <debian/patches/90_gnutls.patch) \
		>>"$log" 2>&1 || die "reverting the GnuTLS/NSS flavour patches failed ($log)"
	# configure/Makefile.in are the release's (AM_MAINTAINER_MODE: no autoreconf); the
	# patched configure.ac/Makefile.am only concern gssapi, ldap and zsh, all off here.
	mkdir "$tmp/obj"
	(cd "$tmp/obj" && ../src/configure --prefix="$tmp/inst" CC="$cc" \
		CFLAGS="-O2 -fstack-protector-strong -fstack-clash-protection -fcf-protection" \
		CPPFLAGS="-D_FORTIFY_SOURCE=2" \
		--disable-shared --enable-static --with-pic --disable-dependency-tracking --enable-silent-rules \
		--with-openssl --enable-http --enable-proxy --enable-ipv6 --enable-threaded-resolver \
		--enable-cookies --enable-symbol-hiding --disable-versioned-symbols \
		--disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp --disable-dict \
		--disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp \
		--disable-gopher --disable-mqtt --disable-websockets \
		--disable-ntlm --disable-ntlm-wb --disable-crypto-auth --disable-tls-srp --disable-unix-sockets \
		--disable-doh --disable-netrc --disable-alt-svc --disable-hsts --disable-mime \
		--disable-get-easy-options --disable-progress-meter --disable-headers-api \
		--disable-manual --disable-libcurl-option --disable-ares \
		--without-ca-bundle --without-ca-path --with-ca-fallback \
		--without-zlib --without-brotli --without-zstd --without-libidn2 --without-libpsl \
		--without-librtmp --without-libssh2 --without-libssh --without-wolfssh --without-gssapi \
		--without-libgsasl --without-nghttp2 --without-ngtcp2 --without-nghttp3 --without-quiche \
		--without-msh3 --without-hyper --without-zsh-functions-dir --without-fish-functions-dir) \
		>>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "configure failed ($log)"; }
	(cd "$tmp/obj" && make -j2 -C lib && make -C lib install && make -C include install &&
		make install-pkgconfigDATA) >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "make failed ($log)"; }
	# Nothing but OpenSSL and pthread may come along (a new dependency would be a mistake).
	libs=$(sed -n 's/^Libs.private: *//p' "$tmp/inst/lib/pkgconfig/libcurl.pc")
	for l in $libs; do
		case $l in -lssl | -lcrypto | -lpthread | -L*) ;; *) die "unexpected dependency '$l' in libcurl.pc ($libs)" ;; esac
	done
	protos=$(sed -n 's/^supported_protocols="\(.*\)"/\1/p' "$tmp/inst/lib/pkgconfig/libcurl.pc")
	[ "$protos" = "HTTP HTTPS" ] || die "unexpected protocols '$protos'"
	rm -rf "$tmp/inst/share" "$tmp/inst/bin" "$tmp/inst/lib/libcurl.la"
	echo "$ver $config_id" >"$tmp/inst/stamp"
	rm -rf "$entry"
	mv "$tmp/inst" "$entry"
	echo "build-libcurl: curl $ver built in $(($(date +%s) - start)) s ($(sed -n 's/^supported_features="\(.*\)"/\1/p' "$entry/lib/pkgconfig/libcurl.pc"))"
fi

echo "build-libcurl: $out <- static libcurl $ver ($entry)"
# A private copy per build directory: its timestamps change only when the version or the
# configuration does, so make relinks (and recompiles curl.h users) exactly then.
rm -rf "$out.tmp"
mkdir -p "$(dirname "$out")"
cp -R "$entry" "$out.tmp"
echo "$ver $config_id $want" >"$out.tmp/stamp"
rm -rf "$out"
mv "$out.tmp" "$out"
