import TraceConventions
import TraceModel

/// A structural problem found by the scan: where, and what.
struct ScanFailure: Error {
    /// Offset in the walker's bytes.
    var offset: Int
    /// What was wrong.
    var message: String
}

/// Walks one OTLP JSON request (one line of a JSON Lines file) without decoding it, and hands
/// each span's byte range and the few fields a trace list needs to a sink.
///
/// The approach is the first stage of simdjson (Langdale & Lemire, "Parsing Gigabytes of JSON per
/// Second", https://arxiv.org/abs/1902.08318): most of a trace file is string content (message
/// texts, attribute values) that a list never shows, so the walker finds string ends and
/// brackets 32 bytes at a time and looks at single bytes only near structure. Keys are compared
/// in place; only ids, times, status, names of root candidates and the LLM attributes a summary
/// needs are read.
struct LineWalker {
    let base: UnsafePointer<UInt8>
    /// End of the line (exclusive).
    let end: Int
    var p: Int

    init(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) {
        self.base = base
        self.p = start
        self.end = end
    }

    // MARK: Primitives

    @inline(__always)
    func fail(_ message: String, at offset: Int? = nil) -> ScanFailure {
        ScanFailure(offset: offset ?? p, message: message)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while p < end {
            let c = base[p]
            if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { p &+= 1 } else { return }
        }
    }

    /// The byte at `p` after whitespace, or nil at the line's end.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return p < end ? base[p] : nil
    }

    @inline(__always)
    mutating func expect(_ c: UInt8, _ what: String) throws(ScanFailure) {
        guard peek() == c else { throw fail(p < end ? "expected \(what), found \(JSONScanner.describe(byte: base[p]))" : "line ends inside a request (expected \(what))") }
        p &+= 1
    }

    /// From just after an opening quote, the offset of the closing quote, and whether the
    /// string holds a backslash.
    @inline(__always)
    func stringEnd(from start: Int) throws(ScanFailure) -> (end: Int, escaped: Bool) {
        let quotes: UInt64 = 0x2222_2222_2222_2222, slashes: UInt64 = 0x5C5C_5C5C_5C5C_5C5C
        var q = start
        var escaped = false
        while true {
            // 32 bytes at a time while there is neither a quote nor a backslash: long texts
            // (prompts, completions) go by with one branch per block. (Swift's SIMD `any` is not
            // inlined here and costs more than these word tests.)
            while q &+ 32 <= end {
                let raw = UnsafeRawPointer(base + q)
                let w0 = raw.loadUnaligned(as: UInt64.self), w1 = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                let w2 = raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), w3 = raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
                let a = LineWalker.zeroBytes(w0 ^ quotes) | LineWalker.zeroBytes(w0 ^ slashes)
                    | LineWalker.zeroBytes(w1 ^ quotes) | LineWalker.zeroBytes(w1 ^ slashes)
                let b = LineWalker.zeroBytes(w2 ^ quotes) | LineWalker.zeroBytes(w2 ^ slashes)
                    | LineWalker.zeroBytes(w3 ^ quotes) | LineWalker.zeroBytes(w3 ^ slashes)
                if a | b != 0 { break }
                q &+= 32
            }
            // Then eight at a time to find the exact byte.
            var hit = -1
            while q &+ 8 <= end {
                let w = UnsafeRawPointer(base + q).loadUnaligned(as: UInt64.self)
                let m = LineWalker.zeroBytes(w ^ quotes) | LineWalker.zeroBytes(w ^ slashes)
                if m != 0 { hit = q &+ (m.littleEndian.trailingZeroBitCount >> 3); break }
                q &+= 8
            }
            if hit < 0 {
                while q < end, base[q] != 0x22, base[q] != 0x5C { q &+= 1 }
                guard q < end else { throw fail("line ends inside a string", at: start &- 1) }
                hit = q
            }
            if base[hit] == 0x22 { return (hit, escaped) }
            // A backslash escapes the next byte, whatever it is.
            escaped = true
            q = hit &+ 2
            guard q <= end else { throw fail("line ends inside a string", at: start &- 1) }
        }
    }

    /// High bit set in each byte of `w` that is zero; the lowest such byte is exact (a borrow
    /// can only mark bytes above a zero one).
    @inline(__always)
    static func zeroBytes(_ w: UInt64) -> UInt64 {
        (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
    }

    /// Reads a string at `p` (after whitespace): the range of its raw contents and whether it
    /// holds escapes.
    @inline(__always)
    mutating func rawString() throws(ScanFailure) -> (start: Int, end: Int, escaped: Bool) {
        guard peek() == 0x22 else { throw fail("expected a string") }
        let s = p &+ 1
        let (e, escaped) = try stringEnd(from: s)
        p = e &+ 1
        return (s, e, escaped)
    }

    /// Skips one value of any kind.
    @inline(__always)
    mutating func skipValue() throws(ScanFailure) {
        guard let c = peek() else { throw fail("line ends where a value was expected") }
        switch c {
        case 0x22:
            p = try stringEnd(from: p &+ 1).end &+ 1
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipContainer()
        default:
            // Numbers, true, false, null: up to the next delimiter.
            let s = p
            while p < end {
                let b = base[p]
                if b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { break }
                p &+= 1
            }
            if p == s { throw fail("expected a value, found \(JSONScanner.describe(byte: c))") }
        }
    }

    /// Skips an object or array by counting brackets outside strings; strings (most of the
    /// bytes) are crossed by `stringEnd`'s block search.
    mutating func skipContainer() throws(ScanFailure) {
        try skipBrackets(depth: 0, unclosed: "line ends inside an object or array")
    }

    /// From inside an object (after a member), skips the rest of it, its `}` included.
    mutating func skipRestOfObject() throws(ScanFailure) {
        try skipBrackets(depth: 1, unclosed: "line ends inside an object")
    }

    /// Counts brackets outside strings from `depth` until it returns to zero; strings (most of
    /// the bytes) are crossed by `stringEnd`'s block search.
    @inline(__always)
    private mutating func skipBrackets(depth start: Int, unclosed: String) throws(ScanFailure) {
        let opened = p
        var depth = start
        while p < end {
            switch base[p] {
            case 0x22:
                p = try stringEnd(from: p &+ 1).end &+ 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth &+= 1
                p &+= 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth &-= 1
                p &+= 1
                if depth == 0 { return }
            default:
                p &+= 1
            }
        }
        throw fail(unclosed, at: opened)
    }

    /// True when a raw id is one the full reader treats as zero (all zeros in hex or UUID form,
    /// empty, or base64 of zero bytes), without building the identifier.
    @inline(__always)
    func isZeroID(_ start: Int, _ end: Int) -> Bool {
        let n = end &- start
        if n == 0 { return true }
        guard n == 16 || n == 32 else {
            // Other lengths (UUIDs, base64, text) are rare: ask the identifier itself.
            return Identifier(utf8: UnsafeBufferPointer(start: base + start, count: n)).isZero
        }
        var i = start
        while i < end {
            if base[i] != UInt8(ascii: "0") { return false }
            i &+= 1
        }
        return true
    }

    /// Consumes `{`; false when the object is empty (its `}` consumed too).
    @inline(__always)
    mutating func openObject() throws(ScanFailure) -> Bool {
        try expect(UInt8(ascii: "{"), "'{'")
        if peek() == UInt8(ascii: "}") { p &+= 1; return false }
        return true
    }

    /// Reads a key and its colon: the raw key's range (escaped keys are given as empty, so they
    /// match nothing and their values are skipped).
    @inline(__always)
    mutating func key() throws(ScanFailure) -> (start: Int, count: Int) {
        let k = try rawString()
        try expect(UInt8(ascii: ":"), "':' after key")
        return k.escaped ? (k.start, 0) : (k.start, k.end &- k.start)
    }

    /// After a member: true when another follows (its comma consumed), false at `}` (consumed).
    @inline(__always)
    mutating func nextMember() throws(ScanFailure) -> Bool {
        guard let c = peek() else { throw fail("line ends inside an object") }
        p &+= 1
        if c == UInt8(ascii: ",") { return true }
        if c == UInt8(ascii: "}") { return false }
        throw fail("expected ',' or '}' in object, found \(JSONScanner.describe(byte: c))", at: p &- 1)
    }

    /// Consumes `[`; false when the array is empty.
    @inline(__always)
    mutating func openArray() throws(ScanFailure) -> Bool {
        try expect(UInt8(ascii: "["), "'['")
        if peek() == UInt8(ascii: "]") { p &+= 1; return false }
        return true
    }

    /// After an element: true when another follows, false at `]`.
    @inline(__always)
    mutating func nextElement() throws(ScanFailure) -> Bool {
        guard let c = peek() else { throw fail("line ends inside an array") }
        p &+= 1
        if c == UInt8(ascii: ",") { return true }
        if c == UInt8(ascii: "]") { return false }
        throw fail("expected ',' or ']' in array, found \(JSONScanner.describe(byte: c))", at: p &- 1)
    }

    @inline(__always)
    func keyIs(_ k: (start: Int, count: Int), _ name: StaticString) -> Bool {
        k.count == name.utf8CodeUnitCount && memcmp(base + k.start, name.utf8Start, k.count) == 0
    }

    /// A whole number of nanoseconds written as a decimal string or a number; nil otherwise.
    mutating func nanos() throws(ScanFailure) -> Int64? {
        guard let c = peek() else { throw fail("line ends where a time was expected") }
        if c == 0x22 {
            let s = try rawString()
            guard !s.escaped else { return nil }
            return OTLPJSONReader.parseUInt(UnsafeBufferPointer(start: base + s.start, count: s.end &- s.start))
        }
        let s = p
        try skipValue()
        var v: Int64 = 0
        for i in s..<p {
            let d = base[i] &- 0x30
            guard d <= 9, v < 922_337_203_685_477_580 else { return nil }
            v = v &* 10 &+ Int64(d)
        }
        return p > s ? v : nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
