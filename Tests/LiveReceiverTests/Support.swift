import LiveReceiver
import LocalHTTP
import TestSupport
import TraceFormats
import TraceModel
import TerminalText
import TraceWriters
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// Removes a file, ignoring errors.
func unlinkFile(_ path: String) { unlink(path) }
