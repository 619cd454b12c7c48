import CZlib

/// Gzip decompression through the system zlib (a system-library target: no package needed).
enum Gzip {
    /// True when the bytes start with gzip's magic number (RFC 1952).
    static func isCompressed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompressed output larger than this is refused, so a small "zip bomb" cannot eat memory.
    static let outputLimit = 8 << 30

    enum Failure: Error {
        case corrupt(String)
        case tooLarge
    }

    /// Inflates gzip data, including several concatenated members (as `cat a.gz b.gz` makes).
    static func decompress(_ input: UnsafeBufferPointer<UInt8>, limit: Int = outputLimit) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: any window size, and detect gzip or zlib headers automatically.
        guard spanscope_inflate_init(&stream, 15 + 32) == Z_OK else { throw .corrupt("zlib could not start") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, max(input.count * 4, 1 << 16)))
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var failure: Failure?
        let inBuf = input
        var consumed = 0
        // Whether the last member was complete: input that stops inside a member (a cut-off
        // file or request body) is an error, not a shorter output.
        var ended = false
        feed: while consumed < inBuf.count {
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + consumed)
            stream.avail_in = UInt32(min(inBuf.count - consumed, Int(UInt32.max)))
            let before = Int(stream.avail_in)
            var status: Int32 = Z_OK
            repeat {
                status = chunk.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    let r = inflate(&stream, Z_NO_FLUSH)
                    output.append(contentsOf: out[0..<(out.count - Int(stream.avail_out))])
                    return r
                }
                if output.count > limit { failure = .tooLarge; break feed }
            } while status == Z_OK && stream.avail_out == 0
            consumed += before - Int(stream.avail_in)
            ended = status == Z_STREAM_END
            if status == Z_STREAM_END {
                // Another member may follow.
                if consumed < inBuf.count { inflateReset(&stream) }
                continue
            }
            if status == Z_BUF_ERROR && stream.avail_in == 0 {
                failure = .corrupt("the compressed data ends early")
                break
            }
            if status != Z_OK {
                let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                failure = .corrupt(message)
                break
            }
            if before == Int(stream.avail_in) && stream.avail_out != 0 {
                failure = .corrupt("the compressed data ends early")
                break
            }
        }
        if failure == nil && !ended && !inBuf.isEmpty { failure = .corrupt("the compressed data ends early") }
        if let failure { throw failure }
        return output
    }
}
