#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceConventions
import TraceModel

/// Reads trace files into documents: detects the format by content, reads, groups and indexes.
public enum TraceLoader {
    /// How much of each span to keep.
    public enum Detail: Sendable {
        /// Everything: attributes, events, links (the explorer, conversions).
        case full
        /// Only what totals and the critical path need: names, times, status, services and the LLM
        /// attributes; other attributes, events and links are skipped unread. Makes `summary` of a
        /// large OTLP file much cheaper. (Other formats are read in full.)
        case summary
    }

    /// Reads one file (`-` reads standard input).
    public static func load(path: String) throws(TraceFormatError) -> TraceDocument {
        try load(paths: [path])
    }

    /// Reads several files into one document; spans of one trace spread over files join up.
    ///
    /// A directory stands for the files in it (not hidden ones, not recursively): each is read if
    /// it is a trace file, and anything else in it is named in a warning instead of stopping the load.
    ///
    /// - Parameter progress: updated as the load goes on, for a progress line on another thread.
    public static func load(paths: [String], progress: LoadProgress? = nil, detail: Detail = .full) throws(TraceFormatError) -> TraceDocument {
        var collector = SpanCollector()
        let label = paths.count == 1 ? paths[0] : "\(paths.count) files"
        for path in paths {
            if path != "-", let entries = directoryEntries(path) {
                var read = 0
                for file in entries {
                    do {
                        let buffer = try readFileBuffer(file, progress: progress)
                        try withExtendedLifetime(buffer) { () throws(TraceFormatError) in
                            try self.read(buffer: buffer.bytes, source: file, into: &collector, releasing: buffer, progress: progress, detail: detail)
                        }
                        read += 1
                    } catch {
                        collector.warn(error.description + " (skipped)")
                    }
                }
                if read == 0 {
                    throw TraceFormatError(source: path, message: entries.isEmpty ? "is an empty directory"
                                           : "is a directory without any trace file Spanscope reads",
                                           partial: collector.document(source: label))
                }
                continue
            }
            let buffer = try readFileBuffer(path, progress: progress)
            do {
                try withExtendedLifetime(buffer) { () throws(TraceFormatError) in
                    try read(buffer: buffer.bytes, source: path, into: &collector, releasing: buffer, progress: progress, detail: detail)
                }
            } catch {
                var e = error
                e.partial = collector.document(source: label)
                throw e
            }
        }
        progress?.enter(.indexing)
        let document = collector.document(source: label)
        progress?.enter(.done)
        return document
    }

    /// The regular files in a directory, sorted by name; nil when `path` is not a directory.
    static func directoryEntries(_ path: String) -> [String]? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.hasPrefix(".") else { continue }
            let full = path.hasSuffix("/") ? path + name : path + "/" + name
            var fileInfo = stat()
            if stat(full, &fileInfo) == 0, (fileInfo.st_mode & S_IFMT) == S_IFREG { names.append(full) }
        }
        return names.sorted()
    }

    /// Reads a buffer that holds one trace file's content.
    public static func decode(_ bytes: [UInt8], source: String) throws(TraceFormatError) -> TraceDocument {
        var collector = SpanCollector()
        do {
            try read(bytes, source: source, into: &collector)
        } catch {
            var e = error
            e.partial = collector.document(source: source)
            throw e
        }
        return collector.document(source: source)
    }

    /// Reads a buffer into a collector. On a syntax error, spans read before it stay collected.
    public static func read(_ bytes: [UInt8], source: String, into collector: inout SpanCollector) throws(TraceFormatError) {
        let result: Result<Void, TraceFormatError> = bytes.withUnsafeBufferPointer { buf in
            Result { () throws(TraceFormatError) in try read(buffer: buf, source: source, into: &collector) }
        }
        try result.get()
    }

    static func read(buffer bytes: UnsafeBufferPointer<UInt8>, source: String, into collector: inout SpanCollector,
                     releasing file: FileBuffer? = nil, progress: LoadProgress? = nil,
                     detail: Detail = .full) throws(TraceFormatError) {
        progress?.enter(.parsing)
        collector.beginSource(source)
        if Gzip.isCompressed(bytes) {
            let plain: [UInt8]
            switch Result(catching: { () throws(Gzip.Failure) in try Gzip.decompress(bytes) }) {
            case .success(let data): plain = data
            case .failure(.tooLarge):
                throw TraceFormatError(source: source, message: "gzip data expands beyond \(Gzip.outputLimit >> 30) GiB; refusing to read it")
            case .failure(.corrupt(let why)):
                throw TraceFormatError(source: source, message: "gzip data is corrupt: \(why)")
            }
            try read(plain, source: source, into: &collector)
            return
        }
        let result: Result<Void, TraceFormatError> = { (buf: UnsafeBufferPointer<UInt8>) in
            // A UTF-8 byte-order mark is legal at the start of a JSON text; skip it.
            let start = (buf.count >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) ? 3 : 0
            switch FormatDetector.detect(buf, from: start) {
            case .empty:
                return .failure(TraceFormatError(source: source, message: "empty file: no traces in it"))
            case .unknown(let why):
                return .failure(TraceFormatError(source: source, message: "not a trace file Spanscope reads: \(why)"))
            case .format(let format):
                let scanner = JSONScanner(buf, at: start)
                do throws(JSONSyntaxError) {
                    switch format {
                    case .otlpJSON, .otlpJSONLines:
                        if let chunks = JSONLinesSplitter.chunks(buf, from: start, parts: Parallel.cores), chunks.count > 1 {
                            collector.noteFormat(TraceFormat.otlpJSONLines.rawValue)
                            try readOTLPLinesInParallel(buf, chunks: chunks, source: source, into: &collector,
                                                        release: file?.canRelease ?? false, progress: progress, detail: detail)
                            return .success(())
                        }
                        if let cuts = OTLPObjectSplitter.cuts(buf, from: start, parts: Parallel.cores) {
                            collector.noteFormat(TraceFormat.otlpJSON.rawValue)
                            try readOTLPObjectInParallel(buf, from: start, cuts: cuts, source: source, into: &collector,
                                                         release: file?.canRelease ?? false, progress: progress, detail: detail)
                            return .success(())
                        }
                        var reader = OTLPJSONReader(scanner: scanner)
                        if detail == .summary { reader.keepAttribute = LLMConventions.isSummaryKey }
                        if let file, file.canRelease {
                            let released = ReleasedPrefix()
                            reader.scanner.released = released
                            var last = 0
                            reader.progress = { at in
                                released.release(buf, upTo: at - 4096)
                                progress?.addParsed(at - last)
                                last = at
                            }
                        }
                        defer {
                            // Named once the number of request objects is known (also after an error).
                            let lines = reader.requestsRead > 1
                            collector.noteFormat(lines ? TraceFormat.otlpJSONLines.rawValue : TraceFormat.otlpJSON.rawValue)
                        }
                        try reader.readAll(into: &collector, source: source)
                    case .seedJSON:
                        collector.noteFormat(format.rawValue)
                        var reader = SeedJSONReader(scanner: scanner)
                        try reader.readAll(into: &collector, source: source)
                    case .zipkinJSON:
                        collector.noteFormat(format.rawValue)
                        var reader = ZipkinJSONReader(scanner: scanner)
                        try reader.readAll(into: &collector, source: source)
                    case .jaegerJSON:
                        collector.noteFormat(format.rawValue)
                        var reader = JaegerJSONReader(scanner: scanner)
                        try reader.readAll(into: &collector, source: source)
                    }
                    return .success(())
                } catch {
                    let message = error.isTruncation ? "truncated: \(error.message)" : error.message
                    return .failure(TraceFormatError(source: source,
                                                     location: .byte(offset: error.offset, line: error.line, column: error.column),
                                                     message: message))
                }
            }
        }(bytes)
        try result.get()
    }

    /// One piece of a large OTLP JSON file that a core parses on its own.
    struct Piece {
        /// The bytes its scanner covers.
        var range: Range<Int>
        /// Where it stops (relative to `range`): the next piece's first `resourceSpans` entry.
        var stopAt: Int?
        /// True when it starts at a `resourceSpans` entry in the middle of a request.
        var startsAtEntry: Bool
        /// The end of the bytes it owns, relative to `range` (for counting its lines).
        var ownedEnd: Int
        /// The column its first byte is in (pieces cut inside a long line).
        var firstColumn: Int
    }

    /// JSON Lines cut at line starts: each chunk reads whole requests.
    static func readOTLPLinesInParallel(_ buf: UnsafeBufferPointer<UInt8>, chunks: [Range<Int>], source: String,
                                        into collector: inout SpanCollector, release: Bool,
                                        progress: LoadProgress?, detail: Detail) throws(JSONSyntaxError) {
        let pieces = chunks.map { Piece(range: $0, stopAt: nil, startsAtEntry: false, ownedEnd: $0.count, firstColumn: 0) }
        try readOTLPPiecesInParallel(buf, pieces, source: source, into: &collector, release: release,
                                     progress: progress, detail: detail)
    }

    /// One large request cut at `resourceSpans` entries: each piece scans to the end of the file
    /// but stops where the next begins.
    static func readOTLPObjectInParallel(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, cuts: [Int], source: String,
                                         into collector: inout SpanCollector, release: Bool,
                                         progress: LoadProgress?, detail: Detail) throws(JSONSyntaxError) {
        let starts = [start] + cuts
        var pieces: [Piece] = []
        for (i, s) in starts.enumerated() {
            // Columns are worked out now, before any piece hands memory back.
            let lastBreak = s > 0 ? ReleasedPrefix.newlines(in: buf, from: 0, to: s).last : nil
            let owned = (i + 1 < starts.count ? starts[i + 1] : buf.count) - s
            pieces.append(Piece(range: s..<buf.count, stopAt: i + 1 < starts.count ? owned : nil, startsAtEntry: i > 0,
                                ownedEnd: owned, firstColumn: lastBreak.map { s - ($0 + 1) } ?? s))
        }
        try readOTLPPiecesInParallel(buf, pieces, source: source, into: &collector, release: release,
                                     progress: progress, detail: detail)
    }

    /// Parses every piece on its own core, then joins them in file order. On a syntax error the
    /// spans of the pieces before it, and of its own piece up to it, are kept. Lines are counted
    /// per piece, so errors and warnings keep whole-file lines and columns.
    static func readOTLPPiecesInParallel(_ buf: UnsafeBufferPointer<UInt8>, _ pieces: [Piece], source: String,
                                         into collector: inout SpanCollector, release: Bool,
                                         progress: LoadProgress?, detail: Detail) throws(JSONSyntaxError) {
        let count = pieces.count
        var parts = [SpanCollector](repeating: SpanCollector(), count: count)
        var failures = [JSONSyntaxError?](repeating: nil, count: count)
        var lineCounts = [Int](repeating: 0, count: count)
        parts.withUnsafeMutableBufferPointer { partBuffer in
            failures.withUnsafeMutableBufferPointer { failureBuffer in
                lineCounts.withUnsafeMutableBufferPointer { lineBuffer in
                    let outParts = SendablePointer(partBuffer.baseAddress!)
                    let outFailures = SendablePointer(failureBuffer.baseAddress!)
                    let outLines = SendablePointer(lineBuffer.baseAddress!)
                    let whole = UncheckedSendable(buf)
                    Parallel.forEach(count) { i in
                        let piece = pieces[i]
                        let slice = UnsafeBufferPointer(rebasing: whole.value[piece.range])
                        let released = ReleasedPrefix()
                        var reader = OTLPJSONReader(scanner: JSONScanner(slice: piece.range, of: whole.value))
                        reader.stopAt = piece.stopAt
                        if detail == .summary { reader.keepAttribute = LLMConventions.isSummaryKey }
                        if release { reader.scanner.released = released }
                        var last = 0
                        reader.progress = { at in
                            if release { released.release(slice, upTo: at - 4096) }
                            progress?.addParsed(at - last)
                            last = at
                        }
                        do throws(JSONSyntaxError) {
                            if piece.startsAtEntry {
                                try reader.readFromEntry(into: &outParts.pointer[i], source: source)
                            } else {
                                try reader.readAll(into: &outParts.pointer[i], source: source)
                            }
                        } catch {
                            outFailures.pointer[i] = error
                        }
                        let owned = UnsafeBufferPointer(rebasing: slice[0..<max(piece.ownedEnd, released.upTo)])
                        outLines.pointer[i] = released.totalNewlines(in: owned)
                    }
                }
            }
        }
        var lineOffset = 0
        for i in 0..<count {
            let column = pieces[i].firstColumn
            collector.merge(parts[i], lineOffset: lineOffset, firstLineColumn: column)
            if var failure = failures[i] {
                if failure.line == 1 { failure.column += column }
                failure.line += lineOffset
                throw failure
            }
            lineOffset += lineCounts[i]
        }
    }

    /// Reads a whole file (or standard input for `-`), with a clear error for each way it can fail.
    public static func readFile(_ path: String) throws(TraceFormatError) -> [UInt8] {
        try readFileBuffer(path).array
    }

    /// Reads a whole file into a buffer that lives as long as the caller keeps it.
    static func readFileBuffer(_ path: String, progress: LoadProgress? = nil) throws(TraceFormatError) -> FileBuffer {
        let fd: Int32
        if path == "-" {
            fd = STDIN_FILENO
        } else {
            fd = open(path, O_RDONLY)
            guard fd >= 0 else {
                throw TraceFormatError(source: path, message: describeErrno(errno))
            }
        }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw TraceFormatError(source: path, message: "is a directory")
        }
        // Read to end of file rather than trusting the size: the file may still be growing,
        // and pipes have no size.
        let expected = (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
        let buffer = FileBuffer(capacity: expected + 1)
        progress?.addTotal(expected)
        progress?.enter(.reading)
        if let e = buffer.fill(from: fd, progress: progress) {
            throw TraceFormatError(source: path, message: "cannot be read: \(String(cString: strerror(e)))")
        }
        return buffer
    }

    static func describeErrno(_ e: Int32) -> String {
        switch e {
        case ENOENT: return "no such file"
        case EACCES: return "permission denied"
        case EISDIR: return "is a directory"
        default: return "cannot be opened: \(String(cString: strerror(e)))"
        }
    }
}
