/// Why a query could not be read, pointing at the term that is wrong.
public struct QueryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The query as typed.
    public let query: String
    /// Where the offending term starts (1-based column, in characters).
    public let column: Int
    /// How many characters it covers (at least 1).
    public let length: Int
    /// What is wrong with it.
    public let message: String

    /// Creates an error.
    public init(query: String, column: Int, length: Int, message: String) {
        self.query = query
        self.column = column
        self.length = max(1, length)
        self.message = message
    }

    /// The offending term as typed ("" past the end of the query).
    public var term: String {
        let chars = Array(query)
        let start = min(max(0, column - 1), chars.count)
        return String(chars[start..<min(chars.count, start + length)])
    }

    /// One line: the column, the term and what is wrong.
    public var description: String {
        let t = term
        return "query column \(column)" + (t.isEmpty ? "" : " \"\(t)\"") + ": " + message
    }

    /// A line of spaces and carets that, printed under the query, marks the term.
    public var pointer: String {
        String(repeating: " ", count: max(0, column - 1)) + String(repeating: "^", count: length)
    }
}

/// A comparison in a `field OP value` term.
public enum QueryOperator: String, Hashable, Sendable, CaseIterable {
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case contains = "~"
    case notContains = "!~"

    /// True for the orderings, which need numbers.
    var isOrdering: Bool { self == .less || self == .lessOrEqual || self == .greater || self == .greaterOrEqual }

    /// Compares two numbers; `~`/`!~` never reach here.
    func compare(_ a: Double, _ b: Double) -> Bool {
        switch self {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        case .contains, .notContains: return false
        }
    }
}

/// Tokens and the recursive-descent parser for `TraceQuery`.
///
/// Grammar (an implicit AND binds loosest, then `or`, then `-`):
/// ```
/// query  := and?
/// and    := or+
/// or     := unary ("or" unary)*
/// unary  := "-" unary | "(" and ")" | term
/// term   := word | field op value
/// ```
struct QueryParser {
    struct Token {
        enum Kind: Equatable { case word, open, close, or, minus }
        var kind: Kind
        /// The text with quotes removed (for words).
        var text: String
        /// The text as typed, quotes kept (for finding the operator outside quotes).
        var raw: [Character]
        /// Which characters of `raw` were inside quotes.
        var quoted: [Bool]
        /// 1-based column of the first character.
        var column: Int
        var length: Int { raw.count }
    }

    let query: String
    var tokens: [Token] = []
    var position = 0

    init(_ query: String) throws(QueryError) {
        self.query = query
        tokens = try QueryParser.tokenize(query)
    }

    func error(_ column: Int, _ length: Int, _ message: String) -> QueryError {
        QueryError(query: query, column: column, length: length, message: message)
    }

    static func tokenize(_ query: String) throws(QueryError) -> [Token] {
        let chars = Array(query)
        var out: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "\n" { i += 1; continue }
            if c == "(" || c == ")" {
                out.append(Token(kind: c == "(" ? .open : .close, text: String(c), raw: [c], quoted: [false], column: i + 1))
                i += 1
                continue
            }
            // A minus that starts a term negates it (a quoted minus is text).
            if c == "-" {
                out.append(Token(kind: .minus, text: "-", raw: ["-"], quoted: [false], column: i + 1))
                i += 1
                continue
            }
            let start = i
            var text = "", raw: [Character] = [], quoted: [Bool] = []
            var inQuote = false
            var quoteStart = 0
            while i < chars.count {
                let ch = chars[i]
                if !inQuote && (ch == " " || ch == "\t" || ch == "\n" || ch == "(" || ch == ")") { break }
                if ch == "\"" {
                    if !inQuote { quoteStart = i }
                    inQuote.toggle()
                    raw.append(ch); quoted.append(true)
                    i += 1
                    continue
                }
                if inQuote && ch == "\\" && i + 1 < chars.count {
                    raw.append(ch); quoted.append(true)
                    raw.append(chars[i + 1]); quoted.append(true)
                    text.append(chars[i + 1])
                    i += 2
                    continue
                }
                raw.append(ch); quoted.append(inQuote)
                text.append(ch)
                i += 1
            }
            if inQuote {
                throw QueryError(query: query, column: quoteStart + 1, length: chars.count - quoteStart,
                                 message: "the quote is never closed; end it with \"")
            }
            let isOr = text.lowercased() == "or" && !quoted.contains(true)
            out.append(Token(kind: isOr ? .or : .word, text: text, raw: raw, quoted: quoted, column: start + 1))
        }
        return out
    }

    var atEnd: Bool { position >= tokens.count }
    var current: Token? { atEnd ? nil : tokens[position] }

    mutating func parseQuery() throws(QueryError) -> QueryNode? {
        guard !tokens.isEmpty else { return nil }
        let node = try parseAnd()
        if let t = current {
            // Only an unmatched closing parenthesis stops `parseAnd` early.
            throw error(t.column, t.length, "this ) has no ( before it")
        }
        return node
    }

    mutating func parseAnd() throws(QueryError) -> QueryNode {
        var parts: [QueryNode] = []
        while let t = current, t.kind != .close {
            parts.append(try parseOr())
        }
        if parts.isEmpty {
            let column = current?.column ?? query.count + 1
            throw error(column, 1, "expected a term here")
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    mutating func parseOr() throws(QueryError) -> QueryNode {
        if let t = current, t.kind == .or {
            throw error(t.column, t.length, "\"or\" needs a term on its left")
        }
        var parts = [try parseUnary()]
        while let t = current, t.kind == .or {
            position += 1
            guard let next = current, next.kind != .close, next.kind != .or else {
                throw error(t.column, t.length, "\"or\" needs a term on its right")
            }
            parts.append(try parseUnary())
        }
        return parts.count == 1 ? parts[0] : .or(parts)
    }

    mutating func parseUnary() throws(QueryError) -> QueryNode {
        guard let t = current else { throw error(query.count + 1, 1, "expected a term here") }
        switch t.kind {
        case .minus:
            position += 1
            guard let next = current, next.kind != .or, next.kind != .close else {
                throw error(t.column, 1, "nothing after - to leave out")
            }
            return .not(try parseUnary())
        case .open:
            position += 1
            guard let next = current, next.kind != .close else {
                throw error(t.column, 1, current == nil ? "this ( is never closed" : "empty parentheses")
            }
            let inner = try parseAnd()
            guard let close = current, close.kind == .close else { throw error(t.column, 1, "this ( is never closed; add )") }
            _ = close
            position += 1
            return inner
        case .close:
            throw error(t.column, 1, "this ) has no ( before it")
        case .or:
            throw error(t.column, t.length, "\"or\" needs a term on its left")
        case .word:
            position += 1
            return try parseTerm(t)
        }
    }

    /// The operator in a word: the first one outside quotes, longest spelling first.
    static func findOperator(_ t: Token) -> (at: Int, op: QueryOperator)? {
        var i = 0
        while i < t.raw.count {
            if !t.quoted[i] {
                let c = t.raw[i]
                let next: Character? = i + 1 < t.raw.count && !t.quoted[i + 1] ? t.raw[i + 1] : nil
                switch c {
                case "!":
                    if next == "=" { return (i, .notEqual) }
                    if next == "~" { return (i, .notContains) }
                case "<": return (i, next == "=" ? .lessOrEqual : .less)
                case ">": return (i, next == "=" ? .greaterOrEqual : .greater)
                case "=": return (i, .equal)
                case "~": return (i, .contains)
                default: break
                }
            }
            i += 1
        }
        return nil
    }

    /// Removes quotes from part of a word.
    static func unquote(_ t: Token, _ range: Range<Int>) -> String {
        var out = ""
        var i = range.lowerBound
        while i < range.upperBound {
            let c = t.raw[i]
            if t.quoted[i] && c == "\"" { i += 1; continue }
            if t.quoted[i] && c == "\\" && i + 1 < range.upperBound { out.append(t.raw[i + 1]); i += 2; continue }
            out.append(c)
            i += 1
        }
        return out
    }

    mutating func parseTerm(_ t: Token) throws(QueryError) -> QueryNode {
        guard let (at, op) = QueryParser.findOperator(t) else {
            if !t.quoted.contains(true), ["error", "errors", "failed"].contains(t.text.lowercased()) { return .error }
            return .word(SpanQuery(t.text))
        }
        let opLength = op.rawValue.count
        let key = QueryParser.unquote(t, 0..<at)
        let value = QueryParser.unquote(t, (at + opLength)..<t.raw.count)
        let valueColumn = t.column + at + opLength
        guard !key.isEmpty else {
            throw error(t.column, t.length, "\(op.rawValue) needs a field before it, such as duration\(op.rawValue)…")
        }
        guard !value.isEmpty else {
            throw error(t.column, t.length, "\(key)\(op.rawValue) needs a value after it")
        }
        let lower = key.lowercased()
        if let field = QueryNumericField(rawValue: lower) ?? (lower == "latency" ? .duration : nil) {
            guard op != .contains && op != .notContains else {
                throw error(t.column, t.length, "\(key) is a number: compare it with < <= > >= = !=")
            }
            guard let number = field.parse(value) else {
                throw error(valueColumn, t.raw.count - at - opLength, field.valueHint)
            }
            return .number(field, op, number)
        }
        if let field = QueryTextField(rawValue: lower) {
            guard !op.isOrdering else {
                throw error(t.column, t.length, "\(key) is text: compare it with = != ~ !~")
            }
            return .text(field, op, QueryPattern(value))
        }
        if lower == "error" {
            guard op == .equal || op == .notEqual, let flag = AttributeBool.parse(value) else {
                throw error(t.column, t.length, "error takes =true or =false (or write error / -error)")
            }
            return (flag == (op == .equal)) ? .error : .not(.error)
        }
        // Anything else is an attribute key.
        if op.isOrdering {
            guard let number = Double(value) else {
                throw error(valueColumn, t.raw.count - at - opLength, "\(op.rawValue) compares numbers, and \"\(value)\" is not one")
            }
            return .attribute(key: key, op: op, pattern: QueryPattern(value), number: number)
        }
        return .attribute(key: key, op: op, pattern: QueryPattern(value), number: Double(value))
    }
}

/// Words people type for true and false.
enum AttributeBool {
    static func parse(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: return nil
        }
    }
}
