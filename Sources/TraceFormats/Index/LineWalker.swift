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
/// Most of a trace file is string content (message texts, attribute values) that a list never
/// shows: the walker finds string ends and brackets 16 and 32 bytes at a time and looks at single
/// bytes only at structure. (simdjson's stage 1, classifying whole blocks into bit masks first —
/// Langdale & Lemire, https://arxiv.org/abs/1902.08318 — was tried and measured slower here: see
/// Benchmarks/RESULTS.md, "Stage 1 bit masks".) Keys are compared in place; only ids, times,
/// status, names of root candidates and the LLM attributes a summary needs are read.
struct LineWalker {
    let base: UnsafePointer<UInt8>
    /// End of the line (exclusive).
    let end: Int
    var p: Int
    /// Where a key written with escapes is decoded to (`scratchSize` bytes), or nil to let such
    /// keys match nothing.
    let scratch: UnsafeMutablePointer<UInt8>?

    /// Room for one decoded key: longer than any key the scan looks for.
    static let scratchSize = 128

    /// A member name: its bytes (in the line, or decoded into the scratch space), its length,
    /// and its first byte as written (a backslash for a key that starts with an escape).
    typealias Key = (bytes: UnsafePointer<UInt8>, count: Int, written: UInt8)

    init(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int, scratch: UnsafeMutablePointer<UInt8>? = nil) {
        self.base = base
        self.p = start
        self.end = end
        self.scratch = scratch
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
        let found = stringEndIfAny(from: start)
        guard found.end >= 0 else { throw fail("line ends inside a string", at: start &- 1) }
        return found
    }

    /// `stringEnd`, with an end of -1 when the line ends inside the string.
    @inline(__always)
    func stringEndIfAny(from start: Int) -> (end: Int, escaped: Bool) {
        let quotes = SIMD16<UInt8>(repeating: 0x22), slashes = SIMD16<UInt8>(repeating: 0x5C)
        var q = start
        var escaped = false
        while true {
            // 32 bytes per step while there is neither a quote nor a backslash (long texts go by
            // with one branch per step), then the first one's offset from the 16-byte masks.
            // (The element types are spelled out: `SIMD16(repeating:)` left to inference
            // compiled to a byte loop, while `SIMD16<UInt8>` comparisons become `pcmpeqb`.)
            var hit = -1
            while q &+ 32 <= end {
                let raw = UnsafeRawPointer(base + q)
                let v0 = raw.loadUnaligned(as: SIMD16<UInt8>.self), v1 = raw.loadUnaligned(fromByteOffset: 16, as: SIMD16<UInt8>.self)
                let m0 = (v0 .== quotes) .| (v0 .== slashes), m1 = (v1 .== quotes) .| (v1 .== slashes)
                let f = LineWalker.firstSet(m0)
                if f >= 0 { hit = q &+ f; break }
                let g = LineWalker.firstSet(m1)
                if g >= 0 { hit = q &+ 16 &+ g; break }
                q &+= 32
            }
            if hit < 0, q &+ 16 <= end {
                let v = UnsafeRawPointer(base + q).loadUnaligned(as: SIMD16<UInt8>.self)
                let f = LineWalker.firstSet((v .== quotes) .| (v .== slashes))
                if f >= 0 { hit = q &+ f } else { q &+= 16 }
            }
            if hit < 0 {
                while q < end, base[q] != 0x22, base[q] != 0x5C { q &+= 1 }
                guard q < end else { return (-1, escaped) }
                hit = q
            }
            if base[hit] == 0x22 { return (hit, escaped) }
            // A backslash escapes the next byte, whatever it is.
            escaped = true
            q = hit &+ 2
            guard q <= end else { return (-1, escaped) }
        }
    }

    /// The first true lane of a byte mask, or -1 when none is.
    @inline(__always)
    static func firstSet(_ m: SIMDMask<SIMD16<Int8>>) -> Int {
        let w = unsafeBitCast(m, to: SIMD2<UInt64>.self)
        let lo = w[0], hi = w[1]
        if lo != 0 { return lo.trailingZeroBitCount &>> 3 }
        if hi != 0 { return 8 &+ hi.trailingZeroBitCount &>> 3 }
        return -1
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

    /// After an attribute's key (just past `"key":"…"`), skips the rest of its entry, `}`
    /// included. The usual shape, `,"value":{"stringValue":"…"}}` (or another scalar type),
    /// goes by with a prefix compare and one string search; anything else by bracket counting.
    mutating func skipRestOfAttribute() throws(ScanFailure) {
        let prefix: StaticString = #","value":{""#
        let n = prefix.utf8CodeUnitCount
        if p &+ n < end, memcmp(base + p, prefix.utf8Start, n) == 0 {
            var q = p &+ n
            // The type's name, then `":`, then a string or a bare scalar, then `}}`.
            if let typeEnd = try? stringEnd(from: q), typeEnd.end &+ 2 < end, !typeEnd.escaped, base[typeEnd.end &+ 1] == UInt8(ascii: ":") {
                q = typeEnd.end &+ 2
                if base[q] == 0x22 {
                    q = try stringEnd(from: q &+ 1).end &+ 1
                } else {
                    while q < end, base[q] != UInt8(ascii: "}"), base[q] != UInt8(ascii: ","), base[q] != UInt8(ascii: "{"),
                          base[q] != UInt8(ascii: "["), base[q] != 0x22 { q &+= 1 }
                }
                if q &+ 1 < end, base[q] == UInt8(ascii: "}"), base[q &+ 1] == UInt8(ascii: "}") {
                    p = q &+ 2
                    return
                }
            }
        }
        if try nextMember() { try skipRestOfObject() }
    }

    /// Counts brackets outside strings from `depth` until it returns to zero; strings (most of
    /// the bytes) are crossed by `stringEnd`'s block search, and the bytes between brackets and
    /// quotes 16 at a time.
    @inline(__always)
    private mutating func skipBrackets(depth start: Int, unclosed: String) throws(ScanFailure) {
        let opened = p
        var depth = start
        // `[` and `{` differ only in bit 5 (0x5B, 0x7B), as do `]` and `}`: one compare each.
        let quotes = SIMD16<UInt8>(repeating: 0x22), bit5 = SIMD16<UInt8>(repeating: 0x20)
        let opens = SIMD16<UInt8>(repeating: 0x7B), closes = SIMD16<UInt8>(repeating: 0x7D)
        while p < end {
            if p &+ 16 <= end {
                let v = UnsafeRawPointer(base + p).loadUnaligned(as: SIMD16<UInt8>.self)
                let folded = v | bit5
                let f = LineWalker.firstSet((v .== quotes) .| (folded .== opens) .| (folded .== closes))
                if f < 0 { p &+= 16; continue }
                p &+= f
            }
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

    /// Reads a key and its colon: the key's bytes. A key written with escapes is decoded as the
    /// full reader decodes it (into the scratch space; one that cannot be decoded there matches
    /// nothing, count -1).
    @inline(__always)
    mutating func key() throws(ScanFailure) -> Key {
        // The usual key: a quote, up to 31 plain bytes, a quote and a colon, found with one or
        // two 16-byte compares (the same answer as the general path below, which also takes
        // whitespace before the colon and escapes).
        if p &+ 18 <= end, base[p] == 0x22 {
            let s = p &+ 1
            let v = UnsafeRawPointer(base + s).loadUnaligned(as: SIMD16<UInt8>.self)
            var f = LineWalker.firstSet((v .== SIMD16<UInt8>(repeating: 0x22)) .| (v .== SIMD16<UInt8>(repeating: 0x5C)))
            // Keys of 16 to 31 bytes (`startTimeUnixNano`) from a second compare.
            if f < 0, p &+ 34 <= end {
                let u = UnsafeRawPointer(base + (s &+ 16)).loadUnaligned(as: SIMD16<UInt8>.self)
                let g = LineWalker.firstSet((u .== SIMD16<UInt8>(repeating: 0x22)) .| (u .== SIMD16<UInt8>(repeating: 0x5C)))
                if g >= 0 { f = 16 &+ g }
            }
            if f >= 0, base[s &+ f] == 0x22, base[s &+ f &+ 1] == UInt8(ascii: ":") {
                p = s &+ f &+ 2
                return (base + s, f, base[s])
            }
        }
        let k = try rawString()
        try expect(UInt8(ascii: ":"), "':' after key")
        return k.escaped ? decodedKey(quote: k.start &- 1) : (base + k.start, k.end &- k.start, base[k.start])
    }

    /// The key whose opening quote is at `quote`, decoded into the scratch space (the slow path
    /// for keys written with escapes, such as `"\u0074raceId"`).
    @inline(never)
    func decodedKey(quote: Int) -> Key {
        let written = base[quote &+ 1]
        guard let scratch else { return (base, -1, written) }
        var s = JSONScanner(UnsafeBufferPointer(start: base, count: end), at: quote)
        guard var text = try? s.readString() else { return (base, -1, written) }
        return text.withUTF8 { u in
            guard u.count <= LineWalker.scratchSize, let from = u.baseAddress else { return (base, -1, written) }
            scratch.update(from: from, count: u.count)
            return (UnsafePointer(scratch), u.count, written)
        }
    }

    /// At an attribute entry written the usual way, `{"key":"K","value":{"T":V}}` with no
    /// backslash in K or T and V a string or a bare scalar: the ranges of K and of the value
    /// object `{"T":V}`, with `p` moved past the entry's `}`. Nil, `p` unchanged, for any other
    /// shape (which the general walk then reads). Eight bytes are compared at a time.
    /// `plainString`: the value is `{"stringValue":"…"}` with no backslash in the text.
    @inline(__always)
    mutating func plainAttribute() -> (keyStart: Int, keyEnd: Int, value: Int, valueEnd: Int, plainString: Bool)? {
        // `{"key":"` and `","value":{"`, little-endian.
        let open: UInt64 = 0x22_3A_22_79_65_6B_22_7B
        let middle: UInt64 = 0x65_75_6C_61_76_22_2C_22, middleTail: UInt32 = 0x22_7B_3A_22
        guard p &+ 8 <= end, load64(p) == open else { return nil }
        let ks = p &+ 8
        let k = stringEndIfAny(from: ks)
        guard k.end >= 0, !k.escaped, k.end &+ 13 <= end, load64(k.end) == middle, load32(k.end &+ 8) == middleTail else { return nil }
        let value = k.end &+ 10
        let t = stringEndIfAny(from: k.end &+ 12)
        guard t.end >= 0, !t.escaped, t.end &+ 2 < end, base[t.end &+ 1] == UInt8(ascii: ":") else { return nil }
        var q = t.end &+ 2
        var plainString = false
        if base[q] == 0x22 {
            let v = stringEndIfAny(from: q &+ 1)
            guard v.end >= 0 else { return nil }
            // `stringValue` (11 bytes): its first eight, "stringVa", and its last four, "alue".
            plainString = !v.escaped && t.end &- (k.end &+ 12) == 11 && load64(k.end &+ 12) == 0x61_56_67_6E_69_72_74_73
                && load32(k.end &+ 19) == 0x65_75_6C_61
            q = v.end &+ 1
        } else {
            while q < end, base[q] != UInt8(ascii: "}"), base[q] != UInt8(ascii: ","), base[q] != UInt8(ascii: "{"),
                  base[q] != UInt8(ascii: "["), base[q] != 0x22 { q &+= 1 }
        }
        guard q &+ 1 < end, base[q] == UInt8(ascii: "}"), base[q &+ 1] == UInt8(ascii: "}") else { return nil }
        p = q &+ 2
        return (ks, k.end, value, q &+ 1, plainString)
    }

    @inline(__always)
    func load64(_ at: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self))
    }

    @inline(__always)
    func load32(_ at: Int) -> UInt32 {
        UInt32(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: UInt32.self))
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
    func keyIs(_ k: Key, _ name: StaticString) -> Bool {
        k.count == name.utf8CodeUnitCount && memcmp(k.bytes, name.utf8Start, k.count) == 0
    }

    /// `OTLPJSONReader.parseUInt`'s answer (1–19 ASCII digits whose value fits an Int64, else
    /// nil), eight digits at a time: the digit test and the three-multiply conversion of eight
    /// bytes are Lemire's (https://lemire.me/blog/2022/01/21/swar-explained-parsing-eight-digits/).
    @inline(__always)
    static func decimal(_ s: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n > 0, n <= 19 else { return nil }
        var v: UInt64 = 0
        var i = 0
        while n &- i >= 8 {
            var w = UInt64(littleEndian: UnsafeRawPointer(s + i).loadUnaligned(as: UInt64.self))
            guard (w & 0xF0F0_F0F0_F0F0_F0F0) | (((w &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) &>> 4)
                    == 0x3333_3333_3333_3333 else { return nil }
            w = ((w & 0x0F0F_0F0F_0F0F_0F0F) &* 2561) &>> 8
            w = ((w & 0x00FF_00FF_00FF_00FF) &* 6_553_601) &>> 16
            w = ((w & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) &>> 32
            v = v &* 100_000_000 &+ (w & 0xFFFF_FFFF)
            i &+= 8
        }
        while i < n {
            let d = s[i] &- 0x30
            guard d <= 9 else { return nil }
            v = v &* 10 &+ UInt64(d)
            i &+= 1
        }
        // At most 19 digits: below 2^64, so `v` is exact; parseUInt's wrapped Int64 is negative
        // exactly when it passes Int64.max.
        return v <= UInt64(Int64.max) ? Int64(v) : nil
    }

    /// A whole number of nanoseconds written as a decimal string or a number; nil otherwise.
    mutating func nanos() throws(ScanFailure) -> Int64? {
        // The usual time: a quote, 16 to 19 digits, a quote, read without the string search (the
        // same answer as below: digits only, so no escape, and `decimal`'s digit checks).
        if p &+ 21 <= end, base[p] == 0x22 {
            var n = 16
            while n < 20, base[p &+ 1 &+ n] &- 0x30 < 10 { n &+= 1 }
            if n < 20, base[p &+ 1 &+ n] == 0x22, let v = LineWalker.decimal(base + (p &+ 1), n) {
                p &+= n &+ 2
                return v
            }
        }
        guard let c = peek() else { throw fail("line ends where a time was expected") }
        if c == 0x22 {
            let s = try rawString()
            guard !s.escaped else { return nil }
            return LineWalker.decimal(base + s.start, s.end &- s.start)
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
