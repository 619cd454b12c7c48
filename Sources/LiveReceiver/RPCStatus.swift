import TraceFormats
import TerminalText

/// The `google.rpc.Status` message that OTLP/HTTP puts in the body of every 4xx and 5xx answer.
///
/// Schema from googleapis google/rpc/status.proto: `int32 code = 1; string message = 2;
/// repeated google.protobuf.Any details = 3;`. OTLP does not use `code` (clients must not act on
/// it) but it is filled with the gRPC code closest to the HTTP status, for people reading it.
/// https://github.com/open-telemetry/opentelemetry-proto/blob/main/docs/specification.md#failures-1
struct RPCStatus: Sendable, Equatable {
    /// The gRPC status code.
    var code: Int
    /// A message for the developer.
    var message: String

    /// The gRPC code for an HTTP status (grpc/grpc doc/http-grpc-status-mapping.md, read backwards).
    static func code(forHTTP status: Int) -> Int {
        switch status {
        case 400, 415: return 3    // INVALID_ARGUMENT
        case 404: return 5         // NOT_FOUND
        case 405: return 12        // UNIMPLEMENTED
        case 413: return 8         // RESOURCE_EXHAUSTED
        case 503: return 14        // UNAVAILABLE
        default: return 2          // UNKNOWN
        }
    }

    /// The binary protobuf encoding.
    var protobuf: [UInt8] {
        var out: [UInt8] = []
        if code != 0 {
            out.append(0x08)   // field 1, varint
            appendVarint(UInt64(UInt32(truncatingIfNeeded: code)), to: &out)
        }
        if !message.isEmpty {
            out.append(0x12)   // field 2, length-delimited
            appendVarint(UInt64(message.utf8.count), to: &out)
            out += Array(message.utf8)
        }
        return out
    }

    /// The protobuf JSON encoding: `{"code":3,"message":"…"}`.
    var json: [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        if code != 0 { w.member("code", code) }
        if !message.isEmpty { w.member("message", message) }
        w.endObject()
        return w.bytes
    }

    private func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
