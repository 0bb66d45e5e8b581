#!/usr/bin/env bash
# Make docs/screenshot.png: the TUI on the demo project in a real terminal (tmux), captured with
# its colours (capture-pane -e), turned into HTML and photographed by headless Chromium.
# Needs tmux, python3 and chromium (apt-get install tmux chromium fonts-dejavu-core).
# Only moves the cursor: it writes nothing to the coders' journals.
set -euo pipefail
cd "$(dirname "$0")/.."
cols=${COLS:-150}
rows=${ROWS:-40}
out=${1:-docs/screenshot.png}
cargo build --release --quiet
tmp=$(mktemp -d)
session=codewerk-shot-$$
tmux new-session -d -s "$session" -x "$cols" -y "$rows" \
  "COLORTERM=truecolor ./target/release/codewerk --coder student; sleep 1"
sleep 1.5
# Open C-Z (a care coordinator), go to the fourth coded passage and select the sentence there.
tmux send-keys -t "$session" BTab
for _ in $(seq 11); do tmux send-keys -t "$session" j; done
tmux send-keys -t "$session" Enter
for _ in $(seq 4); do tmux send-keys -t "$session" ']'; done
tmux send-keys -t "$session" s
sleep 0.5
tmux capture-pane -e -p -t "$session" > "$tmp/screen.ansi"
tmux send-keys -t "$session" Escape q
python3 scripts/ansi2html.py < "$tmp/screen.ansi" > "$tmp/screen.html"
mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$tmp/profile" \
  --hide-scrollbars --window-size=$((cols * 9 + 16)),$((rows * 18 + 16)) \
  --screenshot="$PWD/$out" "file://$tmp/screen.html" 2>/dev/null
rm -rf "$tmp"
echo "wrote $out"
