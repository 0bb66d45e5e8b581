#!/usr/bin/env bash
# autocode three times into one journal, then search with and without a code filter, against
# rg in the same run (#18: "a second and third autocode cost no more than the first"). One line
# per command: wall seconds, CPU seconds (user+sys), peak RSS, and the command's last line.
#
#   scripts/bench-autocode.sh                     # 10,000 transcripts, target/release/codewerk
#   N=4500 BIN=/tmp/codewerk-before scripts/bench-autocode.sh
#
# The corpus is written under $BENCH_DIR (default /tmp) and deleted at the end (213 MB at 10,000).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
if [[ -n ${BIN:-} ]]; then
  bin=$(realpath "$BIN")
else
  cargo build --release --quiet
  bin=$PWD/target/release/codewerk
fi
tmp=$(mktemp -d "${BENCH_DIR:-/tmp}/codewerk-autocode.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$bin" bench-corpus "$tmp/p" --transcripts "$N" >/dev/null
# Files written in the 2 s before a load are not vouched for: let the first search remember.
sleep 3
cd "$tmp/p"
t() {
  /usr/bin/time -f '%e s wall, %U+%S s cpu, %M KB' -o "$tmp/time" "$@" >"$tmp/out" 2>&1 || cat "$tmp/out"
  printf '%-40s %s  %s\n' "$(cat "$tmp/time")" "${*#"$bin" }" "$(tail -1 "$tmp/out" | cut -c1-80)"
}
t "$bin" search meldcode --limit 1
for _ in 1 2 3; do t "$bin" --coder student autocode meldcode --code meldcode --scope sentence; done
for _ in 1 2 3; do t "$bin" search meldcode; done
for _ in 1 2 3; do t "$bin" search meldcode --code meldcode; done
for _ in 1 2 3; do t rg -i -c meldcode transcripts/; done
