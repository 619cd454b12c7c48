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

/// `read(2)`, named apart from the readers' own `read` methods.
func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
