import CZlib
import LiveReceiver
import LocalHTTP
import TraceFormats
import TraceModel
import TerminalText
import TraceWriters
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// TraceFormatsTests' fixtures: bodies captured from the real Python exporters.
let fixtureDirectory: String = {
    let file = "\(#filePath)"
    let tests = file[..<file.range(of: "/LiveReceiverTests/")!.lowerBound]
    return tests + "/TraceFormatsTests/Fixtures/"
}()

/// The OTLP/HTTP protobuf bodies the Python exporter sent (4-byte big-endian length prefixes).
func pythonProtobufBodies() throws -> [[UInt8]] {
    let all = try TraceLoader.readFile(fixtureDirectory + "python-otel-otlp.binpb.list")
    var bodies: [[UInt8]] = []
    var i = 0
    while i + 4 <= all.count {
        let n = Int(all[i]) << 24 | Int(all[i + 1]) << 16 | Int(all[i + 2]) << 8 | Int(all[i + 3])
        bodies.append(Array(all[(i + 4)..<(i + 4 + n)]))
        i += 4 + n
    }
    return bodies
}

/// The Zipkin v2 JSON body the Python Zipkin exporter sent.
func pythonZipkinBody() throws -> [UInt8] {
    try TraceLoader.readFile(fixtureDirectory + "python-otel-zipkin.json")
}

/// A span of trace `trace` (hex digits are repeated to make the 32-digit id).
func span(_ trace: String, _ id: String, parent: String? = nil, name: String? = nil, start: Int64 = 1_000_000,
          attributes: [Attribute] = []) -> Span {
    Span(traceID: TraceID(String(repeating: trace, count: 32 / trace.count)),
         spanID: SpanID(String(repeating: id, count: 16 / id.count)),
         parentID: parent.map { SpanID(String(repeating: $0, count: 16 / $0.count)) },
         name: name ?? "span \(id)", service: "svc", startNanos: start, endNanos: start + 500,
         attributes: attributes)
}

/// An OTLP JSON request body holding `spans`.
func otlpJSON(_ spans: [Span]) -> [UInt8] {
    var w = JSONWriter()
    OTLPJSONWriter.request(spans, into: &w)
    return w.bytes
}

/// A POST with a content type (and optional content encoding).
func post(_ path: String, _ body: [UInt8], type: String?, encoding: String? = nil) -> HTTPRequest {
    var headers: [(name: String, value: String)] = []
    if let type { headers.append(("Content-Type", type)) }
    if let encoding { headers.append(("Content-Encoding", encoding)) }
    return HTTPRequest(method: "POST", target: path, headers: headers, body: body)
}

/// Gzip-compresses `bytes` with the system zlib (window bits 15 + 16 ask for the gzip wrapper).
func gzip(_ bytes: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    let ok = deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                           Int32(MemoryLayout<z_stream>.size))
    precondition(ok == Z_OK)
    defer { deflateEnd(&stream) }
    var input = bytes
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
    let produced: Int = input.withUnsafeMutableBufferPointer { inBuf in
        out.withUnsafeMutableBufferPointer { outBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inBuf.count)
            stream.next_out = outBuf.baseAddress
            stream.avail_out = UInt32(outBuf.count)
            precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
            return outBuf.count - Int(stream.avail_out)
        }
    }
    return Array(out[0..<produced])
}

/// The body bytes of a complete response.
func bytes(_ response: HTTPResponse) -> [UInt8] {
    if case .bytes(let b) = response.body { return b }
    return []
}

/// The body as text.
func text(_ response: HTTPResponse) -> String { String(decoding: bytes(response), as: UTF8.self) }

/// The first value of a response header.
func header(_ response: HTTPResponse, _ name: String) -> String? {
    response.headers.first { $0.name.lowercased() == name.lowercased() }?.value
}

/// A minimal protobuf reader for the messages the receiver answers with: field number →
/// varint values or length-delimited bytes.
struct ProtoFields {
    var varints: [Int: UInt64] = [:]
    var bytes: [Int: [UInt8]] = [:]

    init(_ data: [UInt8]) {
        var i = 0
        func varint() -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while i < data.count {
                let b = data[i]
                i += 1
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
            }
            return v
        }
        while i < data.count {
            let tag = varint()
            let field = Int(tag >> 3)
            switch tag & 7 {
            case 0: varints[field] = varint()
            case 2:
                let n = Int(varint())
                bytes[field] = Array(data[i..<min(data.count, i + n)])
                i += n
            default: return
            }
        }
    }

    func string(_ field: Int) -> String? { bytes[field].map { String(decoding: $0, as: UTF8.self) } }
}

/// A unique path for a file in the temporary directory.
func temporaryPath(_ name: String) -> String {
    let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    return "\(dir)/spanscope-live-\(getpid())-\(UInt64.random(in: 0...UInt64.max))-\(name)"
}

/// Removes a file, ignoring errors.
func unlinkFile(_ path: String) { unlink(path) }
