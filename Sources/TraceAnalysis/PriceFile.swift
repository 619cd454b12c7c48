#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TraceModel

/// A price file that could not be read or understood; the description names the file and the problem.
public struct PriceFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file as it was given.
    public let path: String
    /// What is wrong, for a person.
    public let message: String

    /// Creates an error.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// One line: `path: message`.
    public var description: String { "\(path): \(message)" }
}

extension PriceTable {
    /// Reads user prices from a JSON file and lays them over `base`.
    ///
    /// The file maps model-name prefixes to USD per million tokens:
    /// ```json
    /// {"gpt-4o": {"input": 2.5, "output": 10},
    ///  "my-finetune": {"input": 0.3, "output": 1.2, "source": "contract 2026-03"}}
    /// ```
    /// or wraps the same map in `{"models": {…}}`, optionally beside a file-wide `"source"`.
    /// Keys match like the built-in table (longest prefix, case-insensitive, provider prefixes
    /// ignored); an entry replaces the built-in one with the same prefix and adds any other.
    /// An entry's source is its own `"source"`, else the file's, else the file path.
    public init(contentsOfFile path: String, base: PriceTable = .standard) throws {
        let bytes = try PriceFileParser.readFile(path)
        self = base.merging(try PriceFileParser.parse(bytes, path: path))
    }
}

/// Reads a price file and turns it into entries, with messages that say where and what is wrong.
enum PriceFileParser {
    /// Price files are small hand-written tables; anything bigger is not one.
    static let maximumSize = 16 << 20

    static func readFile(_ path: String) throws -> [UInt8] {
        func fail(_ reason: String) -> PriceFileError {
            PriceFileError(path: path, message: "cannot read the price file (\(reason))")
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw fail(describeErrno()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw fail(describeErrno()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw fail((info.st_mode & S_IFMT) == S_IFDIR ? "it is a directory" : "not a regular file")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail(describeErrno())
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > maximumSize { throw fail("larger than \(maximumSize >> 20) MiB") }
        }
        return bytes
    }

    private static func describeErrno() -> String {
        guard let text = strerror(errno) else { return "error \(errno)" }
        return String(cString: text)
    }

    static let example = #"{"gpt-4o": {"input": 2.5, "output": 10}}"#

    static func parse(_ bytes: [UInt8], path: String) throws -> [ModelPrice] {
        func fail(_ message: String) -> PriceFileError { PriceFileError(path: path, message: message) }
        let root: JSONValue
        do {
            root = try JSONReader.parse(bytes)
        } catch let error as JSONReader.Failure {
            throw fail("not valid JSON: \(error.message) at line \(error.line), column \(error.column)")
        }
        guard case .object(var models) = root else {
            throw fail("expected a JSON object mapping model names to prices, like \(example)")
        }
        var fileSource = path
        if let wrapped = models.first(where: { $0.key == "models" }), case .object(let inner) = wrapped.value {
            for (key, value) in models where key != "models" {
                guard key == "source" else {
                    throw fail("unknown top-level key \(quoted(key)) (expected \"models\" and optionally \"source\")")
                }
                guard case .string(let text) = value else { throw fail("\"source\" must be a string") }
                fileSource = text
            }
            models = inner
        }
        var entries: [ModelPrice] = []
        for (name, value) in models {
            let label = "model \(quoted(name))"
            guard !PriceTable.normalise(name).isEmpty else { throw fail("a model name is empty") }
            guard case .object(let fields) = value else {
                throw fail("\(label): expected an object like {\"input\": 2.5, \"output\": 10}, got \(value.summary)")
            }
            for (key, _) in fields where !["input", "output", "source"].contains(key) {
                throw fail("\(label): unknown key \(quoted(key)) (expected \"input\", \"output\" and optionally \"source\")")
            }
            func rate(_ key: String, _ meaning: String) throws -> Double {
                guard let value = fields.first(where: { $0.key == key })?.value else {
                    throw fail("\(label): missing \"\(key)\" (\(meaning))")
                }
                guard case .number(let number) = value, number.isFinite, number >= 0 else {
                    throw fail("\(label): \"\(key)\" must be a number ≥ 0 (USD per million tokens), got \(value.summary)")
                }
                return number
            }
            let input = try rate("input", "USD per million input tokens")
            let output = try rate("output", "USD per million output tokens")
            var source = fileSource
            if let given = fields.first(where: { $0.key == "source" })?.value {
                guard case .string(let text) = given else { throw fail("\(label): \"source\" must be a string") }
                source = text
            }
            entries.append(ModelPrice(prefix: name, inputPerMillion: input, outputPerMillion: output, source: source))
        }
        return entries
    }

    /// A name from the file, quoted, cut short and with control characters made visible.
    static func quoted(_ text: String) -> String {
        JSONValue.string(text).summary
    }
}

/// A parsed JSON value; objects keep their key order.
enum JSONValue: Sendable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    /// A short description of the value for error messages.
    var summary: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string(let s):
            let cut = s.count > 40 ? String(s.prefix(40)) + "…" : s
            // Messages end up on a terminal: control characters (escape sequences) and format
            // characters (bidi overrides, zero-width joiners) from the file become "?".
            let visible = cut.unicodeScalars.map { scalar -> String in
                switch scalar.properties.generalCategory {
                case .control, .format, .lineSeparator, .paragraphSeparator: return "?"
                default: return String(scalar)
                }
            }.joined()
            return "\"" + visible + "\""
        case .number(let d): return AttributeValue.format(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }
}

/// A small strict JSON reader (RFC 8259) for price files: reports the line and column of the
/// first problem and rejects duplicate keys, which other readers silently resolve.
struct JSONReader {
    struct Failure: Error {
        let message: String
        let line: Int
        let column: Int
    }

    /// Price files are flat; a deep nest is a mistake, and the limit bounds the reader's recursion.
    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var at = 0

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var reader = JSONReader(bytes: bytes)
        if reader.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.at = 3 }
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.at == reader.bytes.count else { throw reader.failure("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func failure(_ message: String, at offset: Int? = nil) -> Failure {
        let end = min(offset ?? at, bytes.count)
        var line = 1, lineStart = 0
        for i in 0..<end where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        // Columns count characters, not bytes, so skip UTF-8 continuation bytes.
        let column = 1 + bytes[lineStart..<end].filter { $0 & 0xC0 != 0x80 }.count
        return Failure(message: message, line: line, column: column)
    }

    private var current: UInt8? { at < bytes.count ? bytes[at] : nil }

    private mutating func skipSpace() {
        while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { at += 1 }
    }

    private func describeCurrent() -> String {
        guard let c = current else { return "end of file" }
        if c >= 0x21 && c < 0x7F { return "'\(Character(UnicodeScalar(c)))'" }
        return "byte 0x" + String(c, radix: 16)
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws -> JSONValue {
        let start = at
        for b in literal.utf8 {
            guard current == b else { throw failure("expected a value", at: start) }
            at += 1
        }
        return value
    }

    private mutating func value(depth: Int) throws -> JSONValue {
        guard depth < JSONReader.maximumDepth else { throw failure("nested more than \(JSONReader.maximumDepth) levels deep") }
        switch current {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case let c? where c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")):
            return .number(try number())
        default:
            throw failure("expected a value, found \(describeCurrent())")
        }
    }

    private mutating func object(depth: Int) throws -> JSONValue {
        at += 1
        var pairs: [(key: String, value: JSONValue)] = []
        var seen: Set<String> = []
        skipSpace()
        if current == UInt8(ascii: "}") { at += 1; return .object(pairs) }
        while true {
            skipSpace()
            guard current == UInt8(ascii: "\"") else { throw failure("expected a quoted key, found \(describeCurrent())") }
            let keyStart = at
            let key = try string()
            guard seen.insert(key).inserted else {
                throw failure("duplicate key \(JSONValue.string(key).summary)", at: keyStart)
            }
            skipSpace()
            guard current == UInt8(ascii: ":") else { throw failure("expected ':' after a key, found \(describeCurrent())") }
            at += 1
            skipSpace()
            pairs.append((key, try value(depth: depth + 1)))
            skipSpace()
            switch current {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "}"): at += 1; return .object(pairs)
            default: throw failure("expected ',' or '}', found \(describeCurrent())")
            }
        }
    }

    private mutating func array(depth: Int) throws -> JSONValue {
        at += 1
        var items: [JSONValue] = []
        skipSpace()
        if current == UInt8(ascii: "]") { at += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            switch current {
            case UInt8(ascii: ","): at += 1
            case UInt8(ascii: "]"): at += 1; return .array(items)
            default: throw failure("expected ',' or ']', found \(describeCurrent())")
            }
        }
    }

    private mutating func string() throws -> String {
        let start = at
        at += 1
        var out: [UInt8] = []
        while true {
            guard let c = current else { throw failure("unterminated string", at: start) }
            switch c {
            case UInt8(ascii: "\""):
                at += 1
                guard let text = String(validating: out, as: UTF8.self) else {
                    throw failure("string is not valid UTF-8", at: start)
                }
                return text
            case UInt8(ascii: "\\"):
                at += 1
                guard let e = current else { throw failure("unterminated string", at: start) }
                at += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), bytes[at...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) {
                        at += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw failure("invalid escape '\\\(Character(UnicodeScalar(e)))'", at: at - 2)
                }
            case 0..<0x20:
                throw failure("control character in a string (write it as an escape)")
            default:
                out.append(c)
                at += 1
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current else { throw failure("unterminated \\u escape") }
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw failure("invalid \\u escape")
            }
            v = v << 4 | d
            at += 1
        }
        return v
    }

    private mutating func number() throws -> Double {
        let start = at
        func digits() -> Int {
            var n = 0
            while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { at += 1; n += 1 }
            return n
        }
        if current == UInt8(ascii: "-") { at += 1 }
        if current == UInt8(ascii: "0") {
            at += 1
        } else if digits() == 0 {
            throw failure("invalid number", at: start)
        }
        if current == UInt8(ascii: ".") {
            at += 1
            guard digits() > 0 else { throw failure("invalid number", at: start) }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            at += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { at += 1 }
            guard digits() > 0 else { throw failure("invalid number", at: start) }
        }
        guard let d = Double(String(decoding: bytes[start..<at], as: UTF8.self)) else {
            throw failure("invalid number", at: start)
        }
        return d
    }
}
