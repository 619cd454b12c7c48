#!/usr/bin/env bash
# The commands that take a trace id, and `check`, on a file read through its index (--index
# always, what files past 256 MB get) against the same file loaded whole (--index never):
# standard output, standard error and exit status must be byte for byte the same.
# Usage: Tests/e2e/indexed.sh path/to/spanscope
set -uo pipefail
bin=${1:?usage: indexed.sh path/to/spanscope}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server="scaleopen-indexed-$$"
trap 'rm -rf "$work"' EXIT
failures=0
checks=0
pass() { checks=$((checks + 1)); }
fail() { printf '  FAIL %s\n' "$1"; failures=$((failures + 1)); }

# same NAME ARGS…: runs `spanscope ARGS… --index always` and `… --index never`, compares.
same() {
    local name=$1; shift
    "$bin" "$@" --index always > "$work/a.out" 2> "$work/a.err"; local sa=$?
    "$bin" "$@" --index never > "$work/n.out" 2> "$work/n.err"; local sn=$?
    if [ $sa != $sn ]; then fail "$name: exit $sa indexed, $sn loaded"; return; fi
    if ! cmp -s "$work/a.out" "$work/n.out"; then fail "$name: standard output differs"; diff "$work/a.out" "$work/n.out" | head -5; return; fi
    if ! cmp -s "$work/a.err" "$work/n.err"; then fail "$name: standard error differs"; diff "$work/a.err" "$work/n.err" | head -5; return; fi
    [ -s "$work/a.out" ] || [ -s "$work/a.err" ] || { fail "$name: no output at all"; return; }
    pass
}

echo "spanscope on indexed files against full loads"

gen="$work/gen.jsonl"
"$bin" generate --spans 3000 --traces 40 --seed 11 --format otlp-jsonl --output "$gen" > /dev/null || { echo "generate failed"; exit 1; }
# A trace whose spans sit on the first and the last line, 200 other traces between them.
split="$work/split.jsonl"
python3 - "$split" <<'PY'
import json, sys
def line(service, spans):
    return json.dumps({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
                                          "scopeSpans": [{"scope": {"name": "e2e"}, "spans": spans}]}]}) + "\n"
def span(trace, sid, parent, name, start, end, model=None, error=False):
    s = {"traceId": trace, "spanId": sid, "name": name, "startTimeUnixNano": str(start), "endTimeUnixNano": str(end)}
    if parent: s["parentSpanId"] = parent
    if model:
        s["attributes"] = [{"key": "gen_ai.request.model", "value": {"stringValue": model}},
                           {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "1200"}},
                           {"key": "gen_ai.usage.output_tokens", "value": {"intValue": "300"}}]
    if error: s["status"] = {"code": 2, "message": "tool failed"}
    return s
t = "5b8efff798038103d269b633813fc60c"
out = line("agent", [span(t, "00000000000000a1", None, "run", 1000, 900000), span(t, "00000000000000a2", "00000000000000a1", "plan", 1100, 90000, "gpt-4o")])
for n in range(200):
    tid = "%032x" % (0xF00D + n)
    out += line("filler", [span(tid, "00000000000000b1", None, "other", 2000 + n, 30000 + n, "gpt-4o-mini" if n % 3 == 0 else None, n % 7 == 0)])
out += line("tools", [span(t, "00000000000000a3", "00000000000000a1", "search", 100000, 500000, error=True),
                      span(t, "00000000000000a4", "00000000000000a1", "answer", 500000, 890000, "gpt-4o")])
open(sys.argv[1], "w").write(out)
PY
sample="$root/SampleTraces/openllmetry-triage-batch.otlp.jsonl"
# Broken trees: an orphan, a parent loop, a span its own parent, 128-bit and UUID span ids, and an
# escaped name (summary and stats take these from span skeletons, without reading spans again).
awkward="$work/awkward.jsonl"
python3 - "$awkward" <<'PY'
import json, sys
def line(service, spans):
    return json.dumps({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
                                          "scopeSpans": [{"scope": {"name": "e2e"}, "spans": spans}]}]}) + "\n"
def span(trace, sid, parent, name, start, end, error=False):
    s = {"traceId": trace, "spanId": sid, "name": name, "startTimeUnixNano": str(start), "endTimeUnixNano": str(end)}
    if parent: s["parentSpanId"] = parent
    if error: s["status"] = {"code": "STATUS_CODE_ERROR"}
    return s
a, b = "a" * 32, "b" * 32
out = line("front", [span(a, "00000000000000a1", None, 'run "quoted" \u00e9', 1000, 90000),
                     span(a, "00000000000000a2", "00000000000000ff", "orphan", 500, 95000, True),
                     span(a, "0123456789abcdef0123456789abcdef", "00000000000000a1", "wide", 2000, 50000)])
out += line("loops", [span(b, "00000000000000b1", "00000000000000b2", "x", 10, 100),
                      span(b, "00000000000000b2", "00000000000000b1", "y", 20, 90, True),
                      span(b, "00000000000000b3", "00000000000000b3", "z", 30, 40)])
out += line("back", [span(a, "01234567-89ab-cdef-0123-456789abcdef", "0123456789abcdef0123456789abcdef", "uuid", 3000, 40000)])
open(sys.argv[1], "w").write(out)
PY

ids=$("$bin" summary --format json "$gen" --index never | python3 -c 'import json,sys; print(" ".join(t["trace_id"] for t in json.load(sys.stdin)["traces"]))')
set -- $ids
first=$1; second=$2; last=${40}
# A prefix two ids share (ambiguous), and a prefix only one has.
ambiguous=$(printf '%s\n' $ids | cut -c1 | sort | uniq -d | head -1)
unique=$(printf '%s\n' $ids | cut -c1-6 | sort | uniq -u | head -1)
[ -n "$ambiguous" ] && [ -n "$unique" ] || { echo "no prefixes to test with"; exit 1; }

for f in "$gen" "$split" "$sample"; do
    name=$(basename "$f")
    same "check $name" check "$f"
    same "check --format json $name" check --format json "$f"
    same "check --strict --where error $name" check --strict --where error "$f"
    same "check budgets $name" check --max-cost 0.00001 --max-llm-calls 3 "$f"
    same "check both files" check "$f" "$sample"
done
# summary and stats: from span skeletons unless a query or grouping reads attributes.
for f in "$gen" "$split" "$sample" "$awkward"; do
    name=$(basename "$f")
    for args in "summary" "summary --format json" "summary --where error" "summary --where name~plan --format json" \
                "summary --where gen_ai.request.model=gpt-4o" "stats" "stats --format json" "stats --by service" \
                "stats --by model --format json" "stats --by session --format json" "stats --by session --session-key app.conversation" \
                "stats --where error --format json"; do
        # shellcheck disable=SC2086
        same "$args $name" $args "$f"
    done
done
same "diff --by name" diff --by name "$gen" "$awkward"
same "diff --by model --format json" diff --by model --format json "$split" "$gen"
"$bin" check --max-duration 1ms --junit "$work/a.xml" "$gen" --index always > /dev/null 2>&1
"$bin" check --max-duration 1ms --junit "$work/n.xml" "$gen" --index never > /dev/null 2>&1
cmp -s "$work/a.xml" "$work/n.xml" && pass || fail "check --junit: reports differ"

same "diff two traces" diff "$gen@$first" "$gen@$last"
same "diff --format json" diff --format json "$gen@$second" "$gen@$first"
same "diff --fail-on" diff --fail-on cost+1%,duration+1% "$gen@$first" "$gen@$last"
same "diff unique prefix" diff "$gen@$unique" "$gen@$first"
same "diff ambiguous prefix" diff "$gen@$ambiguous" "$gen@$first"
same "diff unknown id" diff "$gen@ffffffffffffff" "$gen@$first"
same "diff without an id" diff "$gen" "$split@5b8e"
same "diff against a file loaded whole" diff "$split@5b8efff7" "$root/SampleTraces/rag-pipeline.otlp.json"

same "calls --trace" calls "$gen" --trace "$unique"
same "calls --trace json" calls --format json --trace "$last" "$gen"
same "calls --trace sorted, limited" calls --sort latency --limit 2 --trace "$first" "$gen"
same "calls --trace of the split trace" calls "$split" --trace 5b8e
same "calls --trace ambiguous" calls "$gen" --trace "$ambiguous"

# The explorer: `--trace` opens the same trace on the same screen either way.
shots=0
started() { # MODE PATTERN ARGS…: the explorer on ARGS in a tmux server of its own, once the pane
    # shows PATTERN (or the command ended); the server's name goes to $sv
    local mode=$1 pattern=$2; shift 2
    shots=$((shots + 1))
    sv="$server-$shots"
    tmux -L "$sv" -f /dev/null new-session -d -s t -x 120 -y 30 "'$bin' $* --index $mode; echo exit \$?; sleep 30"
    local i
    for i in $(seq 100); do
        tmux -L "$sv" capture-pane -p -t t 2>/dev/null | grep -qE "$pattern|exit [0-9]" && break
        sleep 0.1
    done
    sleep 0.3
}
shot() { # MODE ARGS…: the pane once the trace (or an error) is shown
    local mode=$1; shift
    started "$mode" "trace [0-9a-f]{8}" "$@"
    tmux -L "$sv" capture-pane -p -t t
    tmux -L "$sv" kill-server 2>/dev/null
}
for args in "$gen --trace $unique" "$split --trace 5b8efff" "$gen --trace $ambiguous"; do
    shot always $args > "$work/a.pane"
    shot never $args > "$work/n.pane"
    if cmp -s "$work/a.pane" "$work/n.pane"; then pass; else fail "open $args: screens differ"; diff "$work/a.pane" "$work/n.pane" | head -6; fi
done
grep -q "is ambiguous\|matches" "$work/a.pane" && pass || fail "open with an ambiguous prefix: no error line"

# The list of a file whose traces name sessions: same session column and `session=` filter
# either way (the status bar differs: the indexed list says how it was read).
sessions="$work/sessions.jsonl"
python3 - "$sessions" <<'PY'
import json, sys
def kv(k, v): return {"key": k, "value": {"stringValue": v}}
def line(spans, resource=()):
    return json.dumps({"resourceSpans": [{"resource": {"attributes": [kv("service.name", "agent"), *resource]},
                                          "scopeSpans": [{"scope": {"name": "e2e"}, "spans": spans}]}]}) + "\n"
def span(t, n, start, attrs=(), parent=None):
    s = {"traceId": t * 32, "spanId": t * 15 + str(n), "name": "turn-" + t, "startTimeUnixNano": str(start * 10**9),
         "endTimeUnixNano": str(start * 10**9 + 5 * 10**6), "attributes": list(attrs)}
    if parent: s["parentSpanId"] = t * 15 + str(parent)
    return s
out = line([span("a", 1, 1, [kv("session.id", "conv-a")]), span("b", 1, 2), span("c", 1, 3, [kv("app.thread", "t-7")])])
out += line([span("d", 1, 4)], [kv("gen_ai.conversation.id", "conv-a")])
for n in range(50): out += line([span("e", 2, 5, [kv("note", "padding %d" % n)], parent=1)])
out += line([span("e", 1, 5)])
out += line([span("b", 2, 2, [kv("langfuse.session.id", "conv-b")], parent=1), span("c", 2, 3, [kv("session.id", "conv-c")], parent=1)])
open(sys.argv[1], "w").write(out)
PY
listshot() { # MODE KEYS ARGS…: the list's rows once shown (status bar left out), after typing KEYS
    local mode=$1 keys=$2; shift 2
    started "$mode" "turn-a" "$@"
    if [ -n "$keys" ]; then tmux -L "$sv" send-keys -t t "$keys" Enter; sleep 0.5; fi
    tmux -L "$sv" capture-pane -p -t t | grep "turn-"
    tmux -L "$sv" kill-server 2>/dev/null
}
for args in "$sessions" "$sessions --session-key app.thread"; do
    for keys in "" "/session=conv-a"; do
        listshot always "$keys" $args > "$work/a.rows"
        listshot never "$keys" $args > "$work/n.rows"
        if [ -s "$work/a.rows" ] && cmp -s "$work/a.rows" "$work/n.rows"; then pass; else fail "list of $args ${keys:-unfiltered}: rows differ"; diff "$work/a.rows" "$work/n.rows" | head -6; fi
    done
done
listshot always "/session=conv-a" "$sessions" > "$work/a.rows"
[ "$(grep -c "conv-a" "$work/a.rows")" = 2 ] && [ "$(wc -l < "$work/a.rows")" = 2 ] && pass || fail "indexed session=conv-a: not the two traces of conv-a"
listshot always "" "$sessions" --session-key app.thread > "$work/a.rows"
grep -q "t-7" "$work/a.rows" && pass || fail "indexed --session-key: the user's key does not name the session"

# The workbench on the same files: @ sessions and a session's thread, L calls, a stats group's
# spans, and the traces they open: the same screens either way once each job is done (the
# status bar left out: the indexed one says how the file was read and what it is reading).
wbshot() { # MODE FILE STEPS…: each step "KEYS|PATTERN" sends KEYS one by one, then waits for PATTERN
    # (an extended regex) with no job or decode under way, and prints the pane
    local mode=$1 file=$2; shift 2
    started "$mode" "duration" "$file"
    local step key pattern i p=""
    for step in "$@"; do
        pattern=${step#*|}
        for key in ${step%%|*}; do tmux -L "$sv" send-keys -t t "$key"; sleep 0.2; done
        for i in $(seq 100); do
            p=$(tmux -L "$sv" capture-pane -p -t t)
            if grep -qE -- "$pattern" <<< "$p" && ! grep -qE "computing|decoding trace" <<< "$p"; then break; fi
            sleep 0.1
        done
        echo "== ${step%%|*}"
        head -n -1 <<< "$p"
    done
    tmux -L "$sv" kill-server 2>/dev/null
}
check_walk() { # NAME FILE STEPS…
    local name=$1; shift
    wbshot always "$@" > "$work/a.walk"
    wbshot never "$@" > "$work/n.walk"
    if cmp -s "$work/a.walk" "$work/n.walk"; then pass; else fail "$name: screens differ"; diff "$work/a.walk" "$work/n.walk" | head -10; fi
}
check_walk "sessions and a thread" "$sessions" "@|Sessions .*3 sessions" "Enter|turns in time order" "Down Enter|turn-" \
    "Escape|turns in time order" "Escape G Enter|Session conv-c"
grep -q "Session conv-c" "$work/a.walk" && grep -q "user" "$work/a.walk" && pass || fail "indexed thread: not shown"
check_walk "sessions by a user's key" "$sessions --session-key app.thread" "@|Sessions" "G Enter|turns in time order"
grep -q "t-7" "$work/a.walk" && pass || fail "indexed sessions by --session-key: t-7 missing"
check_walk "LLM calls" "$gen" "L|LLM calls .*sorted by cost" "s|sorted by latency" "Down Enter|Span" "Escape Escape|LLM calls"
grep -qE "LLM calls .* calls" "$work/a.walk" && pass || fail "indexed L: no calls table"
check_walk "a group's spans" "$gen" "%|Stats by name" "Down Enter|slowest first" "Down Enter|d details" \
    "Escape|slowest first" "Escape b|Stats by model" "Enter|slowest first"
grep -q "slowest first" "$work/a.walk" && pass || fail "indexed group spans: not shown"

# sessions, convert and check on files with sessions and with other signals' lines.
signals="$work/signals.jsonl"
{ head -2 "$split"; echo '{"resourceLogs":[{"resource":{},"scopeLogs":[]}]}'; sed -n '3,$p' "$split"
  echo '{"resourceMetrics":[]}'; echo '{"resourceLogs":[]}'; } > "$signals"
echo '{"resourceLogs":[]}' > "$work/logs-only.jsonl"
for f in "$signals" "$work/logs-only.jsonl"; do
    name=$(basename "$f")
    same "check $name" check "$f"
    same "check --format json $name" check --format json "$f"
    same "summary $name" summary "$f"
done
for f in "$sessions" "$gen" "$split" "$sample"; do
    name=$(basename "$f")
    same "sessions $name" sessions "$f"
    same "sessions --session-key $name" sessions --session-key app.thread "$f"
    same "sessions --where $name" sessions --where "error or session=conv-a" "$f"
done
for s in conv-a conv-b conv t-7 nothing; do
    same "sessions --session $s" sessions --session "$s" "$sessions"
    same "sessions --session-key --session $s" sessions --session-key app.thread --session "$s" "$sessions"
done
# convert: the file written (and standard error, naming it) the same either way.
for f in "$gen" "$split" "$signals" "$sample"; do
    for to in otlp otlp-jsonl seed; do
        name="convert --to $to $(basename "$f")"
        "$bin" convert "$f" --to $to -o "$work/conv" --index always > "$work/a.out" 2> "$work/a.err"; sa=$?
        mv "$work/conv" "$work/a.conv" 2>/dev/null
        "$bin" convert "$f" --to $to -o "$work/conv" --index never > "$work/n.out" 2> "$work/n.err"; sn=$?
        mv "$work/conv" "$work/n.conv" 2>/dev/null
        if [ $sa != $sn ]; then fail "$name: exit $sa indexed, $sn loaded"
        elif ! cmp -s "$work/a.conv" "$work/n.conv"; then fail "$name: files differ"
        elif ! cmp -s "$work/a.err" "$work/n.err" || ! cmp -s "$work/a.out" "$work/n.out"; then fail "$name: messages differ"; diff "$work/a.err" "$work/n.err" | head -4
        else pass; fi
        same "$name to standard output" convert "$f" --to $to -o -
    done
done
ls -a "$work" | grep -q "tmp-\|spanscope-convert" && fail "convert left a temporary file" || pass
"$bin" convert "$gen" --to otlp -o "$work/no/such/dir/out.json" --index always > /dev/null 2>&1 && fail "convert into a missing directory succeeded" || pass

echo "$checks checks passed, $failures failed"
[ $failures -eq 0 ]
