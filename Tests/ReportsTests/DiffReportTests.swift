import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import TestSupport
import Testing
import TraceAnalysis
import TraceFormats
import TraceModel
@testable import Reports

/// Two traces of the bundled samples, by id prefix.
func sampleTrace(_ file: String, _ prefix: String) throws -> Trace {
    let doc = try TraceLoader.load(path: sampleDirectory + "/" + file)
    return doc.traces[try TraceIDLookup.resolve(prefix, in: doc.traces, source: file)]
}

@Suite struct DiffReportTests {
    /// Every span of A and B is the side of one step, and the sides add up to the summaries.
    @Test(arguments: [
        ("openllmetry-triage-batch.otlp.jsonl", "c1cf", "openllmetry-triage-batch.otlp.jsonl", "601d"),
        ("agent-parallel-tools.otlp.jsonl", "942c", "rag-pipeline.otlp.json", "0f28"),
        ("agent-parallel-tools.otlp.jsonl", "942c", "agent-parallel-tools.otlp.jsonl", "942c"),
    ])
    func jsonTotalsAddUp(_ fileA: String, _ idA: String, _ fileB: String, _ idB: String) throws {
        let a = try sampleTrace(fileA, idA), b = try sampleTrace(fileB, idB)
        let diff = TraceDiff(a: a, b: b, prices: .standard)
        let bytes = DiffJSON.encode(diff, sourceA: fileA, sourceB: fileB)
        let root = try JSONSerialization.jsonObject(with: Data(bytes)) as! [String: Any]
        let sa = root["a"] as! [String: Any], sb = root["b"] as! [String: Any], delta = root["delta"] as! [String: Any]
        let steps = root["steps"] as! [[String: Any]]
        for (side, summary, trace) in [("a", sa, a), ("b", sb, b)] {
            let present = steps.compactMap { $0[side] as? [String: Any] }
            #expect(present.count == summary["span_count"] as! Int)
            #expect(Set(present.map { $0["span_id"] as! String }).count == trace.count)
            #expect(present.reduce(0) { $0 + ($1["total_tokens"] as! Int) } == summary["total_tokens"] as! Int)
            #expect(present.filter { $0["error"] as! Bool }.count == summary["error_count"] as! Int)
            let cost = present.reduce(0.0) { $0 + (($1["cost_usd"] as? Double) ?? 0) }
            #expect(abs(cost - (summary["cost_usd"] as! Double)) < 1e-12)
        }
        for key in ["span_count", "total_tokens", "llm_calls", "error_count"] {
            #expect(delta[key] as! Int == (sb[key] as! Int) - (sa[key] as! Int), "delta.\(key)")
        }
        for key in ["duration_ms", "cost_usd"] {
            #expect(abs((delta[key] as! Double) - ((sb[key] as! Double) - (sa[key] as! Double))) < 1e-9, "delta.\(key)")
        }
        let counts = root["counts"] as! [String: Int]
        #expect(counts.values.reduce(0, +) == steps.count)
        for step in steps {
            let status = step["status"] as! String
            #expect((step["a"] is NSNull) == (status == "added"))
            #expect((step["b"] is NSNull) == (status == "removed"))
        }
    }

    @Test func sameTraceIsAllSameAndAddsNothing() throws {
        let a = try sampleTrace("agent-parallel-tools.otlp.jsonl", "942c")
        let diff = TraceDiff(a: a, b: a, prices: .standard)
        #expect(diff.counts[.same] == a.count)
        let text = DiffText.render(diff, labelA: "x", labelB: "x")
        #expect(text.contains("steps: 14 same · 0 changed · 0 added · 0 removed"))
        #expect(!text.contains("LLM calls that changed"))
    }

    @Test func textReport() throws {
        let a = try sampleTrace("openllmetry-triage-batch.otlp.jsonl", "c1cf")
        let b = try sampleTrace("openllmetry-triage-batch.otlp.jsonl", "601d")
        let text = DiffText.render(TraceDiff(a: a, b: b, prices: .standard), labelA: "A.jsonl@c1cf", labelB: "B.jsonl@601d")
        #expect(text == """
        A  A.jsonl@c1cf  triage_ticket.workflow
        B  B.jsonl@601d  triage_ticket.workflow

                                A               B  change
        duration            952ms           30.1s  +29.1s (+3055%)
        spans                   2               2  =
        LLM calls               1               1  =
        tokens                 82               0  -82 (-100%)
        cost            $0.000023              $0  -$0.000023 (-100%)
        errors                  0               1  +1

        steps: 0 same · 2 changed · 0 added · 0 removed (timings count when they move more than 10% and 1.00ms)

                   A           B       Δ time   Δ tokens      Δ cost  step
        ~      952ms       30.1s       +29.1s                         triage_ticket.workflow
        ~      912ms       30.0s       +29.1s        -82  -$0.000023    openai.chat  [gpt-4o-mini]  (ok → error, finish reason, prompt, answer)

        LLM calls that changed:
        ~ triage_ticket.workflow/openai.chat
            finish reason: stop → none
            prompt:
              @@ -2,3 +2,3 @@
               Classify the support ticket as billing, bug, account or other, and draft a one-line reply.
               [user]
              -I was charged twice for my November invoice, please refund one of them.
              +How do I add a second admin to our workspace?
            answer:
              @@ -1,2 +0,0 @@
              -[assistant]
              -billing — Sorry about the double charge; we've refunded the duplicate payment, expect it in 3-5 days.

        """)
        let colored = DiffText.render(TraceDiff(a: a, b: b, prices: .standard), labelA: "A", labelB: "B", colored: true)
        #expect(colored.contains("\u{1B}[31m+29.1s (+3055%)\u{1B}[0m"))
        #expect(!text.contains("\u{1B}"))
    }

    @Test func hostileNamesAreEscapedInText() throws {
        var spans = [Span(traceID: TraceID("t"), spanID: SpanID("r"), name: "evil\u{1B}[2Jname", startNanos: 0, endNanos: 10)]
        let a = Trace(id: TraceID("t"), spans: spans)
        spans[0].name = "evil\u{1B}[2Jname2"
        let b = Trace(id: TraceID("t"), spans: spans)
        let text = DiffText.render(TraceDiff(a: a, b: b, prices: .standard), labelA: "a\u{7}", labelB: "b")
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        #expect(text.contains("evil^[[2Jname2  (was evil^[[2Jname)"))
    }
}

/// Collects what a JUnit file says, through Foundation's XML parser (independent of the writer).
final class JUnitCollector: NSObject, XMLParserDelegate {
    var suites: [[String: String]] = []
    var cases: [(attributes: [String: String], failures: [(message: String, text: String)])] = []
    private var inFailure = false
    private var text = ""
    private var message = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "testsuite": suites.append(attributes)
        case "testcase": cases.append((attributes, []))
        case "failure":
            inFailure = true
            text = ""
            message = attributes["message"] ?? ""
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inFailure { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "failure" {
            cases[cases.count - 1].failures.append((message, text))
            inFailure = false
        }
    }
}

@Suite struct JUnitTests {
    func parse(_ xml: String) throws -> JUnitCollector {
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = JUnitCollector()
        parser.delegate = collector
        #expect(parser.parse(), "not well-formed: \(String(describing: parser.parserError))")
        return collector
    }

    @Test func oneCasePerTraceAndAFailureNamingEveryBrokenLimit() throws {
        let breaches = [BudgetBreach(metric: .cost, limit: 0.04, actual: 0.05), BudgetBreach(metric: .llmCalls, limit: 5, actual: 6)]
        let lines = breaches.map(BudgetText.describe)
        #expect(lines == ["cost $0.050 is over the limit $0.040 by $0.010 (+25%)", "LLM calls 6 is over the limit 5 by 1 (+20%)"])
        let xml = JUnitReport.render(suite: "spanscope check", cases: [
            JUnitCase(name: "agent <v2> & \"friends\" (abc)", classname: "runs/a.json", seconds: 9.41, failures: lines),
            JUnitCase(name: "triage (def)", classname: "runs/a.json", seconds: 0.5, failures: []),
            JUnitCase(name: "bell\u{7} and \u{1B}[31mred\u{FFFE} (ghi)", classname: "b.json", seconds: .nan, failures: ["errors 1 is over the limit 0 by 1"]),
        ])
        let junit = try parse(xml)
        #expect(junit.suites.count == 1)
        #expect(junit.suites[0]["tests"] == "3" && junit.suites[0]["failures"] == "2")
        #expect(junit.cases.count == 3)
        #expect(junit.cases[0].attributes["name"] == "agent <v2> & \"friends\" (abc)")
        #expect(junit.cases[0].attributes["classname"] == "runs/a.json")
        #expect(junit.cases[0].attributes["time"] == "9.410")
        #expect(junit.cases[0].failures.count == 1)
        #expect(junit.cases[0].failures[0].message == lines.joined(separator: "; "))
        #expect(junit.cases[0].failures[0].text == lines.joined(separator: "\n"))
        #expect(junit.cases[1].failures.isEmpty)
        #expect(junit.cases[2].attributes["name"] == "bell^G and ^[[31mred\\u{FFFE} (ghi)")
    }

    @Test func regressionBreachInWords() {
        let b = BudgetBreach(metric: .duration, limit: 12e9, actual: 15e9, baseline: 10e9)
        #expect(BudgetText.describe(b) == "duration 15.0s vs 10.0s in A (+50%) passes the allowed 12.0s by 3.00s")
    }
}
