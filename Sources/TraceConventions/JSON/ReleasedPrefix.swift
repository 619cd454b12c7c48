#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The start of a buffer handed back to the system while a parser reads on, with the line count
/// of what was released so that later positions still get the right line numbers.
///
/// Holding a whole file until parsing ends would make peak memory the file plus the model; the
/// model keeps copies of everything it needs, so bytes behind the parser can go.
@usableFromInline package final class ReleasedPrefix: @unchecked Sendable {
    /// Bytes before this offset (in the scanner's bytes) are gone.
    package private(set) var upTo = 0
    /// Newlines in the released bytes.
    package private(set) var newlines = 0
    /// Offset just after the last newline in the released bytes.
    package private(set) var lastLineStart = 0

    /// Nothing released yet.
    package init() {}

    /// Releases whole pages of `bytes` before `offset` (only for memory this process mapped).
    package func release(_ bytes: UnsafeBufferPointer<UInt8>, upTo offset: Int) {
        guard let start = bytes.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let address = Int(bitPattern: start)
        // Page-aligned window inside bytes[upTo..<offset].
        let first = (address + upTo + page - 1) / page * page - address
        let end = (address + min(offset, bytes.count)) / page * page - address
        guard end > first, end > upTo else { return }
        let (count, last) = ReleasedPrefix.newlines(in: bytes, from: upTo, to: end)
        newlines += count
        if let last { lastLineStart = last + 1 }
        madvise(UnsafeMutableRawPointer(mutating: start + first), end - first, MADV_DONTNEED)
        upTo = end
    }

    /// Newlines in all of `bytes`, counting the released part from the tally.
    package func totalNewlines(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        newlines + ReleasedPrefix.newlines(in: bytes, from: upTo, to: bytes.count).count
    }

    /// Newlines in `bytes[from..<to]` and the offset of the last one, found with memchr (the
    /// C library's vectorised search) rather than a byte loop.
    package static func newlines(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> (count: Int, last: Int?) {
        guard let base = bytes.baseAddress, from < to else { return (0, nil) }
        var count = 0
        var last: Int?
        var p = from
        while p < to, let hit = memchr(base + p, 0x0A, to - p) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            count += 1
            last = at
            p = at + 1
        }
        return (count, last)
    }
}
