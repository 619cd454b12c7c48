#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import TraceModel

/// How far an index scan has got, readable from another thread while it runs.
public final class IndexProgress: Sendable {
    private let scanned = Atomic<Int>(0)
    private let traces = Atomic<Int>(0)
    private let total = Atomic<Int>(0)

    /// Creates a progress record at zero.
    public init() {}

    /// Bytes of the file.
    public var totalBytes: Int { total.load(ordering: .relaxed) }
    /// Bytes scanned so far (over all cores).
    public var bytesScanned: Int { scanned.load(ordering: .relaxed) }
    /// Traces found so far (a trace met by two cores counts twice until they are joined).
    public var tracesFound: Int { traces.load(ordering: .relaxed) }

    /// Asks for the traces found so far, for a list that fills in while the scan runs. Each part
    /// of the scan hands over what it holds at the end of its next window; this returns the
    /// latest handed over (joined across parts, unsorted, without byte ranges), or nil before any.
    /// Cheap for the scan: a part copies its totals only when asked.
    public func partialTraces() -> [TraceIndexEntry]? {
        requested.add(1, ordering: .relaxed)
        let parts = published.withLock { $0 }
        guard !parts.isEmpty else { return nil }
        var slots: [TraceID: Int] = [:]
        var out: [TraceIndexEntry] = []
        for part in parts.keys.sorted() {
            let (entries, contexts) = parts[part]!
            for var e in entries {
                e.runs = []
                e.resolveRootContext(contexts)
                if let s = slots[e.id] {
                    out[s].absorb(e, contextBase: 0)
                } else {
                    slots[e.id] = out.count
                    out.append(e)
                }
            }
        }
        return out
    }

    /// The index of trace `id` as far as the scan has got (its spans in the parts handed over so
    /// far, in file order), for opening a trace before the scan ends; nil when no part has handed
    /// it over yet. Also asks each part to hand over again at the end of its next window.
    ///
    /// Linear in the traces found so far (no per-trace table is kept for this while scanning).
    public func partialIndex(of id: TraceID, source: String) -> TraceIndex? {
        requested.add(1, ordering: .relaxed)
        let parts = published.withLock { $0 }
        var found: TraceIndexEntry?
        var contexts: [SpanContext] = []
        for part in parts.keys.sorted() {
            let (entries, partContexts) = parts[part]!
            guard var e = entries.first(where: { $0.id == id }) else { continue }
            // Only the contexts its runs use, renumbered.
            var renumbered: [Int32: Int32] = [:]
            for r in e.runs.indices {
                let old = e.runs[r].context
                guard old >= 0, Int(old) < partContexts.count else { continue }
                if let n = renumbered[old] {
                    e.runs[r].context = n
                } else {
                    let n = Int32(contexts.count)
                    contexts.append(partContexts[Int(old)])
                    renumbered[old] = n
                    e.runs[r].context = n
                }
            }
            e.resolveRootContext(partContexts)
            if found == nil { found = e } else { found!.absorb(e, contextBase: 0) }
        }
        guard let entry = found, !entry.runs.isEmpty else { return nil }
        var info = stat()
        let identity = stat(source, &info) == 0 ? FileIdentity(info) : FileIdentity(size: 0, modifiedSeconds: 0, modifiedNanos: 0, inode: 0)
        return TraceIndex(source: source, format: TraceFormat.otlpJSONLines.rawValue, traces: [entry], warnings: [],
                          skippedSpans: 0, bytes: Int64(totalBytes), contexts: contexts, identity: identity)
    }

    private let requested = Atomic<Int>(0)
    private let published = Locked<[Int: ([TraceIndexEntry], [SpanContext])]>([:])

    /// Hands over part `part`'s traces when `partialTraces` asked since `served` (the request
    /// count this part last answered), and returns the request count answered.
    func offer(part: Int, _ scan: PartIndex, served: Int) -> Int {
        let wanted = requested.load(ordering: .relaxed)
        guard wanted != served, !scan.entries.isEmpty else { return served }
        let handed = (scan.entries, scan.contexts)
        published.withLock { $0[part] = handed }
        return wanted
    }

    func setTotal(_ n: Int) { total.store(n, ordering: .relaxed) }
    func addScanned(_ n: Int) { scanned.add(n, ordering: .relaxed) }
    func addTraces(_ n: Int) { traces.add(n, ordering: .relaxed) }
}

/// Builds a `TraceIndex` of an OTLP JSON Lines file in one pass over it, on all cores, reading
/// it in windows with `pread` so that memory stays at a few windows whatever the file's size.
public enum TraceIndexer {
    /// Files at least this large are indexed rather than loaded whole (a full load of a smaller
    /// file is faster than indexing it and decoding each trace again).
    public static let lazyThreshold: Int64 = 256 << 20

    /// Bytes read per `pread`; a line longer than this grows the window to hold it.
    public static let windowSize = 16 << 20

    /// True when `path` is a regular, uncompressed OTLP JSON Lines file whose first line is a
    /// whole request: the shape the index reads. Anything else is loaded whole.
    public static func canIndex(path: String) -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        let probe = min(Int(info.st_size), 4 << 20)
        guard probe > 0 else { return false }
        var head = [UInt8](repeating: 0, count: probe)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, probe, 0) }
        guard n == probe else { return false }
        return head.withUnsafeBufferPointer { buf in
            guard !Gzip.isCompressed(buf) else { return false }
            var start = (buf.count >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) ? 3 : 0
            while start < buf.count, buf[start] == 0x20 || buf[start] == 0x0A || buf[start] == 0x0D || buf[start] == 0x09 { start += 1 }
            guard JSONLinesSplitter.opensRequest(buf, at: start) else { return false }
            // The first request must end on its line (a pretty-printed request spans many).
            guard let nl = JSONLinesSplitter.nextNewline(buf, from: start) else { return probe == Int(info.st_size) }
            var w = LineWalker(buf.baseAddress!, from: start, to: nl)
            return (try? w.skipValue()) != nil && w.peek() == nil
        }
    }

    /// True when `path` should be indexed rather than loaded: large enough and of the right shape.
    public static func shouldIndex(path: String) -> Bool {
        var info = stat()
        guard path != "-", stat(path, &info) == 0, Int64(info.st_size) >= lazyThreshold else { return false }
        return canIndex(path: path)
    }

    /// Indexes a file. Throws when it cannot be opened or a request is malformed (naming the
    /// line and column).
    /// (`window` is lowered only by tests, to make lines cross window edges.)
    /// `sessionKeys` name a trace's session, tried in order (`SessionConventions.keys(preferring:)`).
    /// `skeletons` records every span's skeleton too (`TraceIndex.skeletons`), for `summary` and
    /// `stats`; the explorer's scan leaves it off and pays one branch per span for it.
    public static func index(path: String, parts: Int = Parallel.cores, progress: IndexProgress? = nil,
                             window: Int = windowSize,
                             sessionKeys: [String] = SessionConventions.standardKeys,
                             skeletons: Bool = false) throws(TraceFormatError) -> TraceIndex {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TraceFormatError(source: path, message: TraceLoader.describeErrno(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TraceFormatError(source: path, message: TraceLoader.describeErrno(errno)) }
        let identity = FileIdentity(info)
        let size = Int(info.st_size)
        progress?.setTotal(size)
        var start = 0
        var bom = [UInt8](repeating: 0, count: 3)
        if size >= 3, bom.withUnsafeMutableBytes({ pread(fd, $0.baseAddress!, 3, 0) }) == 3, bom == [0xEF, 0xBB, 0xBF] { start = 3 }
        let ranges = cut(fd: fd, from: start, size: size, parts: max(1, parts))
        var results = [PartIndex](repeating: PartIndex(), count: ranges.count)
        results.withUnsafeMutableBufferPointer { buffer in
            let out = SendablePointer(buffer.baseAddress!)
            Parallel.forEach(ranges.count) { i in
                var scanned = scanPart(fd: fd, range: ranges[i], window: window, progress: progress, part: i,
                                       sessionKeys: sessionKeys, skeletons: skeletons)
                scanned.skeletons?.finish(slots: scanned.entries.count)
                out.pointer[i] = scanned
            }
        }
        var index = try resolvingSessions(join(results, source: path, identity: identity, bytes: Int64(size)), keys: sessionKeys)
        if skeletons { index.skeletons = SpanSkeletons.join(results, traces: index.traces) }
        return index
    }

    /// Reads the spans of the few traces whose session the scan alone cannot tell (see
    /// `TraceIndexEntry.needsSpansForSession`) and applies the full load's rule to them.
    static func resolvingSessions(_ index: TraceIndex, keys: [String]) throws(TraceFormatError) -> TraceIndex {
        let pending = index.traces.indices.filter { index.traces[$0].needsSpansForSession }
        guard !pending.isEmpty else { return index }
        let store = try LazyTraceStore(index: index)
        var traces = index.traces
        for i in pending { traces[i].resolvedSession = try store.trace(at: i).sessionID(keys: keys) }
        return TraceIndex(source: index.source, format: index.format, traces: traces, warnings: index.warnings,
                          skippedSpans: index.skippedSpans, bytes: index.bytes, contexts: index.contexts, identity: index.identity,
                          skippedLines: index.skippedLines)
    }

    /// Cuts `[from, size)` at line starts into up to `parts` ranges.
    static func cut(fd: Int32, from: Int, size: Int, parts: Int) -> [Range<Int>] {
        var cuts = [from]
        var probe = [UInt8](repeating: 0, count: 1 << 16)
        for k in 1..<max(parts, 1) {
            var p = max(from + (size - from) * k / parts, cuts.last! + 1)
            var found: Int?
            while p < size, found == nil {
                let n = probe.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(p)) }
                guard n > 0 else { break }
                if let i = probe[0..<n].firstIndex(of: 0x0A) { found = p + i + 1 } else { p += n }
            }
            guard let c = found, c < size else { break }
            cuts.append(c)
        }
        cuts.append(size)
        return (0..<cuts.count - 1).map { cuts[$0]..<cuts[$0 + 1] }
    }

    /// Scans one range of the file, window by window.
    static func scanPart(fd: Int32, range: Range<Int>, window: Int, progress: IndexProgress?, part: Int = 0,
                         sessionKeys: [String] = SessionConventions.standardKeys,
                         skeletons: Bool = false) -> PartIndex {
        var scanner = PartScanner(sessionKeys: sessionKeys, skeletons: skeletons)
        var capacity = min(window, max(range.count, 1))
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        var bufferOffset = range.lowerBound   // file offset of buffer[0]
        var filled = 0
        var tracesReported = 0
        var served = 0
        while true {
            // Fill the window.
            let want = min(capacity - filled, range.upperBound - (bufferOffset + filled))
            var got = 0
            while got < want {
                let n = pread(fd, buffer + filled + got, want - got, off_t(bufferOffset + filled + got))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    scanner.part.failure = (scanner.part.lines + 1, 1, Int64(bufferOffset + filled + got),
                                            n < 0 ? "cannot be read: \(String(cString: strerror(errno)))"
                                                  : "was truncated while being read (it ends at byte \(bufferOffset + filled + got))")
                    return scanner.part
                }
                got += n
            }
            filled += got
            progress?.addScanned(got)
            let atEnd = bufferOffset + filled == range.upperBound
            let bytes = buffer.assumingMemoryBound(to: UInt8.self)
            scanner.setWindow(UnsafeBufferPointer(start: bytes, count: filled), fileOffset: Int64(bufferOffset))
            var lineStart = 0
            while lineStart < filled {
                let lineEnd: Int
                if let hit = memchr(bytes + lineStart, 0x0A, filled - lineStart) {
                    lineEnd = UnsafeRawPointer(hit) - UnsafeRawPointer(bytes)
                } else if atEnd {
                    lineEnd = filled
                } else {
                    break
                }
                scanner.scanLine(bytes, lineStart, lineEnd)
                if scanner.part.failure != nil { return scanner.part }
                if lineEnd < filled { scanner.part.lines += 1 }
                lineStart = lineEnd + 1
            }
            if let progress {
                progress.addTraces(scanner.part.entries.count - tracesReported)
                tracesReported = scanner.part.entries.count
                served = progress.offer(part: part, scanner.part, served: served)
            }
            if atEnd && lineStart >= filled { return scanner.part }
            // Keep the unfinished line; grow the window when it fills it.
            let rest = filled - min(lineStart, filled)
            if rest > 0 && lineStart > 0 { memmove(buffer, buffer + lineStart, rest) }
            bufferOffset += min(lineStart, filled)
            filled = rest
            if filled == capacity {
                let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity * 2, alignment: 64)
                bigger.copyMemory(from: buffer, byteCount: filled)
                buffer.deallocate()
                buffer = bigger
                capacity *= 2
            }
        }
    }

    /// Joins the parts in file order into one index.
    static func join(_ parts: [PartIndex], source: String, identity: FileIdentity, bytes: Int64) throws(TraceFormatError) -> TraceIndex {
        var slots: [TraceID: Int] = [:]
        var entries: [TraceIndexEntry] = []
        var contexts: [SpanContext] = []
        var warnings: [String] = []
        var skipped = 0, clamped = 0, requests = 0, lineBase = 0
        var skippedLines: [String: Int] = [:]
        for part in parts {
            if let f = part.failure {
                let message = f.message.contains("line ends") ? "truncated: " + f.message : f.message
                throw TraceFormatError(source: source, location: .byte(offset: Int(f.offset), line: lineBase + f.line, column: f.column),
                                       message: message)
            }
            let base = Int32(contexts.count)
            contexts.append(contentsOf: part.contexts)
            for var e in part.entries {
                e.resolveRootContext(part.contexts)
                if let s = slots[e.id] {
                    entries[s].absorb(e, contextBase: base)
                } else {
                    slots[e.id] = entries.count
                    for r in e.runs.indices { e.runs[r].context += base }
                    entries.append(e)
                }
            }
            for w in part.warnings { warnings.append("\(source):\(lineBase + w.line):\(w.column): \(w.message)") }
            skipped += part.skipped
            clamped += part.clamped
            for (signal, n) in part.skippedLines { skippedLines[signal, default: 0] += n }
            requests += part.requests
            lineBase += part.lines
        }
        if requests == 0 { throw TraceFormatError(source: source, message: "empty file: no traces in it") }
        if entries.isEmpty, skipped == 0, !skippedLines.isEmpty {
            throw TraceFormatError(source: source, message: "holds OTLP logs or metrics but no spans")
        }
        if clamped > 0 {
            warnings.append("\(clamped) span\(clamped == 1 ? " has" : "s have") times before 1970 or after 2116; "
                            + "moved to the nearest of those (shown marked if that breaks their order)")
        }
        if !skippedLines.isEmpty { warnings.append(SpanCollector.skippedLinesWarning(skippedLines)) }
        // The order a full load gives its traces (`SpanCollector.document`).
        entries.sort { a, b in a.startNanos != b.startNanos ? a.startNanos < b.startNanos : a.spanCount > b.spanCount }
        return TraceIndex(source: source, format: requests > 1 ? TraceFormat.otlpJSONLines.rawValue : TraceFormat.otlpJSON.rawValue,
                          traces: entries, warnings: warnings, skippedSpans: skipped, bytes: bytes,
                          contexts: contexts, identity: identity, skippedLines: skippedLines)
    }
}

extension FileIdentity {
    init(_ info: stat) {
        #if canImport(Darwin)
        self.init(size: Int64(info.st_size), modifiedSeconds: Int(info.st_mtimespec.tv_sec),
                  modifiedNanos: Int(info.st_mtimespec.tv_nsec), inode: UInt64(info.st_ino))
        #else
        self.init(size: Int64(info.st_size), modifiedSeconds: Int(info.st_mtim.tv_sec),
                  modifiedNanos: Int(info.st_mtim.tv_nsec), inode: UInt64(info.st_ino))
        #endif
    }
}
