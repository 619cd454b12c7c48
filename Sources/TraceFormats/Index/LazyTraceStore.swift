#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceModel

/// The traces of a large file kept as an index (totals and byte ranges per trace) with the file
/// open; a trace is decoded from the file, by the full reader, only when it is asked for.
///
/// Memory is the index, not the spans: a few dozen bytes per run of a trace's consecutive spans
/// plus the LLM calls' totals. The file is read with `pread`, never mapped, so a file that shrinks
/// while open gives an error, not SIGBUS.
public final class LazyTraceStore: Sendable {
    /// The index the scan built.
    public let index: TraceIndex
    private let fd: Int32

    /// Opens and indexes `path` (see `TraceIndexer.index`), naming sessions by `sessionKeys`, with
    /// span skeletons when `skeletons` (for `summaryTrace(at:)`).
    public convenience init(path: String, progress: IndexProgress? = nil,
                            sessionKeys: [String] = SessionConventions.standardKeys, skeletons: Bool = false) throws(TraceFormatError) {
        let index = try TraceIndexer.index(path: path, progress: progress, sessionKeys: sessionKeys, skeletons: skeletons)
        try self.init(index: index)
    }

    /// Opens the file an index was built from.
    public init(index: TraceIndex) throws(TraceFormatError) {
        let fd = open(index.source, O_RDONLY)
        guard fd >= 0 else { throw TraceFormatError(source: index.source, message: TraceLoader.describeErrno(errno)) }
        self.index = index
        self.fd = fd
    }

    deinit { close(fd) }

    /// Number of traces.
    public var count: Int { index.traces.count }

    /// True when the file's size or modification time differs from when it was indexed (what
    /// was indexed may still be readable: an appended file keeps its indexed prefix).
    public var fileChanged: Bool {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return true }
        let now = FileIdentity(info)
        return now.size != index.identity.size || now.modifiedSeconds != index.identity.modifiedSeconds
            || now.modifiedNanos != index.identity.modifiedNanos
    }

    /// Decodes trace `i` (in index order) from the file with the full reader.
    ///
    /// Its spans are read run by run and put back into one request with their resources and
    /// scopes, in file order, so the reader sees what it would have seen in a full load.
    /// Throws when the file was truncated or changed so that the indexed spans are no longer there.
    public func trace(at i: Int, detail: TraceLoader.Detail = .full) throws(TraceFormatError) -> Trace {
        try decode(at: i, detail: detail).trace
    }

    /// Decodes trace `i` like `trace(at:detail:)`, with the number of exact duplicate spans the
    /// reader kept once (what a full load counts in `TraceDocument.duplicatesMerged`).
    public func decode(at i: Int, detail: TraceLoader.Detail = .full) throws(TraceFormatError) -> (trace: Trace, duplicatesMerged: Int) {
        let decoded = try decode(at: i, detail: detail, scopeEntries: false)
        return (decoded.trace, decoded.duplicatesMerged)
    }

    /// `decode(at:detail:)`, with `scopeEntries`: for each span origin, the file's `scopeSpans`
    /// entry (position in `index.contexts`) its spans came from (else empty).
    func decode(at i: Int, detail: TraceLoader.Detail, scopeEntries: Bool) throws(TraceFormatError)
        -> (trace: Trace, duplicatesMerged: Int, entries: [ObjectIdentifier: Int]) {
        let entry = index.traces[i]
        let source = index.source
        var info = stat()
        if fstat(fd, &info) == 0, let last = entry.runs.map(\.end).max(), Int64(info.st_size) < last {
            throw TraceFormatError(source: source, message: "was truncated while open (now \(info.st_size) bytes; trace \(entry.id) "
                                   + "reaches byte \(last)); reopen it")
        }
        var request: [UInt8] = []
        request.reserveCapacity(Int(entry.spanBytes) + entry.runs.count * 64 + 64)
        request.append(contentsOf: #"{"resourceSpans":["#.utf8)
        // Consecutive runs of one `scopeSpans` entry share one resource entry here, so their
        // spans share one origin as in a full load (a writer groups spans by origin).
        var openContext: Int32 = -1
        for run in entry.runs {
            if run.context == openContext {
                request.append(UInt8(ascii: ","))
            } else {
                if openContext >= 0 { request.append(contentsOf: "]}]},".utf8) }
                request.append(contentsOf: try contextPrefix(index.contexts[Int(run.context)]))
                openContext = run.context
            }
            let at = request.count
            try readRange(run.start..<run.end, appendingTo: &request, trace: entry.id)
            guard request[at] == UInt8(ascii: "{"), request.last == UInt8(ascii: "}") else {
                throw changed(entry, "its spans are no longer at bytes \(run.start)–\(run.end)")
            }
        }
        if openContext >= 0 { request.append(contentsOf: "]}]}".utf8) }
        request.append(contentsOf: "]}".utf8)
        var collector = SpanCollector()
        do {
            try request.withUnsafeBufferPointer { buf throws(TraceFormatError) in
                try TraceLoader.read(buffer: buf, source: source, into: &collector, detail: detail)
            }
        } catch {
            throw changed(entry, error.message)
        }
        let document = collector.document(source: source)
        guard document.traces.count == 1, let trace = document.traces.first, trace.id == entry.id,
              trace.count + collector.skippedSpans + document.duplicatesMerged == entry.spanCount else {
            throw changed(entry, "it no longer holds the spans indexed")
        }
        var entries: [ObjectIdentifier: Int] = [:]
        if scopeEntries {
            // Each scopeSpans entry gave its spans one origin, in file order; spans left out
            // as duplicates later still tell which origin was which entry's.
            var contexts = entry.runs.lazy.map { Int($0.context) }.makeIterator()
            var next = contexts.next()
            var last = -1
            for span in collector.groupedSpans.first?.spans ?? [] where entries[ObjectIdentifier(span.origin)] == nil {
                while let c = next, c == last { next = contexts.next() }
                guard let c = next else { break }
                entries[ObjectIdentifier(span.origin)] = c
                last = c
            }
        }
        return (trace, document.duplicatesMerged, entries)
    }

    private func changed(_ entry: TraceIndexEntry, _ why: String) -> TraceFormatError {
        TraceFormatError(source: index.source, message: "changed while open: trace \(entry.id): \(why); reopen it")
    }

    /// `{"resource":…,"scopeSpans":[{"scope":…,"spans":[` for a context.
    private func contextPrefix(_ c: SpanContext) throws(TraceFormatError) -> [UInt8] {
        var out = Array(#"{"#.utf8)
        if let r = c.resource {
            out.append(contentsOf: #""resource":"#.utf8)
            try readRange(r, appendingTo: &out, trace: nil)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: #""scopeSpans":[{"#.utf8)
        if let s = c.scope {
            out.append(contentsOf: #""scope":"#.utf8)
            try readRange(s, appendingTo: &out, trace: nil)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: #""spans":["#.utf8)
        return out
    }

    private func readRange(_ range: Range<Int64>, appendingTo out: inout [UInt8], trace: TraceID?) throws(TraceFormatError) {
        let count = Int(range.upperBound - range.lowerBound)
        let (got, failure) = PositionalRead.append(fd: fd, offset: range.lowerBound, count: count, to: &out)
        if failure != 0 {
            throw TraceFormatError(source: index.source, message: "cannot be read: \(String(cString: strerror(failure)))")
        }
        if got < count {
            let what = trace.map { "; trace \($0) reaches byte \(range.upperBound)" } ?? ""
            throw TraceFormatError(source: index.source, message: "was truncated while open (it ends at byte \(range.lowerBound + Int64(got))\(what)); reopen it")
        }
    }
}
