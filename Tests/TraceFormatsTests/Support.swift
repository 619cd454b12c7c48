import Foundation
import TestSupport
import Testing
import TraceModel
@testable import TraceFormats

func sample(_ name: String) throws -> TraceDocument {
    try TraceLoader.load(path: sampleDirectory + "/" + name)
}

func decode(_ text: String, source: String = "test.json") throws(TraceFormatError) -> TraceDocument {
    try TraceLoader.decode(Array(text.utf8), source: source)
}

/// A span index by name (first match).
func index(_ trace: Trace, _ name: String) -> Int? {
    trace.spans.firstIndex { $0.name == name }
}

/// An OTLP JSON request holding the given spans (JSON texts) under one resource.
func otlp(service: String = "svc", _ spans: [String]) -> String {
    """
    {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\(service)"}}]},
    "scopeSpans":[{"scope":{"name":"test"},"spans":[\(spans.joined(separator: ","))]}]}]}
    """
}

/// One OTLP span with string attributes given as JSON fragments.
func otlpSpan(_ id: String, parent: String = "", name: String = "op", start: Int64 = 1_000, end: Int64 = 2_000,
              trace: String = "0af7651916cd43dd8448eb211c80319c", attributes: String = "", extra: String = "") -> String {
    """
    {"traceId":"\(trace)","spanId":"\(id)","parentSpanId":"\(parent)","name":"\(name)","kind":1,
     "startTimeUnixNano":"\(start)","endTimeUnixNano":"\(end)","attributes":[\(attributes)]\(extra)}
    """
}

/// An OTLP KeyValue JSON fragment.
func kv(_ key: String, string: String) -> String { #"{"key":"\#(key)","value":{"stringValue":"\#(string)"}}"# }
func kv(_ key: String, int: Int64) -> String { #"{"key":"\#(key)","value":{"intValue":"\#(int)"}}"# }
func kv(_ key: String, double: Double) -> String { #"{"key":"\#(key)","value":{"doubleValue":\#(double)}}"# }
