import Foundation

/// A tracing backend Spanscope reads from.
public enum Backend: String, Sendable, CaseIterable {
    /// Jaeger's query service (API v3, falling back to the v1 HTTP API), usually port 16686.
    case jaeger
    /// Grafana Tempo's HTTP API, usually port 3200.
    case tempo
    /// Arize Phoenix's REST API, usually port 6006.
    case phoenix
}

/// A backend address as the user writes it where a file would go:
/// `jaeger+http://HOST:16686`, `tempo+https://HOST:3200`, `phoenix+http://HOST:6006/PROJECT`,
/// optionally ending in `/trace/TRACE_ID` for one trace.
public struct RemoteSource: Sendable, Equatable, CustomStringConvertible {
    /// Which backend.
    public var backend: Backend
    /// `http(s)://host:port` plus any path prefix (a reverse proxy's), without a trailing slash.
    public var base: String
    /// One trace to fetch instead of a search.
    public var traceID: String?
    /// Phoenix's project (name or id); `default` when the URL names none.
    public var project: String

    /// The address as written, with any password replaced, for messages.
    public var description: String {
        "\(backend.rawValue)+\(base)" + (backend == .phoenix ? "/\(project)" : "") + (traceID.map { "/trace/\($0)" } ?? "")
    }

    /// True for text that starts like a backend address (`jaeger+`, `tempo+`, `phoenix+`).
    public static func looksRemote(_ text: String) -> Bool {
        let lower = text.lowercased()
        return Backend.allCases.contains { lower.hasPrefix($0.rawValue + "+http://") || lower.hasPrefix($0.rawValue + "+https://") }
    }

    /// Parses a backend address; nil for anything that does not start like one (a file path).
    public static func parse(_ text: String) throws(RemoteError) -> RemoteSource? {
        guard looksRemote(text) else { return nil }
        let plus = text.firstIndex(of: "+")!
        let backend = Backend(rawValue: text[..<plus].lowercased())!
        var rest = String(text[text.index(after: plus)...])
        if let q = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = String(rest[..<q]) }
        guard let components = URLComponents(string: rest), let host = components.host, !host.isEmpty,
              let scheme = components.scheme?.lowercased() else {
            throw RemoteError(source: text, "not a backend address: expected \(backend.rawValue)+http(s)://HOST:PORT")
        }
        var segments = components.path.split(separator: "/").map(String.init)
        var traceID: String?
        if segments.count >= 2, segments[segments.count - 2] == "trace" {
            traceID = segments.removeLast()
            segments.removeLast()
            guard let id = traceID, !id.isEmpty, id.count <= 64, id.allSatisfy(\.isHexDigit) else {
                throw RemoteError(source: text, "\"\(traceID ?? "")\" is not a trace id (hex digits)")
            }
        }
        var project = "default"
        if backend == .phoenix, let last = segments.last {
            project = last.removingPercentEncoding ?? last
            segments.removeLast()
        }
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let hostPart = bare.contains(":") ? "[\(bare)]" : bare
        let port = components.port.map { ":\($0)" } ?? ""
        let prefix = segments.isEmpty ? "" : "/" + segments.joined(separator: "/")
        return RemoteSource(backend: backend, base: "\(scheme)://\(hostPart)\(port)\(prefix)", traceID: traceID,
                            project: project, user: components.user, password: components.password)
    }

    /// User and password written in the address (`https://user:pass@host`), for basic auth.
    var user: String?
    var password: String?

    /// Creates a source.
    public init(backend: Backend, base: String, traceID: String? = nil, project: String = "default",
                user: String? = nil, password: String? = nil) {
        self.backend = backend
        self.base = base
        self.traceID = traceID
        self.project = project
        self.user = user
        self.password = password
    }
}

/// What to search for when the address names no trace.
public struct RemoteQuery: Sendable, Equatable {
    /// How far back from `until` to look.
    public var since: Duration
    /// The end of the time range, in seconds since 1970; nil for now.
    public var until: Double?
    /// Most traces to return.
    public var limit: Int
    /// Only traces with a span of this service (Jaeger requires one).
    public var service: String?
    /// Only traces with a span of this name (operation).
    public var operation: String?
    /// A TraceQL query (Tempo only), used as it is.
    public var traceQL: String?
    /// Attributes (tags) the traces must have, as key → value.
    public var attributes: [String: String]
    /// Shortest trace, as a Go duration (`500ms`, `2s`).
    public var minDuration: String?
    /// Longest trace, as a Go duration.
    public var maxDuration: String?

    /// A query; by default the last hour, 20 traces.
    public init(since: Duration = .seconds(3600), until: Double? = nil, limit: Int = 20, service: String? = nil,
                operation: String? = nil, traceQL: String? = nil, attributes: [String: String] = [:],
                minDuration: String? = nil, maxDuration: String? = nil) {
        self.since = since
        self.until = until
        self.limit = max(1, limit)
        self.service = service
        self.operation = operation
        self.traceQL = traceQL
        self.attributes = attributes
        self.minDuration = minDuration
        self.maxDuration = maxDuration
    }

    /// The time range as seconds since 1970.
    func range(now: Double) -> (start: Double, end: Double) {
        let end = until ?? now
        let seconds = Double(since.components.seconds) + Double(since.components.attoseconds) / 1e18
        return (end - seconds, end)
    }

    /// Parses `30s`, `15m`, `1h`, `7d` (and combinations such as `1h30m`) into a duration.
    public static func duration(_ text: String) -> Duration? {
        var total = 0.0
        var number = ""
        var sawUnit = false
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        for c in text.trimmingCharacters(in: .whitespaces) {
            if c.isNumber || c == "." {
                number.append(c)
            } else if let unit = units[c], let n = Double(number) {
                total += n * unit
                number = ""
                sawUnit = true
            } else {
                return nil
            }
        }
        guard number.isEmpty, sawUnit, total > 0 else { return nil }
        return .milliseconds(Int64(total * 1000))
    }

    /// True for a Go duration the backends accept (`300ms`, `1.5s`, `2m`, `1h`, `1h30m`).
    public static func isGoDuration(_ text: String) -> Bool {
        var rest = Substring(text)
        guard !rest.isEmpty else { return false }
        let units = ["ns", "us", "µs", "ms", "s", "m", "h"]
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard !digits.isEmpty, Double(digits) != nil else { return false }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0) }) else { return false }
            rest = rest.dropFirst(unit.count)
        }
        return true
    }
}

/// A failure talking to a backend, in one line that names the address.
public struct RemoteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The backend address (or URL) concerned.
    public var source: String
    /// What went wrong.
    public var message: String

    /// Creates an error.
    public init(source: String, _ message: String) {
        self.source = source
        self.message = message
    }

    /// `source: message`.
    public var description: String { "\(source): \(message)" }
}
