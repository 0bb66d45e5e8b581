#!/usr/bin/env bash
# Rebuild the demo coders' journals, codings/<coder>.jsonl, from the quoted codings in
# codings/quotes/<coder>/<transcript>.jsonl, through codewerk's own import: every quote is
# anchored to its character offsets in the transcript, and a quote that is not found fails.
# One import per transcript, so that one undo in the TUI takes back one transcript's import.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release
for dir in codings/quotes/*/; do
  coder=$(basename "$dir")
  rm -f "codings/$coder.jsonl" "codings/$coder.jsonl.torn"
  for f in "$dir"*.jsonl; do
    ./target/release/codewerk --coder "$coder" import quotes "$f" >/dev/null
  done
  echo "$coder: $(wc -l < "codings/$coder.jsonl") codings"
done
