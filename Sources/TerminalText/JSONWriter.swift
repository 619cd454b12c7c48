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

    /// The bytes written, ending in a newline: a file's last line, or one JSON Lines record.
    public consuming func line() -> [UInt8] {
        bytes.append(0x0A)
        return bytes
    }

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
        appendDigits(v)
    }

    /// Appends the decimal digits of `v` without building a String (one per number was a tenth
    /// of a large summary's writing time).
    private mutating func appendDigits(_ v: Int64) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = v.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes: room for UInt64's 20 digits
        withUnsafeMutableBytes(of: &digits) { raw in
            var end = raw.count
            repeat {
                end -= 1
                raw[end] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[end...]))
        }
    }

    /// Writes a double; NaN and infinities, which JSON cannot hold, are written as null.
    public mutating func double(_ v: Double) {
        valuePrefix()
        if !v.isFinite {
            bytes.append(contentsOf: "null".utf8)
        } else if v.rounded() == v && abs(v) < 1e15 {
            appendDigits(Int64(v))
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
        var text = s
        text.withUTF8 { b in
            var i = 0
            while i < b.count {
                // Runs of bytes that need no escape go in with one copy: most text does, and a
                // summary of 100k spans writes 12 MB of it (byte-by-byte appends were a fifth of
                // `summary`'s whole instruction count).
                let run = i
                while i < b.count, JSONWriter.plain(b[i]) { i += 1 }
                if i > run { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[run..<i])) }
                guard i < b.count else { break }
                let c = b[i]
                switch c {
                case 0x22: bytes.append(0x5C); bytes.append(0x22)
                case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
                case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
                case 0..<0x20, 0x7F:
                    escape(UInt32(c))
                case 0xC2, 0xD8, 0xE2, 0xEF:
                    // Characters a terminal obeys or hides even inside JSON text are written as
                    // \u escapes (still the same string to any JSON reader), so that
                    // `spanscope convert … -` or a summary printed to a terminal stays inert.
                    if let (scalar, length) = JSONWriter.invisible(b, at: i) {
                        escape(scalar)
                        i += length
                        continue
                    }
                    bytes.append(c)
                default: bytes.append(c)
                }
                i += 1
            }
        }
        bytes.append(0x22)
    }

    /// True for a byte written as it is: not a quote, backslash or control character, and not
    /// the first byte of a character `invisible` may escape.
    @inline(__always)
    private static func plain(_ c: UInt8) -> Bool {
        switch c {
        case 0x22, 0x5C, 0..<0x20, 0x7F, 0xC2, 0xD8, 0xE2, 0xEF: return false
        default: return true
        }
    }

    /// A C1 control (U+0080–U+009F), a zero-width or bidi format character (U+061C, U+200B–U+200F,
    /// U+2028–U+202E, U+2060–U+206F) or a BOM (U+FEFF) starting at `i`, with its UTF-8 length.
    private static func invisible(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int)? {
        let c = b[i]
        if c == 0xC2 || c == 0xD8 {
            guard i + 1 < b.count else { return nil }
            let scalar = UInt32(c & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F)
            return (0x80...0x9F).contains(scalar) || scalar == 0x061C ? (scalar, 2) : nil
        }
        guard i + 2 < b.count else { return nil }
        let scalar = UInt32(c & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F)
        switch scalar {
        case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x206F, 0xFEFF: return (scalar, 3)
        default: return nil
        }
    }

    private mutating func escape(_ scalar: UInt32) {
        bytes.append(contentsOf: "\\u".utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(JSONWriter.hexDigits[Int((scalar >> UInt32(shift)) & 0xF)])
        }
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
}
