/// Why a trace id typed by a person did not pick exactly one trace.
public struct TraceLookupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Hashable, Sendable {
        /// No trace id starts with the text.
        case unknown
        /// Several trace ids start with the text; `matches` holds how many.
        case ambiguous(matches: Int)
        /// The text is empty.
        case empty
    }

    /// The text as typed.
    public let text: String
    /// Which failure.
    public let kind: Kind
    /// Up to a few of the candidates (matching ids when ambiguous, some ids when unknown).
    public let examples: [String]
    /// How many traces there were to choose from.
    public let traceCount: Int
    /// The file or label the traces came from, for the message ("" leaves it out).
    public let source: String
    /// What the ids name, for the message: "trace" unless another kind of id is looked up the same way.
    public let noun: String

    /// Creates an error.
    public init(text: String, kind: Kind, examples: [String], traceCount: Int, source: String = "", noun: String = "trace") {
        self.text = text
        self.kind = kind
        self.examples = examples
        self.traceCount = traceCount
        self.source = source
        self.noun = noun
    }

    /// One line naming the text, what went wrong and what to type instead.
    public var description: String {
        let place = source.isEmpty ? "" : source + ": "
        let shown = examples.joined(separator: ", ")
        switch kind {
        case .empty:
            return place + "an empty \(noun) id matches nothing; give the id or a unique prefix of it"
        case .unknown:
            let holds = "\(traceCount) \(noun)" + (traceCount == 1 ? "" : "s")
            return place + "no \(noun) id starts with \"\(text)\" (\(holds)" + (shown.isEmpty ? ")" : ": \(shown)\(traceCount > examples.count ? ", …" : ""))")
        case .ambiguous(let n):
            return place + "\(noun) id prefix \"\(text)\" is ambiguous: \(n) \(noun)s start with it (\(shown)\(n > examples.count ? ", …" : "")); type more of the id"
        }
    }
}

/// Finds a trace from an id a person typed: the whole id or a unique prefix of it.
///
/// Screens show ids cut short, so a prefix is what people copy. Matching ignores case, and a
/// dashed UUID may be typed with or without its dashes. An exact match wins even when it is
/// also the prefix of a longer id.
public enum TraceIDLookup {
    /// How many candidates an error message lists.
    public static let exampleLimit = 4

    /// The position in `ids` of the one id `text` names.
    public static func resolve(_ text: String, in ids: [TraceID], source: String = "") throws(TraceLookupError) -> Int {
        let wanted = normalised(text)
        guard !wanted.isEmpty else {
            throw TraceLookupError(text: text, kind: .empty, examples: [], traceCount: ids.count, source: source)
        }
        var matches: [Int] = []
        for (i, id) in ids.enumerated() {
            let have = normalised(id.description)
            if have == wanted { return i }
            if have.hasPrefix(wanted) { matches.append(i) }
        }
        // An exact match anywhere beats prefixes, so look for it before deciding.
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty {
            let some = ids.prefix(exampleLimit).map { String($0.description.prefix(16)) }
            throw TraceLookupError(text: text, kind: .unknown, examples: some, traceCount: ids.count, source: source)
        }
        let shown = matches.prefix(exampleLimit).map { ids[$0].description }
        throw TraceLookupError(text: text, kind: .ambiguous(matches: matches.count), examples: shown,
                               traceCount: ids.count, source: source)
    }

    /// The position in `traces` of the trace `text` names (see `resolve(_:in:source:)`).
    public static func resolve(_ text: String, in traces: [Trace], source: String = "") throws(TraceLookupError) -> Int {
        try resolve(text, in: traces.map(\.id), source: source)
    }

    /// Lowercased, without dashes or surrounding spaces: the form ids are compared in.
    static func normalised(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.lowercased() where c != "-" && c != " " && c != "\t" { out.append(c) }
        return out
    }
}
