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

    /// What `query` finds, for a trace list: whole traces where the API answers with them
    /// (Jaeger's FindTraces), summaries where it answers with those (Tempo's search; Phoenix's
    /// root spans, `parent_id=null`), which `trace(_:in:)` then fetches one at a time.
    public func search(_ source: RemoteSource, query: RemoteQuery = RemoteQuery()) async throws(RemoteError) -> RemoteSearchResult {
        var s = source
        s.traceID = nil
        let fetcher = HTTPFetcher(headers: HTTPFetcher.authHeaders(for: s, environment: environment),
                                  timeout: timeout, label: s.description)
        switch s.backend {
        case .jaeger:
            return RemoteSearchResult(document: try await load(s, query: query), hits: [])
        case .tempo:
            let hits = try await tempoSearch(s, query, fetcher)
            return RemoteSearchResult(document: TraceDocument(source: s.description, format: "Tempo API", traces: []), hits: hits)
        case .phoenix:
            progress("searching \(s.project) in Phoenix")
            var items = [URLQueryItem(name: "limit", value: String(min(query.limit, Self.phoenixPage))),
                         URLQueryItem(name: "parent_id", value: "null")]
            items += phoenixRange(query)
            var roots = SpanCollector()
            try await phoenixPages(s, items, fetcher, into: &roots, upTo: query.limit)
            let doc = roots.document(source: s.description)
            var hits: [TraceSearchHit] = []
            for t in doc.traces {
                // A Phoenix that ignores parent_id sends other spans too: the earliest stands for the trace.
                let root = t.rootIndex ?? t.preorder.first.map(Int.init) ?? 0
                let span = t.spans[root]
                hits.append(TraceSearchHit(id: t.id, rootName: span.name, service: span.service, startNanos: span.startNanos,
                                           durationNanos: span.endNanos - span.startNanos,
                                           errorCount: span.status.isError ? 1 : nil))
            }
            hits.sort { $0.startNanos > $1.startNanos }
            return RemoteSearchResult(document: TraceDocument(source: s.description, format: "Phoenix API", traces: [],
                                                              warnings: doc.warnings, skippedSpans: doc.skippedSpans),
                                      hits: Array(hits.prefix(query.limit)))
        }
    }

    /// The whole trace `id` from the backend `source` names.
    public func trace(_ id: TraceID, in source: RemoteSource) async throws(RemoteError) -> Trace {
        var s = source
        s.traceID = id.description
        let doc = try await load(s)
        guard let t = doc.traces.first(where: { $0.id == id }) ?? doc.traces.first else {
            throw RemoteError(source: s.description, "no trace with id \(id)")
        }
        return t
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
                try readJaegerV1(old.body, url: v1, f, into: &collector)
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
        try readJaegerV1(o.body, url: v1, f, into: &collector)
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

    /// `{"result": TracesData}` objects, one or several back to back (a streamed answer), read by
    /// the OTLP reader; an `{"error":…}` object in the answer becomes the error.
    private func readJaegerV3(_ body: [UInt8], url: String, _ f: HTTPFetcher,
                              into collector: inout SpanCollector) throws(RemoteError) {
        let backendError: String?
        do {
            backendError = try BackendAnswers.readJaegerV3(body, source: url, into: &collector)
        } catch {
            throw notPromised(f, url, "a Jaeger {\"result\":…} answer", body, why: error.message)
        }
        if let backendError {
            throw RemoteError(source: f.label, "Jaeger answered with an error: \(printable(backendError, limit: 160))")
        }
    }

    // MARK: Tempo

    private func tempo(_ s: RemoteSource, _ q: RemoteQuery, _ f: HTTPFetcher,
                       into collector: inout SpanCollector) async throws(RemoteError) -> String {
        if let id = s.traceID {
            try await tempoTrace(s, id, f, into: &collector)
            return "Tempo API"
        }
        let found = try await tempoSearch(s, q, f)
        for (i, hit) in found.enumerated() {
            progress("fetching trace \(i + 1) of \(found.count) from Tempo")
            try await tempoTrace(s, hit.id.description, f, into: &collector)
        }
        return "Tempo API"
    }

    /// The traces a TraceQL search finds, as Tempo summarises them (at most `q.limit`).
    private func tempoSearch(_ s: RemoteSource, _ q: RemoteQuery, _ f: HTTPFetcher) async throws(RemoteError) -> [TraceSearchHit] {
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
        let found: [TraceSearchHit]
        do {
            found = try BackendAnswers.tempoSearch(r.body, source: url)
        } catch {
            throw notPromised(f, url, "a Tempo search answer {\"traces\":[…]}", r.body, why: error.message)
        }
        return Array(found.prefix(q.limit))
    }

    private func tempoTrace(_ s: RemoteSource, _ id: String, _ f: HTTPFetcher,
                            into collector: inout SpanCollector) async throws(RemoteError) {
        let url = s.base + "/api/traces/" + id
        let r = try await f.get(url)
        guard r.status == 200 else {
            if r.status == 404 { throw RemoteError(source: f.label, "no trace with id \(id)") }
            throw f.failure(r, url: url, backend: .tempo)
        }
        do {
            try BackendAnswers.readTempoTrace(r.body, source: url, into: &collector)
        } catch {
            throw notPromised(f, url, "a Tempo trace {\"batches\":[…]}", r.body, why: error.message)
        }
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
        var items: [URLQueryItem] = [URLQueryItem(name: "limit", value: String(Self.phoenixPage))]
        if let id = s.traceID {
            items.append(URLQueryItem(name: "trace_id", value: id))
        } else {
            items += phoenixRange(q)
        }
        var local = SpanCollector()
        try await phoenixPages(s, items, f, into: &local, upTo: nil)
        guard local.spanCount > 0 || local.skippedSpans > 0 else { return "Phoenix API" }
        var doc = local.document(source: s.description)
        // The newest `limit` traces when searching.
        if s.traceID == nil, doc.traces.count > q.limit {
            doc.traces.sort { $0.startNanos > $1.startNanos }
            doc.traces.removeLast(doc.traces.count - q.limit)
        }
        for t in doc.traces { for span in t.spans { collector.add(span) } }
        for w in doc.warnings { collector.warn(w) }
        collector.skippedSpans += doc.skippedSpans
        return "Phoenix API"
    }

    /// The time range of a search, as Phoenix's query parameters.
    private func phoenixRange(_ q: RemoteQuery) -> [URLQueryItem] {
        let (start, end) = q.range(now: now())
        return [URLQueryItem(name: "start_time", value: Self.rfc3339(start)),
                URLQueryItem(name: "end_time", value: Self.rfc3339(end))]
    }

    /// Reads Phoenix's span pages for `items`, following the cursor (up to `upTo` spans when given).
    private func phoenixPages(_ s: RemoteSource, _ items: [URLQueryItem], _ f: HTTPFetcher,
                              into collector: inout SpanCollector, upTo: Int?) async throws(RemoteError) {
        let project = s.project.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? s.project
        var cursor: String?
        var page = 0
        repeat {
            var query = items
            if let c = cursor { query.append(URLQueryItem(name: "cursor", value: c)) }
            let url = s.base + "/v1/projects/\(project)/spans/otlpv1?" + Self.encode(query)
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
            do {
                cursor = try BackendAnswers.readPhoenixPage(r.body, project: s.project, source: url, into: &collector)
            } catch {
                throw notPromised(f, url, "a Phoenix page {\"data\":[…],\"next_cursor\":…}", r.body, why: error.message)
            }
            page += 1
            if cursor != nil || page > 1 { progress("page \(page): \(collector.spanCount) spans from Phoenix") }
            if let upTo, collector.spanCount >= upTo { break }
        } while cursor != nil
    }

    // MARK: Helpers

    /// Jaeger's v1 answer, read by the Jaeger JSON reader.
    private func readJaegerV1(_ body: [UInt8], url: String, _ f: HTTPFetcher,
                              into collector: inout SpanCollector) throws(RemoteError) {
        do {
            try BackendAnswers.readJaegerV1(body, source: url, into: &collector)
        } catch {
            throw notPromised(f, url, "a Jaeger {\"data\":[…]} answer", body, why: error.message)
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

/// What a backend search found: whole traces, and traces known only by a summary.
public struct RemoteSearchResult: Sendable {
    /// The whole traces (with the address as source and the API as format).
    public var document: TraceDocument
    /// The traces known only by their summary, newest first where the backend says.
    public var hits: [TraceSearchHit]

    /// Creates a result.
    public init(document: TraceDocument, hits: [TraceSearchHit]) {
        self.document = document
        self.hits = hits
    }
}
