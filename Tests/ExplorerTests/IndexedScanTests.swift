import Foundation
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Explorer

/// The list of a file being indexed as the batches of a real scan reach it: rows merged in rather
/// than re-sorted, and a trace whose spans sit at both ends of the file opened half-way.
@Suite struct IndexedScanTests {
    /// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", 2014):
    /// a seeded generator so a failing run can be repeated.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    struct Found {
        var id: TraceID
        var name: String
        var start: Int64
        var duration: Int64
        var spans: Int
        var errors: Int
    }

    func row(_ f: Found) -> IndexedRow {
        IndexedRow(id: f.id, rootService: "svc",
                   facts: TraceFacts(rootName: f.name, rootService: "svc", startNanos: f.start, durationNanos: f.duration,
                                     spanCount: f.spans, errorCount: f.errors, calls: [], prices: .standard))
    }

    /// Applies an action through the pure `update`, returning its command.
    @discardableResult
    func apply(_ s: inout ExplorerState, _ a: Action) -> Command? {
        let (next, command) = update(s, a)
        s = next
        return command
    }

    func shownIDs(_ s: ExplorerState) -> [TraceID] { s.list.order.map { s.list.entries[$0].id } }

    func selected(_ s: ExplorerState) -> TraceID? { s.list.selectedEntry?.id }

    /// Random scans: traces appear and grow batch by batch (few distinct values, so ties are
    /// common), while the sort, its direction, the filter and the selection change. The list fed
    /// only the changed rows, merged, must equal the list that sorts every row of every batch.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func mergedBatchesGiveTheOrderOfAFullSort(seed: UInt64) {
        var rng = Seeded(state: seed)
        var merged = ExplorerState(indexing: "/data/big.jsonl", totalBytes: 1_000, size: Size(width: 120, height: 20))
        var sorted = merged
        var set = IndexedRowSet()
        var found: [Found] = []
        var next = 0
        for sequence in 1...40 {
            // New traces, and some known ones grow (more spans, an earlier start, a longer run).
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                next += 1
                found.append(Found(id: TraceID(String(format: "%032x", next * 7919)), name: ["plan", "act", "rag", "zeta"].randomElement(using: &rng)!,
                                   start: Int64.random(in: 0...20, using: &rng), duration: Int64.random(in: 1...6, using: &rng),
                                   spans: 1, errors: 0))
            }
            for _ in 0..<Int.random(in: 0...6, using: &rng) where !found.isEmpty {
                let i = Int.random(in: 0..<found.count, using: &rng)
                found[i].spans += Int.random(in: 1...3, using: &rng)
                found[i].start -= Int64.random(in: 0...2, using: &rng)
                found[i].duration += Int64.random(in: 0...3, using: &rng)
                found[i].errors += Int.random(in: 0...1, using: &rng)
            }
            // The scan hands its traces over in an order of its own.
            let handed = found.shuffled(using: &rng)
            let changed = set.take(count: handed.count, id: { handed[$0].id }, spans: { handed[$0].spans },
                                   row: { row(handed[$0]) })
            let read = Int64(sequence * 20)
            apply(&merged, .indexProgress(IndexBatch(sequence: sequence, rows: set.rows, changed: changed,
                                                     bytesRead: read, totalBytes: 1_000)))
            apply(&sorted, .indexProgress(IndexBatch(sequence: sequence, rows: set.rows, bytesRead: read, totalBytes: 1_000)))
            #expect(set.rows.count == found.count)
            #expect(shownIDs(merged) == shownIDs(sorted), "batch \(sequence), sort \(merged.list.sort), descending \(merged.list.descending)")
            #expect(selected(merged) == selected(sorted), "the selection stays on the same trace")
            // Columns: the same usual name width; never narrower than a full measure (they only widen while the file is read).
            #expect(merged.list.measure.usualName == sorted.list.measure.usualName)
            #expect(zip(merged.list.measure.widths, sorted.list.measure.widths).allSatisfy { $0 >= $1 })
            #expect(merged.list.totals.spans == sorted.list.totals.spans && merged.list.totals.traces == sorted.list.totals.traces)
            // What the user does between batches, to both lists alike.
            let keys = ["j", "jj", "k", "s", "S", "r", "/spans>2<enter>", "/<enter>", "/error<enter>", ""]
                .randomElement(using: &rng)!
            merged.press(keys)
            sorted.press(keys)
        }
        #expect(merged.list.entries.count > 100)
    }

    @Test func theRowSetNamesNewAndGrownRowsAndKeepsEachTraceWhereItFirstCame() {
        var set = IndexedRowSet()
        let a = Found(id: TraceID("a1"), name: "a", start: 5, duration: 1, spans: 1, errors: 0)
        var b = Found(id: TraceID("b2"), name: "b", start: 1, duration: 1, spans: 2, errors: 0)
        let c = Found(id: TraceID("c3"), name: "c", start: 3, duration: 1, spans: 1, errors: 0)
        var first = [a, b]
        #expect(set.take(count: 2, id: { first[$0].id }, spans: { first[$0].spans }, row: { row(first[$0]) }) == [0, 1])
        b.spans = 4
        first = [c, b, a]
        #expect(set.take(count: 3, id: { first[$0].id }, spans: { first[$0].spans }, row: { row(first[$0]) }) == [2, 1])
        #expect(set.rows.map(\.id) == [TraceID("a1"), TraceID("b2"), TraceID("c3")])
        #expect(set.rows[1].facts.spanCount == 4)
        #expect(set.take(count: 3, id: { first[$0].id }, spans: { first[$0].spans }, row: { row(first[$0]) }) == [])
    }

    // MARK: A trace at both ends of the file

    static let split = "5b8efff798038103d269b633813fc60c"

    /// One request line: `spans` under a resource of service `service`.
    static func line(_ service: String, _ spans: [String]) -> String {
        #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"\#(service)"}}]},"#
            + #""scopeSpans":[{"scope":{"name":"test"},"spans":["# + spans.joined(separator: ",") + "]}]}]}\n"
    }

    static func span(_ trace: String, _ id: String, parent: String?, _ name: String, _ start: Int, _ end: Int) -> String {
        #"{"traceId":"\#(trace)","spanId":"\#(id)","# + (parent.map { #""parentSpanId":"\#($0)","# } ?? "")
            + #""name":"\#(name)","startTimeUnixNano":"\#(start)","endTimeUnixNano":"\#(end)"}"#
    }

    /// The split trace's root and plan step on the first line, 300 other traces, then its tool
    /// call and answer on the last line.
    static func splitFile() -> String {
        var text = line("agent", [span(split, "00000000000000a1", parent: nil, "run", 1_000, 90_000),
                                  span(split, "00000000000000a2", parent: "00000000000000a1", "plan", 1_100, 9_000)])
        for n in 0..<300 {
            let id = String(format: "%032x", 0xF00D + n)
            text += line("filler", [span(id, "00000000000000b1", parent: nil, "other \(n) " + String(repeating: "x", count: 200), 2_000 + n, 3_000 + n)])
        }
        text += line("tools", [span(split, "00000000000000a3", parent: "00000000000000a1", "search", 10_000, 50_000),
                               span(split, "00000000000000a4", parent: "00000000000000a1", "answer", 50_000, 89_000)])
        return text
    }

    @Test func aTraceAtBothEndsOfTheFileOpensHalfWayAsItsFirstPartThenWholeInPlace() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spanscope-split-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("split.jsonl").path
        try Self.splitFile().write(toFile: path, atomically: true, encoding: .utf8)
        let id = TraceID(Self.split)

        // A scan in small windows, asked once before it starts: its parts hand over what they
        // found at the end of their first window, which holds the first line but not the last.
        let progress = IndexProgress()
        #expect(progress.partialIndex(of: id, source: path) == nil, "nothing before the scan")
        let index = try TraceIndexer.index(path: path, parts: 1, progress: progress, window: 4_096)
        let soFar = try #require(progress.partialIndex(of: id, source: path))
        let half = try LazyTraceStore(index: soFar).trace(at: 0)
        #expect(half.spans.map(\.name) == ["run", "plan"])
        #expect(soFar.traces[0].spanCount == 2)
        let whole = try LazyTraceStore(index: index).trace(at: index.traces.firstIndex { $0.id == id }!)
        let full = try TraceLoader.load(path: path).traces.first { $0.id == id }!
        #expect(whole.spans.map(\.name) == full.spans.map(\.name))
        #expect(whole.spans.map(\.service) == ["agent", "agent", "tools", "tools"])

        // The explorer: the rows found so far, Enter on the split trace, then the scan's end.
        let found = try #require(progress.partialTraces())
        let rows = found.map { e in
            IndexedRow(id: e.id, rootService: e.rootService,
                       facts: TraceFacts(rootName: e.rootName, rootService: e.rootService, startNanos: e.startNanos,
                                         durationNanos: e.durationNanos, spanCount: e.spanCount, errorCount: e.errorCount,
                                         calls: e.llmCalls, prices: .standard))
        }
        var s = ExplorerState(indexing: path, totalBytes: index.bytes, size: Size(width: 120, height: 12))
        var set = IndexedRowSet()
        let changed = set.take(count: rows.count, id: { rows[$0].id }, spans: { rows[$0].facts.spanCount }, row: { rows[$0] })
        apply(&s, .indexProgress(IndexBatch(sequence: 1, rows: set.rows, changed: changed, bytesRead: 4_096,
                                            totalBytes: index.bytes)))
        #expect(s.list.selectedEntry?.id == id, "it starts first")
        #expect(s.press("<enter>") == [.decodeTrace(id)])
        apply(&s, .traceDecoded(DecodedTrace(id: id, trace: half, prices: .standard, partialSpans: soFar.traces[0].spanCount)))
        #expect(s.rowNames == ["run", "plan"])
        #expect(s.partialBadge?.hasPrefix("partial: scan at ") == true)
        s.press("j")
        let last = index.traces.map { e in
            IndexedRow(id: e.id, rootService: e.rootService,
                       facts: TraceFacts(rootName: e.rootName, rootService: e.rootService, startNanos: e.startNanos,
                                         durationNanos: e.durationNanos, spanCount: e.spanCount, errorCount: e.errorCount,
                                         calls: e.llmCalls, prices: .standard))
        }
        #expect(apply(&s, .indexProgress(IndexBatch(sequence: 2, rows: last, bytesRead: index.bytes, totalBytes: index.bytes,
                                                    done: true))) == .decodeTrace(id))
        apply(&s, .traceDecoded(DecodedTrace(id: id, trace: whole, prices: .standard)))
        #expect(s.rowNames == ["run", "plan", "search", "answer"])
        #expect(s.selectedName == "plan")
        #expect(s.partialBadge == nil)
    }
}
