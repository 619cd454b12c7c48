import TraceModel

extension LazyTraceStore {
    /// Decodes the traces at `positions` (every trace, in index order, when nil) a batch of about
    /// `batchBytes` of spans at a time on all cores, and hands `body` each batch in order: the
    /// positions it holds, its traces, and the exact duplicate spans their decoding kept once.
    /// Memory: the index and one batch.
    public func decodeInBatches(positions: [Int]? = nil, detail: TraceLoader.Detail = .full, batchBytes: Int64 = 48 << 20,
                                _ body: (_ positions: ArraySlice<Int>, _ traces: [Trace], _ duplicatesMerged: Int) throws -> Void) throws {
        for slice in batches(of: positions, batchBytes: batchBytes) {
            let decoded = Parallel.map(slice.count) { i in
                Result { () throws(TraceFormatError) in try self.decode(at: slice[slice.startIndex + i], detail: detail) }
            }
            var traces: [Trace] = []
            traces.reserveCapacity(decoded.count)
            var merged = 0
            for result in decoded {
                let (trace, copies) = try result.get()
                traces.append(trace)
                merged += copies
            }
            try body(slice, traces, merged)
        }
    }

    /// Decodes trace `i` like `decode(at:detail:)`, with the file's `scopeSpans` entry each of
    /// its span origins came from (a number per entry, the same for every trace with spans in
    /// it): a full load gives all spans of one entry one origin, shared across traces.
    public func decodeWithScopeEntries(at i: Int, detail: TraceLoader.Detail = .full) throws(TraceFormatError)
        -> (trace: Trace, duplicatesMerged: Int, entries: [ObjectIdentifier: Int]) {
        try decode(at: i, detail: detail, scopeEntries: true)
    }

    /// `positions` (every trace when nil) cut, in order, into batches of about `batchBytes` of
    /// spans each (at least one trace).
    public func batches(of positions: [Int]? = nil, batchBytes: Int64) -> [ArraySlice<Int>] {
        let entries = index.traces
        let wanted = positions ?? Array(entries.indices)
        var out: [ArraySlice<Int>] = []
        var first = 0
        while first < wanted.count {
            var last = first
            var bytes: Int64 = 0
            repeat {
                bytes += entries[wanted[last]].spanBytes
                last += 1
            } while last < wanted.count && bytes + entries[wanted[last]].spanBytes <= batchBytes
            out.append(wanted[first..<last])
            first = last
        }
        return out
    }

    /// True when some `scopeSpans` entry of the file holds spans of more than one trace (a
    /// collector batch, say), so a whole-file OTLP request groups spans across traces.
    public var tracesShareScopeEntries: Bool {
        var owner = [Int32](repeating: -1, count: index.contexts.count)
        for (t, entry) in index.traces.enumerated() {
            for run in entry.runs {
                let c = Int(run.context)
                if owner[c] == -1 { owner[c] = Int32(t) } else if owner[c] != Int32(t) { return true }
            }
        }
        return false
    }
}
