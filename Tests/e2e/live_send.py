"""Sends GenAI spans to `spanscope listen` with the real OpenTelemetry Python exporters.

Usage: live_send.py BASE_URL EXPECTED_JSON

The OTLP/HTTP exporter is configured only through the environment, as the README tells users
(OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, here also gzip and small batches);
the Zipkin JSON exporter through OTEL_EXPORTER_ZIPKIN_ENDPOINT. Every span the SDK finished is
also kept in memory and written to EXPECTED_JSON, for live_check.py to compare with what
spanscope saved. Exits 1 when an exporter reports a failed export or the receiver answers a
bad request with the wrong status.
"""
import json
import sys
import urllib.error
import urllib.request

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.trace import SpanKind, Status, StatusCode

from otel_e2e import Recording, chat, provider, record

base, expected_path = sys.argv[1], sys.argv[2]
failures = []


otlp = Recording("OTLP/HTTP", OTLPSpanExporter(), failures)
zipkin = Recording("Zipkin", ZipkinExporter(), failures)
otlp_provider, otlp_memory = provider("support-bot", otlp)
zipkin_provider, zipkin_memory = provider("rag-api", zipkin)


def openai_chat(span, model, prompt, completion, response_model):
    chat(span, model, prompt, completion, response_model, provider_name="openai", finish_reasons=["stop"])


# An agent over OTLP/HTTP: plan with an LLM, a tool that fails, answer with an LLM.
agent = otlp_provider.get_tracer("support_bot.agent", "1.2.0")
with agent.start_as_current_span("invoke_agent support") as root:
    root.set_attribute("gen_ai.operation.name", "invoke_agent")
    root.set_attribute("gen_ai.agent.name", "support")
    with agent.start_as_current_span("chat gpt-4o-mini", kind=SpanKind.CLIENT) as s:
        openai_chat(s, "gpt-4o-mini", 412, 57, "gpt-4o-mini-2024-07-18")
    with agent.start_as_current_span("execute_tool refund_payment") as tool:
        tool.set_attribute("gen_ai.operation.name", "execute_tool")
        tool.set_attribute("gen_ai.tool.name", "refund_payment")
        try:
            raise TimeoutError("payments API did not answer within 2 s")
        except TimeoutError as e:
            tool.record_exception(e)
            tool.set_status(Status(StatusCode.ERROR, str(e)))
    with agent.start_as_current_span("chat gpt-4o-mini", kind=SpanKind.CLIENT) as s:
        openai_chat(s, "gpt-4o-mini", 530, 42, "gpt-4o-mini-2024-07-18")

# A bigger tree over OTLP/HTTP, so it arrives in several requests (OTEL_BSP_MAX_EXPORT_BATCH_SIZE).
with agent.start_as_current_span("batch_eval") as root:
    for i in range(12):
        with agent.start_as_current_span(f"case {i}"):
            with agent.start_as_current_span("chat llama-3.1-8b-instruct", kind=SpanKind.CLIENT) as s:
                openai_chat(s, "llama-3.1-8b-instruct", 100 + i, 10 + i, "llama-3.1-8b-instruct")
            with agent.start_as_current_span("score"):
                pass

# A RAG request over Zipkin: tags are strings there; a failed retrieval.
rag = zipkin_provider.get_tracer("rag.pipeline", "0.3.0")
with rag.start_as_current_span("POST /v1/ask", kind=SpanKind.SERVER):
    with rag.start_as_current_span("embeddings text-embedding-3-small", kind=SpanKind.CLIENT) as s:
        s.set_attribute("gen_ai.operation.name", "embeddings")
        s.set_attribute("gen_ai.request.model", "text-embedding-3-small")
        s.set_attribute("gen_ai.usage.input_tokens", 15)
    with rag.start_as_current_span("qdrant.search policies", kind=SpanKind.CLIENT) as s:
        s.set_status(Status(StatusCode.ERROR, "collection 'policies' not found"))
    with rag.start_as_current_span("chat gpt-4o", kind=SpanKind.CLIENT) as s:
        openai_chat(s, "gpt-4o", 187, 62, "gpt-4o-2024-08-06")

for p in (otlp_provider, zipkin_provider):
    p.force_flush()
    p.shutdown()
if otlp.calls < 2 or zipkin.calls < 1:
    failures.append(f"expected several OTLP requests and a Zipkin one, got {otlp.calls} and {zipkin.calls}")


def post(path, body, content_type):
    request = urllib.request.Request(base + path, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type"), response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


# What an exporter sees for bad data and a wrong type, over the wire.
status, ctype, _ = post("/v1/traces", b"\x0a\xff\x01", "application/x-protobuf")
if (status, ctype) != (400, "application/x-protobuf"):
    failures.append(f"garbage protobuf: expected 400 application/x-protobuf, got {status} {ctype}")
status, _, body = post("/v1/traces", b"{}", "text/plain")
if status != 415:
    failures.append(f"text/plain: expected 415, got {status}")
status, ctype, body = post("/v1/traces", b'{"resourceSpans": [', "application/json")
if status != 400 or ctype != "application/json" or not json.loads(body)["message"].startswith("invalid OTLP JSON"):
    failures.append(f"bad JSON: expected 400 with a JSON google.rpc.Status, got {status} {ctype} {body!r}")


spans = [record(s, "otlp") for s in otlp_memory.get_finished_spans()]
spans += [record(s, "zipkin") for s in zipkin_memory.get_finished_spans()]
with open(expected_path, "w") as f:
    json.dump(spans, f, indent=1)
for line in failures:
    print("live_send:", line, file=sys.stderr)
print(f"live_send: {len(spans)} spans sent in {otlp.calls} OTLP and {zipkin.calls} Zipkin requests")
sys.exit(1 if failures else 0)
