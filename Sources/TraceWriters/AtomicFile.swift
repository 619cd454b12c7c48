#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that readers never see half of one: write a temporary file beside the
/// target, flush it to disk, then rename it over the target.
public enum AtomicFile {
    /// A failed write, naming the path and the system's reason.
    public struct WriteError: Error, CustomStringConvertible, Sendable {
        /// The file that could not be written.
        public var path: String
        /// Why, in the system's words.
        public var reason: String
        /// `path: cannot write: reason`.
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    /// Replaces `path` with `bytes` atomically (`-` writes to standard output).
    public static func write(_ bytes: [UInt8], to path: String) throws(WriteError) {
        if path == "-" {
            try writeAll(STDOUT_FILENO, bytes, path)
            return
        }
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: lastError()) }
        do throws(WriteError) {
            try writeAll(fd, bytes, path)
            guard fsync(fd) == 0 else { throw WriteError(path: path, reason: lastError()) }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        guard close(fd) == 0 else {
            let e = lastError()
            unlink(temp)
            throw WriteError(path: path, reason: e)
        }
        guard rename(temp, path) == 0 else {
            let e = lastError()
            unlink(temp)
            throw WriteError(path: path, reason: e)
        }
    }

    /// Appends `bytes` to `path` (creating it), flushing to disk before returning.
    public static func append(_ bytes: [UInt8], to path: String) throws(WriteError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: lastError()) }
        defer { close(fd) }
        try writeAll(fd, bytes, path)
        guard fsync(fd) == 0 || errno == EINVAL else { throw WriteError(path: path, reason: lastError()) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws(WriteError) {
        var failure: WriteError?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = WriteError(path: path, reason: lastError())
                    return
                }
                offset += n
            }
        }
        if let failure { throw failure }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }

/// Writes a large file in pieces to a temporary file beside the target and renames it into place
/// on `commit()`, so readers see the old file or the whole new one, never a part.
public struct AtomicFileWriter: ~Copyable {
    private let path: String
    private let temp: String
    private var fd: Int32

    /// Opens a temporary file beside `path`.
    public init(path: String) throws(AtomicFile.WriteError) {
        self.path = path
        self.temp = path + ".tmp-\(getpid())"
        fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(errno))) }
    }

    /// Appends bytes.
    public mutating func write(_ bytes: [UInt8]) throws(AtomicFile.WriteError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in systemWrite(fd, raw.baseAddress! + offset, raw.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                abandon()
                throw AtomicFile.WriteError(path: path, reason: reason)
            }
            offset += n
        }
    }

    /// Flushes to disk and renames over the target.
    public consuming func commit() throws(AtomicFile.WriteError) {
        let ok = fsync(fd) == 0
        let reason = ok ? "" : String(cString: strerror(errno))
        close(fd)
        fd = -1
        guard ok, rename(temp, path) == 0 else {
            let why = ok ? String(cString: strerror(errno)) : reason
            unlink(temp)
            throw AtomicFile.WriteError(path: path, reason: why)
        }
    }

    /// Removes the temporary file.
    public mutating func abandon() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temp)
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temp)
        }
    }
}
