#!/usr/bin/env bash
# Co-occurrence benchmark (issue #16): `export cooccurrence` of all 20 codes of the demo
# codebook (190 pairs) over N synthetic transcripts (`codewerk bench-corpus`) with N × PER codings
# (default 10,000 × 20 = 200,000),
# written as one coder's journal, at each unit (respondent, turn, overlap), against, in the same
# run, `export summary` of the same codings (loading the project and counting every code × group,
# the cheapest export) and `codewerk check`: wall time, and peak memory by /usr/bin/time -v.
# The corpus is written to a temporary folder and deleted at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
PER=${PER:-20}
WORDS=${WORDS:-800}
# BIN=path uses a binary already built (release) instead of building one.
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
fi
bin=${BIN:-$PWD/target/release/codewerk}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" bench-corpus "$tmp/p" --transcripts "$N" --words "$WORDS" >/dev/null

# The demo project's codebook (20 codes in 3 deelvragen): the synthetic one has only 3 codes,
# and co-occurrence is about many pairs.
cp codebook/codebook.json "$tmp/p/codebook/codebook.json"

# One journal of PER random passages per transcript, each inside one respondent turn, so that
# passages of different codes overlap and share turns as coding does.
python3 - "$tmp/p" "$PER" <<'EOF'
import json, os, random, sys
root, per = sys.argv[1], int(sys.argv[2])
random.seed(16)
codes = [c["id"] for c in json.load(open(os.path.join(root, "codebook/codebook.json")))["codes"]]
ids = [l.split(",")[0] for l in open(os.path.join(root, "transcripts/respondents.csv")).read().splitlines()[1:]]
seq = 0
with open(os.path.join(root, "codings/bench.jsonl"), "w") as out:
    for t in ids:
        text = open(os.path.join(root, "transcripts", t + ".txt"), encoding="utf-8").read()
        turns, at = [], 0
        for para in text.split("\n\n"):
            if para.startswith("R:") and len(para) > 40:
                turns.append((at + 3, at + len(para)))
            at += len(para) + 2
        for _ in range(per):
            s0, e0 = random.choice(turns)
            start = random.randrange(s0, e0 - 20)
            end = min(e0, start + random.randrange(20, 400))
            seq += 1
            out.write(json.dumps({"seq": seq, "at": "2026-12-01T00:00:00Z", "coder": "bench",
                                  "op": "add", "id": seq, "transcript": t,
                                  "code": random.choice(codes), "start": start, "end": end,
                                  "text": text[start:end]}, ensure_ascii=False) + "\n")
print(f"{seq} codings in {len(ids)} transcripts, {len(codes)} codes", file=sys.stderr)
EOF

measure() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$tmp/time.txt" "$@" >/dev/null
  end=$(date +%s.%N)
  SECS=$(printf '%.2f' "$(echo "$end - $start" | bc -l)")
  PEAK_MB=$(awk -F: '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$tmp/time.txt")
}

measure "$bin" -p "$tmp/p" check
echo "check (load, validate):            ${SECS} s, ${PEAK_MB} MB"
measure "$bin" -p "$tmp/p" --coder bench export summary --out "$tmp/summary.csv"
ref=$SECS
echo "export summary (reference):        ${SECS} s, ${PEAK_MB} MB"
for unit in respondent turn overlap; do
  measure "$bin" -p "$tmp/p" --coder bench export cooccurrence --unit "$unit" --out "$tmp/co-$unit.csv"
  ratio=$(printf '%.2f' "$(echo "$SECS / $ref" | bc -l)")
  echo "export cooccurrence --unit $unit: ${SECS} s, ${PEAK_MB} MB (${ratio}× summary)"
done
measure "$bin" -p "$tmp/p" --coder bench export cooccurrence --format json --out "$tmp/co.json"
echo "export cooccurrence --format json: ${SECS} s, ${PEAK_MB} MB ($(du -h "$tmp/co.json" | cut -f1), ids behind every count)"
