#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import RemoteSources
import TraceFormats
import TraceModel

/// Flags for backend addresses (`jaeger+http://…`, `tempo+http://…`, `phoenix+http://…`) given
/// where a file would go; files ignore them.
struct RemoteOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Backends: look this far back (30m, 1h, 7d).", valueName: "age"))
    var since: String = "1h"

    @Option(help: ArgumentHelp("Backends: the end of the time range, an RFC 3339 time or an age (10m); now by default.", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Backends: most traces to fetch.", valueName: "n"))
    var limit: Int = 20

    @Option(help: ArgumentHelp("Backends: only traces with a span of this service (Jaeger needs one).", valueName: "name"))
    var service: String?

    @Option(help: ArgumentHelp("Backends: only traces with a span of this name.", valueName: "name"))
    var operation: String?

    @Option(name: .customLong("attribute"), help: ArgumentHelp("Backends: only traces with this attribute value (repeatable).", valueName: "key=value"))
    var attributes: [String] = []

    @Option(name: .customLong("longer-than"), help: ArgumentHelp("Backends: only traces at least this long (250ms, 2s).", valueName: "d"))
    var minDuration: String?

    @Option(name: .customLong("shorter-than"), help: ArgumentHelp("Backends: only traces at most this long.", valueName: "d"))
    var maxDuration: String?

    @Option(help: ArgumentHelp("Tempo: a TraceQL query, used instead of the flags above.", valueName: "query"))
    var traceql: String?

    @Option(help: ArgumentHelp("Backends: seconds allowed for one request.", valueName: "s"))
    var timeout: Int = 30

    func validate() throws {
        guard RemoteQuery.duration(since) != nil else { throw ValidationError("--since takes an age such as 30m, 1h or 7d") }
        if let u = until, RemoteQuery.duration(u) == nil, SourceLoader.rfc3339(u) == nil {
            throw ValidationError("--until takes an RFC 3339 time (2026-12-02T10:00:00Z) or an age such as 10m")
        }
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second") }
        for d in [minDuration, maxDuration].compactMap({ $0 }) where !RemoteQuery.isGoDuration(d) {
            throw ValidationError("\(d) is not a duration such as 250ms, 2s or 1m")
        }
        for a in attributes where !a.contains("=") { throw ValidationError("--attribute takes key=value, not \(a)") }
    }

    /// The query these flags describe.
    var query: RemoteQuery {
        var until: Double?
        if let u = self.until {
            if let age = RemoteQuery.duration(u) {
                let c = age.components
                until = Date().timeIntervalSince1970 - (Double(c.seconds) + Double(c.attoseconds) / 1e18)
            } else {
                until = SourceLoader.rfc3339(u)
            }
        }
        var attrs: [String: String] = [:]
        for a in attributes {
            let eq = a.firstIndex(of: "=")!
            attrs[String(a[..<eq])] = String(a[a.index(after: eq)...])
        }
        return RemoteQuery(since: RemoteQuery.duration(since) ?? .seconds(3600), until: until, limit: limit, service: service,
                           operation: operation, traceQL: traceql, attributes: attrs, minDuration: minDuration, maxDuration: maxDuration)
    }
}

/// The one entry point for "a path or a backend address": files go to the readers, addresses to
/// the backend clients, and the results join into one document.
enum SourceLoader {
    /// True when any source is a backend address.
    static func hasRemote(_ sources: [String]) -> Bool { sources.contains(where: RemoteSource.looksRemote) }

    /// Loads `sources`; `progress` is told about backend fetches (files report through `fileProgress`).
    static func load(_ sources: [String], remote: RemoteOptions, detail: TraceLoader.Detail = .full,
                     fileProgress: LoadProgress? = nil,
                     progress: @escaping @Sendable (String) -> Void = { _ in }) throws -> TraceDocument {
        let paths = sources.filter { !RemoteSource.looksRemote($0) }
        let addresses = sources.filter(RemoteSource.looksRemote)
        var documents: [TraceDocument] = []
        if !paths.isEmpty || addresses.isEmpty {
            documents.append(try TraceLoader.load(paths: paths, progress: fileProgress, detail: detail))
        }
        if !addresses.isEmpty {
            let client = RemoteClient(timeout: .seconds(remote.timeout), progress: progress)
            let query = remote.query
            for address in addresses {
                guard let source = try RemoteSource.parse(address) else { continue }
                documents.append(try waitFor { try await client.load(source, query: query) })
            }
        }
        guard documents.count > 1 else { return documents[0] }
        return TraceDocument(source: documents.map(\.source).joined(separator: " + "),
                             format: Array(Set(documents.map(\.format))).sorted().joined(separator: " + "),
                             traces: documents.flatMap(\.traces), warnings: documents.flatMap(\.warnings),
                             skippedSpans: documents.reduce(0) { $0 + $1.skippedSpans })
    }

    /// An RFC 3339 time as seconds since 1970, nil when it is not one.
    static func rfc3339(_ text: String) -> Double? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d.timeIntervalSince1970 }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)?.timeIntervalSince1970
    }
}
