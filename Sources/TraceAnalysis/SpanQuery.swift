import TraceModel

/// Search: case-insensitive substring over names, services, attribute keys and values, event names
/// and attributes, status messages, and LLM model names and message text.
///
/// An ASCII query (the usual case) is matched over each string's UTF-8 in place, eight bytes per
/// step with ASCII case folding (`FoldedNeedle`), so nothing is copied or lowercased per span.
/// A query with non-ASCII letters compares lowercased copies, but only of strings that hold a
/// non-ASCII byte when the query cannot match pure ASCII text. Numbers, booleans and bytes are
/// formatted for matching only when the query's characters could occur in their display text.
/// An empty query matches every span.
public struct SpanQuery: Sendable {
    /// The query as typed.
    public let text: String
    /// The query's UTF-8 with ASCII letters folded, when the query is ASCII.
    private let asciiNeedle: FoldedNeedle?
    /// The lowercased query, for non-ASCII queries.
    private let foldedNeedle: String
    /// For a non-ASCII query: whether some pure-ASCII text could contain it. False unless every
    /// character of the lowercased query is canonically equivalent to an ASCII one (such as
    /// U+212A KELVIN SIGN, which is `K`), since lowercasing ASCII text keeps it ASCII.
    private let asciiTextCanMatch: Bool
    /// Which kinds of non-string values could display text containing the query.
    private let scalars: ScalarKinds

    /// Creates a query for `text`.
    public init(_ text: String) {
        self.text = text
        let bytes = Array(text.utf8)
        let ascii = bytes.allSatisfy { $0 < 0x80 }
        asciiNeedle = ascii ? FoldedNeedle(bytes) : nil
        foldedNeedle = text.lowercased()
        asciiTextCanMatch = ascii || foldedNeedle.allSatisfy { c in
            c.isASCII || (0..<128).contains { Character(Unicode.Scalar(UInt8($0))) == c }
        }
        scalars = ascii ? ScalarKinds(folded: bytes.map(FoldedNeedle.fold)) : .all
    }

    /// True for the empty query, which matches everything.
    public var isEmpty: Bool { text.isEmpty }

    /// True when `haystack` contains the query, ignoring case.
    public func matches(_ haystack: String) -> Bool {
        if let needle = asciiNeedle {
            if let found = haystack.utf8.withContiguousStorageIfAvailable({ needle.isContained(in: $0) }) {
                return found
            }
            var copy = haystack
            return copy.withUTF8 { needle.isContained(in: $0) }
        }
        if !asciiTextCanMatch,
           haystack.utf8.withContiguousStorageIfAvailable({ FoldedNeedle.hasNonASCII($0) }) == false {
            return false
        }
        return haystack.lowercased().contains(foldedNeedle)
    }

    /// True when span `span` of `trace` contains the query in any searched field.
    public func matches(_ trace: Trace, span: Int) -> Bool {
        if isEmpty { return true }
        // The span is read in place: copying a `Span` retains every field it holds.
        let found = trace.spans.withUnsafeBufferPointer { spans in
            let s = spans.baseAddress! + span
            if matches(s.pointee.name) || matches(s.pointee.service) || matches(s.pointee.status.message) { return true }
            if matches(s.pointee.attributes) { return true }
            for event in s.pointee.events where matches(event.name) || matches(event.attributes) { return true }
            return false
        }
        if found { return true }
        if trace.isLLM(span), let call = trace.llmCall(at: span), matches(call) { return true }
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
    /// their display text (when it could hold the query), arrays and maps element by element
    /// with an explicit stack (values from files can nest deeply).
    private func matches(_ value: AttributeValue) -> Bool {
        switch value {
        case .string(let s): return matches(s)
        case .array, .kvlist: break
        default: return matchesScalar(value)
        }
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
                if matchesScalar(v) { return true }
            }
        }
        return false
    }

    /// A number, boolean, bytes or empty value through its display text, formatted only when
    /// the query's characters could occur in it.
    private func matchesScalar(_ value: AttributeValue) -> Bool {
        let possible: Bool
        switch value {
        case .int: possible = scalars.contains(.int)
        case .double: possible = scalars.contains(.double)
        case .bool: possible = scalars.contains(.bool)
        case .bytes: possible = scalars.contains(.bytes)
        case .empty: possible = scalars.contains(.empty)
        case .string, .array, .kvlist: possible = true
        }
        return possible && matches(value.displayText)
    }

    private func matches(_ call: LLMCall) -> Bool {
        if let m = call.requestModel, matches(m) { return true }
        if let m = call.responseModel, matches(m) { return true }
        if let p = call.provider, matches(p) { return true }
        if let o = call.operation, matches(o) { return true }
        if let r = call.responseID, matches(r) { return true }
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

}

/// The kinds of non-string attribute values whose display text could contain an ASCII query:
/// each kind's text uses few characters (`AttributeValue.displayText`), so a query with any
/// other character cannot occur in it.
struct ScalarKinds: OptionSet, Sendable {
    let rawValue: UInt8
    static let int = ScalarKinds(rawValue: 1 << 0)
    static let double = ScalarKinds(rawValue: 1 << 1)
    static let bool = ScalarKinds(rawValue: 1 << 2)
    static let bytes = ScalarKinds(rawValue: 1 << 3)
    static let empty = ScalarKinds(rawValue: 1 << 4)
    static let all: ScalarKinds = [.int, .double, .bool, .bytes, .empty]

    /// The kinds whose display alphabet holds every byte of `folded` (a query's UTF-8, ASCII
    /// letters lowercased). Alphabets, lowercased: integers `String(Int64)`; doubles
    /// `AttributeValue.format` (digits, sign, point, exponent, `NaN`, `Infinity`); booleans
    /// `true`/`false`; bytes `0x` and lowercase hex; empty `null`.
    init(folded: [UInt8]) {
        func within(_ alphabet: String) -> Bool {
            let allowed = Set(alphabet.utf8)
            return folded.allSatisfy(allowed.contains)
        }
        var kinds: ScalarKinds = []
        if within("-0123456789") { kinds.insert(.int) }
        if within("-+.0123456789eanifty") { kinds.insert(.double) }
        if within("truefals") { kinds.insert(.bool) }
        if within("0123456789abcdefx") { kinds.insert(.bytes) }
        if within("nul") { kinds.insert(.empty) }
        self = kinds
    }

    init(rawValue: UInt8) { self.rawValue = rawValue }
}
