import TraceModel

/// Finds a trace by its id or a unique prefix of it, as people type ids copied from a list.
///
/// Written for `spanscope diff FILE@ID`; the "workbench" branch adds a shared resolver for the
/// explorer's `--trace`, and the two are meant to become one.
public enum TraceSelector {
    /// The index in `traces` of the trace whose id is `text` or starts with it (case-insensitive).
    /// An exact match wins over prefixes; a prefix that fits several traces is an error naming some.
    public static func resolve(_ text: String, in traces: [Trace], source: String) throws(TraceAnalysisError) -> Int {
        let wanted = text.lowercased()
        guard !wanted.isEmpty else { throw TraceAnalysisError("\(source): an empty trace id") }
        var hits: [Int] = []
        for (i, t) in traces.enumerated() {
            let id = t.id.description.lowercased()
            if id == wanted { return i }
            if id.hasPrefix(wanted) { hits.append(i) }
        }
        switch hits.count {
        case 1:
            return hits[0]
        case 0:
            throw TraceAnalysisError("\(source): no trace id starts with '\(text)' (the file holds \(traces.count) trace\(traces.count == 1 ? "" : "s"))")
        default:
            let some = hits.prefix(3).map { traces[$0].id.description }.joined(separator: ", ")
            throw TraceAnalysisError("\(source): '\(text)' fits \(hits.count) traces (\(some)\(hits.count > 3 ? ", …" : "")); give more of the id")
        }
    }
}
