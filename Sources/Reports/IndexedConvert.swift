#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TraceFormats
import TraceModel
import TraceWriters

/// `spanscope convert` of a `LazyTraceStore`: the bytes a conversion of the whole loaded file
/// gives, written a batch of traces at a time (memory: the index and one batch).
public enum IndexedConvert {
    /// What was written.
    public struct Written: Sendable {
        /// Traces written.
        public var traces = 0
        /// Spans written.
        public var spans = 0
        /// Exact duplicate spans the decoding kept once (a full load's `duplicatesMerged`).
        public var duplicatesMerged = 0
    }

    /// Span bytes decoded per batch: a third of `IndexedSummary`'s, since every attribute and
    /// event is decoded for writing (about 3× the bytes in memory), and both cores stay busy.
    public static let batchBytes: Int64 = 16 << 20

    /// Writes every trace of `store`, in index order (a full load's), in `format` through
    /// `write`, one batch at a time.
    ///
    /// One OTLP request (`.otlp`) groups the spans of one `scopeSpans` entry of the file together
    /// even when they belong to several traces (a collector batch), as the whole-document writer
    /// does; then each batch's spans go to a spill file in `spillDirectory` (removed at once,
    /// gone when the process ends), and the request is put together from it at the end.
    public static func write(_ store: LazyTraceStore, format: TraceStreamWriter.Format, spillDirectory: String = "/tmp",
                             batchBytes: Int64 = batchBytes,
                             write: ([UInt8]) throws -> Void) throws -> Written {
        var written = Written()
        if format == .otlp && store.tracesShareScopeEntries {
            try grouped(store, spillDirectory: spillDirectory, batchBytes: batchBytes, written: &written, write: write)
            return written
        }
        var writer = TraceStreamWriter(format: format, traceCount: store.count)
        try write(writer.begin())
        try store.decodeInBatches(detail: .full, batchBytes: batchBytes) { _, traces, merged in
            written.traces += traces.count
            written.spans += traces.reduce(0) { $0 + $1.count }
            written.duplicatesMerged += merged
            // A trace's bytes at a time: a batch's output would be as large as its input again.
            for trace in traces { try write(writer.add([trace])) }
        }
        try write(writer.end())
        return written
    }

    /// A spill file opened and unlinked at once.
    private final class Spill {
        let fd: Int32
        var end: Int64 = 0

        init(directory: String) throws {
            let path = directory + "/.spanscope-convert-\(getpid())"
            fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { throw TraceFormatError(source: path, message: "cannot be created: " + String(cString: strerror(errno))) }
            unlink(path)
        }

        deinit { close(fd) }

        /// Appends bytes; returns where they start.
        func append(_ bytes: [UInt8]) throws -> Int64 {
            let at = end
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(at) + off_t(done)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw TraceFormatError(source: "spill file", message: "cannot be written: " + String(cString: strerror(errno))) }
                done += n
            }
            end += Int64(bytes.count)
            return at
        }

        /// Appends `count` bytes from `offset` to `out`.
        func read(_ offset: Int64, _ count: Int, into out: inout [UInt8]) throws {
            let (got, failure) = PositionalRead.append(fd: fd, offset: offset, count: count, to: &out)
            if failure != 0 || got < count {
                throw TraceFormatError(source: "spill file", message: "cannot be read: " + String(cString: strerror(failure != 0 ? failure : EIO)))
            }
        }
    }

    /// One request with spans grouped by the file's `scopeSpans` entries across traces.
    private static func grouped(_ store: LazyTraceStore, spillDirectory: String, batchBytes: Int64, written: inout Written,
                                write: ([UInt8]) throws -> Void) throws {
        let spill = try Spill(directory: spillDirectory)
        var slots: [Int: Int] = [:]
        var openings: [[UInt8]] = []
        var chunks: [[(offset: Int64, count: Int)]] = []
        var lone = 0
        for batch in store.batches(batchBytes: batchBytes) {
            let decoded = Parallel.map(batch.count) { i in
                Result { () throws(TraceFormatError) in
                    let d = try store.decodeWithScopeEntries(at: batch[batch.startIndex + i])
                    return (d.duplicatesMerged, d.trace.count, d.entries, OTLPJSONWriter.groupPieces(d.trace.spans))
                }
            }
            for result in decoded {
                let (merged, spans, entries, pieces) = try result.get()
                written.traces += 1
                written.spans += spans
                written.duplicatesMerged += merged
                for piece in pieces {
                    // Spans of one scopeSpans entry of the file share a group across traces; an
                    // origin the decoding could not place (none is expected) keeps its own.
                    let key: Int
                    if let entry = entries[ObjectIdentifier(piece.origin)] {
                        key = entry
                    } else {
                        lone += 1
                        key = -lone
                    }
                    let slot: Int
                    if let s = slots[key] {
                        slot = s
                    } else {
                        slot = openings.count
                        slots[key] = slot
                        openings.append(piece.opening)
                        chunks.append([])
                    }
                    if !piece.spans.isEmpty { chunks[slot].append((try spill.append(piece.spans), piece.spans.count)) }
                }
            }
        }
        var out = OTLPJSONWriter.requestOpening
        for slot in openings.indices {
            if slot > 0 { out.append(UInt8(ascii: ",")) }
            out += openings[slot]
            for (n, chunk) in chunks[slot].enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                try spill.read(chunk.offset, chunk.count, into: &out)
                if out.count >= 8 << 20 {
                    try write(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
            out += OTLPJSONWriter.groupClosing
        }
        out += OTLPJSONWriter.requestClosing
        try write(out)
    }
}
