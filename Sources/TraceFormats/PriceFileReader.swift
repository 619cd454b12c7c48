import TraceConventions
import TraceModel

/// One row of a user price file: a model-name prefix and its USD prices per million tokens.
public struct PriceFileEntry: Hashable, Sendable {
    /// Model-name prefix as written in the file.
    public var prefix: String
    /// USD per million input tokens.
    public var inputPerMillion: Double
    /// USD per million output tokens.
    public var outputPerMillion: Double
    /// USD per million input tokens read from a prompt cache (`"cache_read"`), when given.
    public var cacheReadPerMillion: Double? = nil
    /// USD per million input tokens written to a prompt cache (`"cache_write"`), when given.
    public var cacheWritePerMillion: Double? = nil
    /// The entry's `"source"`, else the file's, else the file path.
    public var source: String
}

/// Reads user price files (`--prices FILE`).
///
/// The file maps model-name prefixes to USD per million tokens:
/// ```json
/// {"gpt-4o": {"input": 2.5, "output": 10},
///  "my-finetune": {"input": 0.3, "output": 1.2, "source": "contract 2026-03"},
///  "claude-sonnet-4-5": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75}}
/// ```
/// `cache_read` and `cache_write` are optional; without them cached input costs the input rate.
/// or wraps the same map in `{"models": {…}}`, optionally beside a file-wide `"source"`.
/// Lives here, beside the other readers, so the project has one JSON reader and the analysis
/// module stays free of I/O.
public enum PriceFileReader {
    static let example = #"{"gpt-4o": {"input": 2.5, "output": 10}}"#

    /// Reads and checks a price file.
    public static func load(path: String) throws(TraceFormatError) -> [PriceFileEntry] {
        let bytes = try SmallJSONFile.read(path, kind: "price file")
        return try parse(bytes, path: path)
    }

    /// Checks a price file's content; every problem names the file and says what is wrong.
    public static func parse(_ bytes: [UInt8], path: String) throws(TraceFormatError) -> [PriceFileEntry] {
        func fail(_ message: String) -> TraceFormatError { TraceFormatError(source: path, message: message) }
        let root = try SmallJSONFile.value(bytes, path: path)
        guard case .object(var models) = root else {
            throw fail("expected a JSON object mapping model names to prices, like \(example)")
        }
        var fileSource = path
        if let wrapped = models.first(where: { $0.0 == "models" }) {
            guard case .object(let inner) = wrapped.1 else { throw fail("\"models\" must be an object, like \(example)") }
            for (key, value) in models where key != "models" {
                guard key == "source" else {
                    throw fail("unknown top-level key \(quoted(key)) (expected \"models\" and optionally \"source\")")
                }
                guard case .string(let text) = value else { throw fail("\"source\" must be a string") }
                fileSource = text
            }
            models = inner
        }
        var seen: Set<String> = []
        var entries: [PriceFileEntry] = []
        for (name, value) in models {
            let label = "model \(quoted(name))"
            guard !name.trimmingCharacters(in: " \t").isEmpty else { throw fail("a model name is empty") }
            guard seen.insert(name.lowercased()).inserted else { throw fail("\(label) is listed twice") }
            guard case .object(let fields) = value else {
                throw fail("\(label): expected an object like {\"input\": 2.5, \"output\": 10}, got \(summary(value))")
            }
            for (key, _) in fields where !["input", "output", "cache_read", "cache_write", "source"].contains(key) {
                throw fail("\(label): unknown key \(quoted(key)) (expected \"input\", \"output\" and optionally "
                           + "\"cache_read\", \"cache_write\", \"source\")")
            }
            func rate(_ key: String, _ meaning: String) throws(TraceFormatError) -> Double {
                guard let value = fields.first(where: { $0.0 == key })?.1 else {
                    throw fail("\(label): missing \"\(key)\" (\(meaning))")
                }
                guard case .number(let n) = value, n.asDouble.isFinite, n.asDouble >= 0 else {
                    throw fail("\(label): \"\(key)\" must be a number ≥ 0 (USD per million tokens), got \(summary(value))")
                }
                return n.asDouble
            }
            let input = try rate("input", "USD per million input tokens")
            let output = try rate("output", "USD per million output tokens")
            let cacheRead = fields.contains { $0.0 == "cache_read" } ? try rate("cache_read", "USD per million cached input tokens read") : nil
            let cacheWrite = fields.contains { $0.0 == "cache_write" } ? try rate("cache_write", "USD per million input tokens written to the cache") : nil
            var source = fileSource
            if let given = fields.first(where: { $0.0 == "source" })?.1 {
                guard case .string(let text) = given else { throw fail("\(label): \"source\" must be a string") }
                source = text
            }
            entries.append(PriceFileEntry(prefix: name, inputPerMillion: input, outputPerMillion: output,
                                          cacheReadPerMillion: cacheRead, cacheWritePerMillion: cacheWrite, source: source))
        }
        return entries
    }

    /// A short description of a value for messages; strings quoted, cut short, controls made visible.
    static func summary(_ value: JSONValue) -> String {
        switch value {
        case .object: return "an object"
        case .array: return "an array"
        case .string(let s): return quoted(s)
        case .number(let n): return AttributeValue.format(n.asDouble)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    /// Messages end up on a terminal: control and format characters (escape sequences, bidi
    /// overrides) from the file become "?".
    static func quoted(_ text: String) -> String {
        let cut = text.count > 40 ? String(text.prefix(40)) + "…" : text
        let visible = cut.unicodeScalars.map { scalar -> String in
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: return "?"
            default: return String(scalar)
            }
        }.joined()
        return "\"" + visible + "\""
    }
}

extension String {
    func trimmingCharacters(in set: String) -> Substring {
        var s = self[...]
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return s
    }
}
