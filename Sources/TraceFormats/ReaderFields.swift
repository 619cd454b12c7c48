import TraceConventions
/// Why one span of a file could not be used; the reader skips it and says so in a warning.
struct SpanProblem: Error {
    var message: String
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
