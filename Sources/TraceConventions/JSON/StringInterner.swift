#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hands out one shared `String` per distinct byte sequence.
///
/// Trace files repeat the same attribute keys, span names, service and model names on every
/// span; sharing one String instance per distinct text saves an allocation per occurrence and
/// keeps memory close to the distinct text, not the repeated text. Open addressing over a flat
/// table, comparing candidate bytes in place, so a hit allocates nothing.
public struct StringInterner {
    @usableFromInline var hashes: [UInt64]
    @usableFromInline var offsets: [Int32]      // into `arena`, -1 = empty slot
    @usableFromInline var lengths: [Int32]
    @usableFromInline var strings: [String]
    @usableFromInline var arena: [UInt8] = []
    @usableFromInline var used = 0
    @usableFromInline var mask: Int
    /// Past this many entries new texts are no longer remembered (they are still returned),
    /// so a file full of unique values cannot grow the table without bound.
    @usableFromInline let capacityLimit: Int

    /// An empty table of `capacity` slots that stops adding strings past `limit` of them.
    @inlinable public init(capacity: Int = 1024, limit: Int = 1 << 20) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        hashes = [UInt64](repeating: 0, count: size)
        offsets = [Int32](repeating: -1, count: size)
        lengths = [Int32](repeating: 0, count: size)
        strings = [String](repeating: "", count: size)
        mask = size - 1
        capacityLimit = limit
    }

    /// A hash of the bytes taken eight at a time (never 0: 0 marks an empty slot).
    ///
    /// Every byte counts (values such as response ids differ only in their middle), but a word
    /// at a time: FNV-1a's byte loop was most of an intern's cost in the index scan. Each word is
    /// folded in by a multiply and a shift, so the low bits the table uses depend on all of them.
    @inline(__always)
    @inlinable public static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = b.count
        guard let p = b.baseAddress else { return 1 }
        var h = UInt64(truncatingIfNeeded: n) &* 0xC2B2_AE3D_27D4_EB4F
        var i = 0
        while i &+ 8 <= n {
            h = mix(h, UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            i &+= 8
        }
        if i < n {
            var tail: UInt64
            if n >= 8 {
                // The last eight bytes, overlapping the words already taken.
                tail = UnsafeRawPointer(p + (n &- 8)).loadUnaligned(as: UInt64.self)
            } else {
                tail = 0
                while i < n {
                    tail = tail &<< 8 | UInt64(p[i])
                    i &+= 1
                }
            }
            h = mix(h, tail)
        }
        return (h ^ (h &>> 31)) | 1
    }

    @inline(__always)
    @inlinable static func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
        let x = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
        return x ^ (x &>> 29)
    }

    /// The one String for these bytes: the stored copy when seen before, else a new one kept.
    @inlinable public mutating func intern(_ b: UnsafeBufferPointer<UInt8>) -> String {
        if b.isEmpty { return "" }
        let h = StringInterner.hash(b)
        var slot = Int(truncatingIfNeeded: h) & mask
        while offsets[slot] >= 0 {
            if hashes[slot] == h && Int(lengths[slot]) == b.count {
                let equal = arena.withUnsafeBufferPointer { a in
                    memcmp(a.baseAddress! + Int(offsets[slot]), b.baseAddress!, b.count) == 0
                }
                if equal { return strings[slot] }
            }
            slot = (slot &+ 1) & mask
        }
        let s = String(decoding: b, as: UTF8.self)
        guard used < capacityLimit, arena.count + b.count < Int(Int32.max) else { return s }
        hashes[slot] = h
        offsets[slot] = Int32(arena.count)
        lengths[slot] = Int32(b.count)
        strings[slot] = s
        arena.append(contentsOf: b)
        used += 1
        if used * 2 > hashes.count { grow() }
        return s
    }

    /// Interns an already decoded String (used for escaped text).
    @inlinable public mutating func intern(_ s: String) -> String {
        var copy = s
        return copy.withUTF8 { intern($0) }
    }

    @inlinable mutating func grow() {
        let oldHashes = hashes, oldOffsets = offsets, oldLengths = lengths, oldStrings = strings
        let size = hashes.count * 2
        hashes = [UInt64](repeating: 0, count: size)
        offsets = [Int32](repeating: -1, count: size)
        lengths = [Int32](repeating: 0, count: size)
        strings = [String](repeating: "", count: size)
        mask = size - 1
        for i in 0..<oldHashes.count where oldOffsets[i] >= 0 {
            var slot = Int(truncatingIfNeeded: oldHashes[i]) & mask
            while offsets[slot] >= 0 { slot = (slot &+ 1) & mask }
            hashes[slot] = oldHashes[i]
            offsets[slot] = oldOffsets[i]
            lengths[slot] = oldLengths[i]
            strings[slot] = oldStrings[i]
        }
    }
}
