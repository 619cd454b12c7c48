"""Sends two GenAI traces to a running Phoenix with the OpenTelemetry Python SDK (OTLP/HTTP).

Usage: phoenix_send.py PHOENIX_URL PROJECT EXPECTED_JSON

The spans carry OpenInference attributes (as Phoenix's own instrumentations write them) and go
to PROJECT through the `openinference.project.name` resource attribute. Waits until Phoenix
serves every span back, then writes what spanscope's summary must show per trace to
EXPECTED_JSON. Exits 1 when the export fails or Phoenix never shows the spans.
"""
import json
import sys
import time
import urllib.request

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

base, project, expected_path = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []


class Checked(OTLPSpanExporter):
    def export(self, spans):
        result = super().export(spans)
        if result != SpanExportResult.SUCCESS:
            failures.append(f"export of {len(spans)} spans: {result}")
        return result


memory = InMemorySpanExporter()
provider = TracerProvider(resource=Resource.create({"service.name": "support-bot", "openinference.project.name": project}))
provider.add_span_processor(SimpleSpanProcessor(Checked(endpoint=base + "/v1/traces")))
provider.add_span_processor(SimpleSpanProcessor(memory))
tracer = provider.get_tracer("support_bot.agent")


def llm(name, model, prompt, completion):
    with tracer.start_as_current_span(name, kind=SpanKind.CLIENT) as s:
        s.set_attribute("openinference.span.kind", "LLM")
        s.set_attribute("llm.model_name", model)
        s.set_attribute("llm.token_count.prompt", prompt)
        s.set_attribute("llm.token_count.completion", completion)
        s.set_attribute("llm.token_count.total", prompt + completion)


with tracer.start_as_current_span("support agent") as root:
    root.set_attribute("openinference.span.kind", "AGENT")
    llm("plan", "gpt-4o-mini", 412, 57)
    with tracer.start_as_current_span("refund_payment") as tool:
        tool.set_attribute("openinference.span.kind", "TOOL")
        tool.set_status(Status(StatusCode.ERROR, "payments API did not answer within 2 s"))
    llm("answer", "gpt-4o-mini", 530, 42)
time.sleep(0.01)
with tracer.start_as_current_span("classify ticket") as root:
    root.set_attribute("openinference.span.kind", "CHAIN")
    llm("classify", "gpt-4o", 187, 12)
provider.shutdown()

spans = memory.get_finished_spans()
traces = {}
for s in spans:
    t = traces.setdefault(format(s.context.trace_id, "032x"), {
        "root": None, "span_count": 0, "error_count": 0, "llm_calls": 0, "prompt_tokens": 0, "completion_tokens": 0})
    t["span_count"] += 1
    if s.parent is None:
        t["root"] = s.name
    if s.status.status_code == StatusCode.ERROR:
        t["error_count"] += 1
    if "llm.token_count.prompt" in s.attributes:
        t["llm_calls"] += 1
        t["prompt_tokens"] += s.attributes["llm.token_count.prompt"]
        t["completion_tokens"] += s.attributes["llm.token_count.completion"]

# Phoenix writes spans in the background: wait until it serves all of them.
seen = 0
for _ in range(120):
    try:
        with urllib.request.urlopen(f"{base}/v1/projects/{project}/spans/otlpv1?limit=1000", timeout=10) as r:
            seen = len(json.load(r)["data"])
    except Exception:
        seen = 0
    if seen >= len(spans):
        break
    time.sleep(0.5)
if seen < len(spans):
    failures.append(f"Phoenix shows {seen} of {len(spans)} spans")

with open(expected_path, "w") as f:
    json.dump(traces, f, indent=1)
for line in failures:
    print("phoenix_send:", line, file=sys.stderr)
print(f"phoenix_send: {len(spans)} spans in {len(traces)} traces sent to project {project}")
sys.exit(1 if failures else 0)
