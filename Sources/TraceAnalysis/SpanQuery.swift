import TraceModel

/// Search: case-insensitive substring over names, services, attribute keys and values, event names
/// and attributes, status messages, and LLM model names and message text.
///
/// An ASCII query (the usual case) is matched byte by byte over each string's UTF-8 with ASCII
/// case folding, so nothing is copied or lowercased per span. A query with non-ASCII letters
/// falls back to comparing lowercased copies. An empty query matches every span.
public struct SpanQuery: Sendable {
    /// The query as typed.
    public let text: String
    /// The query's UTF-8 with ASCII letters folded to lowercase, when the query is ASCII.
    private let asciiNeedle: [UInt8]?
    /// The lowercased query, for non-ASCII queries.
    private let foldedNeedle: String

    /// Creates a query for `text`.
    public init(_ text: String) {
        self.text = text
        let bytes = Array(text.utf8)
        if bytes.allSatisfy({ $0 < 0x80 }) {
            asciiNeedle = bytes.map(SpanQuery.fold)
        } else {
            asciiNeedle = nil
        }
        foldedNeedle = text.lowercased()
    }

    /// True for the empty query, which matches everything.
    public var isEmpty: Bool { text.isEmpty }

    /// True when `haystack` contains the query, ignoring case.
    public func matches(_ haystack: String) -> Bool {
        guard let needle = asciiNeedle else { return haystack.lowercased().contains(foldedNeedle) }
        if needle.isEmpty { return true }
        if let found = haystack.utf8.withContiguousStorageIfAvailable({ SpanQuery.search(needle, in: $0) }) {
            return found
        }
        var copy = haystack
        return copy.withUTF8 { SpanQuery.search(needle, in: $0) }
    }

    /// True when span `span` of `trace` contains the query in any searched field.
    public func matches(_ trace: Trace, span: Int) -> Bool {
        if isEmpty { return true }
        let s = trace.spans[span]
        if matches(s.name) || matches(s.service) || matches(s.status.message) { return true }
        if matches(s.attributes) { return true }
        for event in s.events where matches(event.name) || matches(event.attributes) { return true }
        if let call = trace.llmCall(at: span), matches(call) { return true }
        return false
    }

    /// Indices of the matching spans, in depth-first (preorder) order.
    public func matchingSpans(in trace: Trace) -> [Int] {
        var out: [Int] = []
        for node in trace.preorder where matches(trace, span: Int(node)) { out.append(Int(node)) }
        return out
    }

    private func matches(_ attributes: [Attribute]) -> Bool {
        for attribute in attributes where matches(attribute.key) || matches(attribute.value) { return true }
        return false
    }

    /// Searches a value's display text piece by piece: strings directly, other scalars through
    /// their display text, arrays and maps element by element with an explicit stack (values
    /// from files can nest deeply).
    private func matches(_ value: AttributeValue) -> Bool {
        var pending: [AttributeValue] = [value]
        while let v = pending.popLast() {
            switch v {
            case .string(let s):
                if matches(s) { return true }
            case .array(let items):
                pending.append(contentsOf: items)
            case .kvlist(let pairs):
                for pair in pairs {
                    if matches(pair.key) { return true }
                    pending.append(pair.value)
                }
            case .int, .double, .bool, .bytes, .empty:
                if matches(v.displayText) { return true }
            }
        }
        return false
    }

    private func matches(_ call: LLMCall) -> Bool {
        for field in [call.requestModel, call.responseModel, call.provider, call.operation, call.responseID]
        where field.map(matches) == true {
            return true
        }
        for reason in call.finishReasons where matches(reason) { return true }
        if matches(call.parameters) { return true }
        for message in call.inputMessages where matches(message) { return true }
        for message in call.outputMessages where matches(message) { return true }
        return false
    }

    private func matches(_ message: LLMMessage) -> Bool {
        if let name = message.name, matches(name) { return true }
        for part in message.parts {
            switch part {
            case .text(let t):
                if matches(t) { return true }
            case .toolCall(let id, let name, let arguments):
                if matches(name) || matches(arguments) || matches(id) { return true }
            case .toolResult(let id, let content):
                if matches(content) || matches(id) { return true }
            case .other(let type, let content):
                if matches(content) || matches(type) { return true }
            }
        }
        return false
    }

    @inline(__always)
    private static func fold(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// Naive scan anchored on the first byte; needles are typed by hand, so they are short.
    private static func search(_ needle: [UInt8], in hay: UnsafeBufferPointer<UInt8>) -> Bool {
        let m = needle.count
        guard hay.count >= m else { return false }
        let first = needle[0]
        let last = hay.count - m
        var i = 0
        while i <= last {
            if fold(hay[i]) == first {
                var j = 1
                while j < m && fold(hay[i + j]) == needle[j] { j += 1 }
                if j == m { return true }
            }
            i += 1
        }
        return false
    }
}
