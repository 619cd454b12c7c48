#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceConventions

/// Finds where a large OTLP JSON Lines file can be cut into pieces that parse independently.
///
/// A raw newline never occurs inside a JSON string, so in a JSON Lines file every line break
/// separates two complete values. A cut is only made before a line that opens a new request
/// (`{"resourceSpans"`), and only when the first line is itself a complete value — a
/// pretty-printed single object is never cut.
enum JSONLinesSplitter {
    /// Below this size one core reads the file faster than the split costs.
    static let minimumSize = 4 << 20

    /// Chunk ranges covering `from..<count`, or nil when the file should be read in one piece.
    /// (`minimumSize` is lowered only by tests and the fuzzer, to cut small inputs too.)
    static func chunks(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, parts: Int,
                       minimumSize: Int = minimumSize) -> [Range<Int>]? {
        guard parts > 1, bytes.count - start >= minimumSize,
              let firstBreak = nextNewline(bytes, from: start), firstBreak - start < (bytes.count - start) / 2 else { return nil }
        var first = JSONScanner(slice: start..<firstBreak, of: bytes)
        guard (try? first.skipValue()) != nil else { return nil }
        first.skipWhitespace()
        guard first.atEnd else { return nil }
        var cuts = [start]
        for part in 1..<parts {
            let target = start + (bytes.count - start) * part / parts
            guard target > cuts.last! else { continue }
            var p = target
            var found: Int?
            for _ in 0..<64 {
                guard let nl = nextNewline(bytes, from: p) else { break }
                if opensRequest(bytes, at: nl + 1) { found = nl + 1; break }
                p = nl + 1
            }
            guard let cut = found else { continue }
            if cut > cuts.last! && cut < bytes.count { cuts.append(cut) }
        }
        guard cuts.count > 1 else { return nil }
        var ranges: [Range<Int>] = []
        for (i, c) in cuts.enumerated() {
            ranges.append(c..<(i + 1 < cuts.count ? cuts[i + 1] : bytes.count))
        }
        return ranges
    }

    /// The next newline at or after `from` (memchr: a single-line file is scanned at memory speed).
    static func nextNewline(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let base = bytes.baseAddress, from < bytes.count,
              let hit = memchr(base + from, 0x0A, bytes.count - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// True when a line starting at `at` opens an OTLP request object.
    static func opensRequest(_ bytes: UnsafeBufferPointer<UInt8>, at: Int) -> Bool {
        var p = at
        guard p < bytes.count, bytes[p] == UInt8(ascii: "{") else { return false }
        p += 1
        while p < bytes.count, bytes[p] == 0x20 || bytes[p] == 0x09 { p += 1 }
        for key in ["\"resourceSpans\"", "\"resource_spans\""] {
            let k = Array(key.utf8)
            if p + k.count <= bytes.count, Array(bytes[p..<(p + k.count)]) == k { return true }
        }
        return false
    }
}
