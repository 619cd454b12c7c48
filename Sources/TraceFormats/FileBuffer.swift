#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file's bytes in memory, read for parsing and released right after.
///
/// The memory is an anonymous mapping populated in one system call (`MAP_POPULATE`) and filled
/// with `read(2)`: faulting a large buffer in page by page took a fifth of the load time of a
/// 70 MB trace. The file itself is not mapped, because a file that shrinks while mapped kills the
/// reader with SIGBUS; reading into our own memory only ever sees a consistent prefix.
final class FileBuffer {
    private(set) var base: UnsafeMutableRawPointer?
    private(set) var capacity: Int
    private(set) var count: Int = 0

    init(capacity: Int) {
        self.capacity = 0
        reserve(max(capacity, 1 << 16))
    }

    deinit {
        guard let base else { return }
        if isMapped { munmap(base, capacity) } else { base.deallocate() }
    }

    private static func pageRounded(_ n: Int) -> Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        return (n + page - 1) / page * page
    }

    /// Grows the buffer to hold at least `needed` bytes, keeping what it holds.
    func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        let size = FileBuffer.pageRounded(max(needed, capacity * 2))
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE | MAP_ANON
        #endif
        guard let fresh = mmap(nil, size, PROT_READ | PROT_WRITE, flags, -1, 0), fresh != MAP_FAILED else {
            // Out of address space: fall back to the allocator, which reports the failure itself.
            let fallback = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            adopt(fallback, size, mapped: false)
            return
        }
        adopt(fresh, size, mapped: true)
    }

    private var isMapped = true

    /// True when pages of this buffer may be handed back while reading (see `ReleasedPrefix`).
    var canRelease: Bool { isMapped }

    private func adopt(_ fresh: UnsafeMutableRawPointer, _ size: Int, mapped: Bool) {
        if let base, count > 0 { fresh.copyMemory(from: base, byteCount: count) }
        if let base {
            if isMapped { munmap(base, capacity) } else { base.deallocate() }
        }
        base = fresh
        capacity = size
        isMapped = mapped
    }

    /// Reads from `fd` to end of file. Returns errno on failure.
    func fill(from fd: Int32, progress: LoadProgress? = nil) -> Int32? {
        while true {
            if count == capacity { reserve(capacity * 2) }
            let n = systemRead(fd, base! + count, capacity - count)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return nil }
            count += n
            progress?.addRead(n)
        }
    }

    /// The bytes read; valid only while this object is alive (use `withExtendedLifetime`).
    var bytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base?.assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// The bytes read, valid while the buffer lives.
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base?.assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// A copy as an array.
    var array: [UInt8] { withUnsafeBufferPointer { Array($0) } }
}

/// The start of a buffer handed back to the system while a parser reads on, with the line count
/// of what was released so that later positions still get the right line numbers.
///
/// Holding a whole file until parsing ends would make peak memory the file plus the model; the
/// model keeps copies of everything it needs, so bytes behind the parser can go.
final class ReleasedPrefix: @unchecked Sendable {
    /// Bytes before this offset (in the scanner's bytes) are gone.
    private(set) var upTo = 0
    /// Newlines in the released bytes.
    private(set) var newlines = 0
    /// Offset just after the last newline in the released bytes.
    private(set) var lastLineStart = 0

    /// Releases whole pages of `bytes` before `offset` (only for memory this process mapped).
    func release(_ bytes: UnsafeBufferPointer<UInt8>, upTo offset: Int) {
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
    func totalNewlines(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        newlines + ReleasedPrefix.newlines(in: bytes, from: upTo, to: bytes.count).count
    }

    /// Newlines in `bytes[from..<to]` and the offset of the last one, found with memchr (the
    /// C library's vectorised search) rather than a byte loop.
    static func newlines(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> (count: Int, last: Int?) {
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

/// `read(2)`, named apart from the readers' own `read` methods.
func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
