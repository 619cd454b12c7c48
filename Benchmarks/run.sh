#!/usr/bin/env bash
# Runs every Spanscope benchmark side by side with its peer and prints one table of ratios.
#
#   Benchmarks/run.sh [smoke|small|full]     (default: small)
#
#   smoke  tiny inputs, debug binaries from `swift test`; checks that every benchmark runs and
#          that every figure of the table is there (used by .ci/run)
#   small  10k and 100k spans, release build
#   full   10k, 100k and 1M spans, release build (writes ~1 GB of inputs under bench-out/)
#   workbench [SPANS] [REF]  by hand: filters and stats over SPANS (1M) spans, this build next to
#          REF's (main) in one run, two cores and one (Benchmarks/workbench.sh)
#   scale [GB]  by hand only: a GB-sized JSON Lines file, index scan, summary and stats against
#          today's build and orjson on one and two cores (Benchmarks/scale.sh)
#   scale-explorer [GB]  by hand only: the explorer's first frame, full list, Enter and peak memory
#          on a GB-sized file, loaded whole against read through its index, one core and two
#          (Benchmarks/explorer-scale.sh). Both share their input (Benchmarks/scale-input.sh:
#          ~1 GB generated, written again with fresh ids up to GB); delete bench-out/scale-* after
#
# Every figure is measured in this run, next to its peer, because the machine is shared and
# noisy: compare the ratios, not the absolute times. Inputs are generated, never committed.
# Every tool gets the same number of runs and its best counts. Python peers come from the venv
# Benchmarks/peers-venv.sh makes (versions pinned in Benchmarks/requirements.txt). The seed's
# tracer is read from SPANSCOPE_SEED_TRACER (default ../shared/peers/seed_tracer.py); the smoke
# run's debug binaries from SPANSCOPE_DEBUG_BIN (default .build/debug).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-small}
[ "$size" = scale ] && exec Benchmarks/scale.sh "${2:-3}"
[ "$size" = workbench ] && exec Benchmarks/workbench.sh "${2:-1000000}" "${3:-main}"
[ "$size" = scale-explorer ] && exec Benchmarks/explorer-scale.sh "${2:-1.2}"
out=bench-out
mkdir -p "$out"
case "$size" in
  smoke) sizes=(2000); repeat=1; bin=${SPANSCOPE_DEBUG_BIN:-.build/debug} ;;
  small) sizes=(10000 100000); repeat=3; bin=.build/release ;;
  full)  sizes=(10000 100000 1000000); repeat=3; bin=.build/release ;;
  *) echo "usage: $0 [smoke|small|full]" >&2; exit 2 ;;
esac
die() { echo "run.sh: $*" >&2; exit 1; }

if [ "$bin" = .build/release ]; then
  for product in spanscope tracing-bench; do
    swift build -c release --product "$product" >/dev/null 2>&1 \
      || die "release build of $product failed: run 'swift build -c release --product $product'"
  done
fi
spanscope="$bin/spanscope"
tracing="$bin/tracing-bench"
[ -x "$spanscope" ] && [ -x "$tracing" ] || die "$spanscope or $tracing is missing (smoke: run 'swift build' first)"
seed=${SPANSCOPE_SEED_TRACER:-../shared/peers/seed_tracer.py}
[ -f "$seed" ] || die "the seed's tracer $seed is missing: set SPANSCOPE_SEED_TRACER to its path"
command -v taskset >/dev/null || die "taskset (util-linux) is missing: the one-core figures need it"
py=$(Benchmarks/peers-venv.sh) || die "cannot make the peers' venv (Benchmarks/peers-venv.sh)"
peers="Benchmarks/peers.py"
one="taskset -c 0"   # one core, for Spanscope and its peers alike

field() { # json field
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=d.get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"
}
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"; }
ms() { printf '%.1f' "$1"; }

report="$out/results-$size.md"
versions=$("$py" "$peers" versions)
{
  echo "# Spanscope benchmarks ($size)"
  echo
  echo "Machine: $(nproc) cores, $(uname -m), $(python3 -c 'import platform; print(platform.platform())'); $(date -u +%Y-%m-%d)."
  echo "Peers: Python $(field "$versions" python), orjson $(field "$versions" orjson), pysimdjson $(field "$versions" pysimdjson); best of $repeat runs each."
  echo "Every ratio compares two things measured in the same run. \"1 core\" rows run both sides under \`$one\`;"
  echo "CPU is user + system time of all threads."
  echo
} > "$report"

echo "| benchmark | spans | Spanscope | peer | peer figure | ratio (peer / Spanscope) |" | tee -a "$report"
echo "| --- | --- | --- | --- | --- | --- |" | tee -a "$report"

declare -A analysis_ms
for n in "${sizes[@]}"; do
  file="$out/otlp-$n.json"
  [ -f "$file" ] || "$spanscope" generate --spans "$n" --traces $(( n / 1000 > 0 ? n / 1000 : 1 )) --seed 42 -o "$file" 2>/dev/null \
    || die "spanscope generate failed"
  # 1. Load: read + parse + index, in-process, best of $repeat, on both cores and on one;
  # the peers are single-threaded, timed on the same one core.
  load=$("$spanscope" bench-load "$file" --repeat "$repeat" --analysis)
  load1=$($one "$spanscope" bench-load "$file" --repeat "$repeat")
  peer=$($one "$py" "$peers" parse "$file" "$repeat")
  load_ms=$(field "$load" load_best_ms)
  load_cpu=$(field "$load" load_best_cpu_ms)
  load1_ms=$(field "$load1" load_best_ms)
  mbps=$(field "$load" mb_per_s)
  for p in orjson_gc_off orjson_gc_on json simdjson; do
    v=$(field "$peer" "${p}_ms")
    echo "| load (read+parse+index), 2 cores | $n | $(ms "$load_ms") ms (${mbps} MB/s) | ${p} parse only, 1 thread | $(ms "$v") ms | $(ratio "$v" "$load_ms")× |" | tee -a "$report"
  done
  v=$(field "$peer" orjson_gc_off_ms)
  echo "| load, 1 core | $n | $(ms "$load1_ms") ms | orjson_gc_off parse only | $(ms "$v") ms | $(ratio "$v" "$load1_ms")× |" | tee -a "$report"
  v=$(field "$peer" orjson_gc_off_cpu_ms)
  echo "| load, CPU time | $n | $(ms "$load_cpu") ms | orjson_gc_off parse only | $(ms "$v") ms | $(ratio "$v" "$load_cpu")× |" | tee -a "$report"
  analysis_ms[$n]=$(field "$load" analysis_best_ms)
  echo "| analysis (critical path + AI summary, all traces) | $n | ${analysis_ms[$n]} ms | — | — | — |" | tee -a "$report"
  # 2b. The workbench on the loaded file: per-trace facts, a query filter, stats by name (issue 13).
  q=$("$spanscope" bench-query "$file" --repeat "$repeat")
  echo "| query filter (facts + trace-level terms / + a word over every span) | $n | $(field "$q" facts_ms) + $(field "$q" filter_fields_ms) ms / $(field "$q" filter_word_ms) ms | analysis, same run | ${analysis_ms[$n]} ms | $(ratio "${analysis_ms[$n]}" "$(field "$q" facts_ms)")× |" | tee -a "$report"
  echo "| stats --by name (all traces) | $n | $(field "$q" stats_by_name_ms) ms | analysis, same run | ${analysis_ms[$n]} ms | $(ratio "${analysis_ms[$n]}" "$(field "$q" stats_by_name_ms)")× |" | tee -a "$report"
  # 4. Memory: peak RSS of one load in a fresh process, over the file size.
  mem=$("$spanscope" bench-load "$file" --repeat 1)
  ours=$(field "$mem" rss_per_file_byte)
  theirs=$("$py" "$peers" rss "$file" orjson)
  orss=$(printf '%.2f' "$(field "$theirs" rss_per_file_byte)")
  echo "| peak memory / file size | $n | ${ours}× | orjson | ${orss}× | $(ratio "$orss" "$ours")× |" | tee -a "$report"
  # 1b. Whole process: spanscope summary vs a Python process doing orjson.loads on the same
  # bytes, on both cores and on one, with the CPU time of each process.
  if [ "$n" -ge 100000 ] || [ "$size" = smoke ]; then
    orjson_cmd="$py -c \"import orjson,gc; gc.disable(); orjson.loads(open('$file','rb').read())\""
    for cores in 2 1; do
      pin=""
      [ "$cores" = 1 ] && pin="$one "
      w=$("$py" "$peers" wall "$repeat" "$pin$spanscope summary --format json $file" "$pin$orjson_cmd")
      s_ms=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0]["best_ms"])' "$w")
      o_ms=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[1]["best_ms"])' "$w")
      s_cpu=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0]["best_cpu_ms"])' "$w")
      o_cpu=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[1]["best_cpu_ms"])' "$w")
      echo "| \`spanscope summary\` whole process, $cores core$([ "$cores" = 2 ] && echo s) | $n | $(printf '%.0f' "$s_ms") ms (CPU $(printf '%.0f' "$s_cpu") ms) | python + orjson.loads (GC off) | $(printf '%.0f' "$o_ms") ms (CPU $(printf '%.0f' "$o_cpu") ms) | $(ratio "$o_ms" "$s_ms")× |" | tee -a "$report"
    done
  fi
  # 3. Interaction: keystroke → frame on a fully expanded trace of n spans (one trace).
  frame=$("$spanscope" bench-frame --spans "$n" --keys $([ "$size" = smoke ] && echo 100 || echo 3000) | grep -E '^frame')
  echo "| keystroke → frame (p50 / p99), fully expanded | $n | $(echo "$frame" | sed -E 's/.*p50 ([0-9.]+) ms, p99 ([0-9.]+) ms.*/\1 \/ \2 ms/') | goal | p99 ≤ 2 ms | — |" | tee -a "$report"
  # 3b. Diff: two n-span runs (generator seeds 1 and 2) aligned and compared step by step, LLM
  # messages decoded, next to the analysis `summary` does on the same two traces.
  dj=$("$spanscope" bench-diff --spans "$n" --repeat "$repeat")
  align_ms=$(field "$dj" align_compare_ms)
  sum_ms=$(field "$dj" summary_analysis_ms)
  echo "| diff of two traces (align + compare) | $n each | ${align_ms} ms | summary analysis of both | ${sum_ms} ms | $(ratio "$sum_ms" "$align_ms")× |" | tee -a "$report"
  echo "| diff output: JSON / text | $n each | $(field "$dj" json_ms) / $(field "$dj" text_ms) ms | — | — | — |" | tee -a "$report"
done

if [ ${#sizes[@]} -ge 2 ]; then
  a=${sizes[-2]}; b=${sizes[-1]}
  echo "| analysis scaling ${a} → ${b} spans | — | $(ratio "${analysis_ms[$b]}" "${analysis_ms[$a]}")× time for $(( b / a ))× spans | goal | ≤ $(( b / a * 11 / 10 ))× | — |" | tee -a "$report"
fi

# 5. Recording: withSpan + setAIMetrics, 1/4/8 tasks, next to the seed's Python tracer (which
# tracing-bench runs as often as itself, best of $repeat).
rec_n=$([ "$size" = smoke ] && echo 2000 || echo 100000)
rec=$("$tracing" --spans "$rec_n" --tasks 1,4,8 --repeat "$repeat" --seed-script "$seed" --python "$py") \
  || die "tracing-bench failed: $rec"
one_task=$(echo "$rec" | awk '$1=="1"{print $3}')
four=$(echo "$rec" | awk '$1=="4"{print $3}')
eight=$(echo "$rec" | awk '$1=="8"{print $3}')
seedns=$(echo "$rec" | sed -nE 's/^seed .*: ([0-9]+) ns\/span.*/\1/p')
[ -n "$seedns" ] || die "no figure from the seed's tracer: $rec"
echo "| recording (withSpan + setAIMetrics), ns/span, 1 / 4 / 8 tasks | $rec_n | $one_task / $four / $eight | seed's Python tracer | $seedns ns | $(ratio "$seedns" "$one_task")× |" | tee -a "$report"
# The same with glibc growing its heap in 64 MiB steps instead of 128 KiB (an environment
# setting, no code change): a third of the default figure is the heap growing, span by span.
padded=$(MALLOC_TOP_PAD_=$((64 << 20)) "$tracing" --spans "$rec_n" --tasks 1 --repeat "$repeat" --no-check | awk '$1=="1"{print $3}')
echo "| recording, 1 task, MALLOC_TOP_PAD_=64MiB | $rec_n | $padded | seed's Python tracer | $seedns ns | $(ratio "$seedns" "$padded")× |" | tee -a "$report"

# 6. Startup: launch to first frame of the explorer on the 100k file (smoke: the small file), in
# tmux. The explorer writes the time from its command's start to the first frame drawn; the wall
# time from the shell's Enter to that moment (polled every 5 ms) includes process launch.
command -v tmux >/dev/null || die "tmux is missing: the start-up benchmark needs it"
n=$([ "$size" = smoke ] && echo "${sizes[0]}" || echo 100000)
file="$out/otlp-$n.json"
best_in=""; best_wall=""
for i in $(seq 1 "$(( repeat > 3 ? repeat : 3 ))"); do
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
  [ -s "$mark" ] || die "the explorer drew no first frame within 10 s (run $i)"
  wall=$(( (t1 - t0) / 1000000 ))
  inproc=$(python3 -c 'import sys; print(round(float(open(sys.argv[1]).read())))' "$mark")
  if [ -z "$best_wall" ] || [ "$wall" -lt "$best_wall" ]; then best_wall=$wall; fi
  if [ -z "$best_in" ] || [ "$inproc" -lt "$best_in" ]; then best_in=$inproc; fi
done
echo "| launch → first explorer frame (command start / shell Enter, in tmux) | $n | ${best_in} ms / ${best_wall} ms | — | — | — |" | tee -a "$report"

# The smoke run (CI) asserts that every row is there and every figure in it is a positive
# number: a missing peer, a 0 ms first frame or an empty column fails.
if [ "$size" = smoke ]; then
  python3 - "$report" <<'PY'
import re, sys
rows = [l.rstrip("\n") for l in open(sys.argv[1]) if l.startswith("| ") and not l.startswith("| benchmark") and not l.startswith("| ---")]
expected = [
    "load (read+parse+index), 2 cores | 2000 | * | orjson_gc_off", "load (read+parse+index), 2 cores | 2000 | * | orjson_gc_on",
    "load (read+parse+index), 2 cores | 2000 | * | json", "load (read+parse+index), 2 cores | 2000 | * | simdjson",
    "load, 1 core", "load, CPU time", "analysis", "peak memory", "`spanscope summary` whole process, 2 cores",
    "`spanscope summary` whole process, 1 core", "keystroke", "recording (withSpan", "recording, 1 task", "launch",
    "query filter", "stats --by name",
]
# Rows whose parts may honestly round to 0 ms on the smoke run's tiny input: one positive figure is enough.
tiny = ("query filter", "stats --by name")
def cells(row):
    return [c.strip() for c in row.strip("|").split("|")]
def matches(row, pattern):
    want = [p.strip() for p in pattern.split("|")]
    have = cells(row)
    return all(w == "*" or (h.startswith(w) if i in (0, 3) else h == w) for i, (w, h) in enumerate(zip(want, have)))
problems = []
for pattern in expected:
    found = [r for r in rows if matches(r, pattern)]
    if len(found) != 1:
        problems.append(f"{len(found)} rows for '{pattern}'")
positive = re.compile(r"(?<![\d.])(?:\d*[1-9]\d*(?:\.\d+)?|0\.\d*[1-9]\d*)")
for r in rows:
    c = cells(r)
    if len(c) != 6 or any(x == "" for x in c):
        problems.append(f"a column is empty: {r}")
        continue
    # Every number Spanscope reports is positive (no 0 ms first frame, no empty figure).
    numbers = re.findall(r"\d+(?:\.\d+)?", c[2])
    if not numbers or (any(float(x) == 0 for x in numbers) if not c[0].startswith(tiny) else all(float(x) == 0 for x in numbers)):
        problems.append(f"Spanscope's figure is missing or zero: {r}")
    if c[3] not in ("—", "goal"):
        if not positive.search(c[4]) or any(float(x) == 0 for x in re.findall(r"\d+(?:\.\d+)?", c[4])):
            problems.append(f"the peer's figure is missing or zero: {r}")
        if not re.fullmatch(r"\d+\.\d\d×", c[5]) or float(c[5][:-1]) == 0:
            problems.append(f"no ratio: {r}")
if problems:
    sys.exit("benchmark smoke run incomplete:\n  " + "\n  ".join(problems))
print(f"benchmark smoke run: {len(rows)} rows, every figure present and positive")
PY
fi
echo
echo "Table written to $report"
