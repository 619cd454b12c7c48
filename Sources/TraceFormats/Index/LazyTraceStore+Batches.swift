import TraceModel

extension LazyTraceStore {
    /// Decodes the traces at `positions` (every trace, in index order, when nil) a batch of about
    /// `batchBytes` of spans at a time on all cores, and hands `body` each batch in order: the
    /// positions it holds, its traces, and the exact duplicate spans their decoding kept once.
    /// Memory: the index and one batch.
    public func decodeInBatches(positions: [Int]? = nil, detail: TraceLoader.Detail = .full, batchBytes: Int64 = 48 << 20,
                                _ body: (_ positions: ArraySlice<Int>, _ traces: [Trace], _ duplicatesMerged: Int) throws -> Void) throws {
        let entries = index.traces
        let wanted = positions ?? Array(entries.indices)
        var first = 0
        while first < wanted.count {
            var last = first
            var bytes: Int64 = 0
            repeat {
                bytes += entries[wanted[last]].spanBytes
                last += 1
            } while last < wanted.count && bytes + entries[wanted[last]].spanBytes <= batchBytes
            let slice = wanted[first..<last]
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
            first = last
        }
    }

    /// The file's `scopeSpans` entries trace `i` has spans in, in file order: the i-th distinct
    /// span origin of the decoded trace (in span order) comes from the i-th of these, when the
    /// trace has that many origins (a full load gives all spans of one entry one origin).
    public func scopeEntries(at i: Int) -> [Int] {
        var out: [Int] = []
        for run in index.traces[i].runs where out.last != Int(run.context) { out.append(Int(run.context)) }
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
