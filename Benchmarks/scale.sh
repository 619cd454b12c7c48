#!/usr/bin/env bash
# The "scale past memory" benchmark (issue 17), run by hand, never in CI:
#
#   Benchmarks/run.sh scale [GB]        (default 3; writes a GB-sized JSON Lines file under bench-out/)
#
# Side by side, in one run, on one generated OTLP JSON Lines file (collector style: one request
# per line, agent traces of 1,000 spans with GenAI attributes and message text):
#   - orjson's bare parse, line by line (one core: Python);
#   - today's build (`.build-base`, main's commit 1f9f524) loading the file whole, on one core
#     (taskset -c 0) and on two;
#   - this build's index scan (the trace list), on one core and on two;
#   - `spanscope summary` and `spanscope stats` whole process, wall time and peak memory, today's
#     build against this one.
# Past 4 GB today's build is left out: it holds about 1.5x the file, more than this machine's
# 24 GB can spare at 10 GB; the ratios against it come from the smaller runs.
# The baseline binary: SPANSCOPE_BASE_BIN, default .build-base/release/spanscope, built so:
#   git worktree add /tmp/spanscope-base 1f9f524 && (cd /tmp/spanscope-base && \
#     swift build -c release --product spanscope --scratch-path "$PWD/.build-base")
# SPANSCOPE_RELEASE_BIN: this build's release binary when already built (skips `swift build`).
# SPANSCOPE_SCAN_ONLY=1: only the passes over the file (orjson, loads, scans), not summary and stats.
# The input comes from Benchmarks/scale-input.sh (from 2 GB on, ~1 GB generated and copied with
# fresh ids).
set -euo pipefail
cd "$(dirname "$0")/.."
gb=${1:-3}
out=bench-out
mkdir -p "$out"
base=${SPANSCOPE_BASE_BIN:-.build-base/release/spanscope}
ours=${SPANSCOPE_RELEASE_BIN:-.build/release/spanscope}
[ -n "${SPANSCOPE_RELEASE_BIN:-}" ] || swift build -c release --product spanscope >/dev/null 2>&1 \
  || { echo "release build failed" >&2; exit 1; }
py=$(Benchmarks/peers-venv.sh) || { echo "cannot make the peers' venv (Benchmarks/peers-venv.sh)" >&2; exit 1; }

file=$(Benchmarks/scale-input.sh "$gb" "$ours")
bytes=$(stat -L -c %s "$file")
# Today's build loads the file whole: only where that fits beside everything else.
with_base=1
[ "$bytes" -gt 4000000000 ] && with_base=0
[ "$with_base" = 0 ] || [ -x "$base" ] || { echo "no baseline binary at $base (see the top of $0)" >&2; exit 1; }
cat "$file" > /dev/null   # into the page cache, so every contender reads from memory

field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get(sys.argv[2], ""))' "$1" "$2"; }
mbs() { python3 -c "import sys; print(f'{int(sys.argv[1])/1e6/(float(sys.argv[2])/1e3):.0f}')" "$bytes" "$1"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"; }
# CPU seconds (user + system) of the last `timed` command: on a shared machine a process pinned to
# one core gets a fraction of it, so wall time alone says little.
trap 'rm -f "$out/cpu-$$.txt" "$out/time-$$.txt" "$out/stderr-$$.txt"' EXIT   # per run: two runs may overlap
timed() { /usr/bin/time -f '%U %S' -o "$out/cpu-$$.txt" "$@"; }
cpu() { python3 -c 'import sys; u,s=open(sys.argv[1]).read().split()[-2:]; print(f"{(float(u)+float(s))/float(sys.argv[2]):.2f}")' "$out/cpu-$$.txt" "${1:-1}"; }
peak() { # command... -> "wall_ms peak_rss_bytes cpu_s"
  /usr/bin/time -f '%e %M %U %S' -o "$out/time-$$.txt" "$@" >/dev/null 2>"$out/stderr-$$.txt" || { cat "$out/stderr-$$.txt" >&2; return 1; }
  python3 -c 'import sys; s,k,u,y=open(sys.argv[1]).read().split()[-4:]; print(f"{float(s)*1e3:.0f} {int(k)*1024} {float(u)+float(y):.1f}")' "$out/time-$$.txt"
}

echo "# Scale benchmark: $file, $(python3 -c "print(f'{$bytes/1e9:.2f}')") GB, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
orjson=$(timed taskset -c 0 "$py" Benchmarks/peers.py lines "$file"); o_cpu=$(cpu)
o_ms=$(field "$orjson" orjson_lines_ms)
if [ "$with_base" = 1 ]; then
  b1=$(timed taskset -c 0 "$base" bench-load "$file" --repeat 1); b1_ms=$(field "$b1" load_best_ms); b1_cpu=$(cpu)
  b2=$(timed "$base" bench-load "$file" --repeat 1); b2_ms=$(field "$b2" load_best_ms); b2_cpu=$(cpu)
fi
s1=$(timed taskset -c 0 "$ours" bench-index "$file" --repeat 2 --parts 1); s1_ms=$(field "$s1" index_best_ms); s1_cpu=$(cpu 2)
s2=$(timed "$ours" bench-index "$file" --repeat 2); s2_ms=$(field "$s2" index_best_ms); s2_cpu=$(cpu 2)
echo "$(field "$s2" spans) spans in $(field "$s2" traces) traces."; echo
echo "| pass over the file | 1 core | MB/s | 2 cores | MB/s | peak memory / file |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| orjson.loads per line (GC off), bare parse | $(printf '%.0f' "$o_ms") ms | $(mbs "$o_ms") | — | — | — |"
if [ "$with_base" = 1 ]; then
  echo "| today's full load (read + parse + index) | $(printf '%.0f' "$b1_ms") ms | $(mbs "$b1_ms") | $(printf '%.0f' "$b2_ms") ms | $(mbs "$b2_ms") | $(field "$b2" rss_per_file_byte)× |"
fi
echo "| index scan (trace list) | $(printf '%.0f' "$s1_ms") ms | $(mbs "$s1_ms") | $(printf '%.0f' "$s2_ms") ms | $(mbs "$s2_ms") | $(field "$s2" rss_per_file_byte)× |"
echo
echo "| ratio | 1 core | 2 cores |"
echo "| --- | --- | --- |"
echo "| index scan over orjson's bare parse (one core) | $(ratio "$o_ms" "$s1_ms")× | $(ratio "$o_ms" "$s2_ms")× |"
echo "| the same by CPU time (orjson $o_cpu s; scan $s1_cpu s and $s2_cpu s a pass) | $(ratio "$o_cpu" "$s1_cpu")× | $(ratio "$o_cpu" "$s2_cpu")× |"
echo "| scan MB/s per CPU second (GB/s per core when the core is its own) | $(mbs "$(python3 -c "print(float('$s1_cpu')*1e3)")") | $(mbs "$(python3 -c "print(float('$s2_cpu')*1e3)")") |"
if [ "$with_base" = 1 ]; then
  echo "| index scan over today's full load | $(ratio "$b1_ms" "$s1_ms")× | $(ratio "$b2_ms" "$s2_ms")× |"
  echo "| the same by CPU time (today's $b1_cpu s and $b2_cpu s) | $(ratio "$b1_cpu" "$s1_cpu")× | $(ratio "$b2_cpu" "$s2_cpu")× |"
fi
echo
# Whole commands: summary, then stats (by span name). Today's build has no `stats`: its
# reference is this build's own in-memory path (`--index never`), which loads the file whole.
[ -z "${SPANSCOPE_SCAN_ONLY:-}" ] || exit 0
for cmd in summary stats; do
  if [ "$cmd" = summary ]; then ref=("$base" summary); ref_name="today's build (loads the file whole)"
  else ref=("$ours" stats --index never); ref_name="this build, in memory (\`--index never\`)"; fi
  read -r o2_ms o2_rss o2_cpu < <(peak "$ours" $cmd --format json "$file")
  read -r o1_ms o1_rss o1_cpu < <(peak taskset -c 0 "$ours" $cmd --format json "$file")
  echo "| \`spanscope $cmd --format json\`, whole process (CPU s) | 1 core | 2 cores | peak memory / file (2 cores) |"
  echo "| --- | --- | --- | --- |"
  if [ "$with_base" = 1 ]; then
    read -r b2c_ms b2c_rss b2c_cpu < <(peak "${ref[@]}" --format json "$file")
    read -r b1c_ms b1c_rss b1c_cpu < <(peak taskset -c 0 "${ref[@]}" --format json "$file")
    echo "| $ref_name | ${b1c_ms} ms ($b1c_cpu) | ${b2c_ms} ms ($b2c_cpu) | $(ratio "$b2c_rss" "$bytes")× |"
  fi
  echo "| this build (index, then one batch of traces at a time) | ${o1_ms} ms ($o1_cpu) | ${o2_ms} ms ($o2_cpu) | $(ratio "$o2_rss" "$bytes")× (1 core: $(ratio "$o1_rss" "$bytes")×) |"
  if [ "$with_base" = 1 ]; then
    echo "| ratio (reference / index) | $(ratio "$b1c_ms" "$o1_ms")× | $(ratio "$b2c_ms" "$o2_ms")× | $(ratio "$b2c_rss" "$o2_rss")× less memory |"
    # Main has added summary fields since the baseline, so sameness is checked within this build:
    # the whole load against the index.
    cmp -s <("$ours" $cmd --index never --format json "$file") <("$ours" $cmd --format json "$file") && same=identical || same=DIFFERENT
    echo; echo "$cmd output of this build, whole load (\`--index never\`) against the index: $same."
  else
    echo; echo "$cmd: $(python3 -c "import sys; print(f'{int(sys.argv[1])/1e6/(float(sys.argv[2])/1e3):.0f}')" "$bytes" "$o2_ms") MB/s over the whole command on 2 cores."
  fi
  echo
done
