#!/usr/bin/env bash
# Runs every Spanscope benchmark side by side with its peer and prints one table of ratios.
#
#   Benchmarks/run.sh [smoke|small|full]     (default: small)
#
#   smoke  tiny inputs, debug binaries from `swift test`; only checks that everything runs and
#          prints sane numbers (used by .ci/run)
#   small  10k and 100k spans, release build
#   full   10k, 100k and 1M spans, release build (writes ~1 GB of inputs under bench-out/)
#   scale [GB]  by hand only: a GB-sized JSON Lines file, index scan and summary against today's
#          build and orjson on one and two cores (Benchmarks/scale.sh)
#
# Every figure is measured in this run, next to its peer, because the machine is shared and
# noisy: compare the ratios, not the absolute times. Inputs are generated, never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-small}
[ "$size" = scale ] && exec Benchmarks/scale.sh "${2:-3}"
out=bench-out
mkdir -p "$out"
case "$size" in
  smoke) sizes=(2000); repeat=1; bin=.build/debug ;;
  small) sizes=(10000 100000); repeat=3; bin=.build/release ;;
  full)  sizes=(10000 100000 1000000); repeat=3; bin=.build/release ;;
  *) echo "usage: $0 [smoke|small|full]" >&2; exit 2 ;;
esac

if [ "$bin" = .build/release ]; then
  for product in spanscope tracing-bench; do
    swift build -c release --product "$product" >/dev/null 2>&1 \
      || { echo "release build of $product failed: run 'swift build -c release --product $product'" >&2; exit 1; }
  done
fi
spanscope="$bin/spanscope"
tracing="$bin/tracing-bench"

# Python peers: orjson and pysimdjson from PyPI in a private venv when reachable, else the system's.
py=python3
if [ "$size" != smoke ]; then
  if [ ! -x "$out/venv/bin/python" ]; then
    python3 -m venv "$out/venv" >/dev/null 2>&1 && "$out/venv/bin/pip" install -q orjson pysimdjson >/dev/null 2>&1 || true
  fi
  [ -x "$out/venv/bin/python" ] && "$out/venv/bin/python" -c 'import orjson' 2>/dev/null && py="$out/venv/bin/python"
fi
peers="Benchmarks/peers.py"
seed="../shared/peers/seed_tracer.py"

field() { # json field
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=d.get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"
}
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"; }

report="$out/results-$size.md"
{
  echo "# Spanscope benchmarks ($size)"
  echo
  echo "Machine: $(nproc) cores, $(uname -m), $(python3 -c 'import platform; print(platform.platform())'); $(date -u +%Y-%m-%d)."
  echo "Every ratio compares two things measured in the same run."
  echo
} > "$report"

echo "| benchmark | spans | Spanscope | peer | peer figure | ratio (peer / Spanscope) |" | tee -a "$report"
echo "| --- | --- | --- | --- | --- | --- |" | tee -a "$report"

declare -A analysis_ms
for n in "${sizes[@]}"; do
  file="$out/otlp-$n.json"
  [ -f "$file" ] || "$spanscope" generate --spans "$n" --traces $(( n / 1000 > 0 ? n / 1000 : 1 )) --seed 42 -o "$file" 2>/dev/null
  # 1. Load: read + parse + index, in-process, best of $repeat; memory from the first load.
  load=$("$spanscope" bench-load "$file" --repeat "$repeat" --analysis)
  peer=$("$py" "$peers" parse "$file" "$repeat")
  load_ms=$(field "$load" load_best_ms)
  mbps=$(field "$load" mb_per_s)
  for p in orjson_gc_off_ms orjson_gc_on_ms json_ms simdjson_ms; do
    v=$(field "$peer" "$p")
    [ -n "$v" ] || continue
    echo "| load (read+parse+index) | $n | ${load_ms} ms (${mbps} MB/s) | ${p%_ms} parse only | $(printf '%.1f' "$v") ms | $(ratio "$v" "$load_ms")× |" | tee -a "$report"
  done
  analysis_ms[$n]=$(field "$load" analysis_best_ms)
  echo "| analysis (critical path + AI summary, all traces) | $n | ${analysis_ms[$n]} ms | — | — | — |" | tee -a "$report"
  # 2b. The workbench on the loaded file: per-trace facts, a query filter, stats by name (issue 13).
  q=$("$spanscope" bench-query "$file" --repeat "$repeat")
  echo "| query filter (facts + trace-level terms / + a word over every span) | $n | $(field "$q" facts_ms) + $(field "$q" filter_fields_ms) ms / $(field "$q" filter_word_ms) ms | analysis, same run | ${analysis_ms[$n]} ms | $(ratio "${analysis_ms[$n]}" "$(field "$q" facts_ms)")× |" | tee -a "$report"
  echo "| stats --by name (all traces) | $n | $(field "$q" stats_by_name_ms) ms | analysis, same run | ${analysis_ms[$n]} ms | $(ratio "${analysis_ms[$n]}" "$(field "$q" stats_by_name_ms)")× |" | tee -a "$report"
  # 4. Memory: peak RSS of one load in a fresh process, over the file size.
  mem=$("$spanscope" bench-load "$file" --repeat 1)
  ours=$(field "$mem" rss_per_file_byte)
  theirs=$("$py" "$peers" rss "$file" orjson 2>/dev/null || echo '{}')
  orss=$(field "$theirs" rss_per_file_byte); [ -n "$orss" ] && orss=$(printf '%.2f' "$orss")
  echo "| peak memory / file size | $n | ${ours}× | orjson | ${orss:-n/a}× | $( [ -n "$orss" ] && ratio "$orss" "$ours" || echo n/a)× |" | tee -a "$report"
  # 1b. Whole process: spanscope summary vs a Python process doing orjson.loads on the same bytes.
  if [ "$n" -ge 100000 ] || [ "$size" = smoke ]; then
    w=$("$py" "$peers" wall "$repeat" "$spanscope summary --format json $file" \
        "$py -c \"import orjson,gc; gc.disable(); orjson.loads(open('$file','rb').read())\"")
    s_ms=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0]["best_ms"])' "$w")
    o_ms=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[1]["best_ms"])' "$w")
    echo "| \`spanscope summary\` whole process | $n | $(printf '%.0f' "$s_ms") ms | python + orjson.loads (GC off) | $(printf '%.0f' "$o_ms") ms | $(ratio "$o_ms" "$s_ms")× |" | tee -a "$report"
  fi
  # 3. Interaction: keystroke → frame on a fully expanded trace of n spans (one trace).
  frame=$("$spanscope" bench-frame --spans "$n" --keys $([ "$size" = smoke ] && echo 100 || echo 3000) | grep -E '^frame')
  echo "| keystroke → frame (p50 / p99), fully expanded | $n | $(echo "$frame" | sed -E 's/.*p50 ([0-9.]+) ms, p99 ([0-9.]+) ms.*/\1 \/ \2 ms/') | goal | p99 ≤ 2 ms | — |" | tee -a "$report"
done

if [ ${#sizes[@]} -ge 2 ]; then
  a=${sizes[-2]}; b=${sizes[-1]}
  echo "| analysis scaling ${a} → ${b} spans | — | $(ratio "${analysis_ms[$b]}" "${analysis_ms[$a]}")× time for $(( b / a ))× spans | goal | ≤ $(( b / a * 11 / 10 ))× | — |" | tee -a "$report"
fi

# 5. Recording: withSpan + setAIMetrics, 1/4/8 tasks, next to the seed's Python tracer.
rec_n=$([ "$size" = smoke ] && echo 2000 || echo 100000)
rec=$("$tracing" --spans "$rec_n" --tasks 1,4,8 --repeat "$repeat" --seed-script "$seed")
one=$(echo "$rec" | awk '$1=="1"{print $3}')
four=$(echo "$rec" | awk '$1=="4"{print $3}')
eight=$(echo "$rec" | awk '$1=="8"{print $3}')
seedns=$(echo "$rec" | sed -nE 's/^seed .*: ([0-9]+) ns\/span.*/\1/p')
echo "| recording (withSpan + setAIMetrics), ns/span, 1 / 4 / 8 tasks | $rec_n | $one / $four / $eight | seed's Python tracer | $seedns ns | $(ratio "$seedns" "$one")× |" | tee -a "$report"
# The same with glibc growing its heap in 64 MiB steps instead of 128 KiB (an environment
# setting, no code change): a third of the default figure is the heap growing, span by span.
padded=$(MALLOC_TOP_PAD_=$((64 << 20)) "$tracing" --spans "$rec_n" --tasks 1 --repeat "$repeat" --no-check | awk '$1=="1"{print $3}')
echo "| recording, 1 task, MALLOC_TOP_PAD_=64MiB | $rec_n | $padded | seed's Python tracer | $seedns ns | $(ratio "$seedns" "$padded")× |" | tee -a "$report"

# 6. Startup: launch to first frame of the explorer on the 100k file (smoke: the small file), in
# tmux. The explorer writes the time from its command's start to the first frame drawn; the wall
# time from the shell's Enter to that moment (polled every 5 ms) includes process launch.
if command -v tmux >/dev/null; then
  n=$([ "$size" = smoke ] && echo "${sizes[0]}" || echo 100000)
  file="$out/otlp-$n.json"
  best_in=""; best_wall=""
  for i in 1 2 3; do
    sock="spanscope-bench-$$-$i"
    mark="$PWD/$out/first-frame-$i"
    rm -f "$mark"
    tmux -L "$sock" -f /dev/null new-session -d -s b -x 120 -y 40 "env TERM=tmux-256color LANG=C.UTF-8 bash --norc"
    sleep 0.3
    t0=$(date +%s%N)
    tmux -L "$sock" send-keys -t b "SPANSCOPE_FIRST_FRAME_FILE=$mark $spanscope $file" Enter
    for _ in $(seq 1 2000); do [ -s "$mark" ] && break; sleep 0.005; done
    t1=$(date +%s%N)
    tmux -L "$sock" send-keys -t b q
    sleep 0.2
    tmux -L "$sock" kill-server 2>/dev/null || true
    wall=$(( (t1 - t0) / 1000000 ))
    inproc=$(printf '%.0f' "$(cat "$mark" 2>/dev/null || echo 0)")
    if [ -z "$best_wall" ] || [ "$wall" -lt "$best_wall" ]; then best_wall=$wall; fi
    if [ -z "$best_in" ] || [ "$inproc" -lt "$best_in" ]; then best_in=$inproc; fi
  done
  echo "| launch → first explorer frame (command start / shell Enter, in tmux) | $n | ${best_in} ms / ${best_wall} ms | — | — | — |" | tee -a "$report"
fi

# The smoke run (CI) only asserts that every benchmark ran and produced a positive figure.
if [ "$size" = smoke ]; then
  python3 - "$report" <<'PY'
import re, sys
rows = [l for l in open(sys.argv[1]) if l.startswith("| ") and not l.startswith("| benchmark") and not l.startswith("| ---")]
names = {"load", "analysis", "query filter", "stats --by name", "peak memory", "`spanscope summary`", "keystroke", "recording", "launch"}
seen = {n for n in names for r in rows if r.startswith("| " + n)}
missing = names - seen
bad = [r for r in rows if not re.search(r"[1-9]", r.split("|")[3])]
if missing or bad:
    sys.exit(f"benchmark smoke run incomplete: missing {sorted(missing)}, no figure in {bad}")
print(f"benchmark smoke run: {len(rows)} rows, all with figures")
PY
fi
echo
echo "Table written to $report"
