#!/usr/bin/env bash
# Scaling benchmark: every command as a whole process (start-up and project loading included) on
# synthetic projects of growing size, with ripgrep as the reference for search. Prints one
# Markdown table: median wall time and peak resident memory (/usr/bin/time -f %M) per size, and
# the growth factor from each size to the next. Data grows 10x per step: a linear command grows
# about 10x, a quadratic one 100x.
#
#   scripts/bench-scale.sh                  # 45, 450, 4,500 transcripts
#   SIZES="45 450 4500 10000" scripts/bench-scale.sh
#   RUNS=5 TINY="4000 40000" CODES="1000 10000" scripts/bench-scale.sh
#
# Corpora are written under $BENCH_DIR (default a temporary folder) and deleted at the end
# (10,000 transcripts are 213 MB, plus the search index). Needs rg (apt-get install ripgrep).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-"45 450 4500"}
TINY=${TINY:-"4000 40000"}     # transcripts of 20 words: respondents.csv dominates
CODES=${CODES:-"1000 10000"}   # codebook sizes, on the smallest project
RUNS=${RUNS:-3}
WORD=${WORD:-meldcode}
TIMEOUT=${TIMEOUT:-900}        # seconds; a slower command is stopped and shown as "> TIMEOUT s"
if [[ -n ${BIN:-} ]]; then      # another build, e.g. the one before a change, for a before/after
  bin=$(realpath "$BIN")
else
  cargo build --release --quiet
  bin=$PWD/target/release/codewerk
fi
tmp=$(mktemp -d "${BENCH_DIR:-/tmp}/codewerk-scale.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
command -v rg >/dev/null || { echo "rg not installed (apt-get install ripgrep)" >&2; exit 1; }

# One measurement: median wall seconds and peak MB over $RUNS runs of "$@" in $dir.
# Sets SECS and MB. A command that fails aborts the benchmark with its output.
measure() {
  local runs=${MEASURE_RUNS:-$RUNS} i secs=() mbs=() out
  TIMED_OUT=""
  for ((i = 0; i < runs; i++)); do
    local rc=0 t0 t1
    t0=$EPOCHREALTIME
    (cd "$dir" && /usr/bin/time -f '%M' -o "$tmp/time" timeout "$TIMEOUT" "$@" >"$tmp/out" 2>&1) || rc=$?
    t1=$EPOCHREALTIME
    if ((rc == 124)); then
      TIMED_OUT=1
      SECS=$TIMEOUT
      MB=0
      return
    fi
    if ((rc != 0)); then
      # rg -c exits 1 when nothing matched; anything else is a failure.
      if [[ $1 != rg ]]; then
        echo "failed in $dir: $*" >&2
        cat "$tmp/out" >&2
        exit 1
      fi
    fi
    local k
    k=$(tail -1 "$tmp/time")
    secs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
    mbs+=("$((k / 1024))")
  done
  out=$(printf '%s\n' "${secs[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
  SECS=$out
  MB=$(printf '%s\n' "${mbs[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
}

declare -A cell secs_of
rows=()
record() { # record ROW SIZE (after measure)
  local row=$1 size=$2
  [[ " ${rows[*]} " == *" $row "* ]] || rows+=("$row")
  if [[ -n $TIMED_OUT ]]; then
    cell[$row,$size]="> $TIMEOUT s"
  else
    cell[$row,$size]=$(printf '%.3f s, %d MB' "$SECS" "$MB")
  fi
  secs_of[$row,$size]=$SECS
}


for n in $SIZES; do
  dir=$tmp/p$n
  "$bin" bench-corpus "$dir" --transcripts "$n" >/dev/null
  # Files written in the 2 s before a load are not vouched for (they may change while read), so
  # the first search would not let the next ones skip loading the project.
  sleep 3
  MEASURE_RUNS=1 measure "$bin" search "$WORD" --limit 1
  record "first search (builds the index)" "$n"
  measure "$bin" search "$WORD"
  record "search $WORD" "$n"
  cw_search=$SECS
  measure rg -i -c "$WORD" transcripts/
  record "rg -i -c $WORD transcripts/" "$n"
  cell["rg / search",$n]=$(awk -v a="$SECS" -v b="$cw_search" 'BEGIN { printf "%.1fx", a / b }')
  measure "$bin" search 'zorg*' --limit 0 --json
  record "search 'zorg*' --limit 0 --json" "$n"
  measure "$bin" check
  record "check" "$n"
  measure "$bin" stats
  record "stats" "$n"
  # The TUI until its first frame is drawn (it quits then), in a pseudo-terminal (`script`).
  if command -v script >/dev/null; then
    measure env CODEWERK_FIRST_FRAME="$tmp/frame" CODEWERK_FIRST_FRAME_QUIT=1 \
      script -qec "$bin --coder student" /dev/null
    record "TUI to its first frame" "$n"
  fi
  # autocode: the same search three times into one journal; the 2nd and 3rd find everything
  # already coded, which used to compare every hit with every coding.
  for k in 1 2 3; do
    MEASURE_RUNS=1 measure "$bin" --coder student autocode "$WORD" --code meldcode --scope sentence
    record "autocode $k. time" "$n"
  done
  MEASURE_RUNS=1 "$bin" -p "$dir" --coder onderzoeker autocode "$WORD OR melding" --code meldcode \
    --scope turn >/dev/null 2>&1
  measure "$bin" --coder student export quotes -o "$tmp/quotes.csv" --force
  record "export quotes" "$n"
  measure "$bin" agreement student onderzoeker
  record "agreement" "$n"
  rm -rf "$dir"
done
sizes=$SIZES
rows+=("rg / search")

tiny_sizes=""
for n in $TINY; do
  dir=$tmp/tiny$n
  "$bin" bench-corpus "$dir" --transcripts "$n" --words 20 >/dev/null
  measure "$bin" check
  record "check, tiny transcripts" "tiny$n"
  tiny_sizes+=" tiny$n"
  rm -rf "$dir"
done

codes_sizes=""
first=${SIZES%% *}
for c in $CODES; do
  dir=$tmp/codes$c
  "$bin" bench-corpus "$dir" --transcripts "$first" >/dev/null
  {
    echo '{"deelvragen": [{"number": 1, "title": "Een"}], "codes": ['
    echo '{"id": "meldcode", "name": "Meldcode", "deelvraag": 1, "colour_name": "blauw", "colour": "#3366FF"}'
    for ((i = 1; i < c; i++)); do
      printf ',\n{"id": "code-%d", "name": "Code %d", "deelvraag": 1, "colour_name": "rood", "colour": "#CC3333"}' "$i" "$i"
    done
    echo ']}'
  } >"$dir/codebook/codebook.json"
  "$bin" -p "$dir" --coder student autocode "$WORD" --code meldcode >/dev/null 2>&1
  measure "$bin" check
  record "check, codebook of N codes" "codes$c"
  measure "$bin" --coder student export quotes -o "$tmp/quotes.csv" --force
  record "export quotes, codebook of N codes" "codes$c"
  codes_sizes+=" codes$c"
  rm -rf "$dir"
done

# The table: one column per size, then the growth factor per step.
table() { # table "TITLE" SIZE...
  local title=$1
  shift
  local sizes=("$@") header="| $title |" rule="|---|" r s i any
  for s in "${sizes[@]}"; do header+=" ${s##*[a-z]} |"; rule+="---:|"; done
  header+=" growth per step |"
  rule+="---|"
  echo "$header"
  echo "$rule"
  for r in "${rows[@]}"; do
    any=""
    local line="| $r |" growth=()
    for s in "${sizes[@]}"; do
      line+=" ${cell[$r,$s]:-} |"
      [[ -n ${cell[$r,$s]:-} ]] && any=1
    done
    [[ -n $any ]] || continue
    for ((i = 1; i < ${#sizes[@]}; i++)); do
      local a=${secs_of[$r,${sizes[i - 1]}]:-} b=${secs_of[$r,${sizes[i]}]:-}
      if [[ -n $a && -n $b ]]; then
        # Times under 10 ms are start-up noise: the factor is taken from 10 ms.
        growth+=("$(awk -v a="$a" -v b="$b" 'BEGIN { if (a < 0.01) a = 0.01; if (b < 0.01) b = 0.01; printf "%.1fx", b / a }')")
      fi
    done
    line+=" ${growth[*]:-} |"
    echo "$line"
  done
}

echo
echo "codewerk $(git describe --always --dirty 2>/dev/null), $(rg --version | head -1), $(nproc) cores, median of $RUNS runs"
echo
read -ra s <<<"$sizes"
table "transcripts (3,000 words)" "${s[@]}"
if [[ -n $tiny_sizes ]]; then
  echo
  read -ra s <<<"$tiny_sizes"
  table "tiny transcripts (20 words)" "${s[@]}"
fi
if [[ -n $codes_sizes ]]; then
  echo
  read -ra s <<<"$codes_sizes"
  table "codes in the codebook ($first transcripts)" "${s[@]}"
fi
