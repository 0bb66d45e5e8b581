#!/usr/bin/env bash
# Word-level benchmark (issue #17) at N synthetic transcripts (`codewerk bench-corpus`):
# - index build time and size with and without decompounding (CODEWERK_DECOMPOUND=off);
# - `codewerk words` (frequencies per group, all words) against `rg -o -i -N '\w+' | sort | uniq -c`
#   and against the task's reference for one word, `rg -o -i WORD | sort | uniq -c`;
# - `codewerk kwic WORD` (every occurrence with 6 words either side) against rg printing every
#   occurrence with up to 6 words either side;
# each under /usr/bin/time -v (wall time, peak memory), in the same run, as ratios.
# The corpus is deleted at the end. BIN=path/to/codewerk to use an existing release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
WORD=${WORD:-meldcode}
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --bin codewerk
  BIN=$PWD/target/release/codewerk
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$tmp/corpus
"$BIN" bench-corpus "$dir" --transcripts "$N" >/dev/null

# Runs a command under /usr/bin/time -v; sets SECS (wall) and PEAK_MB (largest resident set).
measure() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$tmp/time.txt" "$@" >"$tmp/out.txt"
  end=$(date +%s.%N)
  SECS=$(echo "$end - $start" | bc -l)
  PEAK_MB=$(awk -F: '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$tmp/time.txt")
}
sh_measure() { measure bash -c "$1"; }
row() { printf '| %s | %.2f s | %s MB |\n' "$1" "$SECS" "$PEAK_MB"; }
ratio() { echo "scale=2; $1 / $2" | bc -l; }

echo "| step ($N transcripts, $(du -sh "$dir/transcripts" | cut -f1)) | wall | peak RSS |"
echo "|---|---|---|"
rm -rf "$dir/.codewerk"
CODEWERK_DECOMPOUND=off measure "$BIN" -p "$dir" search "$WORD" --limit 1
row "index build, no decompounding"
plain_secs=$SECS
plain_size=$(du -sk "$dir/.codewerk/index" | cut -f1)
rm -rf "$dir/.codewerk"
measure "$BIN" -p "$dir" search "$WORD" --limit 1
row "index build, decompounding"
dc_secs=$SECS
dc_size=$(du -sk "$dir/.codewerk/index" | cut -f1)

measure "$BIN" -p "$dir" words --top 0 --format csv
row "codewerk words (per group, every word, respondent turns)"
words_secs=$SECS; words_mb=$PEAK_MB
sh_measure "rg -o -i -N --no-filename '\\w+' '$dir/transcripts' | tr '[:upper:]' '[:lower:]' | sort | uniq -c"
row "rg -o -i '\\w+' | sort | uniq -c (all words, no groups)"
rg_all_secs=$SECS; rg_all_mb=$PEAK_MB
sh_measure "rg -o -i -N --no-filename '$WORD' '$dir/transcripts' | sort | uniq -c"
row "rg -o -i $WORD | sort | uniq -c (one word)"
rg_one_secs=$SECS

measure "$BIN" -p "$dir" kwic "$WORD" --csv
row "codewerk kwic $WORD (every occurrence, 6 words either side)"
kwic_secs=$SECS; kwic_lines=$(($(wc -l <"$tmp/out.txt") - 1))
sh_measure "rg -o -i -N '(\\S+\\s+){0,6}$WORD\\S*(\\s+\\S+){0,6}' '$dir/transcripts'"
row "rg -o -i with 6 words either side"
rg_kwic_secs=$SECS; rg_kwic_lines=$(wc -l <"$tmp/out.txt")

echo
echo "- index size: $((plain_size / 1024)) MB without, $((dc_size / 1024)) MB with decompounding ($(ratio "$dc_size" "$plain_size")x); build $(ratio "$dc_secs" "$plain_secs")x the time"
echo "- words: $(ratio "$words_secs" "$rg_all_secs")x the time of the rg all-words count, $(ratio "$words_secs" "$rg_one_secs")x the one-word count; $(ratio "$words_mb" "$rg_all_mb")x the memory of the rg pipeline"
echo "- kwic: $kwic_lines lines (rg: $rg_kwic_lines), $(ratio "$kwic_secs" "$rg_kwic_secs")x the time of rg"
