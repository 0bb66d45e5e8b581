#!/usr/bin/env bash
# Import benchmark: N synthetic .docx interviews of about WORDS words (written by the hidden
# `codewerk bench-docx`), imported into a new project by `codewerk import transcripts`, against
# pandoc converting the same files to plain text (one process per file, as a script would), both
# measured in the same run: wall time, and peak memory by /usr/bin/time -v.
# Needs pandoc for the reference (apt-get install -y pandoc); without it only codewerk is timed.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-450}
WORDS=${WORDS:-3000}
cargo build --release --quiet
bin=$PWD/target/release/codewerk
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" bench-docx "$tmp/docx" --files "$N" --words "$WORDS"
"$bin" init "$tmp/project" --no-input --group respondent=respondenten >/dev/null

# Runs a command under /usr/bin/time -v; sets SECS (wall) and PEAK_MB (largest resident set).
measure() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$tmp/time.txt" "$@" >/dev/null
  end=$(date +%s.%N)
  SECS=$(echo "$end - $start" | bc -l)
  PEAK_MB=$(awk -F: '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$tmp/time.txt")
}

measure "$bin" -p "$tmp/project" import transcripts "$tmp/docx" --no-input
cw_secs=$SECS
cw_mb=$PEAK_MB
"$bin" -p "$tmp/project" check >/dev/null
words=$("$bin" -p "$tmp/project" check --json | sed -n 's/.*"total": \([0-9]*\).*/\1/p' | head -1)
printf 'codewerk import: %d files, %s words: %.2f s, peak %s MB\n' "$N" "${words:-?}" "$cw_secs" "$cw_mb"

if command -v pandoc >/dev/null; then
  mkdir -p "$tmp/plain"
  cat > "$tmp/pandoc.sh" <<'SH'
for f in "$1"/*.docx; do
  pandoc -t plain --wrap=none "$f" -o "$2/$(basename "$f" .docx).txt"
done
SH
  measure bash "$tmp/pandoc.sh" "$tmp/docx" "$tmp/plain"
  printf 'pandoc -t plain (%s): %.2f s, peak %s MB\n' "$(pandoc --version | head -1)" "$SECS" "$PEAK_MB"
  printf 'ratio codewerk/pandoc: time %.3f, peak memory %.2f\n' \
    "$(echo "$cw_secs / $SECS" | bc -l)" "$(echo "$cw_mb / $PEAK_MB" | bc -l)"
else
  echo "pandoc not installed: no reference (apt-get install -y pandoc)"
fi
