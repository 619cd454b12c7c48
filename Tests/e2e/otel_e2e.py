"""What live_send.py and live_grpc_send.py share: exporters that record their results, a provider
that also keeps every finished span in memory, GenAI chat attributes, and the record form
live_check.py compares with what spanscope saved."""
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode


class Recording:
    """Passes spans on to an exporter and appends every failed result to `failures`."""

    def __init__(self, name, inner, failures):
        self.name, self.inner, self.failures, self.calls = name, inner, failures, 0

    def export(self, spans):
        self.calls += 1
        result = self.inner.export(spans)
        if result != SpanExportResult.SUCCESS:
            self.failures.append(f"{self.name} export of {len(spans)} spans: {result}")
        return result

    def shutdown(self):
        self.inner.shutdown()

    def force_flush(self, timeout_millis=30000):
        return True


def provider(service, exporter):
    """A provider exporting in batches (as apps do) that also keeps each span for the comparison."""
    memory = InMemorySpanExporter()
    p = TracerProvider(resource=Resource.create({"service.name": service, "deployment.environment": "e2e"}))
    p.add_span_processor(BatchSpanProcessor(exporter))
    p.add_span_processor(SimpleSpanProcessor(memory))
    return p, memory


def chat(span, model, prompt, completion, response_model=None, provider_name=None, finish_reasons=None):
    """GenAI semantic-convention attributes of one chat call."""
    span.set_attribute("gen_ai.operation.name", "chat")
    if provider_name:
        span.set_attribute("gen_ai.provider.name", provider_name)
    span.set_attribute("gen_ai.request.model", model)
    if response_model:
        span.set_attribute("gen_ai.response.model", response_model)
    span.set_attribute("gen_ai.usage.input_tokens", prompt)
    span.set_attribute("gen_ai.usage.output_tokens", completion)
    if finish_reasons:
        span.set_attribute("gen_ai.response.finish_reasons", finish_reasons)


def record(span, protocol):
    """One finished span in live_check.py's form."""
    attrs = dict(span.attributes or {})
    return {
        "protocol": protocol,
        "trace_id": format(span.context.trace_id, "032x"),
        "span_id": format(span.context.span_id, "016x"),
        "parent_id": format(span.parent.span_id, "016x") if span.parent else None,
        "name": span.name,
        "error": span.status.status_code == StatusCode.ERROR,
        "input_tokens": attrs.get("gen_ai.usage.input_tokens"),
        "output_tokens": attrs.get("gen_ai.usage.output_tokens"),
    }
