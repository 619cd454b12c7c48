#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds where one large OTLP JSON request can be cut into pieces that parse independently: at
/// the starts of `resourceSpans` entries.
///
/// A JSON string cannot hold a raw `"` (it must be escaped), so the byte sequence `{"resource":`
/// can only be an object whose first key is `resource` — in OTLP, an entry of `resourceSpans`.
/// Exporters write `resource` first (it is field 1); a file that does not is read in one piece.
enum OTLPObjectSplitter {
    /// Below this size one core reads the file faster than the split costs.
    static let minimumSize = 4 << 20
    static let marker: [UInt8] = Array(#"{"resource":"#.utf8)

    /// Offsets (relative to `bytes`) where entries start, one per extra part, or nil.
    static func cuts(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, parts: Int) -> [Int]? {
        guard parts > 1, bytes.count - start >= minimumSize else { return nil }
        var cuts: [Int] = []
        for part in 1..<parts {
            var p = start + (bytes.count - start) * part / parts
            if let last = cuts.last { p = max(p, last + 1) }
            guard let at = find(bytes, from: p) else { break }
            // An entry after the first is preceded by a comma (and maybe whitespace).
            var q = at - 1
            while q > start, bytes[q] == 0x20 || bytes[q] == 0x0A || bytes[q] == 0x0D || bytes[q] == 0x09 { q -= 1 }
            guard q > start, bytes[q] == UInt8(ascii: ",") else { break }
            cuts.append(at)
        }
        return cuts.isEmpty ? nil : cuts
    }

    /// True when the object at `start` opens with the `resourceSpans` key: a request that is not
    /// wrapped (Jaeger's `result`, Tempo's `trace`), whose entries the pieces can take over.
    static func opensWithResourceSpans(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        var p = start
        func skipSpace() { while p < bytes.count, bytes[p] == 0x20 || bytes[p] == 0x0A || bytes[p] == 0x0D || bytes[p] == 0x09 { p += 1 } }
        skipSpace()
        guard p < bytes.count, bytes[p] == UInt8(ascii: "{") else { return false }
        p += 1
        skipSpace()
        let key = Array(#""resourceSpans""#.utf8)
        guard p + key.count <= bytes.count else { return false }
        return bytes[p..<(p + key.count)].elementsEqual(key)
    }

    /// The next offset at or after `from` where the marker starts (memchr for `{`, then compare).
    static func find(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var p = from
        while p + marker.count <= bytes.count, let hit = memchr(base + p, Int32(UInt8(ascii: "{")), bytes.count - p) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if at + marker.count <= bytes.count, memcmp(base + at, marker, marker.count) == 0 { return at }
            p = at + 1
        }
        return nil
    }
}
