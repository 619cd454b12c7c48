import TraceModel
import TerminalText

/// A small JSON tree, for the few places that need one: the seed's free-form attributes and
/// message lists stored as JSON text inside attributes. Never used for whole files.
package enum JSONValue: Equatable {
    case string(String)
    case number(JSONNumber)
    case bool(Bool)
    case null
    indirect case array([JSONValue])
    indirect case object([(String, JSONValue)])

    package static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.number(let x), .number(let y)): return x.asDouble == y.asDouble
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The member named `key` of an object.
    package subscript(_ key: String) -> JSONValue? {
        if case .object(let members) = self {
            for (k, v) in members where k == key { return v }
        }
        return nil
    }

    package var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    package var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The value as an attribute value: whole numbers become `.int`, objects `.kvlist`.
    package var attributeValue: AttributeValue {
        switch self {
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .null: return .empty
        case .number(.int(let v)): return .int(v)
        case .number(.double(let d)): return .double(d)
        case .number(.bigInteger(let s)): return .string(s)
        case .array(let a): return .array(a.map(\.attributeValue))
        case .object(let m): return .kvlist(m.map { Attribute($0.0, $0.1.attributeValue) })
        }
    }

    /// Text for display: strings as they are, anything else as compact JSON.
    package var text: String {
        if case .string(let s) = self { return s }
        var w = JSONWriter()
        w.value(self)
        return w.output
    }
}

extension JSONScanner {
    /// Nesting deeper than this is skipped and replaced by a marker, so hostile input cannot
    /// exhaust the stack through this (recursive) reader.
    package static let maxTreeDepth = 64

    /// Reads any value into a `JSONValue` tree.
    package mutating func readValue(depth: Int = 0) throws(JSONSyntaxError) -> JSONValue {
        switch peekToken() {
        case .string: return .string(try readString())
        case .number: return .number(try readNumber())
        case .true, .false: return .bool(try readBool())
        case .null:
            if skipNull() { return .null }
            throw error("expected a value, found \(describeCurrent())")
        case .array:
            if depth >= Self.maxTreeDepth { try skipValue(); return .string("[nested too deep]") }
            var c = try beginArray()
            var out: [JSONValue] = []
            while try nextElement(&c) { out.append(try readValue(depth: depth + 1)) }
            return .array(out)
        case .object:
            if depth >= Self.maxTreeDepth { try skipValue(); return .string("{nested too deep}") }
            var c = try beginObject()
            var out: [(String, JSONValue)] = []
            while let k = try nextKey(&c) { out.append((keyString(k), try readValue(depth: depth + 1))) }
            return .object(out)
        case .end: throw error("unexpected end of file, expected a value")
        case .invalid: throw error("expected a value, found \(describeCurrent())")
        }
    }

    /// Parses a whole JSON text held in a String (for JSON stored inside attributes).
    package static func parse(_ text: String) -> JSONValue? {
        var copy = text
        return copy.withUTF8 { buf -> JSONValue? in
            var s = JSONScanner(buf)
            guard let v = try? s.readValue() else { return nil }
            s.skipWhitespace()
            return s.atEnd ? v : nil
        }
    }
}

extension JSONWriter {
    /// Writes a decoded JSON value back out.
    package mutating func value(_ v: JSONValue) {
        switch v {
        case .string(let s): string(s)
        case .number(.int(let i)): int(i)
        case .number(.double(let d)): double(d)
        case .number(.bigInteger(let s)): raw(s)
        case .bool(let b): bool(b)
        case .null: null()
        case .array(let a):
            beginArray()
            for e in a { value(e) }
            endArray()
        case .object(let m):
            beginObject()
            for (k, e) in m { key(k); value(e) }
            endObject()
        }
    }
}
