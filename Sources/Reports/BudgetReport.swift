import TerminalText
import TraceAnalysis
import TraceModel

/// Budget breaches in words: one line per broken limit for `check` and `diff --fail-on`.
public enum BudgetText {
    /// `cost $0.0502 is over the limit $0.0400 by $0.0102 (+26%)`; for a regression limit,
    /// `cost $0.0502 vs $0.0421 in A (+19%) passes the allowed $0.0463 by $0.0039`.
    public static func describe(_ breach: BudgetBreach) -> String {
        let m = breach.metric
        let name = m == .llmCalls ? "LLM calls" : m.rawValue
        let over = value(m, breach.excess)
        if let base = breach.baseline {
            var line = "\(name) \(value(m, breach.actual)) vs \(value(m, base)) in A"
            if base != 0 { line += " (+" + Format.percent((breach.actual - base) / abs(base) * 100) + ")" }
            return line + " passes the allowed \(value(m, breach.limit)) by \(over)"
        }
        var line = "\(name) \(value(m, breach.actual)) is over the limit \(value(m, breach.limit)) by \(over)"
        if breach.limit > 0 { line += " (+" + Format.percent(breach.excess / breach.limit * 100) + ")" }
        return line
    }

    /// A metric's value as people write it: USD, a duration, or a count.
    public static func value(_ metric: BudgetMetric, _ v: Double) -> String {
        switch metric {
        case .cost: return Format.usd(v)
        case .duration: return Format.duration(Int64(max(min(v, 9e18), -9e18)))
        case .llmCalls, .tokens, .errors: return Format.grouped(Int64(max(min(v, 9e18), -9e18)))
        }
    }

    /// How `check` names a trace in a breach line and a JUnit test case: `root (trace id)`.
    public static func traceName(_ trace: Trace) -> String {
        terminalSafe(trace.rootName.isEmpty ? "(empty trace)" : trace.rootName) + " (" + terminalSafe(trace.id.description) + ")"
    }
}

/// One JUnit test case: a trace and the budget limits it broke.
public struct JUnitCase: Hashable, Sendable {
    /// Test name (the trace's root and id).
    public var name: String
    /// Class name: the file the trace came from.
    public var classname: String
    /// Trace duration in seconds.
    public var seconds: Double
    /// One line per broken limit; empty when the trace kept its budget.
    public var failures: [String]

    /// Creates a case.
    public init(name: String, classname: String, seconds: Double, failures: [String]) {
        self.name = name
        self.classname = classname
        self.seconds = seconds
        self.failures = failures
    }
}

/// JUnit XML, the test report format CI systems (GitHub Actions reporters, GitLab, Jenkins) read.
///
/// Shape: the de-facto schema of Ant's JUnit task as CI servers read it
/// (`testsuites > testsuite > testcase > failure`, with `tests`, `failures`, `errors`, `time`;
/// see https://github.com/testmoapp/junitxml). A testcase carries at most one `failure` element
/// (several confuse some readers); its `message` names every broken limit and its text has one
/// line per limit.
public enum JUnitReport {
    /// The XML document for `cases` under one suite called `suite`.
    public static func render(suite: String, cases: [JUnitCase]) -> String {
        let failures = cases.filter { !$0.failures.isEmpty }.count
        let total = cases.reduce(0.0) { $0 + ($1.seconds.isFinite ? $1.seconds : 0) }
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        out += #"<testsuites name="\#(attr(suite))" tests="\#(cases.count)" failures="\#(failures)" errors="0" time="\#(seconds(total))">"# + "\n"
        out += #"  <testsuite name="\#(attr(suite))" tests="\#(cases.count)" failures="\#(failures)" errors="0" skipped="0" time="\#(seconds(total))">"# + "\n"
        for c in cases {
            let open = #"    <testcase name="\#(attr(c.name))" classname="\#(attr(c.classname))" time="\#(seconds(c.seconds))""#
            if c.failures.isEmpty {
                out += open + "/>\n"
                continue
            }
            out += open + ">\n"
            out += #"      <failure type="budget" message="\#(attr(c.failures.joined(separator: "; ")))">"#
            out += c.failures.map(text).joined(separator: "\n")
            out += "</failure>\n"
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    static func seconds(_ s: Double) -> String { s.isFinite ? Format.fixed(max(0, s), digits: 3) : "0.000" }

    /// Text made safe (no control characters, which XML 1.0 cannot hold at all) and escaped.
    static func text(_ s: String) -> String {
        var out = ""
        for scalar in terminalSafe(s).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            // Noncharacters U+FFFE/U+FFFF are not allowed in XML 1.0 either (section 2.2, Char).
            case "\u{FFFE}", "\u{FFFF}": out += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func attr(_ s: String) -> String {
        text(s).replacingQuotes()
    }
}

extension String {
    func replacingQuotes() -> String {
        var out = ""
        for ch in self {
            switch ch {
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }
}
