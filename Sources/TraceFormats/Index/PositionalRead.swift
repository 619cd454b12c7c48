#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a byte range of an open file with `pread`, shared by the lazy store and the spill
/// file of an indexed convert.
public enum PositionalRead {
    /// Appends `count` bytes read from `fd` at `offset` to `out`, reading again after a signal
    /// or a short read. Returns how many were read (fewer when the file ends first; the rest of
    /// the `count` appended bytes are zero) and the `errno` of a failed read, 0 when none failed.
    public static func append(fd: Int32, offset: Int64, count: Int, to out: inout [UInt8]) -> (read: Int, error: Int32) {
        let at = out.count
        out.append(contentsOf: repeatElement(0, count: count))
        var got = 0
        var failure: Int32 = 0
        out.withUnsafeMutableBytes { raw in
            while got < count {
                let n = pread(fd, raw.baseAddress! + at + got, count - got, off_t(offset) + off_t(got))
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = errno; return }
                if n == 0 { return }
                got += n
            }
        }
        return (got, failure)
    }
}
