#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A syntax error at a byte offset in a JSON text.
public struct JSONSyntaxError: Error {
    /// Byte offset from the start of the file.
    @usableFromInline package var offset: Int
    /// Line (1-based) in the part of the file the scanner read (a chunk's reader adds its start line).
    @usableFromInline package var line: Int
    /// Column (1-based, in bytes).
    @usableFromInline package var column: Int
    /// What was wrong, in words a user understands.
    @usableFromInline package var message: String

    /// True when the text simply stops (every end-of-input message says "end of file").
    @inlinable public var isTruncation: Bool { message.contains("end of file") }
}

/// A place in a scanner's bytes with its line number and the offset its line starts at.
public final class LineCursor {
    @usableFromInline package var offset = 0
    @usableFromInline package var line = 1
    @usableFromInline package var lineStart = 0
}

/// A key read from an object: where its bytes are, so it can be compared without allocating.
public struct JSONKey {
    @usableFromInline package var start: Int
    @usableFromInline package var count: Int
    /// The decoded key when the raw key held escape sequences (rare; compared as a String).
    @usableFromInline package var decoded: String?

    /// A key of `count` bytes at `start`, with its decoded text when it held escapes.
    @inlinable public init(start: Int, count: Int, decoded: String?) {
        self.start = start
        self.count = count
        self.decoded = decoded
    }
}

/// A number as it appeared: integers stay exact, everything else is a double.
public enum JSONNumber {
    case int(Int64)
    case double(Double)
    /// An integer too large for 64 bits, kept as its digits.
    case bigInteger(String)

    /// The number as a double (big integers parsed from their digits).
    @inlinable public var asDouble: Double {
        switch self {
        case .int(let v): return Double(v)
        case .double(let d): return d
        case .bigInteger(let s): return Double(s) ?? .nan
        }
    }
}

/// The kinds of value that can start at the current position.
public enum JSONToken {
    case object, array, string, number, `true`, `false`, null, end, invalid
}

/// Tracks whether an object or array still expects its first member.
public struct JSONContainer {
    @usableFromInline package var first = true

    /// A container whose first member is still to come.
    @inlinable public init() {}
}

/// A pull reader over UTF-8 JSON held in memory.
///
/// Hand-written rather than Foundation's `JSONSerialization`/`JSONDecoder`: on this machine those
/// run at 4–24 MB/s and need up to 80× the file in memory (see ../shared/notes), while trace files
/// reach gigabytes. This reader walks the bytes once, never builds an `Any` tree, compares keys
/// in place and hands strings out only when the caller wants them.
///
/// The buffer must outlive the scanner (callers use it inside `withUnsafeBufferPointer`).
//
// Public and `@inlinable` rather than `package`: the readers (another module) call these per
// byte and per key, and Swift 6.3 does not inline `@inlinable package` code across modules
// (measured: 13% more instructions per load until the hot functions were public).
public struct JSONScanner {
    @usableFromInline package let bytes: UnsafeBufferPointer<UInt8>
    @usableFromInline package var pos: Int
    /// Scratch space for decoding escaped strings, reused to avoid an allocation per string.
    @usableFromInline var scratch: [UInt8] = []

    /// Where `bytes` starts in its file: a scanner may read one slice of a larger file (a chunk
    /// parsed in parallel) yet report byte offsets in the whole file. Lines are counted within
    /// the slice; whoever made the slice adds the line it starts on.
    @usableFromInline package let origin: Int
    /// Set when the start of `bytes` may be released while reading (see `ReleasedPrefix`).
    @usableFromInline package var released: ReleasedPrefix?
    /// Where the last `lineAndColumn` answer was worked out (shared by copies of this scanner,
    /// which read the same bytes).
    @usableFromInline let lineCursor = LineCursor()

    /// A scanner over `bytes`, starting at `pos`.
    @inlinable public init(_ bytes: UnsafeBufferPointer<UInt8>, at pos: Int = 0) {
        self.bytes = bytes
        self.pos = pos
        self.origin = 0
    }

    /// A scanner over `whole[range]` that reports byte offsets in `whole`.
    @inlinable public init(slice range: Range<Int>, of whole: UnsafeBufferPointer<UInt8>) {
        self.bytes = UnsafeBufferPointer(rebasing: whole[range])
        self.pos = 0
        self.origin = range.lowerBound
    }

    /// True when every byte has been read.
    @inlinable public var atEnd: Bool { pos >= bytes.count }

    // MARK: Whitespace and tokens

    /// Moves past spaces, tabs and line breaks.
    @inline(__always)
    @inlinable public mutating func skipWhitespace() {
        let b = bytes
        var p = pos
        while p < b.count {
            let c = b[p]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { p &+= 1 } else { break }
        }
        pos = p
    }

    /// The kind of value at the current position (after whitespace), without consuming it.
    @inline(__always)
    @inlinable public mutating func peekToken() -> JSONToken {
        skipWhitespace()
        guard pos < bytes.count else { return .end }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "N"), UInt8(ascii: "I"):
            return .number
        case UInt8(ascii: "t"): return .true
        case UInt8(ascii: "f"): return .false
        case UInt8(ascii: "n"): return .null
        default: return .invalid
        }
    }

    /// An error at `offset` (default: here), located in the whole file.
    public func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let at = offset ?? pos
        let (line, column) = lineAndColumn(of: at)
        return JSONSyntaxError(offset: at + origin, line: line, column: column, message: message)
    }

    /// Describes the byte at the current position for error messages.
    public func describeCurrent() -> String {
        guard pos < bytes.count else { return "end of file" }
        return JSONScanner.describe(byte: bytes[pos])
    }

    /// A byte for an error message: quoted when printable ASCII, else in hex, so that a message
    /// never carries a control character or a line break from the file.
    public static func describe(byte c: UInt8) -> String {
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x" + String(c, radix: 16, uppercase: true)
    }

    /// Consumes the byte `c` (after whitespace) or throws, naming `what` was expected.
    @inline(__always)
    @inlinable public mutating func expect(_ c: UInt8, _ what: String) throws(JSONSyntaxError) {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == c else {
            throw error("expected \(what), found \(describeCurrent())")
        }
        pos &+= 1
    }

    // MARK: Objects and arrays

    /// Consumes `{` and returns a cursor for `nextKey`.
    @inline(__always)
    @inlinable public mutating func beginObject() throws(JSONSyntaxError) -> JSONContainer {
        try expect(UInt8(ascii: "{"), "'{'")
        return JSONContainer()
    }

    /// Reads the next key and its colon, or consumes `}` and returns nil.
    @inline(__always)
    @inlinable public mutating func nextKey(_ c: inout JSONContainer) throws(JSONSyntaxError) -> JSONKey? {
        skipWhitespace()
        guard pos < bytes.count else { throw error("unexpected end of file inside an object") }
        let b = bytes[pos]
        if b == UInt8(ascii: "}") { pos &+= 1; return nil }
        if c.first {
            c.first = false
        } else {
            guard b == UInt8(ascii: ",") else { throw error("expected ',' or '}' in object, found \(describeCurrent())") }
            pos &+= 1
            skipWhitespace()
        }
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
            throw error("expected a quoted key, found \(describeCurrent())")
        }
        let key = try readKey()
        try expect(UInt8(ascii: ":"), "':' after key")
        return key
    }

    /// Consumes `[` and returns a cursor for `nextElement`.
    @inline(__always)
    @inlinable public mutating func beginArray() throws(JSONSyntaxError) -> JSONContainer {
        try expect(UInt8(ascii: "["), "'['")
        return JSONContainer()
    }

    /// Moves to the next element (true) or consumes `]` (false).
    @inline(__always)
    @inlinable public mutating func nextElement(_ c: inout JSONContainer) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard pos < bytes.count else { throw error("unexpected end of file inside an array") }
        let b = bytes[pos]
        if b == UInt8(ascii: "]") { pos &+= 1; return false }
        if c.first {
            c.first = false
            return true
        }
        guard b == UInt8(ascii: ",") else { throw error("expected ',' or ']' in array, found \(describeCurrent())") }
        pos &+= 1
        return true
    }

    // MARK: Keys

    @inline(__always)
    @inlinable mutating func readKey() throws(JSONSyntaxError) -> JSONKey {
        let start = pos &+ 1
        let end = try scanString()
        if bytes[end] == UInt8(ascii: "\\") {
            let s = try readStringSlow(from: start)
            return JSONKey(start: start, count: 0, decoded: s)
        }
        pos = end &+ 1
        return JSONKey(start: start, count: end &- start, decoded: nil)
    }

    /// True when `key` is exactly `name`.
    @inline(__always)
    @inlinable public func key(_ key: JSONKey, is name: StaticString) -> Bool {
        if let d = key.decoded { return d == name.description }
        guard key.count == name.utf8CodeUnitCount else { return false }
        return memcmp(bytes.baseAddress! + key.start, name.utf8Start, key.count) == 0
    }

    /// The key as a String (allocates unless short).
    @inlinable public func keyString(_ key: JSONKey) -> String {
        if let d = key.decoded { return d }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[key.start..<key.start + key.count]), as: UTF8.self)
    }

    /// The raw bytes of a key (escape-free keys only; decoded keys return nil).
    @inlinable public func keyBytes(_ key: JSONKey) -> UnsafeBufferPointer<UInt8>? {
        key.decoded == nil ? UnsafeBufferPointer(rebasing: bytes[key.start..<key.start + key.count]) : nil
    }

    // MARK: Strings

    /// From the opening quote at `pos`, finds the closing quote or the first backslash.
    /// Returns its offset; does not move `pos`.
    @inline(__always)
    @inlinable func scanString() throws(JSONSyntaxError) -> Int {
        guard let end = findQuoteOrBackslash(from: pos &+ 1) else {
            throw error("unexpected end of file inside a string", at: pos)
        }
        return end
    }

    /// The offset of the first `"` or `\` at or after `from`, or nil at end of buffer.
    @inline(__always)
    @inlinable func findQuoteOrBackslash(from: Int) -> Int? {
        let base = bytes.baseAddress!
        let count = bytes.count
        var p = from
        // Eight bytes at a time: a lane is "interesting" when it equals '"' or '\'.
        // This is most of the time spent on long message texts.
        let quotes: UInt64 = 0x2222_2222_2222_2222
        let slashes: UInt64 = 0x5C5C_5C5C_5C5C_5C5C
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while p &+ 8 <= count {
            let w = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)
            let q = w ^ quotes, s = w ^ slashes
            let hit = ((q &- ones) & ~q | (s &- ones) & ~s) & highs
            if hit != 0 {
                return p &+ (hit.littleEndian.trailingZeroBitCount >> 3)
            }
            p &+= 8
        }
        while p < count {
            let c = base[p]
            if c == 0x22 || c == 0x5C { return p }
            p &+= 1
        }
        return nil
    }

    /// Reads a string value at the current position.
    @inlinable public mutating func readString() throws(JSONSyntaxError) -> String {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
            throw error("expected a string, found \(describeCurrent())")
        }
        let start = pos &+ 1
        let end = try scanString()
        if bytes[end] == UInt8(ascii: "\"") {
            pos = end &+ 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
        return try readStringSlow(from: start)
    }

    /// Reads a string value, returning its raw bytes when it has no escapes (no allocation),
    /// or nil after decoding it into `decoded` when it has.
    @inline(__always)
    @inlinable public mutating func readStringBytes(_ decoded: inout String) throws(JSONSyntaxError) -> UnsafeBufferPointer<UInt8>? {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
            throw error("expected a string, found \(describeCurrent())")
        }
        let start = pos &+ 1
        let end = try scanString()
        if bytes[end] == UInt8(ascii: "\"") {
            pos = end &+ 1
            return UnsafeBufferPointer(rebasing: bytes[start..<end])
        }
        decoded = try readStringSlow(from: start)
        return nil
    }

    /// Decodes a string with escapes; `start` is just after the opening quote.
    @inlinable mutating func readStringSlow(from start: Int) throws(JSONSyntaxError) -> String {
        scratch.removeAll(keepingCapacity: true)
        var p = start
        let b = bytes
        while true {
            // Copy the run up to the next quote or backslash in one go.
            guard let stop = findQuoteOrBackslash(from: p) else {
                throw error("unexpected end of file inside a string", at: start &- 1)
            }
            if stop > p { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[p..<stop])) }
            p = stop
            if b[p] == UInt8(ascii: "\"") { break }
            guard p &+ 1 < b.count else { throw error("unexpected end of file inside a string", at: start &- 1) }
            let e = b[p &+ 1]
            p &+= 2
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                guard let hi = hex4(at: p) else { throw error("invalid \\u escape in string", at: p &- 2) }
                p &+= 4
                var scalar: UInt32 = UInt32(hi)
                if (0xD800...0xDBFF).contains(hi) {
                    // A high surrogate must pair with a following \uDC00–\uDFFF; a lone one becomes U+FFFD.
                    if p &+ 6 <= b.count, b[p] == UInt8(ascii: "\\"), b[p &+ 1] == UInt8(ascii: "u"),
                       let lo = hex4(at: p &+ 2), (0xDC00...0xDFFF).contains(lo) {
                        scalar = 0x10000 + ((UInt32(hi) - 0xD800) << 10) + (UInt32(lo) - 0xDC00)
                        p &+= 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(hi) {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar)
            default:
                throw error("invalid escape: a backslash before \(JSONScanner.describe(byte: e)) in string", at: p &- 2)
            }
        }
        pos = p &+ 1
        return String(decoding: scratch, as: UTF8.self)
    }

    @inlinable func hex4(at p: Int) -> UInt16? {
        guard p &+ 4 <= bytes.count else { return nil }
        var v: UInt16 = 0
        for i in p..<p &+ 4 {
            let c = bytes[i]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c &- 0x30
            case 0x61...0x66: d = c &- 0x61 &+ 10
            case 0x41...0x46: d = c &- 0x41 &+ 10
            default: return nil
            }
            v = v << 4 | UInt16(d)
        }
        return v
    }

    @inlinable mutating func appendUTF8(_ s: UInt32) {
        switch s {
        case 0..<0x80:
            scratch.append(UInt8(s))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (s >> 6)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (s >> 12)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (s >> 18)))
            scratch.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        }
    }

    // MARK: Numbers and literals

    /// Reads a number; also accepts `NaN`, `Infinity` and `-Infinity`, which Python's `json` writes.
    @inlinable public mutating func readNumber() throws(JSONSyntaxError) -> JSONNumber {
        skipWhitespace()
        let start = pos
        let b = bytes
        var p = pos
        var negative = false
        if p < b.count && b[p] == UInt8(ascii: "-") { negative = true; p &+= 1 }
        if matchWord("NaN", at: p) { pos = p &+ 3; return .double(.nan) }
        if matchWord("Infinity", at: p) { pos = p &+ 8; return .double(negative ? -.infinity : .infinity) }
        var value: UInt64 = 0
        var overflow = false
        let digitsStart = p
        while p < b.count {
            let d = b[p] &- 0x30
            if d > 9 { break }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            overflow = overflow || o1 || o2
            value = a
            p &+= 1
        }
        guard p > digitsStart else {
            pos = start
            throw error("expected a number, found \(describeCurrent())")
        }
        var isInteger = true
        if p < b.count && b[p] == UInt8(ascii: ".") {
            isInteger = false
            p &+= 1
            let fracStart = p
            while p < b.count && b[p] &- 0x30 <= 9 { p &+= 1 }
            if p == fracStart { pos = p; throw error("expected digits after '.' in a number") }
        }
        if p < b.count && (b[p] == UInt8(ascii: "e") || b[p] == UInt8(ascii: "E")) {
            isInteger = false
            p &+= 1
            if p < b.count && (b[p] == UInt8(ascii: "+") || b[p] == UInt8(ascii: "-")) { p &+= 1 }
            let expStart = p
            while p < b.count && b[p] &- 0x30 <= 9 { p &+= 1 }
            if p == expStart { pos = p; throw error("expected digits in a number's exponent") }
        }
        pos = p
        if isInteger {
            if !overflow {
                if negative {
                    if value <= UInt64(Int64.max) { return .int(-Int64(value)) }
                    if value == UInt64(Int64.max) + 1 { return .int(Int64.min) }
                } else if value <= UInt64(Int64.max) {
                    return .int(Int64(value))
                }
            }
            return .bigInteger(String(decoding: UnsafeBufferPointer(rebasing: b[start..<p]), as: UTF8.self))
        }
        return .double(Self.parseDouble(UnsafeBufferPointer(rebasing: b[start..<p])))
    }

    /// Parses a JSON number text with the C library (exact, locale-independent for JSON's grammar).
    @inlinable public static func parseDouble(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buf in
            for i in 0..<text.count { buf[i] = CChar(bitPattern: text[i]) }
            buf[text.count] = 0
            return strtod(buf.baseAddress!, nil)
        }
    }

    @inlinable func matchWord(_ word: StaticString, at p: Int) -> Bool {
        let n = word.utf8CodeUnitCount
        guard p &+ n <= bytes.count else { return false }
        return memcmp(bytes.baseAddress! + p, word.utf8Start, n) == 0
    }

    /// Consumes `true`/`false` and returns it.
    @inlinable public mutating func readBool() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        if matchWord("true", at: pos) { pos &+= 4; return true }
        if matchWord("false", at: pos) { pos &+= 5; return false }
        throw error("expected true or false, found \(describeCurrent())")
    }

    /// Consumes `null` if it is next; returns whether it did.
    @inlinable public mutating func skipNull() -> Bool {
        skipWhitespace()
        if matchWord("null", at: pos) { pos &+= 4; return true }
        return false
    }

    // MARK: Skipping

    /// Skips one value of any kind, without recursion (nesting depth is unbounded).
    @inlinable public mutating func skipValue() throws(JSONSyntaxError) {
        var stack: [UInt8] = []
        repeat {
            skipWhitespace()
            guard pos < bytes.count else { throw error("unexpected end of file") }
            let c = bytes[pos]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                stack.append(c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"))
                pos &+= 1
                skipWhitespace()
                if pos < bytes.count, bytes[pos] == stack.last! {
                    pos &+= 1
                    stack.removeLast()
                } else if c == UInt8(ascii: "{") {
                    try skipKeyColon()
                    continue
                } else {
                    continue
                }
            case UInt8(ascii: "\""):
                var end = try scanString()
                while bytes[end] == UInt8(ascii: "\\") {
                    pos = end &+ 1 // onto the escaped byte; scanString resumes just after it
                    end = try scanString()
                }
                pos = end &+ 1
            case UInt8(ascii: "t"), UInt8(ascii: "f"):
                _ = try readBool()
            case UInt8(ascii: "n"):
                if !skipNull() { throw error("expected a value, found \(describeCurrent())") }
            default:
                _ = try readNumber()
            }
            // After a value: close containers or move to the next member.
            while let close = stack.last {
                skipWhitespace()
                guard pos < bytes.count else { throw error("unexpected end of file") }
                let b = bytes[pos]
                if b == close {
                    pos &+= 1
                    stack.removeLast()
                } else if b == UInt8(ascii: ",") {
                    pos &+= 1
                    if close == UInt8(ascii: "}") { try skipKeyColon() }
                    break
                } else {
                    throw error("expected ',' or '\(Character(Unicode.Scalar(close)))', found \(describeCurrent())")
                }
            }
        } while !stack.isEmpty
    }

    @inlinable mutating func skipKeyColon() throws(JSONSyntaxError) {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else {
            throw error("expected a quoted key, found \(describeCurrent())")
        }
        _ = try readKey()
        try expect(UInt8(ascii: ":"), "':' after key")
    }

    /// Line and column (1-based) in the whole file of an offset into this scanner's bytes.
    ///
    /// Readers ask once per warning, moving forward through the file: counting from where the
    /// previous answer left off keeps a file with a million bad spans linear (counting from the
    /// start each time made it quadratic: 100,000 skipped spans in 8 MB took minutes).
    public func lineAndColumn(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        var from = 0
        let end = min(max(0, offset), bytes.count)
        if let released, released.upTo <= end {
            // Bytes before `upTo` were handed back; their newlines were counted then.
            line += released.newlines
            lineStart = released.lastLineStart
            from = released.upTo
        }
        let cursor = lineCursor
        if cursor.offset >= from && cursor.offset <= end {
            line = cursor.line
            lineStart = cursor.lineStart
            from = cursor.offset
        }
        let (count, last) = ReleasedPrefix.newlines(in: bytes, from: from, to: end)
        line += count
        if let last { lineStart = last + 1 }
        cursor.offset = end
        cursor.line = line
        cursor.lineStart = lineStart
        return (line, end - lineStart + 1)
    }
}
