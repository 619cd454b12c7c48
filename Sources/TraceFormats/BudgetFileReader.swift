import TraceConventions
import TraceModel

/// One group of limits in a budget file: for every trace (`root` nil) or for traces whose root
/// span has the name `root`. Limits stay text here; `BudgetSet` in TraceAnalysis reads them.
public struct BudgetFileEntry: Hashable, Sendable {
    /// The root span name the limits apply to; nil for the limits every trace must keep.
    public var root: String?
    /// (key, value) in file order: `max_cost` → `0.05`, `max_duration` → `30s` or `30000` (ms).
    public var limits: [BudgetFileLimit]

    /// Creates an entry.
    public init(root: String?, limits: [BudgetFileLimit]) {
        self.root = root
        self.limits = limits
    }
}

/// One limit as written in a budget file.
public struct BudgetFileLimit: Hashable, Sendable {
    /// The key without its `max_`/`max-` prefix: `cost`, `duration`, `llm_calls`, `tokens`, `errors`.
    public var metric: String
    /// The value as text (numbers as written, strings as given).
    public var value: String

    /// Creates a limit.
    public init(metric: String, value: String) {
        self.metric = metric
        self.value = value
    }
}

/// Reads budget files (`spanscope check --budget FILE`).
///
/// ```json
/// {"default": {"max_cost": 0.10, "max_errors": 0},
///  "roots": {"invoke_agent travel_planner": {"max_cost": 0.05, "max_duration": "30s", "max_llm_calls": 8},
///            "rag.query": {"max_tokens": 4000}}}
/// ```
/// Keys are `max_cost` (USD), `max_duration` (a number of milliseconds or text like `30s`),
/// `max_llm_calls`, `max_tokens` and `max_errors`; dashes work as well as underscores.
/// Both top-level keys are optional.
public enum BudgetFileReader {
    static let keys = ["max_cost", "max_duration", "max_llm_calls", "max_tokens", "max_errors"]

    /// Reads and checks a budget file.
    public static func load(path: String) throws(TraceFormatError) -> [BudgetFileEntry] {
        let bytes = try SmallJSONFile.read(path, kind: "budget file")
        return try parse(bytes, path: path)
    }

    /// Checks a budget file's content; every problem names the file and says what is wrong.
    public static func parse(_ bytes: [UInt8], path: String) throws(TraceFormatError) -> [BudgetFileEntry] {
        func fail(_ message: String) -> TraceFormatError { TraceFormatError(source: path, message: message) }
        let parsed = try SmallJSONFile.value(bytes, path: path)
        let example = #"{"default": {"max_cost": 0.1}, "roots": {"my_agent": {"max_duration": "30s"}}}"#
        guard case .object(let top) = parsed else {
            throw fail("expected a JSON object like \(example)")
        }
        func limits(_ value: JSONValue, _ label: String) throws(TraceFormatError) -> [BudgetFileLimit] {
            guard case .object(let fields) = value else {
                throw fail("\(label): expected an object like {\"max_cost\": 0.05}, got \(PriceFileReader.summary(value))")
            }
            var out: [BudgetFileLimit] = []
            for (key, v) in fields {
                let normal = String(key.map { $0 == "-" ? "_" : $0 }).lowercased()
                guard keys.contains(normal) else {
                    throw fail("\(label): unknown key \(PriceFileReader.quoted(key)) (expected \(keys.joined(separator: ", ")))")
                }
                let text: String
                switch v {
                case .number(let n): text = AttributeValue.format(n.asDouble)
                case .string(let s): text = s
                default: throw fail("\(label): \"\(normal)\" must be a number or a string, got \(PriceFileReader.summary(v))")
                }
                out.append(BudgetFileLimit(metric: String(normal.dropFirst(4)), value: text))
            }
            return out
        }
        var entries: [BudgetFileEntry] = []
        for (key, value) in top {
            switch key {
            case "default":
                entries.append(BudgetFileEntry(root: nil, limits: try limits(value, "\"default\"")))
            case "roots":
                guard case .object(let roots) = value else {
                    throw fail("\"roots\" must map root span names to limits, like \(example)")
                }
                for (root, v) in roots {
                    entries.append(BudgetFileEntry(root: root, limits: try limits(v, "root \(PriceFileReader.quoted(root))")))
                }
            default:
                throw fail("unknown top-level key \(PriceFileReader.quoted(key)) (expected \"default\" and \"roots\")")
            }
        }
        return entries
    }
}
