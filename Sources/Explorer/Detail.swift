import TraceAnalysis
import TraceModel
import TerminalText

/// Builds the detail document of a span: the LLM call first (when it is one), then the span's
/// own fields, events, attributes, links and resource.
enum Detail {
    static let labelWidth = 14
    /// Longest attribute or message text shown in full; the rest is counted and left to the export.
    /// Large enough to page through a 10 MB value (wrapping it takes well under a second).
    static let maxTextBytes = 16 << 20

    static func document(for span: Int, in insight: TraceInsight, width: Int) -> DocumentView {
        let trace = insight.trace
        let s = trace.spans[span]
        var blocks: [DocumentBlock] = []
        let muted = Style(ink: .muted)
        func field(_ label: String, _ value: String, _ style: Style = .plain) {
            blocks.append(DocumentBlock(clip(value), style: style, label: label, labelWidth: labelWidth))
        }
        let title: String
        // The full call: the index leaves messages out, they are decoded for this view only.
        if let call = trace.llmCallDetails(at: span) {
            title = "LLM call · " + [call.operation, call.model].compactMap { $0 }.joined(separator: " · ")
            blocks.append(.heading("LLM call"))
            let req = call.requestModel ?? "–", resp = call.responseModel ?? "–"
            field("model", call.requestModel == call.responseModel || call.responseModel == nil
                  ? "\(call.model ?? "(unknown)")" : "requested \(req) → answered by \(resp)", Style(ink: .llm))
            if let p = call.provider { field("provider", p) }
            if let op = call.operation { field("operation", op) }
            if !call.conventions.names.isEmpty { field("conventions", call.conventions.names.joined(separator: ", ")) }
            if !call.parameters.isEmpty {
                field("parameters", call.parameters.map { "\($0.key) \($0.value.displayText)" }.joined(separator: " · "))
            }
            let counted = call.promptTokens != nil || call.completionTokens != nil || call.recordedTotalTokens != nil
            if counted {
                // Each count with its parts beside it (conventions count cached input inside the
                // prompt and reasoning inside the completion: CONVENTIONS.md 0.4).
                func parts(_ named: [(Int64?, String)]) -> String {
                    let shown = named.compactMap { n, name in n.flatMap { $0 > 0 ? "\(Format.grouped($0)) \(name)" : nil } }
                    return shown.isEmpty ? "" : " (" + shown.joined(separator: ", ") + ")"
                }
                let prompt = (call.promptTokens.map(Format.grouped) ?? "?") + " prompt"
                    + parts([(call.cacheReadTokens, "cache read"), (call.cacheWriteTokens, "cache write"),
                             (call.audioInputTokens, "audio")])
                let completion = (call.completionTokens.map(Format.grouped) ?? "?") + " completion"
                    + parts([(call.reasoningTokens, "reasoning"), (call.audioOutputTokens, "audio")])
                field("tokens", "\(prompt) + \(completion) = \(Format.grouped(call.totalTokens)) total")
            } else {
                // Common for streamed calls whose SDK did not ask for usage.
                field("tokens", "not recorded in the trace", Style(ink: .warning))
            }
            if let cost = insight.statistics.cost(ofSpan: span) {
                switch cost.source {
                case .recorded:
                    field("cost", "\(Format.usd(cost.usd ?? 0)) recorded in the trace")
                case .computed(let price):
                    field("cost", "\(Format.usd(cost.usd ?? 0)) computed at \(price.prefix): "
                          + "$\(Format.fixed(price.inputPerMillion, digits: 2))/M in, "
                          + "$\(Format.fixed(price.outputPerMillion, digits: 2))/M out"
                          + ((call.cacheReadTokens ?? 0) > 0 || (call.cacheWriteTokens ?? 0) > 0
                             ? ", $\(Format.fixed(price.cacheReadPerMillion ?? price.inputPerMillion, digits: 3))/M cache read, "
                               + "$\(Format.fixed(price.cacheWritePerMillion ?? price.inputPerMillion, digits: 2))/M cache write" : "")
                          + "; price: \(price.sourceDescription)"
                          + (counted ? "" : "; without token counts this is a lower bound"))
                case .unpriced:
                    field("cost", "unpriced: no recorded cost and no price for \(call.model ?? "this model")",
                          Style(ink: .warning))
                }
            }
            var latency = Format.duration(s.durationNanos)
            if let ttft = call.timeToFirstTokenNanos { latency += " · time to first token " + Format.duration(ttft) }
            field("latency", latency)
            if !call.finishReasons.isEmpty { field("finish", call.finishReasons.joined(separator: ", ")) }
            if let id = call.responseID { field("response id", id) }
            blocks.append(.blank)
            messages("Input messages", call.inputMessages, into: &blocks)
            messages("Output", call.outputMessages, into: &blocks)
        } else {
            title = "Span · " + s.name
        }
        retrieved(trace.retrievalDocuments(at: span), into: &blocks)

        blocks.append(.heading("Span"))
        field("name", s.name, Style(attributes: [.bold]))
        if !s.service.isEmpty { field("service", s.service) }
        field("kind", s.kind.name)
        field("span id", s.spanID.description)
        let followsFrom = s.attributes[key: "jaeger.ref_type"]?.stringValue == "FOLLOWS_FROM"
        field("parent id", (s.parentID?.description ?? "(root)") + (followsFrom ? "  (FOLLOWS_FROM: the parent does not wait for it)" : ""))
        if case .array(let list)? = s.attributes[key: "jaeger.warnings"], !list.isEmpty {
            field("warnings", list.map(\.displayText).joined(separator: " · "), Style(ink: .warning))
        }
        field("trace id", s.traceID.description)
        field("start", Format.timestamp(s.startNanos) + "  (+" + Format.duration(s.startNanos - trace.startNanos) + ")")
        field("duration", Format.duration(s.durationNanos) + " · self "
              + Format.duration(insight.statistics.selfTimeNanos(of: span)))
        let (own, sub) = insight.criticalTime(of: span)
        if insight.criticalNanos > 0 {
            // Two shares of the whole trace's critical path: under this span, and in its own code.
            let total = Double(insight.criticalNanos)
            field("critical path", sub == own
                  ? Format.percent(Double(sub), of: total) + " of the trace's critical path runs in this span"
                  : Format.percent(Double(sub), of: total) + " of the trace's critical path runs under this span, "
                    + Format.percent(Double(own), of: total) + " in the span itself")
        }
        switch s.status.code {
        case .error: field("status", "ERROR" + (s.status.message.isEmpty ? "" : ": " + s.status.message), Style(ink: .error))
        case .ok: field("status", "OK", Style(ink: .good))
        case .unset: field("status", "unset", muted)
        }
        let flags = trace.flags[span]
        if !flags.isEmpty { field("marked", flags.names.joined(separator: ", "), Style(ink: .warning)) }

        if !s.events.isEmpty {
            blocks.append(.blank)
            blocks.append(.heading("Events (\(s.events.count))"))
            for e in s.events {
                let at = "+" + Format.duration(e.timeNanos - s.startNanos)
                let isException = e.name == "exception"
                var line = e.name
                if isException {
                    let type = e.attributes[key: "exception.type"]?.displayText ?? ""
                    let msg = e.attributes[key: "exception.message"]?.displayText ?? ""
                    line += ": " + [type, msg].filter { !$0.isEmpty }.joined(separator: ": ")
                }
                blocks.append(DocumentBlock(clip(line), style: Style(ink: isException ? .error : .normal),
                                            label: at, labelWidth: labelWidth))
                for a in e.attributes {
                    blocks.append(DocumentBlock(clip(a.value.displayText), label: a.key, labelWidth: 28, indent: 2))
                }
            }
        }

        attributes("Attributes", s.attributes, into: &blocks)
        if !s.links.isEmpty {
            blocks.append(.blank)
            blocks.append(.heading("Links (\(s.links.count))"))
            for l in s.links {
                blocks.append(DocumentBlock("trace \(l.traceID) span \(l.spanID)", indent: 2))
                for a in l.attributes {
                    blocks.append(DocumentBlock(clip(a.value.displayText), label: a.key, labelWidth: 28, indent: 4))
                }
            }
        }
        var resource = s.origin.resource
        if !s.origin.scopeName.isEmpty {
            resource.append(Attribute("(scope)", .string(s.origin.scopeName + " " + s.origin.scopeVersion)))
        }
        attributes("Resource", resource, into: &blocks)
        return DocumentView(kind: .span(span), title: title, blocks: blocks, width: width)
    }

    private static func messages(_ heading: String, _ messages: [LLMMessage], into blocks: inout [DocumentBlock]) {
        guard !messages.isEmpty else { return }
        blocks.append(.heading("\(heading) (\(messages.count))"))
        for m in messages {
            var head = m.role
            if let n = m.name { head += " (\(n))" }
            if let f = m.finishReason { head += " · finish: " + f }
            blocks.append(DocumentBlock(head, style: Style(ink: roleInk(m.role), attributes: [.bold]), indent: 1))
            for part in m.parts {
                blocks.append(DocumentBlock(clip(part.displayText), indent: 3))
            }
        }
        blocks.append(.blank)
    }

    /// Lines of a retrieved document's content shown in the list; the attributes below keep all of it.
    static let documentPreviewLines = 3

    /// The documents a retrieval step returned, in its order: rank, id and score, then the first
    /// lines of the content.
    private static func retrieved(_ docs: [RetrievalDocument], into blocks: inout [DocumentBlock]) {
        guard !docs.isEmpty else { return }
        blocks.append(.heading("Retrieved documents (\(docs.count))"))
        for (i, d) in docs.enumerated() {
            var head = [d.id.map { "id " + $0 }, d.score.map { "score " + Format.fixed($0, digits: 3) }].compactMap { $0 }
            if head.isEmpty { head = ["(no id or score)"] }
            blocks.append(DocumentBlock(clip(head.joined(separator: " · ")), style: Style(ink: .accent),
                                        label: "\(i + 1).", labelWidth: 4, indent: 1))
            guard let content = d.content, !content.isEmpty else { continue }
            var lines = content.split(separator: "\n", omittingEmptySubsequences: true)
            let more = lines.count - documentPreviewLines
            if more > 0 { lines = Array(lines.prefix(documentPreviewLines)) }
            var shown = lines.joined(separator: "\n")
            // A line can be a whole book: the preview stops at a few screens.
            if shown.utf8.count > 1_000 { shown = String(shown.prefix(1_000)) + "…" }
            if more > 0 { shown += "\n[… \(Format.plural(more, "more line"))]" }
            blocks.append(DocumentBlock(shown, indent: 5))
        }
        blocks.append(.blank)
    }

    private static func roleInk(_ role: String) -> Ink {
        switch role {
        case "assistant": return .llm
        case "system": return .muted
        case "tool": return .accent
        default: return .normal
        }
    }

    private static func attributes(_ heading: String, _ attrs: [Attribute], into blocks: inout [DocumentBlock]) {
        guard !attrs.isEmpty else { return }
        blocks.append(.blank)
        blocks.append(.heading("\(heading) (\(attrs.count))"))
        let keyWidth = min(36, (attrs.map { CellWidth.of($0.key) }.max() ?? 0) + 2)
        for a in attrs {
            blocks.append(DocumentBlock(clip(a.value.displayText), label: a.key, labelWidth: keyWidth,
                                        labelStyle: Style(ink: .muted), indent: 2))
        }
    }

    /// Text up to `maxTextBytes`, with a note saying how much was left out.
    static func clip(_ text: String) -> String {
        let n = text.utf8.count
        guard n > maxTextBytes else { return text }
        let utf8 = text.utf8
        var end = utf8.index(utf8.startIndex, offsetBy: maxTextBytes)
        // Back off to the start of a UTF-8 sequence so no character is cut in half.
        while end > utf8.startIndex && utf8[end] & 0xC0 == 0x80 { end = utf8.index(before: end) }
        return String(decoding: utf8[..<end], as: UTF8.self) + "\n[… \(Format.grouped(Int64(n - maxTextBytes))) more bytes; export with x to see all]"
    }
}

extension ExplorerState {
    /// Details of the selected span, with the trace's search highlighted and scrolled to.
    func detailDocument(_ s: TraceSession) -> DocumentView {
        var doc = Detail.document(for: s.selected, in: s.insight, width: size.width)
        if let text = s.search?.text { doc.highlight(text, height: documentHeight) }
        return doc
    }
}
