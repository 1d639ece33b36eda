#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every command the README shows is run by a test or by the demo. Each ```sh block of
# README.md must follow an HTML comment that says who runs it:
#   <!-- commands: run -->       this script runs the block as written, with `set -e`, in a
#                                scratch /tmp (private mount, network and PID namespaces)
#                                holding build/, keys-example/, a real quote (quote.bin +
#                                collateral/, shared test data) and a simulator quote
#                                (td.quote); build/ is first in PATH; `apt-get install` is
#                                simulated (-s: the package must exist, nothing changes)
#   <!-- commands: FILE... -->   those files run it: a FILE that contains this very
#                                annotation runs the block itself (it extracts it from the
#                                README); otherwise every command's program, subcommand
#                                (tdx-unlock bind, systemctl enable, ...) and long options
#                                must appear in one of the FILEs
# A block without an annotation, an unknown FILE or a command missing from its FILEs fails
# the test: a new command cannot go unaccounted for. Also checks that the layout table
# names every folder of the repository (top level, src/*, tests/*).
source "$(dirname "$0")/lib.bash"
command -v python3 >/dev/null && command -v jq >/dev/null || skip "python3 or jq absent (make deps)"
[ -x "$BUILD/tdx-unlock" ] && [ -x "$BUILD/tdx-keyserver" ] && [ -x "$BUILD/tdx-sim" ] || fail "build first (make)"

[ "$(id -u)" = 0 ] && unshare -m -n -p -f --mount-proc true 2>/dev/null ||
	skip "needs root and namespaces (unshare) to run the README's blocks in a sandbox"

# Blocks: $TMP/blocks/N.sh (the text), N.spec (the annotation), N.line (README line).
mkdir -p "$TMP/blocks"
python3 - README.md "$TMP/blocks" <<'EOF' || fail "README parsing failed"
import re, sys
lines = open(sys.argv[1]).read().split("\n")
out = sys.argv[2]
n, i = 0, 0
while i < len(lines):
    m = re.match(r"^(\s*)```(\S*)\s*$", lines[i])
    if not m:
        i += 1
        continue
    indent, lang = m.group(1), m.group(2)
    j = i + 1
    while j < len(lines) and lines[j].strip() != "```":
        j += 1
    if lang == "sh":
        n += 1
        prev = i - 1
        while prev >= 0 and not lines[prev].strip():
            prev -= 1
        a = re.match(r"^\s*<!-- commands: (.+?) -->\s*$", lines[prev]) if prev >= 0 else None
        body = [l[len(indent):] if l.startswith(indent) else l for l in lines[i + 1:j]]
        open(f"{out}/{n}.sh", "w").write("\n".join(body) + "\n")
        open(f"{out}/{n}.spec", "w").write(a.group(1) if a else "")
        open(f"{out}/{n}.line", "w").write(str(i + 1))
    i = j + 1
EOF

# The commands of a block, one per line as "PROGRAM SUBCOMMAND --opt --opt...": lines
# joined at backslashes, comments dropped, split at ; && || | &.
commands() {
	python3 - "$1" <<'EOF'
import shlex, sys, os
text = open(sys.argv[1]).read().replace("\\\n", " ")
multi = {"tdx-unlock", "tdx-keyserver", "tdx-sim", "systemctl", "make", "apt-get", "cryptsetup"}
for line in text.split("\n"):
    lex = shlex.shlex(line, posix=True, punctuation_chars=";&|<>")
    lex.whitespace_split = True
    lex.commenters = "#"
    words, skip = [], False
    for tok in list(lex) + [";"]:
        if tok and set(tok) <= set("<>"):
            skip = True   # a redirection: its target is no word of the command
            continue
        if tok and set(tok) <= set(";&|"):
            if words:
                prog = os.path.basename(words[0])
                sub = next((w for w in words[1:] if not w.startswith("-")), "") if prog in multi else ""
                opts = sorted({w.split("=")[0] for w in words[1:] if w.startswith("--")})
                print(" ".join([prog] + ([sub] if sub else []) + opts))
            words = []
            continue
        if skip:
            skip = False
            continue
        words.append(tok)
EOF
}

# The scratch /tmp of the run blocks.
S=$TMP/scratch
mkdir -p "$S"
ln -s "$(cd "$BUILD" && pwd)" "$S/build"
cp -r keys-example "$S/"
"$BUILD/tdx-sim" pki "$TMP/pki" >/dev/null || fail "tdx-sim pki"
"$BUILD/tdx-sim" quote --pki "$TMP/pki" --report-data "$(printf '0%.0s' $(seq 128))" -o "$S/td.quote" || fail "tdx-sim quote"
REAL=$TDX_TESTDATA/dcapqvl_v4_uptodate
if [ -f "$REAL/quote.bin" ]; then
	cp "$REAL/quote.bin" "$S/" && cp -r "$REAL/collateral" "$S/"
else
	echo "note: shared test data absent ($REAL): blocks that need quote.bin are skipped"
fi
cat >"$TMP/prelude.sh" <<EOF
set -e -o pipefail
export PATH=/tmp/build:\$PATH
apt-get() { if [ "\$1" = install ]; then shift; command apt-get install -s "\$@" >/dev/null; else command apt-get "\$@"; fi; }
cd /tmp
EOF

run_block() {   # run_block N: in its own namespaces, with /tmp = a fresh copy of the scratch dir
	local n=$1 w=$TMP/run-$1
	cp -a "$S" "$w"
	cat "$TMP/prelude.sh" "$TMP/blocks/$n.sh" >"$w/.block.sh"
	timeout 120 unshare -m -n -p -f --mount-proc sh -c \
		"ip link set lo up && mount --bind '$w' /tmp && exec bash /tmp/.block.sh" >"$TMP/run-$n.log" 2>&1
}

total=0
for spec in "$TMP"/blocks/*.spec; do
	n=$(basename "$spec" .spec)
	where="README.md:$(cat "$TMP/blocks/$n.line")"
	total=$((total + 1))
	read -r -a who <"$spec"
	[ ${#who[@]} -gt 0 ] || fail "$where: a sh block without '<!-- commands: run|FILE... -->' before it: $(head -n 1 "$TMP/blocks/$n.sh")"
	if [ "${who[*]}" = run ]; then
		if grep -q 'quote\.bin' "$TMP/blocks/$n.sh" && [ ! -f "$S/quote.bin" ]; then
			echo "skip: $where needs the shared quote"
			continue
		fi
		t0=$(date +%s%N)
		run_block "$n" || fail "$where: the block failed: $(tail -n 5 "$TMP/run-$n.log")"
		ms=$((($(date +%s%N) - t0) / 1000000))
		# a policy file a block wrote must be one the key server loads: {"REPO/TYPE/TAG": {policy}}
		if [ -f "$TMP/run-$n/policy.json" ]; then
			jq -e 'length > 0 and (to_entries | all((.key | test("^[^/]+/[^/]+/[^/]+$")) and
				(.value | type == "object" and has("mr_td"))))' "$TMP/run-$n/policy.json" >/dev/null ||
				fail "$where: policy.json is not a policy file: $(head -c 200 "$TMP/run-$n/policy.json")"
		fi
		ok "$where: ran $(grep -cv '^\s*\(#.*\)\?$' "$TMP/blocks/$n.sh") line(s) in $ms ms"
		continue
	fi
	for f in "${who[@]}"; do [ -f "$f" ] || fail "$where: names '$f', which does not exist"; done
	self=
	for f in "${who[@]}"; do grep -qF "commands: ${who[*]}" "$f" && self=$f; done
	if [ -n "$self" ]; then
		ok "$where: run as written by $self"
		continue
	fi
	while read -r prog sub_opts; do
		for w in $prog $sub_opts; do
			# the program or subcommand word, or the long option, must be in one of the files
			cat "${who[@]}" | grep -qw -- "$w" ||
				fail "$where: '$w' (of '$prog $sub_opts') appears in none of ${who[*]}: add it to a test or annotate the block"
		done
	done < <(commands "$TMP/blocks/$n.sh")
	ok "$where: every command found in ${who[*]}"
done
[ "$total" -ge 8 ] || fail "only $total sh blocks found in README.md (parser broken?)"

# The layout table names every folder.
mapfile -t dirs < <(git ls-files | awk -F/ 'NF > 1 { print $1 "/" } NF > 2 && ($1 == "src" || $1 == "tests") { print $1 "/" $2 "/" }' | sort -u)
[ ${#dirs[@]} -gt 5 ] || skip "not a git checkout"
layout=$(sed -n '/^## Layout/,/^## /p' README.md)
for d in "${dirs[@]}"; do
	grep -qF "\`$d" <<<"$layout" || fail "README layout table does not name $d"
done
ok "layout table names all ${#dirs[@]} folders"
