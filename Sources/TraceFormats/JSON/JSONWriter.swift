import TraceModel

/// Builds JSON text into a byte buffer, escaping strings so any input yields valid JSON.
///
/// Written by hand for the same reason as the reader: exporting a million spans through
/// `JSONSerialization` would need an `Any` tree of the whole trace.
public struct JSONWriter {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []
    private let indentStep: Int

    /// Creates a writer; `indent` > 0 pretty-prints with that many spaces per level.
    public init(indent: Int = 0, reserving capacity: Int = 0) {
        indentStep = indent
        bytes.reserveCapacity(capacity)
    }

    /// The text written so far.
    public var output: String { String(decoding: bytes, as: UTF8.self) }

    /// Hands over the bytes written so far and empties the buffer, keeping the nesting state, so
    /// a huge document can be written out in pieces.
    public mutating func drain() -> [UInt8] {
        let out = bytes
        bytes.removeAll(keepingCapacity: true)
        return out
    }

    private mutating func newline() {
        guard indentStep > 0 else { return }
        bytes.append(0x0A)
        for _ in 0..<(needsComma.count * indentStep) { bytes.append(0x20) }
    }

    private mutating func beforeValue() {
        guard let last = needsComma.last else { return }
        if last { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
        newline()
    }

    /// Starts an object (as a value or array element).
    public mutating func beginObject() {
        valuePrefix()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    /// Ends the current object.
    public mutating func endObject() {
        let hadMembers = needsComma.removeLast()
        if hadMembers { newline() }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Starts an array.
    public mutating func beginArray() {
        valuePrefix()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    /// Ends the current array.
    public mutating func endArray() {
        let hadMembers = needsComma.removeLast()
        if hadMembers { newline() }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a member key; the next call writes its value.
    public mutating func key(_ k: String) {
        beforeValue()
        writeQuoted(k)
        bytes.append(UInt8(ascii: ":"))
        if indentStep > 0 { bytes.append(0x20) }
        // The value that follows must not add a comma or line break of its own.
        pendingKey = true
    }

    private var pendingKey = false

    private mutating func valuePrefix() {
        if pendingKey {
            pendingKey = false
        } else {
            beforeValue()
        }
    }

    /// Writes a string value.
    public mutating func string(_ s: String) {
        valuePrefix()
        writeQuoted(s)
    }

    /// Writes an integer value.
    public mutating func int(_ v: Int64) {
        valuePrefix()
        bytes.append(contentsOf: String(v).utf8)
    }

    /// Writes a double; NaN and infinities, which JSON cannot hold, are written as null.
    public mutating func double(_ v: Double) {
        valuePrefix()
        if !v.isFinite {
            bytes.append(contentsOf: "null".utf8)
        } else if v.rounded() == v && abs(v) < 1e15 {
            bytes.append(contentsOf: String(Int64(v)).utf8)
            bytes.append(contentsOf: ".0".utf8)
        } else {
            bytes.append(contentsOf: String(v).utf8)
        }
    }

    /// Writes a boolean.
    public mutating func bool(_ v: Bool) {
        valuePrefix()
        bytes.append(contentsOf: (v ? "true" : "false").utf8)
    }

    /// Writes null.
    public mutating func null() {
        valuePrefix()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Writes pre-encoded JSON text as a value (the caller vouches for its validity).
    public mutating func raw(_ json: String) {
        valuePrefix()
        bytes.append(contentsOf: json.utf8)
    }

    private mutating func writeQuoted(_ s: String) {
        bytes.append(0x22)
        for c in s.utf8 {
            switch c {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(JSONWriter.hexDigits[Int(c >> 4)])
                bytes.append(JSONWriter.hexDigits[Int(c & 0xF)])
            default: bytes.append(c)
            }
        }
        bytes.append(0x22)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

extension JSONWriter {
    /// Writes a key and a string value.
    public mutating func member(_ k: String, _ v: String) { key(k); string(v) }
    /// Writes a key and an integer value.
    public mutating func member(_ k: String, _ v: Int64) { key(k); int(v) }
    /// Writes a key and an integer value.
    public mutating func member(_ k: String, _ v: Int) { key(k); int(Int64(v)) }
    /// Writes a key and a double value.
    public mutating func member(_ k: String, _ v: Double) { key(k); double(v) }
    /// Writes a key and a boolean value.
    public mutating func member(_ k: String, _ v: Bool) { key(k); bool(v) }

    /// Writes an attribute value as plain JSON (strings, numbers, arrays, objects).
    public mutating func plain(_ v: AttributeValue) {
        switch v {
        case .string(let s): string(s)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .bool(let b): bool(b)
        case .bytes(let b): string(b.map { Identifier.hexString(UInt64($0), digits: 2) }.joined())
        case .empty: null()
        case .array(let a):
            beginArray()
            for e in a { plain(e) }
            endArray()
        case .kvlist(let kv):
            beginObject()
            for a in kv { key(a.key); plain(a.value) }
            endObject()
        }
    }

    mutating func value(_ v: JSONValue) {
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
