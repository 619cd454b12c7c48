/// Where a key binding applies.
public enum KeyContext: String, Hashable, Sendable, CaseIterable {
    /// The trace view: span tree, waterfall, side panel.
    case trace
    /// The list of traces in a file.
    case traceList
    /// Scrollable documents: span and LLM call details, help, warnings.
    case document
    /// Typing a search.
    case prompt
    /// Two traces compared step by step.
    case compare
    /// Stats, sessions and LLM calls across traces.
    case workbench

    /// Heading for the help screen and the README.
    public var title: String {
        switch self {
        case .trace: return "Trace view"
        case .traceList: return "Trace list"
        case .document: return "Details, help and warnings"
        case .prompt: return "Search prompt"
        case .compare: return "Comparison"
        case .workbench: return "Stats, sessions and LLM calls"
        }
    }
}

/// One row of the key table: keys, what they do, where, and how help and the status bar describe it.
public struct KeyBinding: Sendable {
    /// The keys, in the order help lists them.
    public let keys: [Key]
    /// How help writes the keys (defaults to the key labels joined by `/`).
    public let label: String
    /// Where the binding applies.
    public let contexts: [KeyContext]
    /// One line for the help screen and the README.
    public let help: String
    /// A short word for the status bar, or nil to leave it out of the hints.
    public let hint: String?
    /// The action for one of `keys`.
    public let action: @Sendable (Key) -> Action

    init(_ keys: [Key], label: String? = nil, _ contexts: [KeyContext], _ help: String, hint: String? = nil,
         _ action: Action) {
        self.init(keys, label: label, contexts, help, hint: hint, dynamic: { _ in action })
    }

    init(_ keys: [Key], label: String? = nil, _ contexts: [KeyContext], _ help: String, hint: String? = nil,
         dynamic: @escaping @Sendable (Key) -> Action) {
        self.keys = keys
        self.label = label ?? keys.map(\.label).joined(separator: "/")
        self.contexts = contexts
        self.help = help
        self.hint = hint
        self.action = dynamic
    }
}

/// The one key table: it dispatches keys, and the help screen, the status-bar hints and the
/// README key list are all generated from it, so they cannot drift apart.
public enum KeyTable {
    private static let c = Key.character
    private static let move: [KeyContext] = [.trace, .traceList, .document, .compare, .workbench]

    /// Every binding, in help order.
    public static let bindings: [KeyBinding] = [
        KeyBinding([.up, c("k"), .wheelUp], label: "↑/k", move, "move up (scroll up in details)", .up),
        KeyBinding([.down, c("j"), .wheelDown], label: "↓/j", move, "move down (scroll down in details)", .down),
        KeyBinding([.pageUp, .control("b")], move, "page up", .pageUp),
        KeyBinding([.pageDown, .control("f")], move, "page down", .pageDown),
        KeyBinding([.control("u")], move, "half a page up", .halfPageUp),
        KeyBinding([.control("d")], move, "half a page down", .halfPageDown),
        KeyBinding([c("g"), .home], move, "first row", .top),
        KeyBinding([c("G"), .end], move, "last row", .bottom),

        KeyBinding([.left, c("h")], [.trace], "collapse, or go to the parent", .collapseOrParent),
        KeyBinding([.right, c("l")], [.trace], "expand, or go to the first child", .expandOrChild),
        KeyBinding([c(" ")], [.trace], "toggle collapse", .toggle),
        KeyBinding([.enter], [.trace], "LLM span: open the call; other spans: toggle", .activate),
        KeyBinding([c("E")], [.trace], "expand all", .expandAll),
        KeyBinding([c("C")], [.trace], "collapse all", .collapseAll),
        KeyBinding((1...9).map { c(Character(String($0))) }, label: "1–9", [.trace],
                   "show that many levels below the root",
                   dynamic: { key in
                       if case .character(let ch) = key, let n = ch.wholeNumberValue { return .collapseToDepth(n) }
                       return .collapseToDepth(1)
                   }),

        KeyBinding([c("d")], [.trace], "details of the selected span or LLM call", hint: "details", .openDetail),
        KeyBinding([c("p")], [.trace], "show or hide the side panel (totals, by model)", hint: "panel", .togglePanel),
        KeyBinding([.tab], [.trace], "next pane; side by side: focus the side panel (↑/↓ scroll it)", .nextPane),
        KeyBinding([c("c")], [.trace], "jump to the next span on the critical path", hint: "critical", .nextCritical),
        KeyBinding([c("+"), c("=")], label: "+", [.trace], "zoom in on the time axis around the selection", .zoomIn),
        KeyBinding([c("-")], [.trace], "zoom out", .zoomOut),
        KeyBinding([c("0")], [.trace], "show the whole trace on the time axis", .zoomReset),
        KeyBinding([c("<")], [.trace], "pan the time axis earlier", .panLeft),
        KeyBinding([c(">")], [.trace], "pan the time axis later", .panRight),
        KeyBinding([c("a")], [.trace],
                   "adjust clock skew between hosts (Jaeger's method), or back",
                   .toggleClockSkew),

        KeyBinding([c("/")], [.trace], "search names, services, attributes, messages", hint: "find", .startSearch),
        KeyBinding([c("n")], [.trace, .document], "next match (in details: next line with a match)", .nextMatch),
        KeyBinding([c("N")], [.trace, .document], "previous match", .previousMatch),
        KeyBinding([c("f")], [.trace], "show only matches and their ancestors (toggle)", hint: "filter", .toggleFilter),
        KeyBinding([c("e")], [.trace], "next span with an error", hint: "error", .nextError),
        KeyBinding([c("s")], [.trace], "spans by self time, slowest first: each press the next", .slowest),
        KeyBinding([c("S")], [.trace], "back one span by self time", .slowestBack),
        KeyBinding([c("$")], [.trace], "LLM calls by cost, costliest first: each press the next", hint: "cost", .costliest),
        KeyBinding([c("#")], [.trace], "back one LLM call by cost", .costliestBack),
        KeyBinding([c("x")], [.trace, .document], "export the selected span and its LLM call to JSON", hint: "export",
                   .export),
        KeyBinding([c("X")], [.trace], "export the selected span and everything under it as OTLP JSON", .exportSubtree),
        KeyBinding([.control("x")], [.trace], "export the whole trace as OTLP JSON", .exportTrace),
        KeyBinding([c("w")], [.trace, .traceList, .compare, .workbench], "warnings from reading the file", .warnings),
        KeyBinding([c("t")], [.trace, .workbench], "list of traces in the file", .traceList),

        KeyBinding([.enter], [.traceList], "open the selected trace", hint: "open", .openTrace),
        KeyBinding([c("/")], [.traceList], "filter by a query (error, duration>2s, model~gpt, …; see README)",
                   hint: "filter", .startSearch),
        KeyBinding([.escape], [.traceList], "cancel a backend fetch, or clear the filter", .back),
        KeyBinding([c("s")], [.traceList], "sort by the next column (numbers: largest and latest first)", hint: "sort",
                   .cycleSort),
        KeyBinding([c("S")], [.traceList], "sort by the previous column", .cycleSortBack),
        KeyBinding([c("r")], [.traceList], "reverse the sort order", .reverseSort),
        KeyBinding([c("R")], [.traceList], "backend lists: search again (Enter fetches a listed trace)", .refresh),
        KeyBinding([c("m")], [.traceList], "mark the selected trace for a comparison (again: unmark)", hint: "mark",
                   .markTrace),
        KeyBinding([c("c")], [.traceList], "compare the marked trace (A) with the selected one (B)", hint: "compare",
                   .compareWithMarked),

        KeyBinding([.enter], [.compare], "both sides of the step; LLM calls with the prompt and answer diff",
                   hint: "open", .activate),
        KeyBinding([c("n")], [.compare], "next step that differs", hint: "next diff", .nextMatch),
        KeyBinding([c("s")], [.compare], "sort by tree, Δ time, Δ cost, Δ tokens", hint: "sort", .cycleSort),
        KeyBinding([c("r")], [.compare], "reverse the sort order", .reverseSort),
        KeyBinding([.escape, .left, c("h")], label: "Esc/←", [.compare], "back to the trace list", hint: "back", .back),

        KeyBinding([.escape, .backspace, .left, c("h")], label: "Esc/←", [.document],
                   "back", hint: "back", .back),
        KeyBinding([.escape], [.trace], "clear the search, or back to the list (or the table it came from)", .back),
        KeyBinding([c("y")], [.trace, .traceList, .document],
                   "copy the span id, the trace id in the list, the top paragraph of details (--osc52)",
                   hint: "copy", .copy),

        KeyBinding([.enter], [.prompt], "search", hint: "search", .submit),
        KeyBinding([.escape], [.prompt], "cancel", hint: "cancel", .cancel),
        KeyBinding([.backspace], [.prompt], "delete the last character", .deleteBackward),

        KeyBinding([c("?")], [.trace, .traceList, .document, .compare, .workbench], "this help", hint: "help", .help),
        KeyBinding([c("q")], [.trace, .traceList, .document, .compare, .workbench], "quit", hint: "quit", .quit),

        // Stats, sessions and LLM calls (last, so their hints come after the older views' ones).
        KeyBinding([c("%")], [.traceList, .trace], "stats per name, model, tool, service, session (a trace: its own)",
                   hint: "stats", .openStats),
        KeyBinding([c("L")], [.traceList, .trace], "every LLM call ranked by cost (a trace: its own calls)", hint: "calls",
                   .openCalls),
        KeyBinding([c("@")], [.traceList], "sessions (conversations) among the traces shown", hint: "sessions",
                   .openSessions),
        KeyBinding([.enter], [.workbench], "a group's spans, a session's thread; a span, turn or call: its trace",
                   hint: "open", .activate),
        KeyBinding([c("b")], [.workbench], "stats: group by the next of name, model, tool, service, session",
                   hint: "by", .cycleGrouping),
        KeyBinding([c("s")], [.workbench], "LLM calls: sort by the next column (numbers largest first)", hint: "sort",
                   .cycleSort),
        KeyBinding([c("r")], [.workbench], "LLM calls: reverse the sort order", .reverseSort),
        KeyBinding([.escape, .backspace, .left, c("h")], label: "Esc/←", [.workbench], "back one level", hint: "back",
                   .back),
    ]

    private static let index: [KeyContext: [Key: Int]] = {
        var out: [KeyContext: [Key: Int]] = [:]
        for (i, b) in bindings.enumerated() {
            for ctx in b.contexts {
                for k in b.keys where out[ctx]?[k] == nil { out[ctx, default: [:]][k] = i }
            }
        }
        return out
    }()

    /// The action for `key` in `context`; in the prompt, printable keys type themselves.
    public static func action(for key: Key, in context: KeyContext) -> Action? {
        if let i = index[context]?[key] { return bindings[i].action(key) }
        if context == .prompt, case .character(let ch) = key { return .type(String(ch)) }
        return nil
    }

    /// Bindings that apply in `context`, in table order.
    public static func bindings(in context: KeyContext) -> [KeyBinding] {
        bindings.filter { $0.contexts.contains(context) }
    }

    /// Status-bar hints for `context`, most important first, as `key word` pairs.
    public static func hints(in context: KeyContext) -> [(key: String, word: String)] {
        var out: [(rank: Int, order: Int, key: String, word: String)] = []
        for b in bindings where b.contexts.contains(context) {
            if let h = b.hint, let k = b.keys.first { out.append((rank(h), out.count, k.label, h)) }
        }
        // Help and quit matter most: they go first, the rest keep table order.
        out.sort { ($0.rank, $0.order) < ($1.rank, $1.order) }
        return out.map { ($0.key, $0.word) }
    }

    private static func rank(_ word: String) -> Int {
        switch word {
        case "help": return 0
        case "quit": return 1
        default: return 2
        }
    }

    /// The key list as Markdown, for the README.
    public static func markdown() -> String {
        var out = ""
        for ctx in KeyContext.allCases {
            out += "### \(ctx.title)\n\n| keys | does |\n| --- | --- |\n"
            for b in bindings(in: ctx) {
                let label = b.label.replacingPipes()
                out += "| `\(label)` | \(b.help) |\n"
            }
            if ctx == .prompt { out += "| text | typed into the search |\n" }
            out += "\n"
        }
        return out
    }
}

extension String {
    fileprivate func replacingPipes() -> String {
        var s = ""
        for ch in self { s += ch == "|" ? "\\|" : String(ch) }
        return s
    }
}
