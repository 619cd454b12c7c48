"""Compares what `spanscope listen --save` wrote with what the Python SDK sent.

Usage: live_check.py EXPECTED_JSON SAVED_JSONL SUMMARY_JSON

Every span the SDK finished must be in the saved OTLP JSON Lines exactly once, with its trace,
parent, name, error status and token counts; `spanscope summary --format json` of the saved file
must count the same spans, errors, LLM calls and tokens per trace. Prints one line per problem
and exits 1 when there is any.
"""
import json
import sys
from collections import defaultdict

expected = json.load(open(sys.argv[1]))
summary = json.load(open(sys.argv[3]))
problems = []


def value(v):
    """An OTLP JSON AnyValue as a Python value (Zipkin tags arrive as strings)."""
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in v:
            return v[key]
    if "intValue" in v:
        return int(v["intValue"])
    return None


saved = defaultdict(list)
lines = 0
with open(sys.argv[2]) as f:
    for line in f:
        lines += 1
        request = json.loads(line)
        for rs in request["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                for s in ss["spans"]:
                    attrs = {a["key"]: value(a["value"]) for a in s.get("attributes", [])}
                    saved[s["spanId"]].append({
                        "trace_id": s["traceId"],
                        "parent_id": s.get("parentSpanId") or None,
                        "name": s["name"],
                        "error": s.get("status", {}).get("code") == 2,
                        "input_tokens": attrs.get("gen_ai.usage.input_tokens"),
                        "output_tokens": attrs.get("gen_ai.usage.output_tokens"),
                        "service": next((value(a["value"]) for a in rs["resource"]["attributes"]
                                         if a["key"] == "service.name"), None),
                    })

if sum(len(v) for v in saved.values()) != len(expected):
    problems.append(f"saved {sum(len(v) for v in saved.values())} spans in {lines} lines, the SDK sent {len(expected)}")
for e in expected:
    got = saved.get(e["span_id"], [])
    if len(got) != 1:
        problems.append(f"span {e['name']} ({e['span_id']}) saved {len(got)} times")
        continue
    g = got[0]
    for key in ("trace_id", "parent_id", "name", "error"):
        if g[key] != e[key]:
            problems.append(f"span {e['name']} ({e['span_id']}): {key} is {g[key]!r}, sent {e[key]!r}")
    for key in ("input_tokens", "output_tokens"):
        if e[key] is not None and (g[key] is None or int(g[key]) != e[key]):
            problems.append(f"span {e['name']} ({e['span_id']}): {key} is {g[key]!r}, sent {e[key]!r}")
    want_service = "support-bot" if e["protocol"] == "otlp" else "rag-api"
    if g["service"] != want_service:
        problems.append(f"span {e['name']}: service {g['service']!r}, expected {want_service!r}")

# Per trace, as spanscope reads the saved file.
by_trace = defaultdict(list)
for e in expected:
    by_trace[e["trace_id"]].append(e)
traces = {t["trace_id"]: t for t in summary["traces"]}
if set(traces) != set(by_trace):
    problems.append(f"summary has traces {sorted(traces)}, the SDK sent {sorted(by_trace)}")
for trace_id, spans in by_trace.items():
    t = traces.get(trace_id)
    if t is None:
        continue
    roots = [s["name"] for s in spans if s["parent_id"] is None]
    want = {
        "root": roots[0] if len(roots) == 1 else None,
        "span_count": len(spans),
        "error_count": sum(s["error"] for s in spans),
        "llm_calls": sum(s["input_tokens"] is not None for s in spans),
        "prompt_tokens": sum(s["input_tokens"] or 0 for s in spans),
        "completion_tokens": sum(s["output_tokens"] or 0 for s in spans),
    }
    for key, w in want.items():
        if t.get(key) != w:
            problems.append(f"trace {trace_id} ({want['root']}): summary {key} is {t.get(key)!r}, expected {w!r}")
if summary.get("skipped_spans"):
    problems.append(f"summary skipped {summary['skipped_spans']} spans")

for p in problems:
    print("live_check:", p)
print(f"live_check: {len(expected)} spans in {len(by_trace)} traces compared, {len(problems)} problems")
sys.exit(1 if problems else 0)
