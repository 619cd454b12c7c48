#!/usr/bin/env bash
# The explorer on a large file (issue 17), run by hand, never in CI:
#
#   Benchmarks/run.sh scale-explorer [GB]    (default 1.2; writes a GB-sized JSON Lines file under bench-out/)
#
# Ways of opening the same generated OTLP JSON Lines file (Benchmarks/scale-input.sh, shared with
# scale.sh), side by side in one run, each inside its own tmux server at 120×40:
#   - main's build (SPANSCOPE_BASE_BIN, default .build-base/release/spanscope, see scale.sh), which
#     loads the whole file before the first frame;
#   - this build with `--index never` (the same whole load: main's open path, unchanged);
#   - this build with `--index always`: the index scan on its own thread, the list filling in, one
#     trace decoded on Enter; on two cores and on one (`taskset -c 0`).
# Past 4 GB the two whole loads are left out (about 1.5x the file: more than this machine can spare).
# Each run: launch → first frame (written by the explorer, SPANSCOPE_FIRST_FRAME_FILE), launch → full
# list (the indexed run's progress line gone, polled every 100 ms), then Enter on the first trace, wait
# until it is shown, quit; peak memory of the whole process from /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
gb=${1:-1.2}
out=bench-out
mkdir -p "$out"
# SPANSCOPE_RELEASE_BIN: a release binary already built (say, in another scratch folder).
ours=${SPANSCOPE_RELEASE_BIN:-.build/release/spanscope}
[ -n "${SPANSCOPE_RELEASE_BIN:-}" ] || swift build -c release --product spanscope >/dev/null 2>&1 \
  || { echo "release build failed" >&2; exit 1; }
command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time (GNU time) is needed for peak memory" >&2; exit 1; }

file=$(Benchmarks/scale-input.sh "$gb" "$ours")
bytes=$(stat -L -c %s "$file")
whole=1
[ "$bytes" -gt 4000000000 ] && whole=0
cat "$file" > /dev/null   # into the page cache: both runs read from memory

now_ms() { date +%s%3N; }
# The binaries may be given relative to the repository or as absolute paths; tmux starts elsewhere.
absolute() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
# run MODE -> "first_frame_ms full_list_ms opened_ms peak_rss_bytes"
run() { # NAME BINARY [FLAGS...]
  local name=$1 bin=$2; shift 2
  [ -x "$bin" ] || { echo "no binary at $bin ($name)" >&2; return 1; }
  local pin=""; [ "${name%-1core}" = "$name" ] || pin="taskset -c 0"
  local sock="progressive-bench-$$-$name" mark="$PWD/$out/first-frame-$$-$name" times="$PWD/$out/time-$$-$name.txt"
  rm -f "$mark" "$times"
  tmux -L "$sock" -f /dev/null new-session -d -s b -x 120 -y 40 "env TERM=tmux-256color LANG=C.UTF-8 bash --norc"
  sleep 0.3
  local t0; t0=$(now_ms)
  tmux -L "$sock" send-keys -t b "SPANSCOPE_FIRST_FRAME_FILE=$mark /usr/bin/time -f '%e %M' -o $times $pin $bin $* $PWD/$file" Enter
  local waited=0
  until [ -s "$mark" ]; do sleep 0.05; waited=$((waited + 1)); [ $waited -lt 12000 ] || { echo "no first frame ($name)" >&2; tmux -L "$sock" kill-server; return 1; }; done
  local full=""
  while [ -z "$full" ]; do
    # The progress line ("reading 33 of 1,272 MB (2.6%)") or the empty list's "reading the file".
    if ! tmux -L "$sock" capture-pane -p -t b | grep -q " MB (\|reading the file"; then full=$(( $(now_ms) - t0 )); else sleep 0.1; fi
  done
  tmux -L "$sock" send-keys -t b Enter
  local t1; t1=$(now_ms); local opened=""
  while [ -z "$opened" ]; do
    # The open trace's status bar offers its keys ("d details"); the list's does not.
    if tmux -L "$sock" capture-pane -p -t b | tail -1 | grep -q "d details"; then opened=$(( $(now_ms) - t1 )); else sleep 0.05; fi
    [ $(( $(now_ms) - t1 )) -lt 60000 ] || { echo "the trace did not open ($name)" >&2; break; }
  done
  tmux -L "$sock" send-keys -t b q
  until [ -s "$times" ]; do sleep 0.1; done
  tmux -L "$sock" kill-server 2>/dev/null || true
  python3 -c 'import sys; s,k=open(sys.argv[1]).read().split()[-2:]; print(sys.argv[2], sys.argv[3], sys.argv[4], int(k)*1024)' \
    "$times" "$(cat "$mark")" "$full" "${opened:-0}"
  rm -f "$mark" "$times"
}
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.2f}' if b else 'n/a')" "$1" "$2"; }

base=${SPANSCOPE_BASE_BIN:-.build-base/release/spanscope}
b_ff=0 b_full=0 b_open=0 b_rss=0
if [ "$whole" = 1 ]; then
  [ -x "$base" ] || { echo "no baseline binary at $base (see Benchmarks/scale.sh)" >&2; exit 1; }
  read -r b_ff b_full b_open b_rss < <(run base "$(absolute "$base")")
fi
# SPANSCOPE_SKIP_WHOLE=1 leaves out this build's whole load (slow when `ours` is a debug build).
f_ff=0 f_full=0 f_open=0 f_rss=0
[ "$whole" = 0 ] || [ -n "${SPANSCOPE_SKIP_WHOLE:-}" ] || read -r f_ff f_full f_open f_rss < <(run never "$(absolute "$ours")" --index never)
read -r i_ff i_full i_open i_rss < <(run always "$(absolute "$ours")" --index always)
read -r j_ff j_full j_open j_rss < <(run always-1core "$(absolute "$ours")" --index always)
mbs() { python3 -c "import sys; print(f'{int(sys.argv[1])/1e6/(float(sys.argv[2])/1e3):.0f}')" "$bytes" "$1"; }
echo "# Explorer on a large file ($ours against $base): $file, $(python3 -c "print(f'{$bytes/1e9:.2f}')") GB, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| \`spanscope FILE\` in tmux 120×40 | first frame | full list | Enter → trace shown | peak memory | peak / file |"
echo "| --- | --- | --- | --- | --- | --- |"
[ "$b_rss" = 0 ] || echo "| main's build (loads the file whole), 2 cores | $(printf '%.0f' "$b_ff") ms | $b_full ms | $b_open ms | $(( b_rss / 1000000 )) MB | $(ratio "$b_rss" "$bytes")× |"
[ "$f_rss" = 0 ] || echo "| this build, \`--index never\` (the same whole load), 2 cores | $(printf '%.0f' "$f_ff") ms | $f_full ms | $f_open ms | $(( f_rss / 1000000 )) MB | $(ratio "$f_rss" "$bytes")× |"
echo "| \`--index always\`, 2 cores (scan on its own thread, list fills in) | $(printf '%.0f' "$i_ff") ms | $i_full ms ($(mbs "$i_full") MB/s) | $i_open ms | $(( i_rss / 1000000 )) MB | $(ratio "$i_rss" "$bytes")× |"
echo "| \`--index always\`, 1 core (\`taskset -c 0\`) | $(printf '%.0f' "$j_ff") ms | $j_full ms ($(mbs "$j_full") MB/s) | $j_open ms | $(( j_rss / 1000000 )) MB | $(ratio "$j_rss" "$bytes")× |"
[ "$b_rss" = 0 ] || echo "| ratio main / indexed (2 cores) | $(ratio "$b_ff" "$i_ff")× sooner | $(ratio "$b_full" "$i_full")× | — | $(ratio "$b_rss" "$i_rss")× less memory | — |"
[ "$f_rss" = 0 ] || echo "| ratio whole / indexed, this build (2 cores) | $(ratio "$f_ff" "$i_ff")× sooner | $(ratio "$f_full" "$i_full")× | — | $(ratio "$f_rss" "$i_rss")× less memory | — |"
