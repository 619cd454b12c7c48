import AITracing
import Explorer
import Reports
import TraceAnalysis
import TraceFormats
import TraceModel

/// What every reader target does with what it read: index checks, the analysis, and the
/// explorer drawing the trace and answering keys, so that a hostile value that only hurts a later
/// stage (a timestamp that overflows a subtraction, a cycle the index misses) is found as well.
enum FuzzSupport {
    /// Checks the tree index of every trace, analyses it and draws it; traps on a broken invariant.
    static func exercise(_ document: TraceDocument) {
        for trace in document.traces {
            checkIndex(trace)
        }
        // What `spanscope summary` prints, as text and JSON; the text must be one safe line per line.
        let text = SummaryText.render(document, prices: .standard)
        precondition(!text.unicodeScalars.contains { $0.value == 0x1B || (0x80...0x9F).contains($0.value) },
                     "summary text carries a raw escape")
        _ = SummaryJSON.encode(document, prices: .standard)
        // Drawing costs far more than reading: keep executions fast on larger inputs.
        guard document.spanCount <= 4_000 else { return }
        var state = ExplorerState(document: document, size: Size(width: 80, height: 24))
        let actions: [Action] = [.openTrace, .expandAll, .bottom, .openDetail, .pageDown, .bottom, .back,
                                 .nextCritical, .zoomIn, .zoomIn, .panRight, .slowest, .costliest, .nextError,
                                 .openDetail, .export, .back, .warnings, .back, .startSearch, .type("a"), .submit, .toggleFilter,
                                 .nextMatch, .collapseAll, .top, .zoomOut, .zoomReset, .traceList, .cycleSort,
                                 .openTrace, .export]
        _ = render(state, size: state.size)
        for (i, action) in actions.enumerated() {
            _ = state.apply(action)
            if i % 3 == 0 { _ = render(state, size: state.size) }
        }
        _ = state.apply(.resize(Size(width: 10, height: 3)))
        _ = render(state, size: state.size)
        _ = state.apply(.resize(Size(width: 200, height: 50)))
        _ = render(state, size: state.size)
        for trace in document.traces {
            for i in 0..<trace.count where trace.isLLM(i) { _ = trace.llmCallDetails(at: i) }
            _ = SpanQuery("a").matchingSpans(in: trace)
        }
    }

    /// The tree index's promises: a depth-first order holding every span once, parents before
    /// children, depths one more than the parent's, subtree sizes that add up.
    static func checkIndex(_ t: Trace) {
        let n = t.count
        precondition(t.preorder.count == n, "preorder misses spans")
        var seen = [Bool](repeating: false, count: n)
        for (pos, node) in t.preorder.enumerated() {
            let i = Int(node)
            precondition(!seen[i], "span twice in preorder")
            seen[i] = true
            precondition(Int(t.preorderPosition[i]) == pos, "position table wrong")
            if let p = t.parent(of: i) {
                precondition(t.preorderPosition[p] < t.preorderPosition[i], "child before parent")
                precondition(t.depths[i] == t.depths[p] + 1, "depth not parent's + 1")
                precondition(t.children(of: p).contains(Int32(i)), "child missing from parent's list")
            } else {
                precondition(t.depths[i] == 0, "root with depth")
                precondition(t.roots.contains(Int32(i)), "root missing from roots")
            }
        }
        var total = 0
        for r in t.roots { total += Int(t.subtreeSizes[Int(r)]) }
        precondition(total == n, "subtree sizes of roots do not add up")
        if n > 0 { precondition(t.rootIndex != nil, "no root index") }
    }

    /// Splits fuzz bytes into header values at newlines (several headers of one name).
    static func values(_ bytes: UnsafeRawBufferPointer) -> [String] {
        Array(bytes).split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }
}
