#!/usr/bin/env bash
# The workbench benchmark (issue 13): filters and stats over N in-memory spans, this build next to
# another one (default: main), both timed in this run, on two cores and on one (taskset -c 0).
#
#   Benchmarks/run.sh workbench [SPANS] [REF]     (default 1000000 and main)
#
# Each side is one process running `spanscope bench-query` (hidden command): it loads the file
# (not timed), then times, best of 3: the per-trace facts; a filter of trace-level terms; a bare
# word found nowhere (so every span's name, service, attributes, events and LLM text are read),
# ASCII and non-ASCII; an attribute term; and `stats --by name|model|service` over all traces.
# The other build is made by Benchmarks/baseline.sh with today's bench-query laid over it, so both
# time the same calls through the same public API. Ratios are other build / this build.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
ref=${2:-main}
out=bench-out
mkdir -p "$out"
swift build -c release --product spanscope >/dev/null 2>&1 || { echo "release build failed" >&2; exit 1; }
ours=.build/release/spanscope
base=${SPANSCOPE_BASELINE:-$(Benchmarks/baseline.sh "$ref")}   # or a binary baseline.sh made before
file="$out/otlp-$n.json"
[ -f "$file" ] || "$ours" generate --spans "$n" --traces $(( n / 1000 > 0 ? n / 1000 : 1 )) --seed 42 -o "$file" 2>/dev/null
cat "$file" > /dev/null   # into the page cache

field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=d.get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"; }
short=$(git rev-parse --short "$ref")
report="$out/results-workbench-$n.md"
{
  echo "| over $n spans | cores | this build | $ref ($short) | ratio ($ref / this) |"
  echo "| --- | --- | --- | --- | --- |"
} | tee "$report"
for cores in 2 1; do
  pin=""
  [ "$cores" = 1 ] && pin="taskset -c 0"
  # The other build's non-ASCII word search takes minutes past 100k spans: it is timed up to there.
  skip=()
  [ "$n" -gt 100000 ] && skip=(--unicode-word "")
  a_json=$($pin "$ours" bench-query "$file" --repeat 3)
  b_json=$($pin "$base" bench-query "$file" --repeat 3 "${skip[@]}")
  [ "$(field "$a_json" groups)" = "$(field "$b_json" groups)" ] || { echo "the builds disagree: $a_json / $b_json" >&2; exit 1; }
  for pair in "facts_ms:per-trace facts (once per file)" "filter_fields_ms:filter: trace-level terms" \
              "filter_word_ms:filter: a bare word" "filter_word_unicode_ms:filter: a non-ASCII bare word" \
              "filter_attribute_ms:filter: an attribute term" "stats_by_name_ms:stats --by name" \
              "stats_by_model_ms:stats --by model" "stats_by_service_ms:stats --by service"; do
    key=${pair%%:*}; label=${pair#*:}
    a=$(field "$a_json" "$key"); b=$(field "$b_json" "$key")
    if [ "$key" = filter_word_unicode_ms ] && [ ${#skip[@]} -gt 0 ]; then
      echo "| $label | $cores | $a ms | not timed (minutes) | — |" | tee -a "$report"
    else
      echo "| $label | $cores | $a ms | $b ms | $(ratio "$b" "$a")× |" | tee -a "$report"
    fi
  done
done
echo
echo "Table written to $report"
