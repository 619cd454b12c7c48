/// Case-insensitive substring search over UTF-8 bytes, ASCII letters folded, eight bytes per step.
///
/// The scan follows the "generic SIMD" substring search (Wojciech Muła, "SIMD-friendly algorithms
/// for substring searching", http://0x80.pl/notesen/2016-11-28-simd-strfind.html) in 64-bit
/// words: a position is a candidate when the needle's first byte matches there and its last byte
/// matches `m - 1` further on; only candidates are compared in full. Folding ORs 0x20 into bytes
/// compared with a letter, so `A`/`a` both match `a`; bytes ≥ 0x80 (UTF-8 sequences) are never
/// folded and compare exactly.
struct FoldedNeedle: Sendable {
    /// The needle's bytes, ASCII letters lowercased.
    let bytes: [UInt8]
    /// OR masks that fold a byte before comparing it with the first / last needle byte
    /// (0x20 in every lane when that byte is a letter, else 0).
    private let firstFold: UInt64, lastFold: UInt64
    /// The first / last needle byte in every lane.
    private let firstLanes: UInt64, lastLanes: UInt64

    /// A needle for `text`'s UTF-8 (empty matches everything).
    init<S: Sequence>(_ text: S) where S.Element == UInt8 {
        bytes = text.map(FoldedNeedle.fold)
        let first = bytes.first ?? 0, last = bytes.last ?? 0
        firstFold = FoldedNeedle.isLetter(first) ? FoldedNeedle.lanes(0x20) : 0
        lastFold = FoldedNeedle.isLetter(last) ? FoldedNeedle.lanes(0x20) : 0
        firstLanes = FoldedNeedle.lanes(first)
        lastLanes = FoldedNeedle.lanes(last)
    }

    @inline(__always)
    static func fold(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    @inline(__always)
    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- UInt8(ascii: "a") < 26 }

    @inline(__always)
    static func lanes(_ byte: UInt8) -> UInt64 { UInt64(byte) &* 0x0101_0101_0101_0101 }

    /// 0x80 in each byte lane of `v` that is zero, exactly (no borrow between lanes).
    @inline(__always)
    static func zeroLanes(_ v: UInt64) -> UInt64 {
        let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((v & low) &+ low) | v) & 0x8080_8080_8080_8080
    }

    /// True when `hay` contains the needle, ignoring ASCII case.
    func isContained(in hay: UnsafeBufferPointer<UInt8>) -> Bool {
        let m = bytes.count
        if m == 0 { return true }
        let n = hay.count
        guard n >= m, let base = hay.baseAddress else { return false }
        return bytes.withUnsafeBufferPointer { needle in
            let raw = UnsafeRawPointer(base)
            var i = 0
            // Word steps while both loads (at i and at i + m - 1) stay inside the haystack.
            if n - m + 1 >= 8 {
                let lastWordStart = n - m - 7   // i + m - 1 + 8 <= n
                while i <= lastWordStart {
                    let a = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    let b = raw.loadUnaligned(fromByteOffset: i + m - 1, as: UInt64.self)
                    var hits = FoldedNeedle.zeroLanes((a | firstFold) ^ firstLanes)
                        & FoldedNeedle.zeroLanes((b | lastFold) ^ lastLanes)
                    while hits != 0 {
                        // Lane k is byte i + k: loads are little-endian on every platform Swift on Linux/macOS runs on.
                        let k = hits.trailingZeroBitCount >> 3
                        if FoldedNeedle.equal(base + i + k, needle, m) { return true }
                        hits &= hits &- 1
                    }
                    i += 8
                }
            }
            let f = needle[0]
            while i <= n - m {
                if FoldedNeedle.fold(base[i]) == f && FoldedNeedle.equal(base + i, needle, m) { return true }
                i += 1
            }
            return false
        }
    }

    @inline(__always)
    private static func equal(_ p: UnsafePointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>, _ m: Int) -> Bool {
        var j = 0
        while j < m {
            if fold(p[j]) != needle[j] { return false }
            j += 1
        }
        return true
    }

    /// True when some byte of `hay` is outside ASCII.
    static func hasNonASCII(_ hay: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = hay.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        let n = hay.count
        var i = 0
        while i + 8 <= n {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return true }
            i += 8
        }
        while i < n {
            if base[i] >= 0x80 { return true }
            i += 1
        }
        return false
    }
}
