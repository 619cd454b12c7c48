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
#   - `spanscope summary` whole process, wall time and peak memory, today's build against this one.
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
bytes=$(stat -c %s "$file")
cat "$file" > /dev/null   # into the page cache, so every contender reads from memory

field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get(sys.argv[2], ""))' "$1" "$2"; }
mbs() { python3 -c "import sys; print(f'{int(sys.argv[1])/1e6/(float(sys.argv[2])/1e3):.0f}')" "$bytes" "$1"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"; }
peak() { # command... -> "wall_ms peak_rss_bytes"
  /usr/bin/time -f '%e %M' -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || { cat "$out/stderr.txt" >&2; return 1; }
  python3 -c 'import sys; s,k=open(sys.argv[1]).read().split()[-2:]; print(f"{float(s)*1e3:.0f} {int(k)*1024}")' "$out/time.txt"
}

echo "# Scale benchmark: $(python3 -c "print(f'{$bytes/1e9:.2f}')") GB, $spans spans, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
orjson=$("$py" Benchmarks/peers.py lines "$file")
o_ms=$(field "$orjson" orjson_lines_ms)
b1=$(taskset -c 0 "$base" bench-load "$file" --repeat 1); b1_ms=$(field "$b1" load_best_ms)
b2=$("$base" bench-load "$file" --repeat 1); b2_ms=$(field "$b2" load_best_ms)
s1=$(taskset -c 0 "$ours" bench-index "$file" --repeat 2 --parts 1); s1_ms=$(field "$s1" index_best_ms)
s2=$("$ours" bench-index "$file" --repeat 2); s2_ms=$(field "$s2" index_best_ms)
echo "| pass over the file | 1 core | MB/s | 2 cores | MB/s | peak memory / file |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| orjson.loads per line (GC off), bare parse | $(printf '%.0f' "$o_ms") ms | $(mbs "$o_ms") | — | — | — |"
echo "| today's full load (read + parse + index) | $(printf '%.0f' "$b1_ms") ms | $(mbs "$b1_ms") | $(printf '%.0f' "$b2_ms") ms | $(mbs "$b2_ms") | $(field "$b2" rss_per_file_byte)× |"
echo "| index scan (trace list) | $(printf '%.0f' "$s1_ms") ms | $(mbs "$s1_ms") | $(printf '%.0f' "$s2_ms") ms | $(mbs "$s2_ms") | $(field "$s2" rss_per_file_byte)× |"
echo
echo "| ratio | 1 core | 2 cores |"
echo "| --- | --- | --- |"
echo "| index scan over orjson's bare parse | $(ratio "$o_ms" "$s1_ms")× | $(ratio "$o_ms" "$s2_ms")× |"
echo "| index scan over today's full load | $(ratio "$b1_ms" "$s1_ms")× | $(ratio "$b2_ms" "$s2_ms")× |"
echo
read -r bs_ms bs_rss < <(peak "$base" summary --format json "$file")
read -r os_ms os_rss < <(peak "$ours" summary --format json "$file")
read -r os1_ms os1_rss < <(peak taskset -c 0 "$ours" summary --format json "$file")
read -r bs1_ms bs1_rss < <(peak taskset -c 0 "$base" summary --format json "$file")
cmp -s <("$base" summary --format json "$file") <("$ours" summary --format json "$file") && same=identical || same=DIFFERENT
echo "| \`spanscope summary --format json\`, whole process | 1 core | 2 cores | peak memory / file (2 cores) |"
echo "| --- | --- | --- | --- |"
echo "| today's build (loads the file whole) | ${bs1_ms} ms | ${bs_ms} ms | $(ratio "$bs_rss" "$bytes")× |"
echo "| this build (index, then one batch of traces at a time) | ${os1_ms} ms | ${os_ms} ms | $(ratio "$os_rss" "$bytes")× |"
echo "| ratio (today / this build) | $(ratio "$bs1_ms" "$os1_ms")× | $(ratio "$bs_ms" "$os_ms")× | $(ratio "$bs_rss" "$os_rss")× less memory |"
echo
echo "Summary output of the two builds: $same."
