import TerminalText
import TraceAnalysis
import TraceModel

/// The human-readable comparison that `spanscope diff` prints: the totals of both runs and the
/// change, then the aligned tree with a delta column, then what changed in each LLM call.
public enum DiffText {
    /// Lines of a prompt or answer diff shown per call; the rest are counted.
    static let diffLines = 40

    /// Renders `diff`. `labelA`/`labelB` say where the runs came from (file and trace id);
    /// `colored` adds ANSI colours (only for a terminal: the caller decides).
    public static func render(_ diff: TraceDiff, labelA: String, labelB: String, colored: Bool = false) -> String {
        let paint = Paint(enabled: colored)
        let a = TraceSummary(trace: diff.a, statistics: diff.statisticsA)
        let b = TraceSummary(trace: diff.b, statistics: diff.statisticsB)
        var out: [String] = []
        out.append("A  " + terminalSafe(labelA) + "  " + terminalSafe(a.rootName))
        out.append("B  " + terminalSafe(labelB) + "  " + terminalSafe(b.rootName))
        out.append("")
        out.append(totalsRow("", "A", "B", "change"))
        let ta = a.totals, tb = b.totals
        out.append(totalsRow("duration", Format.duration(a.durationNanos), Format.duration(b.durationNanos),
                             change(Double(a.durationNanos), Double(b.durationNanos), paint) { signedDuration(Int64($0)) }))
        out.append(totalsRow("spans", Format.grouped(Int64(ta.spanCount)), Format.grouped(Int64(tb.spanCount)),
                             change(Double(ta.spanCount), Double(tb.spanCount), paint, neutral: true) { signedCount($0) }))
        out.append(totalsRow("LLM calls", Format.grouped(Int64(ta.llmCalls)), Format.grouped(Int64(tb.llmCalls)),
                             change(Double(ta.llmCalls), Double(tb.llmCalls), paint) { signedCount($0) }))
        out.append(totalsRow("tokens", Format.grouped(ta.totalTokens), Format.grouped(tb.totalTokens),
                             change(Double(ta.totalTokens), Double(tb.totalTokens), paint) { signedCount($0) }))
        out.append(totalsRow("cost", costText(ta), costText(tb),
                             change(ta.costUSD, tb.costUSD, paint) { signedUSD($0) }))
        out.append(totalsRow("errors", Format.grouped(Int64(ta.errorCount)), Format.grouped(Int64(tb.errorCount)),
                             change(Double(ta.errorCount), Double(tb.errorCount), paint) { signedCount($0) }))
        out.append("")
        let counts = diff.counts
        let threshold = Format.percent(diff.threshold.relative * 100) + " and " + Format.duration(diff.threshold.absoluteNanos)
        out.append("steps: \(counts[.same] ?? 0) same · \(counts[.changed] ?? 0) changed · \(counts[.added] ?? 0) added · "
                   + "\(counts[.removed] ?? 0) removed (timings count when they move more than \(threshold))")
        out.append("")
        out.append("  " + TextFormat.left("A", 10) + "  " + TextFormat.left("B", 10) + "  " + TextFormat.left("Δ time", 11)
                   + "  " + TextFormat.left("Δ tokens", 9) + "  " + TextFormat.left("Δ cost", 10) + "  step")
        for i in diff.steps.indices { out.append(row(i, diff, paint)) }

        var details: [String] = []
        for i in diff.steps.indices where !diff.steps[i].changes.isDisjoint(with: DiffChanges.content) {
            guard let cmp = diff.llmComparison(of: i) else { continue }
            details.append(paint.changed("~") + " " + terminalSafe(diff.path(of: i)))
            details.append(contentsOf: callLines(cmp))
        }
        if !details.isEmpty {
            out.append("")
            out.append("LLM calls that changed:")
            out.append(contentsOf: details)
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func totalsRow(_ label: String, _ a: String, _ b: String, _ change: String) -> String {
        TextFormat.pad(label, 10) + TextFormat.left(a, 14) + "  " + TextFormat.left(b, 14) + "  " + change
    }

    static func costText(_ t: UsageTotals) -> String {
        Format.usd(t.costUSD) + (t.unpricedCalls > 0 ? " +\(t.unpricedCalls) unpriced" : "")
    }

    /// `+812.0 ms (+19%)`, coloured red when B is higher (worse), green when lower.
    static func change(_ a: Double, _ b: Double, _ paint: Paint, neutral: Bool = false, _ format: (Double) -> String) -> String {
        let d = b - a
        if d == 0 { return "=" }
        var text = format(d)
        if a != 0 { text += " (" + (d > 0 ? "+" : "-") + Format.percent(abs(d) / abs(a) * 100) + ")" }
        if neutral { return text }
        return d > 0 ? paint.worse(text) : paint.better(text)
    }

    static func signedDuration(_ d: Int64) -> String { (d < 0 ? "-" : "+") + Format.duration(d.magnitude > UInt64(Int64.max) ? .max : Int64(d.magnitude)) }
    static func signedCount(_ d: Double) -> String { (d < 0 ? "-" : "+") + Format.grouped(Int64(abs(d).rounded())) }
    static func signedUSD(_ d: Double) -> String { (d < 0 ? "-" : "+") + Format.usd(abs(d)) }

    static func row(_ i: Int, _ diff: TraceDiff, _ paint: Paint) -> String {
        let step = diff.steps[i]
        let sa = diff.sideA(i), sb = diff.sideB(i)
        let mark: String
        switch step.status {
        case .same: mark = " "
        case .changed: mark = paint.changed("~")
        case .added: mark = paint.better("+")
        case .removed: mark = paint.worse("-")
        }
        let durA = sa.map { Format.duration($0.durationNanos) } ?? "—"
        let durB = sb.map { Format.duration($0.durationNanos) } ?? "—"
        var dTime = "", dTokens = "", dCost = ""
        let timeA = sa?.durationNanos ?? 0, timeB = sb?.durationNanos ?? 0
        if timeA != timeB && (step.status != .same) { dTime = signedDuration(timeB &- timeA) }
        let tokA = sa?.totalTokens ?? 0, tokB = sb?.totalTokens ?? 0
        if tokA != tokB { dTokens = signedCount(Double(tokB &- tokA)) }
        let costA = sa?.costUSD ?? 0, costB = sb?.costUSD ?? 0
        if abs(costB - costA) > 1e-12 { dCost = signedUSD(costB - costA) }
        func colour(_ s: String, _ up: Bool) -> String { s.isEmpty ? s : (up ? paint.worse(s) : paint.better(s)) }
        var line = mark + " " + TextFormat.left(durA, 10) + "  " + TextFormat.left(durB, 10) + "  "
        line += colour(TextFormat.left(dTime, 11), timeB > timeA) + "  " + colour(TextFormat.left(dTokens, 9), tokB > tokA)
        line += "  " + colour(TextFormat.left(dCost, 10), costB > costA) + "  "
        line += String(repeating: "  ", count: min(Int(step.depth), 20))
        let name = diff.name(of: i)
        line += terminalSafe(step.occurrence > 0 ? "\(name)[\(step.occurrence)]" : name)
        if let call = (sb ?? sa)?.llm, let model = call.model { line += "  [" + terminalSafe(model) + "]" }
        var notes: [String] = []
        if step.changes.contains(.name), let sa { notes.append("was " + terminalSafe(sa.name)) }
        if step.changes.contains(.status), let sa, let sb {
            notes.append((sa.isError ? "error" : "ok") + " → " + (sb.isError ? "error" : "ok"))
        } else if step.status == .added, sb?.isError == true {
            notes.append("error")
        } else if step.status == .removed, sa?.isError == true {
            notes.append("error")
        }
        if step.changes.contains(.model), let ma = sa?.llm?.model, let mb = sb?.llm?.model, ma != mb {
            notes.append("model " + terminalSafe(ma) + " → " + terminalSafe(mb))
        }
        for (flag, word) in [(DiffChanges.parameters, "parameters"), (.finishReason, "finish reason"), (.prompt, "prompt"), (.answer, "answer")]
            where step.changes.contains(flag) {
            notes.append(word)
        }
        if !notes.isEmpty { line += "  (" + notes.joined(separator: ", ") + ")" }
        return line
    }

    /// The differing fields of two calls, then the prompt and answer diffs.
    static func callLines(_ cmp: LLMCallComparison) -> [String] {
        var lines: [String] = []
        let a = cmp.a, b = cmp.b
        if cmp.changes.contains(.model) {
            lines.append("    model: " + terminalSafe(a.model ?? "?") + " → " + terminalSafe(b.model ?? "?"))
        }
        if cmp.changes.contains(.parameters) {
            let pa = LLMCallComparison.parameterText(a).joined(separator: " "), pb = LLMCallComparison.parameterText(b).joined(separator: " ")
            lines.append("    parameters: " + terminalSafe(pa.isEmpty ? "none" : pa) + " → " + terminalSafe(pb.isEmpty ? "none" : pb))
        }
        if cmp.changes.contains(.finishReason) {
            let fa = a.finishReasons.joined(separator: ","), fb = b.finishReasons.joined(separator: ",")
            lines.append("    finish reason: " + terminalSafe(fa.isEmpty ? "none" : fa) + " → " + terminalSafe(fb.isEmpty ? "none" : fb))
        }
        for (title, diff) in [("prompt", cmp.promptDiff()), ("answer", cmp.answerDiff())] where !diff.isEmpty {
            lines.append("    \(title):")
            for line in diff.prefix(diffLines) { lines.append("      " + terminalSafe(line)) }
            if diff.count > diffLines { lines.append("      … \(diff.count - diffLines) more lines") }
        }
        return lines
    }
}

/// ANSI colours for a terminal, or nothing.
struct Paint {
    let enabled: Bool
    func wrap(_ code: String, _ s: String) -> String { enabled ? "\u{1B}[\(code)m" + s + "\u{1B}[0m" : s }
    /// Higher cost, time, tokens; removed steps.
    func worse(_ s: String) -> String { wrap("31", s) }
    /// Lower; added steps.
    func better(_ s: String) -> String { wrap("32", s) }
    /// Changed steps.
    func changed(_ s: String) -> String { wrap("33", s) }
}
