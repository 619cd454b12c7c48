import TraceAnalysis
import TraceModel
import TerminalText

/// The export's calls on the shared `JSONWriter`: keyed members (no key inside arrays),
/// nil as null, and numbers in the form the trace holds them (`12`, `0.25`; "NaN" as a string).
extension JSONWriter {
    fileprivate mutating func keyed(_ k: String?) { if let k { key(k) } }
    fileprivate mutating func beginObject(_ k: String?) { keyed(k); beginObject() }
    fileprivate mutating func beginArray(_ k: String?) { keyed(k); beginArray() }

    fileprivate mutating func string(_ k: String?, _ value: String?) {
        keyed(k)
        if let v = value { string(v) } else { null() }
    }

    fileprivate mutating func number(_ k: String?, _ value: Int64?) {
        keyed(k)
        if let v = value { int(v) } else { null() }
    }

    fileprivate mutating func number(_ k: String?, _ value: Double?) {
        keyed(k)
        guard let v = value else { null(); return }
        // JSON has no NaN or infinities; keep them readable as strings.
        if v.isFinite { raw(AttributeValue.format(v)) } else { string(AttributeValue.format(v)) }
    }

    fileprivate mutating func bool(_ k: String?, _ value: Bool) { keyed(k); bool(value) }

    fileprivate mutating func value(_ k: String?, _ v: AttributeValue) {
        switch v {
        case .string(let s): string(k, s)
        case .int(let i): number(k, i)
        case .double(let d): number(k, d)
        case .bool(let b): bool(k, b)
        case .bytes: string(k, v.displayText)
        case .empty: keyed(k); null()
        case .array(let items):
            beginArray(k)
            for item in items { value(nil, item) }
            endArray()
        case .kvlist(let attrs):
            attributes(k, attrs)
        }
    }

    fileprivate mutating func attributes(_ k: String?, _ attrs: [Attribute]) {
        beginObject(k)
        for a in attrs { value(a.key, a.value) }
        endObject()
    }
}

/// The JSON export of a span and its LLM call.
enum Export {
    /// File name for the export of `span`.
    static func fileName(for span: Int, in trace: Trace) -> String {
        let id = trace.spans[span].spanID.description
        var safe = ""
        for ch in id.unicodeScalars.prefix(40) {
            let ok = (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || (ch >= "0" && ch <= "9") || ch == "-"
            safe.unicodeScalars.append(ok ? ch : "_")
        }
        return "spanscope-span-\(safe.isEmpty ? String(span) : safe).json"
    }

    /// The span with all its fields, its flags, and its LLM call with cost and price.
    static func json(for span: Int, in insight: TraceInsight) -> String {
        let trace = insight.trace
        let s = trace.spans[span]
        var w = JSONWriter(indent: 2)
        w.beginObject()
        w.string("exported_by", "spanscope")
        w.string("trace_id", s.traceID.description)
        w.beginObject("span")
        w.string("span_id", s.spanID.description)
        w.string("parent_span_id", s.parentID?.description)
        w.string("name", s.name)
        w.string("service", s.service)
        w.string("kind", s.kind.name)
        w.number("start_time_unix_nano", s.startNanos)
        w.number("end_time_unix_nano", s.endNanos)
        w.number("duration_ms", Double(s.durationNanos) / 1e6)
        w.beginObject("status")
        w.string("code", s.status.code == .error ? "ERROR" : s.status.code == .ok ? "OK" : "UNSET")
        w.string("message", s.status.message)
        w.endObject()
        w.beginArray("flags")
        for f in trace.flags[span].names { w.string(nil, f) }
        w.endArray()
        w.attributes("attributes", s.attributes)
        w.beginArray("events")
        for e in s.events {
            w.beginObject()
            w.number("time_unix_nano", e.timeNanos)
            w.string("name", e.name)
            w.attributes("attributes", e.attributes)
            w.endObject()
        }
        w.endArray()
        w.beginArray("links")
        for l in s.links {
            w.beginObject()
            w.string("trace_id", l.traceID.description)
            w.string("span_id", l.spanID.description)
            w.attributes("attributes", l.attributes)
            w.endObject()
        }
        w.endArray()
        w.attributes("resource", s.origin.resource)
        w.endObject()
        if let call = trace.llmCallDetails(at: span) {
            w.beginObject("llm_call")
            w.string("operation", call.operation)
            w.string("provider", call.provider)
            w.string("request_model", call.requestModel)
            w.string("response_model", call.responseModel)
            w.number("prompt_tokens", call.promptTokens)
            w.number("completion_tokens", call.completionTokens)
            w.number("total_tokens", call.totalTokens)
            let cost = insight.statistics.cost(ofSpan: span) ?? .unpriced
            w.number("cost_usd", cost.usd)
            switch cost.source {
            case .recorded: w.string("cost_source", "recorded")
            case .unpriced: w.string("cost_source", "unpriced")
            case .computed(let p):
                w.string("cost_source", "computed")
                w.beginObject("price")
                w.string("model_prefix", p.prefix)
                w.number("input_usd_per_million", p.inputPerMillion)
                w.number("output_usd_per_million", p.outputPerMillion)
                w.string("source", p.source)
                w.endObject()
            }
            w.attributes("parameters", call.parameters)
            messages(&w, "input_messages", call.inputMessages)
            messages(&w, "output_messages", call.outputMessages)
            w.beginArray("finish_reasons")
            for f in call.finishReasons { w.string(nil, f) }
            w.endArray()
            w.string("response_id", call.responseID)
            w.number("time_to_first_token_ms", call.timeToFirstTokenNanos.map { Double($0) / 1e6 })
            w.beginArray("conventions")
            for c in call.conventions.names { w.string(nil, c) }
            w.endArray()
            w.endObject()
        }
        w.endObject()
        return w.output + "\n"
    }

    private static func messages(_ w: inout JSONWriter, _ key: String, _ list: [LLMMessage]) {
        w.beginArray(key)
        for m in list {
            w.beginObject()
            w.string("role", m.role)
            if let n = m.name { w.string("name", n) }
            if let f = m.finishReason { w.string("finish_reason", f) }
            w.beginArray("parts")
            for p in m.parts {
                w.beginObject()
                switch p {
                case .text(let t):
                    w.string("type", "text"); w.string("text", t)
                case .toolCall(let id, let name, let args):
                    w.string("type", "tool_call"); w.string("id", id); w.string("name", name); w.string("arguments", args)
                case .toolResult(let id, let content):
                    w.string("type", "tool_result"); w.string("id", id); w.string("content", content)
                case .other(let type, let content):
                    w.string("type", type); w.string("content", content)
                }
                w.endObject()
            }
            w.endArray()
            w.endObject()
        }
        w.endArray()
    }
}
