import TraceModel
import TerminalText

/// The help screen (generated from the key table) and the warnings screen.
enum Help {
    /// What the marks on screen mean.
    static let legend: [(String, String)] = [
        ("▾ ▸", "expanded / collapsed span (tree guides ├ └ │ show nesting)"),
        (Glyphs.criticalGutter, "span on the critical path (what the trace waited on)"),
        (Glyphs.criticalBar + Glyphs.criticalBar, "critical-path stretch in the waterfall (other time is █ ▏…▉)"),
        (Glyphs.errorMark, "span ended with an error"),
        (Glyphs.flagMark, "span the reader marked (orphan, cycle cut, duplicate id, bad timing); see details"),
        ("~1.2s", "duration estimated: the file had no timestamps for it"),
        ("◂ ▸", "bar outside the zoomed time range"),
        ("$?", "LLM call without a price (no recorded cost, model not in the price table)"),
        ("^[ \\u{…}", "control or invisible character from the trace, shown inert"),
    ]

    static func document(width: Int) -> DocumentView {
        var blocks: [DocumentBlock] = []
        for ctx in KeyContext.allCases {
            blocks.append(.heading(ctx.title))
            for b in KeyTable.bindings(in: ctx) {
                blocks.append(DocumentBlock(b.help, label: b.label, labelWidth: 14, labelStyle: Style(ink: .accent), indent: 1))
            }
            if ctx == .prompt {
                blocks.append(DocumentBlock("typed into the search", label: "text", labelWidth: 14,
                                            labelStyle: Style(ink: .accent), indent: 1))
            }
            blocks.append(.blank)
        }
        blocks.append(.heading("Marks"))
        for (mark, meaning) in legend {
            blocks.append(DocumentBlock(meaning, label: mark, labelWidth: 14, labelStyle: Style(ink: .accent), indent: 1))
        }
        return DocumentView(kind: .help, title: "Help", blocks: blocks, width: width)
    }

    static func warnings(_ document: TraceDocument, problem: String?, width: Int) -> DocumentView {
        var blocks: [DocumentBlock] = []
        if let p = problem {
            blocks.append(.heading("Only part of the file could be read"))
            blocks.append(DocumentBlock(p, style: Style(ink: .warning), indent: 1))
            blocks.append(DocumentBlock("The spans read before the problem are shown as a best-effort view.", indent: 1))
            blocks.append(.blank)
        }
        blocks.append(.heading("Reader warnings (\(document.warnings.count))"))
        if document.warnings.isEmpty {
            blocks.append(DocumentBlock("none", style: Style(ink: .muted), indent: 1))
        }
        for w in document.warnings { blocks.append(DocumentBlock(w, indent: 1)) }
        if document.skippedSpans > 0 {
            blocks.append(DocumentBlock("\(document.skippedSpans) spans could not be read and were skipped",
                                        style: Style(ink: .warning), indent: 1))
        }
        blocks.append(.blank)
        blocks.append(DocumentBlock("\(document.format) · \(document.traces.count) traces · \(document.spanCount) spans",
                                    style: Style(ink: .muted), label: "source", labelWidth: 10, indent: 1))
        return DocumentView(kind: .warnings, title: "Warnings · " + document.source, blocks: blocks, width: width)
    }
}

extension Glyphs {
    /// Tree gutter mark of a span on the critical path.
    static let criticalGutter = "┃"
    /// Waterfall cell on a critical-path stretch.
    static let criticalBar = "▓"
    /// Status mark of a failed span.
    static let errorMark = "✗"
    /// Status mark of a span with model flags.
    static let flagMark = "!"
}
