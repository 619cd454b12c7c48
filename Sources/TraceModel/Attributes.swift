/// An attribute value, keeping the type OTLP's `AnyValue` gave it.
public enum AttributeValue: Hashable, Sendable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case bytes([UInt8])
    indirect case array([AttributeValue])
    indirect case kvlist([Attribute])
    /// An `AnyValue` with no value set (OTLP allows it) or a JSON `null`.
    case empty

    /// The string, if this is a string value.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value as an integer when it is one, or a double or numeric string that holds a whole number.
    ///
    /// Token counts arrive as `intValue`, `doubleValue` or numeric strings depending on the SDK.
    public var intValue: Int64? {
        switch self {
        case .int(let v): return v
        case .double(let d):
            guard d.isFinite, d.rounded() == d, abs(d) < 9.2e18 else { return nil }
            return Int64(d)
        case .string(let s): return Int64(s.trimmingSpaces())
        default: return nil
        }
    }

    /// The value as a double when it is numeric (or a numeric string).
    public var doubleValue: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let d): return d
        case .string(let s): return Double(s.trimmingSpaces())
        default: return nil
        }
    }

    /// The value as a boolean when it is one (or the string "true"/"false").
    public var boolValue: Bool? {
        switch self {
        case .bool(let b): return b
        case .string(let s):
            switch s.lowercased() {
            case "true": return true
            case "false": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// Array elements, or nil when not an array.
    public var arrayValue: [AttributeValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// A one-line rendering for lists and search: strings unquoted, arrays and maps as JSON-like text.
    public var displayText: String {
        switch self {
        case .string(let s): return s
        case .int(let v): return String(v)
        case .double(let d): return AttributeValue.format(d)
        case .bool(let b): return b ? "true" : "false"
        case .bytes(let b): return "0x" + b.map { Identifier.hexString(UInt64($0), digits: 2) }.joined()
        case .array(let a): return "[" + a.map(\.quotedText).joined(separator: ", ") + "]"
        case .kvlist(let kv): return "{" + kv.map { "\($0.key): \($0.value.quotedText)" }.joined(separator: ", ") + "}"
        case .empty: return "null"
        }
    }

    private var quotedText: String {
        if case .string(let s) = self { return "\"" + s + "\"" }
        return displayText
    }

    /// Formats a double without a trailing ".0" on whole numbers and without exponent noise for usual values.
    public static func format(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    /// The OTLP type name of this value (`string`, `int`, `double`, `bool`, `bytes`, `array`, `kvlist`, `empty`).
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .int: return "int"
        case .double: return "double"
        case .bool: return "bool"
        case .bytes: return "bytes"
        case .array: return "array"
        case .kvlist: return "kvlist"
        case .empty: return "empty"
        }
    }
}

/// A key and its value.
public struct Attribute: Hashable, Sendable {
    /// The attribute key, such as `gen_ai.request.model`.
    public var key: String
    /// The typed value.
    public var value: AttributeValue

    /// Creates an attribute.
    public init(_ key: String, _ value: AttributeValue) {
        self.key = key
        self.value = value
    }
}

extension Array where Element == Attribute {
    /// The value of the first attribute with `key`, or nil.
    public subscript(key key: String) -> AttributeValue? {
        for a in self where a.key == key { return a.value }
        return nil
    }
}

extension AttributeValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension String {
    func trimmingSpaces() -> Substring {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return s
    }
}
