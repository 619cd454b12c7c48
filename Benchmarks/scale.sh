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
# Build the baseline first:
#   git worktree add /tmp/spanscope-base 1f9f524 && (cd /tmp/spanscope-base && \
#     swift build -c release --product spanscope --scratch-path "$PWD/.build-base")
set -euo pipefail
cd "$(dirname "$0")/.."
gb=${1:-3}
out=bench-out
mkdir -p "$out"
base=.build-base/release/spanscope
ours=.build/release/spanscope
[ -x "$base" ] || { echo "no baseline binary at $base (see the top of $0)" >&2; exit 1; }
swift build -c release --product spanscope >/dev/null 2>&1 || { echo "release build failed" >&2; exit 1; }
py=python3
[ -x "$out/venv/bin/python" ] && "$out/venv/bin/python" -c 'import orjson' 2>/dev/null && py="$out/venv/bin/python"
"$py" -c 'import orjson' 2>/dev/null || { echo "orjson is needed: Benchmarks/run.sh small installs it into $out/venv" >&2; exit 1; }

# About 0.72 KB per span with this generator: 1.4M spans per GB.
spans=$(( gb * 1400000 ))
file="$out/scale-${gb}g.jsonl"
[ -f "$file" ] || "$ours" generate --spans "$spans" --traces $(( spans / 1000 )) --seed 17 --format otlp-jsonl -o "$file"
bytes=$(stat -L -c %s "$file")
cat "$file" > /dev/null   # into the page cache, so every contender reads from memory

field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get(sys.argv[2], ""))' "$1" "$2"; }
mbs() { python3 -c "import sys; print(f'{int(sys.argv[1])/1e6/(float(sys.argv[2])/1e3):.0f}')" "$bytes" "$1"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"; }
peak() { # command... -> "wall_ms peak_rss_bytes"
  /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || { cat "$out/stderr.txt" >&2; return 1; }
  python3 -c 'import sys; s,k=open(sys.argv[1]).read().split()[-2:]; print(f"{float(s)*1e3:.0f} {int(k)*1024}")' "$out/time.txt"
}

echo "# Scale benchmark: $(python3 -c "print(f'{$bytes/1e9:.2f}')") GB, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
# Today's build loads the file whole: only where that fits beside everything else.
with_base=1
[ "$bytes" -gt 4000000000 ] && with_base=0
orjson=$("$py" Benchmarks/peers.py lines "$file")
o_ms=$(field "$orjson" orjson_lines_ms)
if [ "$with_base" = 1 ]; then
  b1=$(taskset -c 0 "$base" bench-load "$file" --repeat 1); b1_ms=$(field "$b1" load_best_ms)
  b2=$("$base" bench-load "$file" --repeat 1); b2_ms=$(field "$b2" load_best_ms)
fi
s1=$(taskset -c 0 "$ours" bench-index "$file" --repeat 2 --parts 1); s1_ms=$(field "$s1" index_best_ms)
s2=$("$ours" bench-index "$file" --repeat 2); s2_ms=$(field "$s2" index_best_ms)
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
if [ "$with_base" = 1 ]; then
  echo "| index scan over today's full load | $(ratio "$b1_ms" "$s1_ms")× | $(ratio "$b2_ms" "$s2_ms")× |"
fi
echo
# Whole commands: summary, then stats (by span name). Today's build has no `stats`: its
# reference is this build's own in-memory path (`--index never`), which loads the file whole.
for cmd in summary stats; do
  if [ "$cmd" = summary ]; then ref=("$base" summary); ref_name="today's build (loads the file whole)"
  else ref=("$ours" stats --index never); ref_name="this build, in memory (\`--index never\`)"; fi
  read -r o2_ms o2_rss < <(peak "$ours" $cmd --format json "$file")
  read -r o1_ms o1_rss < <(peak taskset -c 0 "$ours" $cmd --format json "$file")
  echo "| \`spanscope $cmd --format json\`, whole process | 1 core | 2 cores | peak memory / file (2 cores) |"
  echo "| --- | --- | --- | --- |"
  if [ "$with_base" = 1 ]; then
    read -r b2c_ms b2c_rss < <(peak "${ref[@]}" --format json "$file")
    read -r b1c_ms b1c_rss < <(peak taskset -c 0 "${ref[@]}" --format json "$file")
    echo "| $ref_name | ${b1c_ms} ms | ${b2c_ms} ms | $(ratio "$b2c_rss" "$bytes")× |"
  fi
  echo "| this build (index, then one batch of traces at a time) | ${o1_ms} ms | ${o2_ms} ms | $(ratio "$o2_rss" "$bytes")× |"
  if [ "$with_base" = 1 ]; then
    echo "| ratio (reference / index) | $(ratio "$b1c_ms" "$o1_ms")× | $(ratio "$b2c_ms" "$o2_ms")× | $(ratio "$b2c_rss" "$o2_rss")× less memory |"
    cmp -s <("${ref[@]}" --format json "$file") <("$ours" $cmd --format json "$file") && same=identical || same=DIFFERENT
    echo; echo "$cmd output of the two: $same."
  else
    echo; echo "$cmd: $(python3 -c "import sys; print(f'{int(sys.argv[1])/1e6/(float(sys.argv[2])/1e3):.0f}')" "$bytes" "$o2_ms") MB/s over the whole command on 2 cores."
  fi
  echo
done
