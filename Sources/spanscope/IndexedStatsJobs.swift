import Explorer
import Foundation
import Reports
import TraceAnalysis
import TraceFormats
import TraceModel

/// The explorer's workbench over a file read through its index: `Command.indexStats` works the
/// stats table out a batch of traces at a time, as `spanscope stats` does on a large file, and
/// `Command.indexTable` the LLM calls, a group's spans or a session's thread a trace at a time,
/// each on a thread of its own; `poll` brings how far it got, and a newer job or
/// `Command.stopIndexStats` stops the one running at its next batch or trace.
final class IndexedStatsJobs: Sendable {
    private let feed: IndexFeed
    private let prices: PriceTable
    private let sessionKeys: SessionKeys
    private struct Shared: Sendable {
        /// The job whose table is wanted; any other stops at its next batch.
        var wanted: Int?
        /// Progress of the wanted job not yet passed on.
        var progress: (ticket: Int, read: Int, total: Int)?
    }
    private let shared = Locked(Shared())

    init(feed: IndexFeed, prices: PriceTable, sessionKeys: SessionKeys) {
        self.feed = feed
        self.prices = prices
        self.sessionKeys = sessionKeys
    }

    /// Performs `Command.indexStats` and `Command.stopIndexStats` (other commands: nil).
    func perform(_ command: Command) async -> Action? {
        switch command {
        case .stopIndexStats(let ticket):
            shared.withLock { if $0.wanted == ticket { $0.wanted = nil } }
            return nil
        case .indexStats(let ticket, let by, let text):
            shared.withLock { $0.wanted = ticket }
            // Seconds of reading for a large file: not on the cooperative pool's threads.
            return await withCheckedContinuation { (done: CheckedContinuation<Action?, Never>) in
                let worker = Thread { [self] in done.resume(returning: table(ticket: ticket, by: by, query: text)) }
                worker.stackSize = 8 << 20
                worker.start()
            }
        case .indexTable(let job):
            shared.withLock { $0.wanted = job.ticket }
            return await withCheckedContinuation { (done: CheckedContinuation<Action?, Never>) in
                let worker = Thread { [self] in done.resume(returning: table(job)) }
                worker.stackSize = 8 << 20
                worker.start()
            }
        default:
            return nil
        }
    }

    /// The LLM calls, a group's spans or a session's thread, each trace read from the file.
    private func table(_ job: IndexJob) -> Action? {
        guard let store = feed.store else {
            return .workbenchComputed(WorkbenchAnswer(ticket: job.ticket, error: "the file is not indexed yet"))
        }
        // A batch is decoded on all cores, each trace on its own.
        let answer = job.run(read: { positions in
            try Parallel.map(positions.count) { i in
                Result { () throws(TraceFormatError) in try store.trace(at: positions[i]) }
            }.map { try $0.get() }
        }) { read, total in
            shared.withLock { state in
                guard state.wanted == job.ticket else { return false }
                state.progress = (job.ticket, read, total)
                return true
            }
        }
        // Stopped: nobody waits for this answer.
        return answer.map(Action.workbenchComputed)
    }

    /// The newest progress of the wanted job, as the action that brings it (called by the explorer's loop).
    func poll() -> Action? {
        shared.withLock { state in
            defer { state.progress = nil }
            return state.progress.map { Action.workbenchProgress(ticket: $0.ticket, read: $0.read, total: $0.total) }
        }
    }

    private func table(ticket: Int, by: StatsGrouping, query text: String) -> Action? {
        guard let store = feed.store else {
            return .workbenchComputed(WorkbenchAnswer(ticket: ticket, error: "the file is not indexed yet"))
        }
        do {
            let query = text.isEmpty ? nil : try TraceQuery(text)
            let full = by == .session || by == .tool || (query?.readsAttributes ?? false) || sessionKeys != .standard
            let table = try IndexedStats.table(store, by: by, where: query, prices: prices, sessionKeys: sessionKeys,
                                               detail: full ? .full : .summary) {
                read, total in
                shared.withLock { state in
                    guard state.wanted == ticket else { return false }
                    state.progress = (ticket, read, total)
                    return true
                }
            }
            // Stopped: nobody waits for this answer.
            return table.map { .workbenchComputed(WorkbenchAnswer(ticket: ticket, stats: $0)) }
        } catch {
            return .workbenchComputed(WorkbenchAnswer(ticket: ticket, error: "stats: \(error)"))
        }
    }
}
