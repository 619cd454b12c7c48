import LocalHTTP
import TraceFormats
import TraceModel
import TerminalText
import TraceWriters

/// Settings of a receiver.
public struct ReceiverOptions: Sendable {
    /// The body limit OTLP recommends, applied before and after decompression.
    /// https://github.com/open-telemetry/opentelemetry-proto/blob/main/docs/specification.md#otlphttp-request
    public static let defaultMaxBodyBytes = 20 << 20

    /// Largest body accepted, compressed or not.
    public var maxBodyBytes: Int
    /// File that every accepted request is appended to as one line of OTLP JSON, flushed to disk
    /// before the request is answered; nil to keep nothing.
    public var savePath: String?

    /// Creates options.
    public init(maxBodyBytes: Int = ReceiverOptions.defaultMaxBodyBytes, savePath: String? = nil) {
        self.maxBodyBytes = max(1, maxBodyBytes)
        self.savePath = savePath
    }
}

/// One answered request, for a log line.
public struct ReceivedRequest: Sendable {
    /// `POST`, `GET`, …
    public var method: String
    /// The path asked for.
    public var path: String
    /// The HTTP status answered.
    public var status: Int
    /// The format the body was read as (`OTLP protobuf`, `OTLP JSON`, `Zipkin JSON`), nil when not read.
    public var format: String?
    /// True when the body came gzip-compressed.
    public var compressed: Bool
    /// Spans accepted.
    public var accepted: Int
    /// Spans rejected (partial success).
    public var rejected: Int
    /// Why the request or some spans were refused; "" when all went well.
    public var message: String
    /// The store's counters after the request.
    public var counters: ReceiverCounters
    /// The status in the words of a transport other than HTTP (`OK`, `INVALID_ARGUMENT` for gRPC); nil over HTTP.
    public var transportStatus: String? = nil
}

/// Receives spans over HTTP: OTLP/HTTP (`POST /v1/traces`, binary protobuf or JSON, optionally
/// gzip-compressed) and Zipkin v2 JSON (`POST /api/v2/spans`), into a `LiveStore`.
///
/// Status codes follow the OTLP/HTTP specification
/// (https://github.com/open-telemetry/opentelemetry-proto/blob/main/docs/specification.md#otlphttp-response):
/// 200 with an `ExportTraceServiceResponse` in the request's encoding, carrying `partial_success`
/// only when spans were rejected; 400 for bodies that cannot be decoded, 413 for bodies over the
/// limit, 415 for other media types or content encodings, with a `google.rpc.Status` body; 404 and
/// 405 for other paths and methods. Zipkin requests get 202 on success, as Zipkin's own server
/// answers (https://zipkin.io/zipkin-api/#/default/post_spans), and plain-text errors.
public final class TraceReceiver: Sendable {
    /// The OTLP/HTTP traces path.
    public static let otlpPath = "/v1/traces"
    /// The Zipkin v2 spans path.
    public static let zipkinPath = "/api/v2/spans"

    /// Where received spans go.
    public let store: LiveStore
    /// Limits and the save file.
    public let options: ReceiverOptions
    private let log: (@Sendable (ReceivedRequest) -> Void)?
    /// Serialises appends to the save file, so lines of concurrent requests never interleave.
    private let saving = Locked(())
    private let busy = Locked(0)

    /// A receiver into `store`; `log` is called once per answered request (on the handler's thread).
    public init(store: LiveStore, options: ReceiverOptions = ReceiverOptions(),
                log: (@Sendable (ReceivedRequest) -> Void)? = nil) {
        self.store = store
        self.options = options
        self.log = log
    }

    /// Requests being handled right now.
    public var requestsInFlight: Int { busy.withLock { $0 } }

    /// Starts an HTTP server for this receiver on `host`:`port` (0: any free port).
    public func listen(host: String, port: Int) async throws -> LocalHTTPServer {
        try await LocalHTTPServer.start(
            host: host, port: port, maxBodyBytes: options.maxBodyBytes,
            tooLarge: { [self] request, limit in tooLarge(request, limit: limit) },
            handler: { [self] request in handle(request) })
    }

    // MARK: Answers

    private enum Route {
        case otlp, zipkin
    }

    private enum Encoding {
        case protobuf, json

        var contentType: String { self == .json ? "application/json" : "application/x-protobuf" }
        var format: String { self == .json ? "OTLP JSON" : "OTLP protobuf" }
    }

    /// The 413 answer for a body over `limit` bytes (the server read and dropped it).
    public func tooLarge(_ request: HTTPRequest, limit: Int) -> HTTPResponse {
        let route: Route = request.path == TraceReceiver.zipkinPath ? .zipkin : .otlp
        return refuse(request, route, TraceReceiver.encoding(of: request) ?? .protobuf, status: 413,
                      "request body larger than \(limit) bytes")
    }

    /// Answers one request: decodes it, saves it, stores its spans. Never throws and never traps
    /// on bad input: every problem becomes a 4xx or 5xx answer with a message.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        busy.withLock { $0 += 1 }
        defer { busy.withLock { $0 -= 1 } }

        let route: Route
        switch request.path {
        case TraceReceiver.otlpPath: route = .otlp
        case TraceReceiver.zipkinPath: route = .zipkin
        default:
            return refuse(request, .otlp, TraceReceiver.encoding(of: request) ?? .protobuf, status: 404,
                          "no such path: \(String(request.path.prefix(200))); spans go to POST \(TraceReceiver.otlpPath) "
                          + "(OTLP/HTTP) or POST \(TraceReceiver.zipkinPath) (Zipkin v2 JSON)")
        }
        let declared = TraceReceiver.encoding(of: request)
        guard request.method == "POST" else {
            var response = refuse(request, route, declared ?? .protobuf, status: 405,
                                  "method \(String(request.method.prefix(20))) not allowed; use POST")
            response.headers.append(("Allow", "POST"))
            return response
        }
        let mediaType = TraceReceiver.mediaType(request)
        let encoding: Encoding
        switch route {
        case .otlp:
            guard let e = declared else {
                return refuse(request, route, .protobuf, status: 415,
                              "unsupported Content-Type \"\(String((mediaType ?? "(none)").prefix(100)))\"; "
                              + "send application/x-protobuf or application/json")
            }
            encoding = e
        case .zipkin:
            guard mediaType == nil || mediaType == "application/json" else {
                return refuse(request, route, .json, status: 415,
                              "unsupported Content-Type \"\(String(mediaType!.prefix(100)))\"; only Zipkin v2 JSON "
                              + "(application/json) is read")
            }
            encoding = .json
        }

        var body = request.body
        var compressed = false
        switch TraceReceiver.contentEncoding(request) {
        case "", "identity":
            break
        case "gzip", "x-gzip":
            compressed = true
            do {
                body = try GzipBody.decompress(body, limit: options.maxBodyBytes)
            } catch {
                switch error {
                case .tooLarge(let limit):
                    return refuse(request, route, encoding, status: 413, "request body inflates to more than \(limit) bytes")
                case .corrupt(let why):
                    return refuse(request, route, encoding, status: 400, "gzip body is corrupt: \(why)")
                }
            }
        case let other:
            return refuse(request, route, encoding, status: 415,
                          "unsupported Content-Encoding \"\(String(other.prefix(50)))\"; send gzip or none")
        }

        let format = route == .zipkin ? "Zipkin JSON" : encoding.format
        let outcome: ExportOutcome
        switch ingest(body, route: route, encoding: encoding, label: "\(request.method) \(request.path)") {
        case .success(let o): outcome = o
        case .failure(let refusal):
            return refuse(request, route, encoding, status: refusal.status, refusal.message, format: format)
        }
        let response: HTTPResponse
        switch route {
        case .zipkin:
            response = HTTPResponse(status: 202)
        case .otlp:
            let bytes = encoding == .json
                ? OTLPJSONRequest.response(rejected: outcome.rejected, message: outcome.message)
                : OTLPProtobuf.response(rejected: outcome.rejected, message: outcome.message)
            response = HTTPResponse(status: 200, headers: [("Content-Type", encoding.contentType)], body: .bytes(bytes))
        }
        log?(ReceivedRequest(method: request.method, path: request.path, status: response.status, format: format,
                             compressed: compressed, accepted: outcome.accepted, rejected: outcome.rejected, message: outcome.message,
                             counters: store.counters))
        return response
    }

    /// Why a request was not taken: the HTTP status and the message for the sender.
    struct Refusal: Error {
        var status: Int
        var message: String
    }

    /// Decodes one body, saves its spans (before anything is acknowledged) and adds them to the
    /// store. `label` names the request in the store's problem list.
    private func ingest(_ body: [UInt8], route: Route, encoding: Encoding, label: String) -> Result<ExportOutcome, Refusal> {
        var collector = SpanCollector()
        let outcome: ExportOutcome
        let format = route == .zipkin ? "Zipkin JSON" : encoding.format
        do {
            switch (route, encoding) {
            case (.zipkin, _):
                outcome = try ZipkinJSONRequest.read(body, into: &collector)
            case (.otlp, .json):
                outcome = try OTLPJSONRequest.read(body, into: &collector)
            case (.otlp, .protobuf):
                let r = try OTLPProtobuf.read(body, into: &collector)
                outcome = ExportOutcome(accepted: r.accepted, rejected: r.rejected, message: r.message)
            }
        } catch let e as OTLPProtobuf.DecodeError {
            return .failure(Refusal(status: 400, message: e.description))
        } catch let e as TraceFormatError {
            return .failure(Refusal(status: 400, message: "invalid \(format): \(e.description)"))
        } catch {
            return .failure(Refusal(status: 400, message: "invalid \(format): \(error)"))
        }

        let groups = collector.groupedSpans
        if let path = options.savePath, outcome.accepted > 0 {
            var w = JSONWriter()
            OTLPJSONWriter.request(groups.flatMap(\.spans), into: &w)
            let line = w.line()
            let failure: AtomicFile.WriteError? = saving.withLock { _ in
                do throws(AtomicFile.WriteError) {
                    try AtomicFile.append(line, to: path)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure {
                // Not acknowledged, so the sender keeps the spans and may retry (503 is retryable).
                return .failure(Refusal(status: 503, message: "cannot save the spans: \(failure.description)"))
            }
        }

        let problem = outcome.rejected > 0
            ? "\(label): \(outcome.rejected) span\(outcome.rejected == 1 ? "" : "s") rejected: \(outcome.message)"
            : ""
        store.add(groups, rejected: outcome.rejected, problem: problem)
        return .success(outcome)
    }

    // MARK: Other transports

    /// What became of an OTLP export that came by another transport than HTTP (gRPC).
    public enum ExportAnswer: Sendable, Equatable {
        /// Taken: the binary `ExportTraceServiceResponse` to send back (partial success when spans were rejected).
        case accepted(response: [UInt8], accepted: Int, rejected: Int)
        /// The message could not be decoded (gRPC INVALID_ARGUMENT).
        case invalid(String)
        /// The spans could not be saved; the sender should retry (gRPC UNAVAILABLE).
        case unavailable(String)
    }

    /// Decodes, saves and stores one binary OTLP `ExportTraceServiceRequest` that arrived by
    /// another transport, and logs it as `transport` `path` with `status` words from that transport.
    public func exportProtobuf(_ message: [UInt8], transport: String, path: String, compressed: Bool,
                               status: (ExportAnswer) -> String) -> ExportAnswer {
        busy.withLock { $0 += 1 }
        defer { busy.withLock { $0 -= 1 } }
        let answer: ExportAnswer
        var outcome = ExportOutcome(accepted: 0, rejected: 0, message: "")
        switch ingest(message, route: .otlp, encoding: .protobuf, label: "\(transport) \(path)") {
        case .success(let o):
            outcome = o
            answer = .accepted(response: OTLPProtobuf.response(rejected: o.rejected, message: o.message),
                               accepted: o.accepted, rejected: o.rejected)
        case .failure(let refusal):
            answer = refusal.status == 503 ? .unavailable(refusal.message) : .invalid(refusal.message)
            outcome.message = refusal.message
            store.refused("\(transport) \(String(path.prefix(200))) → \(status(answer)): \(refusal.message)")
        }
        log?(ReceivedRequest(method: transport, path: path, status: answer.httpStatus, format: Encoding.protobuf.format,
                             compressed: compressed, accepted: outcome.accepted, rejected: outcome.rejected,
                             message: outcome.message, counters: store.counters, transportStatus: status(answer)))
        return answer
    }

    /// Counts and logs a call that another transport refused before its message could be read
    /// (too large, cut short, an unknown method), with that transport's `status` word.
    public func refusedElsewhere(transport: String, path: String, status: String, httpStatus: Int, compressed: Bool,
                                 _ message: String) {
        store.refused("\(transport) \(String(path.prefix(200))) → \(status): \(message)")
        log?(ReceivedRequest(method: transport, path: path, status: httpStatus, format: nil, compressed: compressed,
                             accepted: 0, rejected: 0, message: message, counters: store.counters, transportStatus: status))
    }

    /// A failure answer: a `google.rpc.Status` in the request's encoding for OTLP, plain text for Zipkin.
    private func refuse(_ request: HTTPRequest, _ route: Route, _ encoding: Encoding, status: Int, _ message: String,
                        format: String? = nil) -> HTTPResponse {
        store.refused("\(String(request.method.prefix(20))) \(String(request.path.prefix(200))) → \(status): \(message)")
        let response: HTTPResponse
        switch route {
        case .zipkin:
            response = .text(message + "\n", status: status)
        case .otlp:
            let rpc = RPCStatus(code: RPCStatus.code(forHTTP: status), message: message)
            response = HTTPResponse(status: status, headers: [("Content-Type", encoding.contentType)],
                                    body: .bytes(encoding == .json ? rpc.json : rpc.protobuf))
        }
        log?(ReceivedRequest(method: request.method, path: request.path, status: status, format: format,
                             compressed: TraceReceiver.contentEncoding(request).hasSuffix("gzip"), accepted: 0, rejected: 0, message: message, counters: store.counters))
        return response
    }

    /// The media type without parameters, lowercased; nil when there is no Content-Type.
    private static func mediaType(_ request: HTTPRequest) -> String? {
        guard let value = request.header("Content-Type") else { return nil }
        let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return type.trimmingSpaces.lowercased()
    }

    /// The OTLP encoding the request declares, nil for anything else.
    private static func encoding(of request: HTTPRequest) -> Encoding? {
        switch mediaType(request) {
        case "application/x-protobuf", "application/protobuf": return .protobuf
        case "application/json": return .json
        default: return nil
        }
    }

    private static func contentEncoding(_ request: HTTPRequest) -> String {
        (request.header("Content-Encoding") ?? "").trimmingSpaces.lowercased()
    }
}

extension TraceReceiver.ExportAnswer {
    /// The HTTP status that means the same.
    var httpStatus: Int {
        switch self {
        case .accepted: return 200
        case .invalid: return 400
        case .unavailable: return 503
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
