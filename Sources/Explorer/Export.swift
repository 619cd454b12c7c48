import TraceAnalysis
import TraceModel

/// A tiny JSON writer with stable key order, so exports are reproducible and diffable.
struct JSONWriter {
    private(set) var text = ""
    private var indent = 0
    private var needsComma = [false]

    mutating func beginObject(_ key: String? = nil) { open(key, "{") }
    mutating func endObject() { close("}") }
    mutating func beginArray(_ key: String? = nil) { open(key, "[") }
    mutating func endArray() { close("]") }

    mutating func string(_ key: String?, _ value: String?) {
        element(key)
        if let v = value { text += JSONWriter.quoted(v) } else { text += "null" }
    }

    mutating func number(_ key: String?, _ value: Int64?) {
        element(key)
        text += value.map { String($0) } ?? "null"
    }

    mutating func number(_ key: String?, _ value: Double?) {
        element(key)
        guard let v = value else { text += "null"; return }
        // JSON has no NaN or infinities; keep them readable as strings.
        text += v.isFinite ? AttributeValue.format(v) : JSONWriter.quoted(AttributeValue.format(v))
    }

    mutating func bool(_ key: String?, _ value: Bool) {
        element(key)
        text += value ? "true" : "false"
    }

    mutating func value(_ key: String?, _ v: AttributeValue) {
        switch v {
        case .string(let s): string(key, s)
        case .int(let i): number(key, i)
        case .double(let d): number(key, d)
        case .bool(let b): bool(key, b)
        case .bytes: string(key, v.displayText)
        case .empty: element(key); text += "null"
        case .array(let items):
            beginArray(key)
            for item in items { value(nil, item) }
            endArray()
        case .kvlist(let attrs):
            attributes(key, attrs)
        }
    }

    mutating func attributes(_ key: String?, _ attrs: [Attribute]) {
        beginObject(key)
        for a in attrs { value(a.key, a.value) }
        endObject()
    }

    private mutating func element(_ key: String?) {
        if needsComma[needsComma.count - 1] { text += "," }
        needsComma[needsComma.count - 1] = true
        if indent > 0 { text += "\n" + String(repeating: "  ", count: indent) }
        if let k = key { text += JSONWriter.quoted(k) + ": " }
    }

    private mutating func open(_ key: String?, _ bracket: String) {
        if !text.isEmpty || key != nil { element(key) }
        text += bracket
        indent += 1
        needsComma.append(false)
    }

    private mutating func close(_ bracket: String) {
        let hadItems = needsComma.removeLast()
        indent -= 1
        if hadItems { text += "\n" + String(repeating: "  ", count: indent) }
        text += bracket
    }

    /// `s` as a JSON string literal (RFC 8259 section 7: quote, backslash and controls escaped).
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}", "\u{2029}":
                out += "\\u" + Identifier.hexString(UInt64(u.value), digits: 4)
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    out += "\\u" + Identifier.hexString(UInt64(u.value), digits: 4)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
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
        var w = JSONWriter()
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
        return w.text + "\n"
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
