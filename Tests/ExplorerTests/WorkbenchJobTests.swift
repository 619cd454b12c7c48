import Testing
import TraceAnalysis
import TraceModel
@testable import Explorer

/// Workbench tables as jobs: a key opens a waiting level and asks the runner for the table
/// (`Command.computeWorkbench`); the answer (`Action.workbenchComputed`) fills the level only
/// while it is still on screen. `workbenchInlineSpans = 0` takes the runner's path for the small
/// fixtures that the other tests work out inline.
@Suite struct WorkbenchJobTests {
    /// The workbench fixture with every table left to the runner.
    func deferred(_ width: Int = 120, _ height: Int = 40) throws -> ExplorerState {
        var s = try workbenchState(width, height)
        s.workbenchInlineSpans = 0
        return s
    }

    /// The jobs among `commands`.
    func jobs(_ commands: [Command]) -> [WorkbenchJob] {
        commands.compactMap { if case .computeWorkbench(let j) = $0 { return j } else { return nil } }
    }

    /// Applies `action` through `update`; returns its command.
    @discardableResult
    func apply(_ s: inout ExplorerState, _ action: Action) -> Command? {
        let (next, command) = update(s, action)
        s = next
        return command
    }

    /// What the runner does with a job: work it out and send the answer back.
    @discardableResult
    func answer(_ s: inout ExplorerState, _ job: WorkbenchJob) -> Command? {
        apply(&s, .workbenchComputed(job.run()))
    }

    var computing: (ExplorerState) -> ComputingLevel? {
        { s in if case .computing(let c)? = s.workbench?.current { return c } else { return nil } }
    }

    var statsGrouping: (ExplorerState) -> StatsGrouping? {
        { s in if case .stats(let l)? = s.workbench?.current { return l.table.grouping } else { return nil } }
    }

    @Test func aKeyOpensAWaitingLevelAndTheAnswerFillsItAsTheInlineTableWouldBe() throws {
        for key in ["%", "@", "L"] {
            var s = try deferred()
            let asked = jobs(s.press(key))
            #expect(asked.count == 1, "\(key)")
            let c = try #require(computing(s))
            #expect(c.ticket == asked.first?.ticket)
            #expect(s.keyContext == .workbench)
            // Keys keep working meanwhile: moving does nothing, help opens and closes.
            s.press("jG??")
            #expect(computing(s) != nil && s.documentView == nil)
            #expect(answer(&s, try #require(asked.first)) == nil)
            #expect(computing(s) == nil)
            // The same screen as the table worked out inside `update`.
            var inline = try workbenchState()
            #expect(inline.press(key).isEmpty)
            #expect(render(s, size: s.size).rendering == render(inline, size: inline.size).rendering, "\(key)")
        }
    }

    @Test func theWaitingLevelAtEverySize() throws {
        for size in [Size(width: 80, height: 24), Size(width: 40, height: 12)] {
            var s = try deferred(size.width, size.height)
            s.press("%")
            let c = try #require(computing(s))
            let spans = s.document.traces.reduce(0) { $0 + $1.count }
            #expect(c.line == "computing stats by name over \(s.document.traces.count) traces (\(spans) spans)…")
            Golden.check(render(s, size: size), "workbench-computing-\(size.width)x\(size.height)")
        }
    }

    @Test func escStopsWaitingAndTheLateAnswerIsDropped() throws {
        var s = try deferred()
        let job = try #require(jobs(s.press("%")).first)
        s.press("<esc>")
        #expect(s.keyContext == .traceList && s.message == "stopped computing stats by name")
        #expect(answer(&s, job) == nil)
        #expect(s.workbench == nil && s.keyContext == .traceList)
        // Opened again: the first job's answer does not fill the second's level.
        let again = try #require(jobs(s.press("%")).first)
        #expect(again.ticket != job.ticket)
        answer(&s, job)
        #expect(computing(s)?.ticket == again.ticket)
        answer(&s, again)
        #expect(statsGrouping(s) == .name)
    }

    @Test func regroupingWhileWaitingKeepsOnlyTheNewestAnswerInEitherOrder() throws {
        for newestFirst in [true, false] {
            var s = try deferred()
            let byName = try #require(jobs(s.press("%")).first)
            let byModel = try #require(jobs(s.press("b")).first)
            #expect(byModel.table == .stats(.model) && s.message == "stats by model")
            #expect(computing(s)?.table == .stats(.model))
            if newestFirst {
                answer(&s, byModel)
                answer(&s, byName)
            } else {
                answer(&s, byName)
                #expect(computing(s)?.ticket == byModel.ticket)
                answer(&s, byModel)
            }
            #expect(statsGrouping(s) == .model)
        }
    }

    @Test func regroupingShowsThePreviousTableUntilTheNewOneComesAndEscGoesBackToIt() throws {
        var s = try deferred(80, 24)
        answer(&s, try #require(jobs(s.press("%")).first))
        s.press("jj")
        let byModel = try #require(jobs(s.press("b")).first)
        let c = try #require(computing(s))
        guard case .stats(let under)? = c.previous else { Issue.record("no table under the waiting line"); return }
        #expect(under.table.grouping == .name)
        Golden.check(render(s, size: s.size), "workbench-regrouping-80x24")
        // b again before the answer: by tool, the by-name table still under it.
        let byTool = try #require(jobs(s.press("b")).first)
        #expect(byTool.table == .stats(.tool))
        s.press("<esc>")
        #expect(statsGrouping(s) == .name && s.workbench?.current.selected == 2)
        answer(&s, byModel)
        answer(&s, byTool)
        #expect(statsGrouping(s) == .name)
    }

    @Test func aGroupsSpansWaitToo() throws {
        var s = try deferred()
        answer(&s, try #require(jobs(s.press("%b")).last))
        #expect(statsGrouping(s) == .model)
        let first = try #require(jobs(s.press("<enter>")).first)
        #expect(s.workbench?.levels.count == 2 && computing(s) != nil)
        // Esc goes back to the stats; the answer no longer has a level to fill.
        s.press("<esc>")
        answer(&s, first)
        #expect(statsGrouping(s) == .model && s.workbench?.levels.count == 1)
        let second = try #require(jobs(s.press("<enter>")).first)
        guard case .members(let key) = second.table.membersKey else { Issue.record("not a group's spans"); return }
        answer(&s, second)
        guard case .members(let m)? = s.workbench?.current else { Issue.record("no group's spans"); return }
        #expect(m.key == key && !m.members.isEmpty)
    }

    @Test func leavingForTheListDropsTheAnswer() throws {
        var s = try deferred()
        let job = try #require(jobs(s.press("L")).first)
        s.press("t")
        #expect(s.keyContext == .traceList)
        answer(&s, job)
        #expect(s.workbench == nil)
    }
}

extension WorkbenchJob.Table {
    /// `.members(key)` for a group's spans, to read the key in tests.
    enum MembersKey { case members(String), other }
    var membersKey: MembersKey {
        if case .members(_, let key) = self { return .members(key) }
        return .other
    }
}

/// Live data under a table worked out by the runner: one job in flight, newer data coalesced.
@Suite struct WorkbenchLiveJobTests {
    func live() -> ExplorerState {
        var s = ExplorerState(document: TraceDocument(source: "listen", format: "live", traces: []),
                              size: Size(width: 120, height: 20), live: LiveStatus(address: "http://127.0.0.1:4318"))
        s.workbenchInlineSpans = 0
        return s
    }

    func step(_ s: inout ExplorerState, _ a: Action) -> WorkbenchJob? {
        let (next, command) = update(s, a)
        s = next
        if case .computeWorkbench(let j)? = command { return j }
        #expect(command == nil)
        return nil
    }

    func chatCount(_ s: ExplorerState) -> Int? {
        guard case .stats(let l)? = s.workbench?.current else { return nil }
        return l.table.groups.first { $0.key == "chat" }?.count
    }

    /// A live list with one trace, its stats table open and answered.
    func statsOverOneLiveTrace() throws -> (ExplorerState, FakeLiveSource) {
        var s = live()
        var source = FakeLiveSource()
        source.receive("t1", chat("t1", 0))
        _ = step(&s, source.update)
        let open = try #require(step(&s, .openStats))
        _ = step(&s, .workbenchComputed(open.run()))
        return (s, source)
    }

    func chat(_ id: String, _ start: Double) -> [Spec] {
        [Spec(id: "r", name: "agent", start: start, end: start + 100),
         Spec(id: "c", parent: "r", name: "chat", start: start + 10, end: start + 50,
              call: Fixtures.chat("gpt-4o", prompt: 100, completion: 20))]
    }

    @Test func updatesWhileAJobRunsAreCoalescedIntoOneMore() throws {
        var s = live()
        var source = FakeLiveSource()
        source.receive("t1", chat("t1", 0))
        #expect(step(&s, source.update) == nil)
        let open = try #require(step(&s, .openStats))
        // Data arrives while the first table is worked out: no second job yet.
        source.receive("t2", chat("t2", 200))
        #expect(step(&s, source.update) == nil)
        // Its answer fills the level (one trace) and asks at once for the newer data's table.
        let refresh = try #require(step(&s, .workbenchComputed(open.run())))
        #expect(chatCount(s) == 1)
        // Two more updates while that runs: the table on screen stays, nothing more is asked.
        source.receive("t3", chat("t3", 400))
        #expect(step(&s, source.update) == nil)
        source.receive("t4", chat("t4", 600))
        #expect(step(&s, source.update) == nil)
        #expect(chatCount(s) == 1)
        // The refresh answers (two traces) and one more job covers both updates.
        let last = try #require(step(&s, .workbenchComputed(refresh.run())))
        #expect(chatCount(s) == 2 && s.workbench?.scope == "2 traces")
        #expect(step(&s, .workbenchComputed(last.run())) == nil)
        #expect(chatCount(s) == 4 && s.workbench?.scope == "4 traces")
        // A stale refresh answer (an older ticket) changes nothing.
        #expect(step(&s, .workbenchComputed(refresh.run())) == nil)
        #expect(chatCount(s) == 4)
    }

    @Test func aRefreshAnswerAfterRegroupingIsDropped() throws {
        var (s, source) = try statsOverOneLiveTrace()
        source.receive("t2", chat("t2", 200))
        let refresh = try #require(step(&s, source.update))
        let byModel = try #require(step(&s, .cycleGrouping))
        #expect(step(&s, .workbenchComputed(refresh.run())) == nil)
        guard case .computing? = s.workbench?.current else { Issue.record("the regroup's level was replaced"); return }
        _ = step(&s, .workbenchComputed(byModel.run()))
        guard case .stats(let l)? = s.workbench?.current else { Issue.record("no stats"); return }
        // By model over both traces (the regroup read the newest data): two gpt-4o calls.
        #expect(l.table.grouping == .model && l.table.groups.first?.count == 2)
    }
}

/// `%` on a file read through its index: the CLI works the table out over the index
/// (`Command.indexStats`); a group's spans are read from the file (`Command.indexTable`).
@Suite struct IndexedWorkbenchTests {
    func row(_ id: String, _ name: String, ms: Double) -> IndexedRow {
        IndexedRow(id: TraceID(id), rootService: "agent",
                   facts: TraceFacts(rootName: name, rootService: "agent", startNanos: 0, durationNanos: Int64(ms * 1e6),
                                     spanCount: 3, errorCount: 0, calls: [], prices: .standard))
    }

    func step(_ s: inout ExplorerState, _ a: Action) -> Command? {
        let (next, command) = update(s, a)
        s = next
        return command
    }

    /// A table as the CLI's `IndexedStats` would give it: two "chat" spans of 1 s and 3 s.
    var table: StatsTable {
        let t = Fixtures.trace("a1", [Spec(id: "r", name: "chat", start: 0, end: 1_000),
                                      Spec(id: "s", parent: "r", name: "chat", start: 0, end: 3_000)])
        return TraceStats.groups([t], by: .name)
    }

    @Test func statsOverTheIndexAndWhatIsRefused() throws {
        var s = ExplorerState(indexing: "/data/big.jsonl", totalBytes: 1_000, size: Size(width: 80, height: 24))
        let rows = [row("a1", "quick", ms: 10), row("b2", "slow", ms: 900)]
        _ = step(&s, .indexProgress(IndexBatch(sequence: 1, rows: rows, bytesRead: 500, totalBytes: 1_000)))
        #expect(step(&s, .openStats) == nil)
        #expect(s.message == "still reading the file: stats open once the scan is done" && s.workbench == nil)
        #expect(step(&s, .openCalls) == nil)
        #expect(s.message == "still reading the file: LLM calls open once the scan is done" && s.workbench == nil)
        _ = step(&s, .indexProgress(IndexBatch(sequence: 2, rows: rows, bytesRead: 1_000, totalBytes: 1_000, done: true)))
        // Sessions come from the index at once (these rows name none).
        #expect(step(&s, .openSessions) == nil)
        guard case .sessions(let none)? = s.workbench?.current else { Issue.record("no sessions"); return }
        #expect(none.sessions.isEmpty && none.withoutSession == 2)
        _ = step(&s, .back)
        s.press("/duration>100ms<enter>")
        guard case .indexStats(let ticket, .name, "duration>100ms")? = step(&s, .openStats) else {
            Issue.record("no stats asked of the index"); return
        }
        #expect(render(s, size: s.size).text.contains(" computing stats by name over 1 trace…"))
        #expect(step(&s, .workbenchComputed(WorkbenchAnswer(ticket: ticket, stats: table))) == nil)
        guard case .stats(let l)? = s.workbench?.current else { Issue.record("no stats"); return }
        #expect(l.table.groups.first?.count == 2 && s.workbench?.scope == "1 of 2 traces matching duration>100ms")
        #expect(render(s, size: s.size).text.contains("Stats by name  1 of 2 traces matching duration>100ms"))
        // A group's spans are read from the file, only the traces the filter shows; b asks the index again.
        guard case .indexTable(let spans)? = step(&s, .activate) else { Issue.record("no spans asked of the index"); return }
        #expect(spans.table == .members(.name, key: "chat") && spans.count == 1)
        _ = step(&s, .back)
        guard case .indexStats(let again, .model, _)? = step(&s, .cycleGrouping) else { Issue.record("no regroup"); return }
        // The file changed under the index: the answer says so and the previous table stays.
        _ = step(&s, .workbenchComputed(WorkbenchAnswer(ticket: again, error: "big.jsonl changed since it was indexed")))
        #expect(s.message == "big.jsonl changed since it was indexed")
        if case .stats(let back)? = s.workbench?.current { #expect(back.table.grouping == .name) }
        else { Issue.record("the previous table is gone") }
    }
}

extension IndexedWorkbenchTests {
    @Test func progressShowsOnTheWaitingLineAndEscStopsTheIndexJob() throws {
        var s = ExplorerState(indexing: "/data/big.jsonl", totalBytes: 1_000, size: Size(width: 80, height: 24))
        _ = step(&s, .indexProgress(IndexBatch(sequence: 1, rows: [row("a1", "quick", ms: 10), row("b2", "slow", ms: 900)],
                                               bytesRead: 1_000, totalBytes: 1_000, done: true)))
        guard case .indexStats(let ticket, _, _)? = step(&s, .openStats) else { Issue.record("no stats asked"); return }
        // News of another job changes nothing; this job's shows as a share of the index read.
        #expect(step(&s, .workbenchProgress(ticket: ticket + 7, read: 1, total: 4)) == nil)
        #expect(render(s, size: s.size).text.contains(" computing stats by name over 2 traces…\n"))
        #expect(step(&s, .workbenchProgress(ticket: ticket, read: 1, total: 4)) == nil)
        #expect(render(s, size: s.size).text.contains(" computing stats by name over 2 traces… 25% read"))
        #expect(step(&s, .back) == .stopIndexStats(ticket: ticket))
        #expect(s.workbench == nil && s.message == "stopped computing stats by name")
        // Leaving for the list stops it too.
        guard case .indexStats(let second, _, _)? = step(&s, .openStats) else { Issue.record("no stats asked"); return }
        #expect(second != ticket)
        #expect(step(&s, .traceList) == .stopIndexStats(ticket: second) && s.keyContext == .traceList)
        // b while waiting asks again (the CLI's jobs stop the older one themselves).
        _ = step(&s, .openStats)
        guard case .indexStats(_, .model, _)? = step(&s, .cycleGrouping) else { Issue.record("no regroup asked"); return }
    }
}

extension WorkbenchLiveJobTests {
    @Test func liveDataWhileRegroupingIsNotLostByEscOrAnotherRegroup() throws {
        var (s, source) = try statsOverOneLiveTrace()
        let byModel = try #require(step(&s, .cycleGrouping))
        source.receive("t2", chat("t2", 200))
        #expect(step(&s, source.update) == nil)
        // b again: the new job still owes the update a table once it answers.
        let byTool = try #require(step(&s, .cycleGrouping))
        #expect(step(&s, .workbenchComputed(byModel.run())) == nil)
        let afterTool = try #require(step(&s, .workbenchComputed(byTool.run())))
        _ = step(&s, .workbenchComputed(afterTool.run()))
        #expect(s.workbench?.scope == "2 traces")
        // Esc back to the table under the waiting line: it is worked out again for the update.
        _ = try #require(step(&s, .cycleGrouping))
        source.receive("t3", chat("t3", 400))
        #expect(step(&s, source.update) == nil)
        let refresh = try #require(step(&s, .back))
        _ = step(&s, .workbenchComputed(refresh.run()))
        #expect(s.workbench?.scope == "3 traces")
    }
}

/// A job over traces in memory stops at its next chunk once Esc (or leaving) asks the runner
/// to (`Command.stopWorkbench`), instead of running to the end with its answer dropped.
extension WorkbenchJobTests {
    @Test func escAndLeavingAskTheRunnerToStopTheJob() throws {
        var s = try deferred()
        let job = try #require(jobs(s.press("%")).first)
        #expect(s.press("<esc>") == [.stopWorkbench(ticket: job.ticket)])
        let second = try #require(jobs(s.press("%")).first)
        #expect(apply(&s, .traceList) == .stopWorkbench(ticket: second.ticket))
        // b while waiting: the new job names the one it replaces, which the runner stops.
        let byName = try #require(jobs(s.press("%")).first)
        let byModel = try #require(jobs(s.press("b")).first)
        #expect(byModel.replaces == byName.ticket && byName.replaces == nil)
        answer(&s, byModel)
        // A session's thread is a job too; Esc while it runs goes back to the sessions.
        s.press("<esc>")
        let sessions = try #require(jobs(s.press("@")).first)
        answer(&s, sessions)
        let thread = try #require(jobs(s.press("<enter>")).first)
        guard case .thread = thread.table else { Issue.record("no thread job"); return }
        #expect(s.press("<esc>") == [.stopWorkbench(ticket: thread.ticket)])
        guard case .sessions? = s.workbench?.current else { Issue.record("not back at the sessions"); return }
    }

    @Test func aStoppedJobEndsAtItsNextChunkAndItsAnswerShowsNothing() throws {
        var s = try deferred()
        for key in ["%", "@", "L"] {
            let job = try #require(jobs(s.press(key)).first, "\(key)")
            // Stopped once its first chunk (one trace) is done: it ends when it next looks.
            var looks = 0
            let answer = job.run(chunkSpans: 1) {
                looks += 1
                if looks == 2 { job.stop() }
            }
            guard case .stopped = answer.outcome else { Issue.record("\(key): the stopped job worked its table out"); return }
            #expect(looks == 2, "\(key): looked \(looks) times")
            #expect(job.isStopped)
            // Its answer arriving changes nothing: the waiting level stays until Esc.
            let before = render(s, size: s.size).rendering
            #expect(apply(&s, .workbenchComputed(answer)) == nil)
            #expect(render(s, size: s.size).rendering == before)
            s.press("<esc>")
        }
    }

    @Test func aJobTakenInChunksGivesTheTablesOfOnePass() throws {
        for keys in ["%", "%b", "%bb", "%bbbb", "@", "L", "%<enter>", "%bb<enter>", "@<enter>"] {
            var chunked = try deferred(), whole = try workbenchState()
            whole.press(keys)
            for k in Array(keys.replacingOccurrences(of: "<enter>", with: "\n")) {
                let key = k == "\n" ? "<enter>" : String(k)
                for job in jobs(chunked.press(key)) {
                    _ = apply(&chunked, .workbenchComputed(job.run(chunkSpans: 1)))
                }
            }
            #expect(render(chunked, size: chunked.size).rendering == render(whole, size: whole.size).rendering, "\(keys)")
        }
    }
}
