import AITracing
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import TraceModel
import TraceWriters

/// Sends spans to an OTLP/HTTP receiver as binary protobuf (`POST …/v1/traces`,
/// `Content-Type: application/x-protobuf`), gzip-compressed by default: `spanscope listen`, an
/// OpenTelemetry Collector, Jaeger, Tempo, Phoenix, Langfuse.
///
/// Use it under a `BatchingExporter`, which batches, flushes on shutdown and keeps unsent spans in
/// the `SpanStore` (a bounded queue: past its limit new spans are dropped and counted in
/// `store.dropReport`):
///
/// ```swift
/// let store = SpanStore(limit: 100_000)
/// let tracer = AITracer(service: "agent-service", store: store)
/// let exporter = BatchingExporter(store: store,
///                                 exporter: OTLPHTTPExporter(endpoint: "http://127.0.0.1:4318"))
/// // … record spans …
/// await exporter.shutdown()   // sends what is left
/// ```
///
/// Retries follow the OTLP/HTTP specification
/// (https://github.com/open-telemetry/opentelemetry-proto/blob/main/docs/specification.md#otlphttp-throttling):
/// 429, 502, 503 and 504 answers and connection failures are retried with exponential backoff,
/// waiting as long as a `Retry-After` header asks (seconds or an HTTP date, capped at
/// `maxBackoff`); after `maxAttempts` the export fails and the spans stay in the store for the
/// next flush. Any other answer is final: the batch is dropped and counted, since sending the same
/// bytes again cannot succeed. Spans a receiver rejects in a partial success are counted too.
public final class OTLPHTTPExporter: SpanExporter {
    /// Where and how to send.
    public struct Configuration: Sendable {
        /// The traces URL (`http://host:4318/v1/traces`); a URL with no path gets `/v1/traces`.
        public var endpoint: String
        /// Extra request headers (authentication: `Authorization`, `api_key`, …).
        public var headers: [String: String]
        /// Compress request bodies with gzip.
        public var gzip: Bool
        /// Time allowed for one request.
        public var timeout: Duration
        /// Attempts per batch before the export fails (at least 1).
        public var maxAttempts: Int
        /// Wait before the first retry; doubled for each further one.
        public var initialBackoff: Duration
        /// Longest wait between attempts, `Retry-After` included.
        public var maxBackoff: Duration

        /// A configuration; `endpoint` without a path gets `/v1/traces` (as `OTEL_EXPORTER_OTLP_ENDPOINT` does).
        public init(endpoint: String, headers: [String: String] = [:], gzip: Bool = true, timeout: Duration = .seconds(10),
                    maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(500), maxBackoff: Duration = .seconds(30)) {
            self.endpoint = Configuration.tracesURL(endpoint)
            self.headers = headers
            self.gzip = gzip
            self.timeout = timeout
            self.maxAttempts = max(1, maxAttempts)
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
        }

        /// The configuration the OpenTelemetry SDKs read from the environment
        /// (https://opentelemetry.io/docs/specs/otel/protocol/exporter/): `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`
        /// (used as is) or `OTEL_EXPORTER_OTLP_ENDPOINT` (a base; `/v1/traces` is appended),
        /// `…_HEADERS` (`key=value,…`, percent-encoded values), `…_COMPRESSION` (`gzip` or `none`),
        /// `…_TIMEOUT` (milliseconds). Nil when no endpoint is set.
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Configuration? {
            func value(_ name: String) -> String? {
                let v = environment["OTEL_EXPORTER_OTLP_TRACES_" + name] ?? environment["OTEL_EXPORTER_OTLP_" + name]
                return v.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            }
            var endpoint: String
            if let traces = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"], !traces.isEmpty {
                endpoint = traces
            } else if let base = environment["OTEL_EXPORTER_OTLP_ENDPOINT"], !base.isEmpty {
                endpoint = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/traces"
            } else {
                return nil
            }
            endpoint = endpoint.trimmingCharacters(in: .whitespaces)
            var headers: [String: String] = [:]
            for pair in (value("HEADERS") ?? "").split(separator: ",") {
                guard let eq = pair.firstIndex(of: "=") else { continue }
                let key = pair[..<eq].trimmingCharacters(in: .whitespaces)
                let raw = pair[pair.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                if !key.isEmpty { headers[key] = raw.removingPercentEncoding ?? raw }
            }
            var c = Configuration(endpoint: endpoint, headers: headers)
            c.endpoint = endpoint   // used as given: only an explicit `endpoint:` argument gets a path added
            if let compression = value("COMPRESSION") { c.gzip = compression.lowercased() == "gzip" }
            if let ms = value("TIMEOUT").flatMap(Int.init), ms > 0 { c.timeout = .milliseconds(ms) }
            return c
        }

        /// `url` with `/v1/traces` when it has no path.
        static func tracesURL(_ url: String) -> String {
            guard let schemeEnd = url.range(of: "://") else { return url }
            let rest = url[schemeEnd.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return url + "/v1/traces" }
            return rest[slash...] == "/" ? url + "v1/traces" : url
        }
    }

    /// What the exporter has done so far.
    public struct Counters: Sendable, Equatable {
        /// Spans a receiver took.
        public var sentSpans = 0
        /// Spans a receiver refused for good (a final error answer, or rejected in a partial success).
        public var rejectedSpans = 0
        /// Requests sent, retries included.
        public var requests = 0
        /// Requests that were retries.
        public var retries = 0
        /// Creates zero counters.
        public init() {}
    }

    /// Where and how it sends.
    public let configuration: Configuration
    private let counts = Mutex(Counters())
    private let onRejected: @Sendable (AITracingError) -> Void
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Creates an exporter sending to `endpoint` (a URL with no path gets `/v1/traces`).
    public convenience init(endpoint: String, headers: [String: String] = [:], gzip: Bool = true) {
        self.init(Configuration(endpoint: endpoint, headers: headers, gzip: gzip))
    }

    /// Creates an exporter.
    ///
    /// - Parameters:
    ///   - onRejected: told when a receiver refuses spans for good; by default a line on standard error.
    ///   - sleep: waits between attempts (tests pass one that records the waits).
    public init(_ configuration: Configuration,
                onRejected: @escaping @Sendable (AITracingError) -> Void = BatchingExporter.printToStandardError,
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.configuration = configuration
        self.onRejected = onRejected
        self.sleep = sleep
    }

    /// What was sent, refused and retried so far.
    public var counters: Counters { counts.withLock { $0 } }

    /// Sends `spans` as one request, retrying as described above; throws when they could not be
    /// delivered (so a `BatchingExporter` keeps them).
    public func export(_ spans: [TraceModel.Span]) async throws(AITracingError) {
        guard !spans.isEmpty else { return }
        guard let url = URL(string: configuration.endpoint), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            throw AITracingError(.invalidArgument, subject: configuration.endpoint, reason: "not an http(s) URL")
        }
        var body = OTLPProtobufWriter.request(spans)
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/x-protobuf", forHTTPHeaderField: "Content-Type")
        if configuration.gzip, let compressed = Deflate.gzip(body) {
            body = compressed
            request.setValue("gzip", forHTTPHeaderField: "Content-Encoding")
        }
        for (k, v) in configuration.headers { request.setValue(v, forHTTPHeaderField: k) }
        request.httpBody = Data(body)

        var backoff = configuration.initialBackoff
        var attempt = 1
        while true {
            counts.withLock { c in
                c.requests += 1
                if attempt > 1 { c.retries += 1 }
            }
            var failure: String
            var wait = backoff
            do {
                let (status, headers, response) = try await OTLPHTTPExporter.send(request, timeout: configuration.timeout)
                if (200..<300).contains(status) {
                    let partial = PartialSuccess(Array(response))
                    let rejected = min(spans.count, partial.rejected)
                    counts.withLock { c in
                        c.sentSpans += spans.count - rejected
                        c.rejectedSpans += rejected
                    }
                    if rejected > 0 {
                        let why = partial.message
                        onRejected(AITracingError(.exportFailed, subject: configuration.endpoint,
                                                  reason: "\(rejected) of \(spans.count) spans rejected" + (why.isEmpty ? "" : ": \(why)")))
                    }
                    return
                }
                let message = OTLPHTTPExporter.describe(status: status, body: response)
                guard [429, 502, 503, 504].contains(status) else {
                    counts.withLock { $0.rejectedSpans += spans.count }
                    onRejected(AITracingError(.exportFailed, subject: configuration.endpoint,
                                              reason: "\(message); \(spans.count) span\(spans.count == 1 ? "" : "s") dropped (not retryable)"))
                    return
                }
                failure = message
                if let asked = headers["retry-after"].flatMap(OTLPHTTPExporter.retryAfter) { wait = asked }
            } catch {
                failure = OTLPHTTPExporter.describe(error)
            }
            guard attempt < configuration.maxAttempts else {
                throw AITracingError(.exportFailed, subject: configuration.endpoint,
                                     reason: "\(failure) (after \(attempt) attempt\(attempt == 1 ? "" : "s"))")
            }
            do {
                try await sleep(min(wait, configuration.maxBackoff))
            } catch {
                throw AITracingError(.exportFailed, subject: configuration.endpoint, reason: "\(failure) (cancelled while waiting to retry)")
            }
            backoff = min(backoff * 2, configuration.maxBackoff)
            attempt += 1
        }
    }

    // MARK: HTTP

    /// One request through URLSession: status, lowercased headers, body.
    private static func send(_ request: URLRequest, timeout: Duration) async throws -> (Int, [String: String], Data) {
        var request = request
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        request.timeoutInterval = seconds
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = seconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { return (0, [:], data) }
        var headers: [String: String] = [:]
        for (k, v) in http.allHeaderFields {
            if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
        }
        return (http.statusCode, headers, data)
    }

    /// A `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 section 10.2.3).
    static func retryAfter(_ value: String) -> Duration? {
        let v = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(v), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: v) else { return nil }
        let delay = max(0, date.timeIntervalSinceNow)
        return .milliseconds(Int(delay * 1000))
    }

    /// `HTTP 503: message` with the receiver's `google.rpc.Status` message or text, if any.
    static func describe(status: Int, body: Data) -> String {
        var text = ""
        let bytes = Array(body.prefix(4096))
        if let message = rpcStatusMessage(bytes) {
            text = message
        } else if let s = String(bytes: bytes, encoding: .utf8), !s.contains("\0") {
            text = s.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        text = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) }.prefix(200))
        return "HTTP \(status)" + (text.isEmpty ? "" : ": \(text)")
    }

    /// A connection failure in a few words.
    static func describe(_ error: any Error) -> String {
        if let e = error as? URLError {
            switch e.code {
            case .cannotConnectToHost: return "connection refused"
            case .timedOut: return "timed out"
            case .cannotFindHost: return "unknown host"
            case .networkConnectionLost: return "connection lost"
            default: return e.localizedDescription
            }
        }
        return String(describing: error)
    }
}

/// The `partial_success` of an `ExportTraceServiceResponse`: field 1 holds
/// `{int64 rejected_spans = 1; string error_message = 2;}` (opentelemetry-proto
/// collector/trace/v1/trace_service.proto).
struct PartialSuccess {
    var rejected = 0
    var message = ""

    init(_ bytes: [UInt8]) {
        guard let partial = ProtoFields.scan(bytes).first(where: { $0.field == 1 && $0.bytes != nil })?.bytes else { return }
        for f in ProtoFields.scan(partial) {
            if f.field == 1, let v = f.varint { rejected = Int(clamping: v) }
            if f.field == 2, let b = f.bytes { message = String(decoding: b, as: UTF8.self) }
        }
    }
}

/// The message of a `google.rpc.Status` body (`int32 code = 1; string message = 2;`), nil when
/// the bytes are not one.
func rpcStatusMessage(_ bytes: [UInt8]) -> String? {
    guard !bytes.isEmpty else { return nil }
    let fields = ProtoFields.scan(bytes)
    guard !fields.isEmpty, fields.allSatisfy({ $0.field == 1 || $0.field == 2 || $0.field == 3 }),
          let m = fields.first(where: { $0.field == 2 })?.bytes else { return nil }
    let text = String(decoding: m, as: UTF8.self)
    return text.unicodeScalars.allSatisfy({ $0.value >= 0x20 || $0 == "\n" || $0 == "\t" }) ? text : nil
}

/// The top-level fields of a protobuf message: enough to read the two small answers above
/// without linking a reader. Stops (returning what it has) at the first malformed byte.
enum ProtoFields {
    struct Field {
        var field: Int
        var varint: UInt64?
        var bytes: [UInt8]?
    }

    static func scan(_ b: [UInt8]) -> [Field] {
        var out: [Field] = []
        var i = 0
        func varint() -> UInt64? {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while i < b.count, shift < 64 {
                let byte = b[i]
                i += 1
                v |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return v }
                shift += 7
            }
            return nil
        }
        while i < b.count {
            guard let tag = varint() else { return out }
            let field = Int(tag >> 3)
            switch tag & 7 {
            case 0:
                guard let v = varint() else { return out }
                out.append(Field(field: field, varint: v))
            case 1:
                guard i + 8 <= b.count else { return out }
                i += 8
            case 2:
                guard let n = varint(), n <= UInt64(b.count - i) else { return out }
                out.append(Field(field: field, bytes: Array(b[i..<(i + Int(n))])))
                i += Int(n)
            case 5:
                guard i + 4 <= b.count else { return out }
                i += 4
            default:
                return out
            }
        }
        return out
    }
}
