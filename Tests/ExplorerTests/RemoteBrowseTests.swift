import Testing
import TraceModel
@testable import Explorer

/// The trace list of a backend search: summaries that Enter fetches as a command, answers that
/// come back as actions (late, failed, cancelled), and `R` searching again.
@Suite struct RemoteBrowseTests {
    static let address = "tempo+http://tempo:3200"
    static let agentID = TraceID("4bf92f3577b34da6a3ce929d0e0e4736")
    static let otherID = TraceID("00000000000000000000000000000abc")

    /// Tempo's summary of the agent fixture (7 spans, one error), and one without counts.
    static func hits(agentSpans: Int? = 7) -> [TraceSearchHit] {
        [TraceSearchHit(id: agentID, rootName: "research_agent", service: "agent", startNanos: Fixtures.ms(0),
                        durationNanos: 4_210_000_000, spanCount: agentSpans, errorCount: 1),
         TraceSearchHit(id: otherID, rootName: "POST /ask", service: "rag-api", startNanos: Fixtures.ms(60_000),
                        durationNanos: 812_000_000)]
    }

    static func listing(_ hits: [TraceSearchHit], whole: [Trace] = []) -> RemoteListing {
        RemoteListing(document: TraceDocument(source: address, format: "Tempo API", traces: whole), hits: hits)
    }

    func browse(_ width: Int = 100, _ height: Int = 10) -> ExplorerState {
        ExplorerState(listing: Self.listing(Self.hits()), address: Self.address, size: Size(width: width, height: height))
    }

    /// Runs an action through the pure `update`.
    func apply(_ s: inout ExplorerState, _ a: Action) -> Command? {
        let (next, command) = update(s, a)
        s = next
        return command
    }

    func answer(_ ticket: Int, _ outcome: RemoteAnswer.Outcome) -> Action {
        .remoteAnswered(RemoteAnswer(ticket: ticket, outcome: outcome))
    }

    @Test func summariesAreListedWithWhatTheBackendCountedAndTheFetchIsACommand() {
        var s = browse()
        #expect(s.session == nil && s.list.entries.count == 2)
        // Newest first: the agent trace, a minute older, is second.
        #expect(s.list.descending && s.document.traces[s.list.order[0]].id == Self.otherID)
        let commands = s.press("j<enter>")
        #expect(commands == [.fetchTrace(ticket: 1, id: Self.agentID)])
        #expect(s.session == nil)
        // Enter again while it is under way asks for nothing more.
        #expect(s.press("<enter>").isEmpty)
        Golden.check(render(s, size: s.size), "remote-fetching-100x10")
    }

    @Test func aDoubleClickOnASummaryFetchesItToo() {
        var s = browse()
        // Row 4 is the second trace (title, header, totals, first trace).
        #expect(apply(&s, .mouse(MouseEvent(.doubleClick, row: 4, column: 5))) == .fetchTrace(ticket: 1, id: Self.agentID))
        #expect(s.session == nil)
    }

    @Test func theAnswerOpensTheTraceAndItStaysFetched() {
        var s = browse()
        s.press("j<enter>")
        #expect(apply(&s, answer(1, .trace(Fixtures.agent()))) == nil)
        #expect(s.session?.trace.count == 7)
        #expect(s.rowNames.first == "research_agent" && s.rowNames.contains("search_docs"))
        #expect(s.remote?.pending == nil && s.remote?.summaries[Self.agentID] == nil)
        s.press("<esc>")
        #expect(s.session == nil)
        let entry = s.list.entries[s.list.order[s.list.selected]]
        #expect(entry.spans == 7 && entry.errors == 1 && entry.tokens == 1200 + 150 + 2400 + 380)
        // Fetched once: Enter opens it without asking the backend again.
        #expect(s.press("<enter>").isEmpty)
        #expect(s.session?.trace.id == Self.agentID)
    }

    @Test func aFailedFetchIsALineAndEnterTriesAgain() {
        var s = browse()
        s.press("j<enter>")
        _ = apply(&s, answer(1, .failed("trace 4bf92f3577b34da6: HTTP 503 for http://tempo:3200/api/traces/…")))
        #expect(s.session == nil && s.remote?.pending == nil)
        #expect(s.message == "trace 4bf92f3577b34da6: HTTP 503 for http://tempo:3200/api/traces/…")
        #expect(render(s, size: s.size).text.contains(" trace 4bf92f3577b34da6: HTTP 503 for"))
        #expect(s.press("<enter>") == [.fetchTrace(ticket: 2, id: Self.agentID)])
    }

    @Test func escCancelsAndTheLateAnswerIsKeptButNotOpened() {
        var s = browse()
        s.press("j<enter>")
        s.press("<esc>")
        #expect(s.remote?.pending == nil && s.message == "fetch cancelled")
        #expect(!render(s, size: s.size).text.contains("fetching trace"))
        _ = apply(&s, answer(1, .trace(Fixtures.agent())))
        #expect(s.session == nil)
        #expect(s.press("<enter>").isEmpty)
        #expect(s.session?.trace.count == 7)
    }

    @Test func anAnswerToAnEarlierRequestDoesNotTakeOverALaterOne() {
        var s = browse()
        s.press("<enter>")          // ticket 1: the newer trace
        s.press("<esc>j<enter>")    // ticket 2: the agent trace
        #expect(s.remote?.pending == RemoteRequest(ticket: 2, kind: .trace(Self.agentID)))
        _ = apply(&s, answer(1, .failed("too late")))
        #expect(s.message == nil && s.remote?.pending?.ticket == 2)
        _ = apply(&s, answer(2, .trace(Fixtures.agent())))
        #expect(s.session?.trace.id == Self.agentID && s.session?.trace.count == 7)
    }

    @Test func refreshSearchesAgainAndKeepsTheSelectionAndFetchedTraces() {
        var s = browse()
        s.press("j<enter>")
        _ = apply(&s, answer(1, .trace(Fixtures.agent())))
        s.press("<esc>")
        #expect(s.press("R") == [.search(ticket: 2)])
        #expect(render(s, size: s.size).text.contains("searching tempo+http://tempo:3200… (Esc cancels)"))
        // A newer trace came in first; the agent trace is still 7 spans, so it stays fetched.
        let newer = TraceSearchHit(id: TraceID("00000000000000000000000000000def"), rootName: "POST /chat", service: "chat",
                                   startNanos: Fixtures.ms(120_000), durationNanos: 1_000_000)
        _ = apply(&s, answer(2, .listing(Self.listing([newer] + Self.hits()))))
        #expect(s.list.entries.count == 3 && s.message == "3 traces found")
        #expect(s.document.traces[s.list.order[s.list.selected]].id == Self.agentID)
        #expect(s.press("<enter>").isEmpty && s.session?.trace.count == 7)
        // The trace grew (Tempo counts 9 spans now): the next Enter fetches it again.
        s.press("<esc>R")
        _ = apply(&s, answer(3, .listing(Self.listing(Self.hits(agentSpans: 9)))))
        #expect(s.list.entries.count == 2)
        #expect(s.press("<enter>") == [.fetchTrace(ticket: 4, id: Self.agentID)])
    }

    @Test func aSearchThatFailsOrWasCancelledLeavesTheListAlone() {
        var s = browse()
        s.press("R")
        _ = apply(&s, answer(1, .failed("search failed: connection refused (is tempo:3200 running?)")))
        #expect(s.list.entries.count == 2 && s.message == "search failed: connection refused (is tempo:3200 running?)")
        s.press("R<esc>")
        #expect(s.message == "search cancelled")
        _ = apply(&s, answer(2, .listing(Self.listing([]))))
        #expect(s.list.entries.count == 2)
    }

    @Test func wholeTracesFromTheSearchOpenWithoutAFetch() {
        // Jaeger's FindTraces answers with every span: nothing is left to fetch.
        var s = ExplorerState(listing: Self.listing([], whole: [Fixtures.agent()]), address: "jaeger+http://jaeger:16686",
                              size: Size(width: 100, height: 10))
        #expect(s.session == nil)   // the list stays up, even for one trace, so R is one Esc away
        #expect(s.press("<enter>").isEmpty && s.session?.trace.count == 7)
        s.press("<esc>")
        #expect(s.session == nil)
    }

    @Test func anEmptySearchSaysSoAndRIsForBackendsOnly() {
        let s = ExplorerState(listing: Self.listing([]), address: Self.address, size: Size(width: 80, height: 8))
        #expect(render(s, size: s.size).text.contains("no traces found; R searches again"))
        let other = Fixtures.trace(Self.otherID.description, [Spec(id: "b1", parent: nil, name: "POST /ask", start: 0, end: 5)])
        var file = ExplorerState(document: TraceDocument(source: "two.json", format: "OTLP JSON", traces: [Fixtures.agent(), other]),
                                 size: Size(width: 80, height: 8))
        #expect(file.session == nil)
        #expect(file.press("R").isEmpty && file.message == "R searches a backend again; this list is from a file")
    }

    @Test func aSummaryCannotBeComparedUntilFetched() {
        var s = browse()
        s.press("mj")
        s.press("c")
        #expect(s.comparison == nil)
        #expect(s.message == "only a summary of that trace is here: open it with Enter first, then compare")
    }
}
