import Foundation
import TraceFormats
import TraceModel

/// Reads traces from Jaeger, Tempo and Phoenix into a `TraceDocument`, as if from a file.
///
/// API versions followed (the README says the same):
/// - Jaeger: query API v3 over HTTP (`/api/v3/traces/{id}`, `/api/v3/traces?query.…`, Jaeger 1.35+
///   and 2.x; jaeger internal/proto/api_v3 and cmd/jaeger/…/apiv3/http_gateway.go), answers
///   `{"result": TracesData}` (several concatenated when streamed), errors
///   `{"error":{"httpCode","message"}}`; the v1 HTTP API (`/api/traces`, `{"data":[…]}`) when
///   the v3 routes are missing.
/// - Tempo: `/api/traces/{id}` (`{"batches":[…]}`) and `/api/search` (TraceQL `q` or `tags`,
///   `{"traces":[{"traceID",…}]}`), each found trace fetched by id (Tempo 2.x, docs/sources/tempo/api_docs).
/// - Phoenix: `/v1/projects/{project}/spans/otlpv1` (`{"data":[OTLP spans], "next_cursor"}`,
///   cursor paging; arize-phoenix 12+), spans grouped into traces here.
public struct RemoteClient: Sendable {
    /// Time allowed for one request.
    public var timeout: Duration
    /// The environment credentials are read from.
    public var environment: [String: String]
    /// Told how far a long fetch got (`page 3: 2,400 spans`), for a progress line.
    public var progress: @Sendable (String) -> Void
    /// The clock for "the last hour" (seconds since 1970).
    var now: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    /// Largest answer body taken (a runaway response is cut off with an error, not held in memory).
    static let maxBodyBytes = 512 << 20
    /// Spans per Phoenix page (its maximum).
    static let phoenixPage = 1000

    /// A client.
    public init(timeout: Duration = .seconds(30), environment: [String: String] = ProcessInfo.processInfo.environment,
                progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.timeout = timeout
        self.environment = environment
        self.progress = progress
    }

    /// Fetches the trace the address names, or the traces `query` finds.
    public func load(_ source: RemoteSource, query: RemoteQuery = RemoteQuery()) async throws(RemoteError) -> TraceDocument {
        let fetcher = HTTPFetcher(headers: HTTPFetcher.authHeaders(for: source, environment: environment),
                                  timeout: timeout, label: source.description)
        var collector = SpanCollector()
        let format: String
        switch source.backend {
        case .jaeger: format = try await jaeger(source, query, fetcher, into: &collector)
        case .tempo: format = try await tempo(source, query, fetcher, into: &collector)
        case .phoenix: format = try await phoenix(source, query, fetcher, into: &collector)
        }
        collector.noteFormat(format)
        var doc = collector.document(source: source.description)
        if let id = source.traceID, doc.traces.isEmpty {
            guard doc.skippedSpans > 0 else { throw RemoteError(source: source.description, "no trace with id \(id)") }
            let n = doc.skippedSpans
            throw RemoteError(source: source.description, "trace \(id) came back, but its \(n) span\(n == 1 ? "" : "s") could not be read"
                              + (doc.warnings.first.map { ": \(printable($0, limit: 160))" } ?? ""))
        }
        doc.format = format
        return doc
    }

    // MARK: Jaeger

    private func jaeger(_ s: RemoteSource, _ q: RemoteQuery, _ f: HTTPFetcher,
                        into collector: inout SpanCollector) async throws(RemoteError) -> String {
        if let id = s.traceID {
            let url = s.base + "/api/v3/traces/" + id
            let r = try await f.get(url)
            if r.status == 200 {
                try readJaegerV3(r.body, url: url, f, into: &collector)
                return "Jaeger API v3"
            }
            if r.status == 404, !Self.isJSON(r.body) {
                // No v3 routes: Jaeger 1.x before 1.35, or a proxy that only passes /api.
                let v1 = s.base + "/api/traces/" + id
                let old = try await f.get(v1)
                guard old.status == 200 else {
                    throw old.status == 404 ? RemoteError(source: f.label, "no trace with id \(id)") : f.failure(old, url: v1, backend: .jaeger)
                }
                try readJSON(old.body, url: v1, expecting: "a Jaeger {\"data\":[…]} answer", f, into: &collector)
                return "Jaeger API v1"
            }
            if r.status == 404 { throw RemoteError(source: f.label, "no trace with id \(id)") }
            throw f.failure(r, url: url, backend: .jaeger)
        }
        guard let service = q.service else {
            let services = await jaegerServices(s, f)
            throw RemoteError(source: f.label, "Jaeger searches one service at a time: add --service NAME"
                              + (services.isEmpty ? "" : " (it knows: \(services.prefix(12).joined(separator: ", ")))"))
        }
        let (start, end) = q.range(now: now())
        var items: [URLQueryItem] = [
            URLQueryItem(name: "query.service_name", value: service),
            URLQueryItem(name: "query.start_time_min", value: Self.rfc3339(start)),
            URLQueryItem(name: "query.start_time_max", value: Self.rfc3339(end)),
            URLQueryItem(name: "query.search_depth", value: String(q.limit)),
            // The same limit under the name Jaeger 1.x's v3 gateway reads.
            URLQueryItem(name: "query.num_traces", value: String(q.limit)),
        ]
        if let op = q.operation { items.append(URLQueryItem(name: "query.operation_name", value: op)) }
        if let d = q.minDuration { items.append(URLQueryItem(name: "query.duration_min", value: d)) }
        if let d = q.maxDuration { items.append(URLQueryItem(name: "query.duration_max", value: d)) }
        if !q.attributes.isEmpty { items.append(URLQueryItem(name: "query.attributes", value: Self.jsonObject(q.attributes))) }
        let url = s.base + "/api/v3/traces?" + Self.encode(items)
        progress("searching \(service) in Jaeger")
        let r = try await f.get(url)
        if r.status == 200 {
            try readJaegerV3(r.body, url: url, f, into: &collector)
            return "Jaeger API v3"
        }
        if r.status == 404, Self.isJSON(r.body) { return "Jaeger API v3" }   // "No traces found"
        guard r.status == 404 else { throw f.failure(r, url: url, backend: .jaeger) }
        var old: [URLQueryItem] = [
            URLQueryItem(name: "service", value: service),
            URLQueryItem(name: "start", value: String(Int64(start * 1e6))),
            URLQueryItem(name: "end", value: String(Int64(end * 1e6))),
            URLQueryItem(name: "limit", value: String(q.limit)),
        ]
        if let op = q.operation { old.append(URLQueryItem(name: "operation", value: op)) }
        if let d = q.minDuration { old.append(URLQueryItem(name: "minDuration", value: d)) }
        if let d = q.maxDuration { old.append(URLQueryItem(name: "maxDuration", value: d)) }
        if !q.attributes.isEmpty { old.append(URLQueryItem(name: "tags", value: Self.jsonObject(q.attributes))) }
        let v1 = s.base + "/api/traces?" + Self.encode(old)
        let o = try await f.get(v1)
        guard o.status == 200 else { throw f.failure(o, url: v1, backend: .jaeger) }
        try readJSON(o.body, url: v1, expecting: "a Jaeger {\"data\":[…]} answer", f, into: &collector)
        return "Jaeger API v1"
    }

    /// The services Jaeger knows, for a hint; empty when it cannot say.
    private func jaegerServices(_ s: RemoteSource, _ f: HTTPFetcher) async -> [String] {
        for path in ["/api/v3/services", "/api/services"] {
            guard let r = try? await f.get(s.base + path), r.status == 200,
                  let object = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] else { continue }
            if let list = (object["services"] ?? object["data"]) as? [String] { return list.sorted().map { printable($0, limit: 60) } }
        }
        return []
    }

    /// `{"result": TracesData}` objects, one or several back to back (a streamed answer).
    private func readJaegerV3(_ body: [UInt8], url: String, _ f: HTTPFetcher,
                              into collector: inout SpanCollector) throws(RemoteError) {
        let chunks = JSONValues.split(body)
        guard !chunks.isEmpty else { throw notPromised(f, url, "a Jaeger {\"result\":…} answer", body) }
        for chunk in chunks {
            guard let object = try? JSONSerialization.jsonObject(with: Data(chunk)) as? [String: Any] else {
                throw notPromised(f, url, "a Jaeger {\"result\":…} answer", chunk)
            }
            if let error = object["error"] as? [String: Any] {
                throw RemoteError(source: f.label, "Jaeger answered with an error: \(printable(error["message"] as? String ?? "\(error)", limit: 160))")
            }
            guard object["result"] is [String: Any], let result = JSONValues.member(chunk, "result") else {
                throw notPromised(f, url, "a Jaeger {\"result\":…} answer", chunk)
            }
            try readJSON(result, url: url, expecting: "OTLP TracesData in \"result\"", f, into: &collector)
        }
    }

    // MARK: Tempo

    private func tempo(_ s: RemoteSource, _ q: RemoteQuery, _ f: HTTPFetcher,
                       into collector: inout SpanCollector) async throws(RemoteError) -> String {
        if let id = s.traceID {
            try await tempoTrace(s, id, f, into: &collector)
            return "Tempo API"
        }
        let (start, end) = q.range(now: now())
        var items = [URLQueryItem(name: "q", value: Self.traceQL(q)),
                     URLQueryItem(name: "limit", value: String(q.limit)),
                     URLQueryItem(name: "start", value: String(Int64(start))),
                     URLQueryItem(name: "end", value: String(Int64(end.rounded(.up))))]
        if q.traceQL == nil {
            if let d = q.minDuration { items.append(URLQueryItem(name: "minDuration", value: d)) }
            if let d = q.maxDuration { items.append(URLQueryItem(name: "maxDuration", value: d)) }
        }
        let url = s.base + "/api/search?" + Self.encode(items)
        progress("searching Tempo")
        let r = try await f.get(url)
        guard r.status == 200 else {
            if r.status == 400 { throw RemoteError(source: f.label, "Tempo refused the search: \(HTTPFetcher.detail(r.body))") }
            throw f.failure(r, url: url, backend: .tempo)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] else {
            throw notPromised(f, url, "a Tempo search answer {\"traces\":[…]}", r.body)
        }
        let found = (object["traces"] as? [[String: Any]] ?? []).compactMap { $0["traceID"] as? String }
        if object["traces"] != nil, !(object["traces"] is [Any]) {
            throw notPromised(f, url, "a Tempo search answer {\"traces\":[…]}", r.body)
        }
        for (i, id) in found.prefix(q.limit).enumerated() {
            progress("fetching trace \(i + 1) of \(min(found.count, q.limit)) from Tempo")
            guard id.allSatisfy(\.isHexDigit), !id.isEmpty, id.count <= 64 else {
                throw notPromised(f, url, "hex trace ids in the search answer", Array(id.utf8))
            }
            try await tempoTrace(s, id, f, into: &collector)
        }
        return "Tempo API"
    }

    private func tempoTrace(_ s: RemoteSource, _ id: String, _ f: HTTPFetcher,
                            into collector: inout SpanCollector) async throws(RemoteError) {
        let url = s.base + "/api/traces/" + id
        let r = try await f.get(url)
        guard r.status == 200 else {
            if r.status == 404 { throw RemoteError(source: f.label, "no trace with id \(id)") }
            throw f.failure(r, url: url, backend: .tempo)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] else {
            throw notPromised(f, url, "a Tempo trace {\"batches\":[…]}", r.body)
        }
        // /api/traces answers {"batches": […]}, /api/v2/traces {"trace": TracesData}: the same
        // resource spans under another name.
        // Spliced, not decoded and encoded again: nanosecond times do not survive a Double.
        let resourceSpans: [UInt8]
        if object["batches"] is [Any], let b = JSONValues.member(r.body, "batches") { resourceSpans = b }
        else if object["trace"] is [String: Any], let t = JSONValues.member(r.body, "trace"), let rs = JSONValues.member(t, "resourceSpans") { resourceSpans = rs }
        else if object["resourceSpans"] is [Any], let rs = JSONValues.member(r.body, "resourceSpans") { resourceSpans = rs }
        else { throw notPromised(f, url, "a Tempo trace {\"batches\":[…]}", r.body) }
        try readJSON(Array(#"{"resourceSpans":"#.utf8) + resourceSpans + [0x7D], url: url, expecting: "OTLP resource spans",
                     f, into: &collector)
    }

    /// The TraceQL for a query: `--traceql` as it is, else one spanset filter built from the flags.
    static func traceQL(_ q: RemoteQuery) -> String {
        if let t = q.traceQL { return t }
        var conditions: [String] = []
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        if let s = q.service { conditions.append("resource.service.name = \(quoted(s))") }
        if let o = q.operation { conditions.append("name = \(quoted(o))") }
        for (k, v) in q.attributes.sorted(by: { $0.key < $1.key }) { conditions.append(".\(k) = \(quoted(v))") }
        if let d = q.minDuration { conditions.append("duration >= \(d)") }
        if let d = q.maxDuration { conditions.append("duration <= \(d)") }
        return "{" + (conditions.isEmpty ? "" : " " + conditions.joined(separator: " && ") + " ") + "}"
    }

    // MARK: Phoenix

    private func phoenix(_ s: RemoteSource, _ q: RemoteQuery, _ f: HTTPFetcher,
                         into collector: inout SpanCollector) async throws(RemoteError) -> String {
        let project = s.project.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? s.project
        var base: [URLQueryItem] = [URLQueryItem(name: "limit", value: String(Self.phoenixPage))]
        if let id = s.traceID {
            base.append(URLQueryItem(name: "trace_id", value: id))
        } else {
            let (start, end) = q.range(now: now())
            base.append(URLQueryItem(name: "start_time", value: Self.rfc3339(start)))
            base.append(URLQueryItem(name: "end_time", value: Self.rfc3339(end)))
        }
        var all: [[String: Any]] = []
        var pages: [[UInt8]] = []
        var cursor: String?
        var page = 0
        repeat {
            var items = base
            if let c = cursor { items.append(URLQueryItem(name: "cursor", value: c)) }
            let url = s.base + "/v1/projects/\(project)/spans/otlpv1?" + Self.encode(items)
            let r = try await f.get(url)
            guard r.status == 200 else {
                if r.status == 404 {
                    let detail = HTTPFetcher.detail(r.body)
                    if detail.lowercased().contains("project") {
                        throw RemoteError(source: f.label, "Phoenix has no project \(printable(s.project, limit: 80)) (\(detail))")
                    }
                    throw RemoteError(source: f.label, "HTTP 404 for \(url): this Phoenix has no OTLP span API (arize-phoenix 12 or later has it)")
                }
                throw f.failure(r, url: url, backend: .phoenix)
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any],
                  let data = object["data"] as? [[String: Any]], let bytes = JSONValues.member(r.body, "data") else {
                throw notPromised(f, url, "a Phoenix page {\"data\":[…],\"next_cursor\":…}", r.body)
            }
            all += data
            pages.append(bytes)
            page += 1
            cursor = object["next_cursor"] as? String
            if cursor != nil || page > 1 { progress("page \(page): \(all.count) spans from Phoenix") }
        } while cursor != nil
        guard !all.isEmpty else { return "Phoenix API" }
        // The spans come without their resource: the project stands for the service. Each page's
        // list is spliced in as it came (nanosecond times do not survive a Double).
        var request = Array(#"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"#.utf8)
        request += Self.serialize([s.project]).dropFirst().dropLast()
        request += Array(#"}}]},"scopeSpans":["#.utf8)
        for (i, page) in pages.enumerated() {
            if i > 0 { request.append(0x2C) }
            request += Array(#"{"spans":"#.utf8) + page + [0x7D]
        }
        request += Array("]}]}".utf8)
        var local = SpanCollector()
        try readJSON(request, url: s.base, expecting: "OTLP spans", f, into: &local)
        var doc = local.document(source: s.description)
        // The newest `limit` traces when searching.
        if s.traceID == nil, doc.traces.count > q.limit {
            doc.traces.sort { $0.startNanos > $1.startNanos }
            doc.traces.removeLast(doc.traces.count - q.limit)
        }
        for t in doc.traces { for span in t.spans { collector.add(span) } }
        return "Phoenix API"
    }

    // MARK: Helpers

    /// Reads a JSON body through the file readers (format detection included).
    private func readJSON(_ body: [UInt8], url: String, expecting: String, _ f: HTTPFetcher,
                          into collector: inout SpanCollector) throws(RemoteError) {
        do {
            try TraceLoader.read(body, source: url, into: &collector)
        } catch {
            throw notPromised(f, url, expecting, body, why: error.message)
        }
    }

    private func notPromised(_ f: HTTPFetcher, _ url: String, _ expected: String, _ body: [UInt8], why: String? = nil) -> RemoteError {
        let start = printable(String(decoding: body.prefix(80), as: UTF8.self), limit: 60)
        return RemoteError(source: f.label, "GET \(url) did not answer with \(expected)"
                           + (why.map { " (\($0))" } ?? "") + (start.isEmpty ? ": empty body" : ": \(start)"))
    }

    static func isJSON(_ body: [UInt8]) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(body))) != nil
    }

    static func serialize(_ object: Any) -> [UInt8] {
        (try? Array(JSONSerialization.data(withJSONObject: object))) ?? []
    }

    static func jsonObject(_ map: [String: String]) -> String {
        String(decoding: serialize(map), as: UTF8.self)
    }

    /// Query items percent-encoded strictly (`+`, `&`, `=` and spaces too), which URLComponents does not do.
    static func encode(_ items: [URLQueryItem]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return items.map { item in
            let v = item.value ?? ""
            return item.name.addingPercentEncoding(withAllowedCharacters: allowed)! + "=" + v.addingPercentEncoding(withAllowedCharacters: allowed)!
        }.joined(separator: "&")
    }

    /// RFC 3339 with microseconds in UTC: `2026-12-02T10:00:00.123456Z`.
    static func rfc3339(_ seconds: Double) -> String {
        let whole = floor(seconds)
        let micros = Int((seconds - whole) * 1e6)
        var t = time_t(whole)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }
}

/// Splits a body holding JSON values back to back (a streamed gRPC-gateway answer) into the values,
/// and finds a member of an object as its bytes.
enum JSONValues {
    /// The bytes of the value of top-level member `key` of the object in `b`, nil when absent.
    static func member(_ b: [UInt8], _ key: String) -> [UInt8]? {
        let want = Array(key.utf8)
        var i = 0
        func skipSpace() { while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }
        /// The end (exclusive) of the value starting at i.
        func valueEnd() -> Int? {
            guard i < b.count else { return nil }
            if b[i] == 0x22 {
                var j = i + 1
                while j < b.count {
                    if b[j] == 0x5C { j += 2; continue }
                    if b[j] == 0x22 { return j + 1 }
                    j += 1
                }
                return nil
            }
            if b[i] == 0x7B || b[i] == 0x5B {
                return split(Array(b[i...])).first.map { i + $0.count }
            }
            var j = i
            while j < b.count, b[j] != 0x2C, b[j] != 0x7D, b[j] != 0x5D, b[j] > 0x20 { j += 1 }
            return j
        }
        skipSpace()
        guard i < b.count, b[i] == 0x7B else { return nil }
        i += 1
        while true {
            skipSpace()
            guard i < b.count, b[i] == 0x22, let keyEnd = valueEnd() else { return nil }
            let name = Array(b[(i + 1)..<(keyEnd - 1)])
            i = keyEnd
            skipSpace()
            guard i < b.count, b[i] == 0x3A else { return nil }
            i += 1
            skipSpace()
            guard let end = valueEnd() else { return nil }
            if name == want { return Array(b[i..<end]) }
            i = end
            skipSpace()
            guard i < b.count, b[i] == 0x2C else { return nil }
            i += 1
        }
    }

    static func split(_ b: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start = -1
        for (i, c) in b.enumerated() {
            if inString {
                if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
                continue
            }
            switch c {
            case 0x22: inString = true
            case 0x7B, 0x5B:
                if depth == 0 { start = i }
                depth += 1
            case 0x7D, 0x5D:
                depth -= 1
                if depth == 0, start >= 0 {
                    out.append(Array(b[start...i]))
                    start = -1
                }
                if depth < 0 { return out }
            default: break
            }
        }
        return out
    }
}
