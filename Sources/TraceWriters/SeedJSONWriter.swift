import TraceModel
import TerminalText

/// Writes traces in the seed's `get_trace()` shape, plus `start_time`/`end_time` per span (epoch
/// seconds, as the seed's `AISpan` holds them) so that no timing is lost on the way back in.
public enum SeedJSONWriter {
    /// One trace object, or a list of them when there are several.
    ///
    /// - Parameter cost: the cost to write into `ai_metrics` (the seed's field); by default the
    ///   recorded one. Callers with a price table pass recorded-or-computed.
    public static func encode(_ traces: [Trace], indent: Int = 2,
                              cost: (LLMCall) -> Double? = { $0.recordedCostUSD }) -> [UInt8] {
        var w = JSONWriter(indent: indent)
        if traces.count == 1 {
            trace(traces[0], into: &w, cost: cost)
        } else {
            w.beginArray()
            for t in traces { trace(t, into: &w, cost: cost) }
            w.endArray()
        }
        return w.line()
    }

    /// One trace object in the seed's shape.
    public static func trace(_ t: Trace, into w: inout JSONWriter,
                             cost: (LLMCall) -> Double? = { $0.recordedCostUSD }) {
        w.beginObject()
        w.member("trace_id", t.id.description)
        w.key("spans")
        w.beginArray()
        var totalTokens: Int64 = 0
        var totalCost = 0.0
        for i in 0..<t.count {
            let s = t.spans[i]
            let call = t.llmCall(at: i)
            w.beginObject()
            w.member("span_id", s.spanID.description)
            w.key("parent_span_id")
            if let p = s.parentID { w.string(p.description) } else { w.null() }
            w.member("operation", s.name)
            w.member("service", s.service)
            w.member("start_time", seconds(s.startNanos))
            w.member("end_time", seconds(s.endNanos))
            w.member("duration_ms", Double(s.durationNanos) / 1e6)
            w.member("status", s.status.code == .error ? "ERROR" : s.status.code == .ok ? "OK" : "UNSET")
            w.key("attributes")
            w.beginObject()
            for a in s.attributes where !a.key.hasPrefix("ai_metrics.") {
                w.key(a.key)
                w.plain(a.value)
            }
            w.endObject()
            w.key("events")
            w.beginArray()
            for e in s.events {
                w.beginObject()
                w.member("timestamp", seconds(e.timeNanos))
                w.member("name", e.name)
                w.key("attributes")
                w.beginObject()
                for a in e.attributes {
                    w.key(a.key)
                    w.plain(a.value)
                }
                w.endObject()
                w.endObject()
            }
            w.endArray()
            w.key("ai_metrics")
            if let call, let model = call.model {
                w.beginObject()
                w.member("model", model)
                w.member("tokens", call.totalTokens)
                let c = cost(call) ?? 0
                w.member("cost", c)
                w.endObject()
                totalTokens += call.totalTokens
                totalCost += c
            } else {
                w.null()
            }
            w.endObject()
        }
        w.endArray()
        let root = t.rootIndex.map { Double(t.spans[$0].durationNanos) / 1e6 } ?? 0
        w.member("total_duration_ms", root)
        w.member("total_tokens", totalTokens)
        w.member("total_cost_usd", totalCost)
        w.endObject()
    }

    private static func seconds(_ nanos: Int64) -> Double { Double(nanos) / 1e9 }
}
