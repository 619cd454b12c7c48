import TraceConventions
import TraceModel
import TerminalText

/// The outcome of decoding one export request body: spans taken, spans left out and why.
public struct ExportOutcome: Sendable, Equatable {
    /// Spans added to the collector.
    public var accepted: Int
    /// Spans that were unusable (missing or malformed ids or times) and were left out.
    public var rejected: Int
    /// Why spans were rejected, when any were ("" otherwise).
    public var message: String

    /// Creates an outcome.
    public init(accepted: Int, rejected: Int, message: String) {
        self.accepted = accepted
        self.rejected = rejected
        self.message = message
    }
}

/// Decodes OTLP JSON `ExportTraceServiceRequest` bodies, as OTLP/HTTP exporters POST them with
/// `Content-Type: application/json`, and encodes the matching response.
public enum OTLPJSONRequest {
    /// Reads one request object from `body` into `collector`. A body that is not one JSON
    /// object (or holds anything after it) throws, and then nothing is added to `collector`.
    public static func read(_ body: [UInt8], into collector: inout SpanCollector) throws(TraceFormatError) -> ExportOutcome {
        var local = SpanCollector()
        let result: Result<Void, JSONSyntaxError> = body.withUnsafeBufferPointer { buf in
            Result { () throws(JSONSyntaxError) in
                var reader = OTLPJSONReader(scanner: JSONScanner(buf, at: 0))
                reader.scanner.skipWhitespace()
                try reader.readRequest(into: &local, source: "request")
                reader.scanner.skipWhitespace()
                if !reader.scanner.atEnd { throw reader.scanner.error("more JSON after the request object") }
            }
        }
        if case .failure(let e) = result { throw bodyError(e) }
        return take(local, into: &collector)
    }

    /// The `ExportTraceServiceResponse` as OTLP JSON: `{}` on full success, a `partialSuccess`
    /// object (with `rejectedSpans` as a decimal string, the protobuf JSON form of int64) when
    /// spans were rejected or there is a message for the sender.
    public static func response(rejected: Int, message: String) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        if rejected > 0 || !message.isEmpty {
            w.key("partialSuccess")
            w.beginObject()
            if rejected > 0 { w.member("rejectedSpans", String(rejected)) }
            if !message.isEmpty { w.member("errorMessage", message) }
            w.endObject()
        }
        w.endObject()
        return w.bytes
    }
}

/// Decodes Zipkin v2 JSON bodies, as Zipkin reporters POST them to `/api/v2/spans`.
public enum ZipkinJSONRequest {
    /// Reads a list of spans from `body` into `collector`. A body that is not such a list throws,
    /// and then nothing is added to `collector`.
    public static func read(_ body: [UInt8], into collector: inout SpanCollector) throws(TraceFormatError) -> ExportOutcome {
        var local = SpanCollector()
        let result: Result<Void, JSONSyntaxError> = body.withUnsafeBufferPointer { buf in
            Result { () throws(JSONSyntaxError) in
                var reader = ZipkinJSONReader(scanner: JSONScanner(buf, at: 0))
                reader.scanner.skipWhitespace()
                if reader.scanner.atEnd { throw reader.scanner.error("empty body: expected a list of Zipkin spans") }
                try reader.readAll(into: &local, source: "request")
            }
        }
        if case .failure(let e) = result { throw bodyError(e) }
        return take(local, into: &collector)
    }
}

/// Gzip bodies (`Content-Encoding: gzip`), inflated through the system zlib.
public enum GzipBody {
    /// Why a body could not be inflated.
    public enum Failure: Error, Equatable, Sendable {
        /// Not valid gzip (or zlib) data.
        case corrupt(String)
        /// It inflates to more than the limit.
        case tooLarge(limit: Int)
    }

    /// True when `bytes` start with gzip's magic number.
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { Gzip.isCompressed($0) }
    }

    /// Inflates `bytes`, refusing output larger than `limit` bytes (so a small body cannot
    /// expand into gigabytes).
    public static func decompress(_ bytes: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        let result: Result<[UInt8], Gzip.Failure> = bytes.withUnsafeBufferPointer { buf in
            Result { () throws(Gzip.Failure) in try Gzip.decompress(buf, limit: limit) }
        }
        switch result {
        case .success(let out): return out
        case .failure(.tooLarge): throw .tooLarge(limit: limit)
        case .failure(.corrupt(let why)): throw .corrupt(why)
        }
    }
}

/// Moves what `local` read into `collector` and reports it.
private func take(_ local: SpanCollector, into collector: inout SpanCollector) -> ExportOutcome {
    let message = local.warnings.first.map { w in
        // Drop the "request:line:column: " prefix: a sender has no file to look at.
        w.hasPrefix("request:") ? String(w.drop { $0 != " " }.dropFirst()) : w
    } ?? ""
    collector.merge(local)
    return ExportOutcome(accepted: local.spanCount, rejected: local.skippedSpans,
                         message: local.skippedSpans > 0 ? message : "")
}

private func bodyError(_ e: JSONSyntaxError) -> TraceFormatError {
    TraceFormatError(source: "request body", location: .byte(offset: e.offset, line: e.line, column: e.column),
                     message: e.isTruncation ? "truncated: \(e.message)" : e.message)
}
