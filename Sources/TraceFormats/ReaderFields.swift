import TraceConventions

/// Why one span of a file could not be used; the reader skips it and says so in a warning.
struct SpanProblem: Error {
    var message: String
}

/// A reader of a JSON format whose traces each hold a list of span objects (the seed's, Jaeger's):
/// the top level and the span lists are walked alike; what a trace and a span hold differs.
protocol SpanListReader {
    /// A span as read, before what its trace says about it (times, service) is settled.
    associatedtype RawSpan
    /// The scanner over the whole input.
    var scanner: JSONScanner { get set }
    /// What the top level must be, for the error when it is something else.
    static var expectedTopLevel: String { get }
    /// Reads one entry of a top-level list.
    mutating func readListedTrace(into out: inout SpanCollector, source: String) throws(JSONSyntaxError)
    /// Reads an object at the top level.
    mutating func readTopObject(into out: inout SpanCollector, source: String) throws(JSONSyntaxError)
    /// Reads one span object, or says why it cannot be used (the value is consumed either way).
    mutating func readSpan() throws(JSONSyntaxError) -> Result<RawSpan, SpanProblem>
}

extension SpanListReader {
    /// Reads the whole input: top-level lists and objects, one after another, until the end.
    mutating func readAll(into out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        while true {
            scanner.skipWhitespace()
            if scanner.atEnd { break }
            switch scanner.peekToken() {
            case .array:
                var arr = try scanner.beginArray()
                while try scanner.nextElement(&arr) { try readListedTrace(into: &out, source: source) }
            case .object:
                try readTopObject(into: &out, source: source)
            default:
                throw scanner.error("expected \(Self.expectedTopLevel), found \(scanner.describeCurrent())")
            }
        }
    }

    /// Reads the list of spans at the scanner (an array) into `raws`; a span that cannot be used
    /// is skipped with a warning naming where it starts.
    mutating func readSpans(into raws: inout [RawSpan], _ out: inout SpanCollector, source: String) throws(JSONSyntaxError) {
        var arr = try scanner.beginArray()
        while try scanner.nextElement(&arr) {
            scanner.skipWhitespace()
            let at = scanner.pos
            switch try readSpan() {
            case .success(let raw): raws.append(raw)
            case .failure(let problem): out.skipSpan(source, scanner.lineAndColumn(of: at), problem.message)
            }
        }
    }
}

/// Typed fields read leniently: a wrong type records the first problem for the span being read
/// and skips the value, so one bad field costs one span, not the file. Shared by the readers of
/// formats whose spans are plain JSON objects (seed, Zipkin, Jaeger).
extension JSONScanner {
    /// A string, nil for `null`; anything else is a problem.
    mutating func optionalString(_ problem: inout String?, _ field: String) throws(JSONSyntaxError) -> String? {
        switch peekToken() {
        case .string: return try readString()
        case .null: _ = skipNull(); return nil
        default:
            problem = problem ?? "'\(field)' must be a string"
            try skipValue()
            return nil
        }
    }

    /// A non-negative count of microseconds (whole or, as OTel's Zipkin mapping writes them, with
    /// a fraction), nil for `null`; past what nanoseconds can hold is a problem.
    mutating func microseconds(_ problem: inout String?, _ field: String) throws(JSONSyntaxError) -> Int64? {
        switch peekToken() {
        case .number:
            switch try readNumber() {
            case .int(let v) where v >= 0 && v < Int64.max / 1_000: return v
            case .double(let d) where d >= 0 && d < 9e15: return Int64(d.rounded())
            default: problem = problem ?? "'\(field)' is out of range"; return nil
            }
        case .null: _ = skipNull(); return nil
        default:
            problem = problem ?? "'\(field)' must be a number of microseconds"
            try skipValue()
            return nil
        }
    }

    /// A string through the interner: names, keys and services repeat on every span.
    mutating func internedString(_ interner: inout StringInterner) throws(JSONSyntaxError) -> String {
        var decoded = ""
        if let raw = try readStringBytes(&decoded) { return interner.intern(raw) }
        return interner.intern(decoded)
    }
}
