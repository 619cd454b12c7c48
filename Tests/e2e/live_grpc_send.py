"""Sends GenAI spans to `spanscope listen` with the real OpenTelemetry Python gRPC exporter.

Usage: live_grpc_send.py HTTP_BASE_URL EXPECTED_JSON

The first exporter is configured only through the environment, as the README tells users
(OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:PORT, OTEL_EXPORTER_OTLP_INSECURE=true, the gRPC
protocol being the SDK's default); the second compresses with gzip. One span of the first
trace goes over OTLP/HTTP (JSON) to the HTTP receiver of the same `listen`, under a parent that
went over gRPC, so both receivers feed one tree. Raw gRPC calls check the status codes for a
message that is not OTLP and for a method nobody serves. Every span sent is written to
EXPECTED_JSON in live_check.py's form ("otlp" spans are the support-bot service, the others
rag-api). Exits 1 when an exporter reports a failed export or a status code is wrong.
"""
import json
import os
import sys
import urllib.request

import grpc
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

from otel_e2e import Recording, chat, provider, record

base, expected_path = sys.argv[1], sys.argv[2]
grpc_target = os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"].removeprefix("http://")
failures = []


plain = Recording("OTLP/gRPC", OTLPSpanExporter(), failures)
zipped = Recording("OTLP/gRPC gzip", OTLPSpanExporter(compression=grpc.Compression.Gzip), failures)
plain_provider, plain_memory = provider("support-bot", plain)
zipped_provider, zipped_memory = provider("rag-api", zipped)


agent = plain_provider.get_tracer("support_bot.agent", "1.2.0")
with agent.start_as_current_span("invoke_agent support") as root:
    root_context = root.get_span_context()
    with agent.start_as_current_span("chat gpt-4o-mini", kind=SpanKind.CLIENT) as s:
        chat(s, "gpt-4o-mini", 412, 57)
    with agent.start_as_current_span("execute_tool refund_payment") as tool:
        tool.set_status(Status(StatusCode.ERROR, "payments API did not answer within 2 s"))
with agent.start_as_current_span("batch_eval"):
    for i in range(12):
        with agent.start_as_current_span(f"case {i}"):
            with agent.start_as_current_span("chat llama-3.1-8b-instruct", kind=SpanKind.CLIENT) as s:
                chat(s, "llama-3.1-8b-instruct", 100 + i, 10 + i)

rag = zipped_provider.get_tracer("rag.pipeline", "0.3.0")
with rag.start_as_current_span("POST /v1/ask", kind=SpanKind.SERVER):
    with rag.start_as_current_span("qdrant.search policies", kind=SpanKind.CLIENT) as s:
        s.set_status(Status(StatusCode.ERROR, "collection 'policies' not found"))
    with rag.start_as_current_span("chat gpt-4o", kind=SpanKind.CLIENT) as s:
        chat(s, "gpt-4o", 187, 62)

for p in (plain_provider, zipped_provider):
    p.force_flush()
    p.shutdown()
if plain.calls < 2 or zipped.calls < 1:
    failures.append(f"expected several plain requests and a gzip one, got {plain.calls} and {zipped.calls}")

# One span over OTLP/HTTP into the same trace, under the root that went over gRPC.
trace_hex, root_hex, http_span = format(root_context.trace_id, "032x"), format(root_context.span_id, "016x"), "00000000000000f1"
body = {"resourceSpans": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "support-bot"}}]},
    "scopeSpans": [{"spans": [{
        "traceId": trace_hex, "spanId": http_span, "parentSpanId": root_hex, "name": "audit over http",
        "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000000500000"}]}]}]}
request = urllib.request.Request(base + "/v1/traces", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=10) as response:
    if response.status != 200:
        failures.append(f"OTLP/HTTP span: status {response.status}")

# Raw calls: the status codes an exporter acts on.
channel = grpc.insecure_channel(grpc_target)
export = channel.unary_unary("/opentelemetry.proto.collector.trace.v1.TraceService/Export")
try:
    export(b"\x0a\xff\x01", timeout=10)
    failures.append("garbage message: accepted")
except grpc.RpcError as e:
    if e.code() != grpc.StatusCode.INVALID_ARGUMENT or "invalid OTLP protobuf" not in (e.details() or ""):
        failures.append(f"garbage message: expected INVALID_ARGUMENT, got {e.code()} {e.details()!r}")
metrics = channel.unary_unary("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export")
try:
    metrics(b"", timeout=10)
    failures.append("metrics service: accepted")
except grpc.RpcError as e:
    if e.code() != grpc.StatusCode.UNIMPLEMENTED:
        failures.append(f"metrics service: expected UNIMPLEMENTED, got {e.code()}")
channel.close()


spans = [record(s, "otlp") for s in plain_memory.get_finished_spans()]
spans += [record(s, "grpc-gzip") for s in zipped_memory.get_finished_spans()]
spans.append({"protocol": "otlp", "trace_id": trace_hex, "span_id": http_span, "parent_id": root_hex,
              "name": "audit over http", "error": False, "input_tokens": None, "output_tokens": None})
with open(expected_path, "w") as f:
    json.dump(spans, f, indent=1)
for line in failures:
    print("live_grpc_send:", line, file=sys.stderr)
print(f"live_grpc_send: {len(spans)} spans sent in {plain.calls} plain and {zipped.calls} gzip gRPC requests and 1 HTTP request")
sys.exit(1 if failures else 0)
