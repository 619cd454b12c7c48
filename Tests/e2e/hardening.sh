#!/usr/bin/env bash
# End-to-end hardening checks in a real terminal (tmux), beyond the everyday ones in explorer.sh:
# - a trace full of terminal attacks (OSC 0/2 title changes, OSC 52 clipboard writes, CSI and
#   DCS in their C1 forms, a full reset, leaving the alternate screen, BEL, bidi overrides,
#   zero-width characters) in names, services, attribute keys and values, events and status
#   messages: the pane shows them inert, and the window title and tmux paste buffers stay untouched;
# - the same trace through `summary`, `summary --format json`, `check`, `convert` and a warning naming a
#   skipped span: no control character, C1 control, bidi or zero-width character is printed raw;
# - tiny terminals (1×1, 2×2, 10×3, 5×1) and a storm of resizes;
# - resizing (SIGWINCH) and SIGINT/SIGTERM/SIGHUP while a big file is loading;
# - SIGINT/SIGTERM/SIGHUP at random moments from start-up on;
# after each run `stty -a` is as before and the alternate screen is off.
#
# Usage: Tests/e2e/hardening.sh PATH/TO/spanscope
# Builds nothing; needs tmux and python3. Takes about a minute (most of it generating and
# loading a 200,000-span file with a debug build). On failure it names the step, prints the
# pane and exits 1.
set -euo pipefail

bin=${1:?usage: $0 PATH/TO/spanscope}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
root=$(cd "$(dirname "$0")/../.." && pwd)
sample="$root/SampleTraces/agent-parallel-tools.otlp.jsonl"
command -v tmux >/dev/null || { echo "hardening.sh: tmux is not installed" >&2; exit 2; }
[ -x "$bin" ] || { echo "hardening.sh: $bin is not an executable" >&2; exit 2; }

work=$(mktemp -d)
server="spanscope-hardening-$$"
# Slower steps than explorer.sh (a big file loads in a debug build), and resize steps change the size.
wait_tries=100
restore_tries=150
ignore_size=1
. "$root/Tests/e2e/tmux-lib.sh"

# Signals arrive while a big file loads: see `write_wrapper loading`.
write_wrapper loading

size_is() {
    [ "$(tm display -p -t t '#{pane_width}x#{pane_height}')" = "$1" ] || fail "pane is not $1"
}

start_session
tm set -g allow-passthrough off
window_before=$(tm display -p -t t '#{window_name}')

# Every string a trace can carry, each with a different attack. JSON escapes keep this file
# plain ASCII; the reader turns them into the raw characters.
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
esc, bel, st = "\u001b", "\u0007", "\u001b\\"
attacks = {
    "title0": esc + "]0;PWNED-TITLE" + bel,
    "title2": esc + "]2;PWNED-TITLE2" + st,
    "clip": esc + "]52;c;cHduZWQ=" + bel,
    "clip_st": esc + "]52;p;cHduZWQ=" + st,
    "c1csi": "\u009b2J\u009b?1049l",
    "c1dcs": "\u0090qpwned\u009c",
    "reset": esc + "c" + esc + "[?1049l" + esc + "[?25l",
    "bidi": "\u202eevil\u202c \u2066iso\u2069",
    "zw": "zero\u200bwidth\u2060joiner\ufeffbom",
}
def attr(key, value):
    return {"key": key, "value": {"stringValue": value}}
spans = [
    {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331",
     "name": "root " + attacks["title0"] + " R", "startTimeUnixNano": "1700000000000000000",
     "endTimeUnixNano": "1700000001000000000",
     "status": {"code": 2, "message": "failed " + attacks["clip_st"] + " M"},
     "attributes": [attr("k" + attacks["clip"], "v " + attacks["c1csi"] + " V"),
                    attr("bidi", attacks["bidi"]), attr("zw", attacks["zw"]), attr("reset", attacks["reset"])],
     "events": [{"timeUnixNano": "1700000000500000000", "name": "event " + attacks["title2"] + " E",
                 "attributes": [attr("dcs", attacks["c1dcs"])]}]},
    {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203332", "parentSpanId": "b7ad6b7169203331",
     "name": "child " + attacks["reset"] + " C", "startTimeUnixNano": "1700000000100000000",
     "endTimeUnixNano": "1700000000500000000"},
    # Skipped (unknown kind): the warning quotes the hostile value.
    {"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203333", "kind": "K" + attacks["title0"],
     "name": "skipped", "startTimeUnixNano": "1700000000100000000"},
]
doc = {"resourceSpans": [{"resource": {"attributes": [attr("service.name", "svc " + attacks["title2"] + " S")]},
                          "scopeSpans": [{"spans": spans}]}]}
open(f"{work}/hostile.json", "w").write(json.dumps(doc))
PY

step="hostile trace: the tree shows every attack inert"
run "clear; ./explore hostile hostile.json"
wait_for "root ^[]0;PWNED-TITLE^G R"
wait_for "child ^[c^[[?1049l^[[?25l C"
wait_for "svc ^[]2;PWNED-TITL"
[ "$(alternate)" = 1 ] || fail "the alternate screen was left while running"

step="hostile trace: details show keys, values, events and status inert"
keys g d
wait_for "failed ^[]52;p;cHduZWQ=^[\\ M"
wait_for "svc ^[]2;PWNED-TITLE2^[\\ S"
wait_for "v \\u{9B}2J\\u{9B}?1049l V"
wait_for "k^[]52;c;cHduZWQ=^G"
wait_for "\\u{202E}evil\\u{202C} \\u{2066}iso\\u{2069}"
wait_for "zero\\u{200B}width\\u{2060}joiner\\u{FEFF}bom"
wait_for "event ^[]2;PWNED-TITLE2^[\\ E"
wait_for "\\u{90}qpwned\\u{9C}"
keys Escape w
wait_for "'kind' has an unknown value"
keys Escape q
check_restored hostile 0
[ "$(tm display -p -t t '#{pane_title}')" = "$title_before" ] || fail "the pane title changed"
# tmux renames the window after the foreground command on a timer, so right after the run it can
# still carry the wrapper's name; a name set by an escape sequence stays (it turns automatic
# renaming off), so waiting a few seconds for the shell's name cannot hide a leak.
for _ in $(seq 50); do [ "$(tm display -p -t t '#{window_name}')" = "$window_before" ] && break; sleep 0.1; done
[ "$(tm display -p -t t '#{window_name}')" = "$window_before" ] || fail "the window name changed: $(tm display -p -t t "#{window_name}") (was $window_before)"
[ -z "$(tm list-buffers 2>/dev/null)" ] || fail "a paste buffer was set (OSC 52 leaked)"

step="hostile trace: non-interactive outputs print nothing raw"
# Raw C0 controls other than newline, DEL, C1 controls (UTF-8 C2 80–9F), bidi and zero-width
# characters (E2 80 8B–8F, E2 80 AA–AE, E2 81 A0–AF), BOM (EF BB BF).
raw_pattern=$'[\x01-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8b-\x8f\xaa-\xae]|\xe2\x81[\xa0-\xaf]|\xef\xbb\xbf'
# Each command with the exit status it must end with: the trace reads (one span is skipped with
# a warning, which `check` reports as a problem), so a usage error (64) or a crash cannot pass.
for entry in "summary:0" "summary --format json:0" "check:1" "convert --to otlp -o -:0" "convert --to seed -o -:0"; do
    cmd=${entry%:*}
    expected=${entry##*:}
    set +e
    # shellcheck disable=SC2086
    "$bin" $cmd "$work/hostile.json" > "$work/out.txt" 2> "$work/err.txt"
    code=$?
    set -e
    [ "$code" = "$expected" ] || fail "spanscope $cmd exited $code, not $expected: $(head -3 "$work/err.txt")"
    [ -s "$work/out.txt" ] || fail "spanscope $cmd printed nothing on standard output"
    for f in out err; do
        if LC_ALL=C grep -qaP "$raw_pattern" "$work/$f.txt"; then
            LC_ALL=C grep -naP "$raw_pattern" "$work/$f.txt" | cat -v >&2
            fail "spanscope $cmd printed a raw control or invisible character on std$f"
        fi
    done
done
grep -qF "'kind' has an unknown value" "$work/err.txt" || fail "the skipped span's warning is missing: $(cat "$work/err.txt")"
# A file name is shown inert too.
cp "$work/hostile.json" "$work/name"$'\e]0;FILE\a'".json"
set +e
"$bin" check "$work/name"$'\e]0;FILE\a'".json" > "$work/out.txt" 2> "$work/err.txt"
code=$?
"$bin" summary "$work/nonexistent"$'\e]0;FILE\a' > /dev/null 2>> "$work/err.txt"
missing=$?
set -e
[ "$code" = 1 ] || fail "check of the hostile file under a hostile name exited $code, not 1"
[ "$missing" = 1 ] || fail "summary of a missing file exited $missing, not 1"
if LC_ALL=C grep -qaP "$raw_pattern" "$work/out.txt" "$work/err.txt"; then fail "a file name was printed raw"; fi
grep -qF 'name^[]0;FILE^G.json' "$work/out.txt" || fail "check does not name the file inertly: $(cat -v "$work/out.txt")"

step="tiny terminals: 1x1, 2x2, 10x3, 5x1 and back"
run "clear; ./explore tiny '$sample'"
wait_for "invoke_agent travel_planner"
for size in 1x1 2x2 10x3 5x1 10x3; do
    tm resize-window -t t -x "${size%x*}" -y "${size#*x}"
    sleep 0.3
    size_is "$size"
    kill -0 "$(explorer_pid)" 2>/dev/null || fail "the explorer died at $size"
done
pane | grep -qF "too small" || fail "no 'too small' message at 10x3"
keys j k Enter d Escape '?' Escape
tm resize-window -t t -x 100 -y 30
wait_for "invoke_agent travel_planner"
wait_for "? help"
keys q
check_restored tiny 0

step="a storm of resizes"
run "clear; ./explore storm '$sample'"
wait_for "invoke_agent travel_planner"
for i in $(seq 60); do
    tm resize-window -t t -x $(( (RANDOM % 150) + 1 )) -y $(( (RANDOM % 50) + 1 ))
    if [ $((i % 7)) = 0 ]; then keys j; fi
done
tm resize-window -t t -x 90 -y 25
wait_for "invoke_agent travel_planner"
[ "$(pane | sed -n 25p | grep -cF '? help')" = 1 ] || fail "the status bar is not on the last of 25 rows after the storm"
keys q
check_restored storm 0

step="generate a 200,000-span file (loads for a few seconds in a debug build)"
"$bin" generate --spans 200000 --format otlp-jsonl -o "$work/big.jsonl" 2> "$work/generate.err" \
    || fail "generate failed: $(cat "$work/generate.err")"
tm resize-window -t t -x 100 -y 30

step="resizing while a big file loads: the explorer starts at the new size"
run "clear; ./explore loadresize big.jsonl"
wait_for "loading big.jsonl" 100
tm resize-window -t t -x 80 -y 24
sleep 0.2
tm resize-window -t t -x 72 -y 20
kill -WINCH "$(explorer_pid)" 2>/dev/null || true
wait_for "? help" 300
[ "$(alternate)" = 1 ] || fail "not in the alternate screen after loading"
[ "$(pane | sed -n 20p | grep -cF '? help')" = 1 ] || fail "the status bar is not on row 20 of a 72x20 terminal"
keys q
check_restored loadresize 0
tm resize-window -t t -x 100 -y 30

for sig in INT TERM HUP; do
    step="SIG$sig while a big file loads"
    run "clear; ./explore load$sig big.jsonl"
    wait_for "loading big.jsonl" 100
    if [ "$sig" = INT ]; then keys C-c; else kill "-$sig" "$(explorer_pid)"; fi
    code=$(( 128 + $(kill -l "$sig") ))
    check_restored "load$sig" "$code"
done

step="signals at random moments from start-up on"
for i in $(seq 9); do
    sig=$(echo INT TERM HUP | cut -d' ' -f$(( (i % 3) + 1 )))
    delay=$(printf '0.%02d' $(( RANDOM % 40 )))
    run "clear; ./explore random$i '$sample'"
    pid=$(explorer_pid)
    sleep "$delay"
    kill "-$sig" "$pid" 2>/dev/null || true
    check_restored "random$i" $(( 128 + $(kill -l "$sig") ))
done

echo "hardening e2e: all steps passed"
