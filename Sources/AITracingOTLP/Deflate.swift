import CZlib

/// gzip compression through the system zlib, for request bodies (`Content-Encoding: gzip`).
enum Deflate {
    /// `bytes` in the gzip format (RFC 1952), nil when zlib cannot start (out of memory): the
    /// caller then sends the bytes as they are. Window bits 15 + 16 ask zlib for the gzip wrapper.
    static func gzip(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        var input = bytes
        // deflateBound is the most a single Z_FINISH call can produce.
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuf in
            out.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = UInt32(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { return nil }
                return outBuf.count - Int(stream.avail_out)
            }
        }
        guard let produced else { return nil }
        out.removeSubrange(produced...)
        return out
    }
}
