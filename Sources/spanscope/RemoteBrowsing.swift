import ArgumentParser
import Explorer
import RemoteSources
import TraceFormats
import TraceModel

/// The explorer on one backend address: the trace list is the search result, and the runner
/// performs the explorer's `fetchTrace` and `search` commands with the same client and query.
struct RemoteBrowsing: Sendable {
    /// The backend.
    let source: RemoteSource
    /// The search the list shows (and `R` runs again).
    let query: RemoteQuery
    /// The client (quiet: the explorer's status bar says what is under way).
    let client: RemoteClient

    /// A browse of `sources` when they are a single backend address naming no trace; nil otherwise
    /// (files, several sources or one trace load as a whole, as before).
    static func of(_ sources: [String], remote: RemoteOptions) throws -> RemoteBrowsing? {
        guard sources.count == 1, let source = try? RemoteSource.parse(sources[0]), source.traceID == nil else { return nil }
        return RemoteBrowsing(source: source, query: remote.query, client: RemoteClient(timeout: .seconds(remote.timeout)))
    }

    /// The first search, before the explorer starts (a progress line on standard error); exits
    /// with one line when the backend cannot be searched.
    func firstListing() throws -> RemoteListing {
        let loud = RemoteClient(timeout: client.timeout, environment: client.environment, progress: RemoteProgress.draw)
        let (source, query) = (self.source, self.query)
        do {
            defer { RemoteProgress.clear() }
            return RemoteBrowsing.listing(try waitFor { try await loud.search(source, query: query) })
        } catch {
            printError("spanscope: \(error)")
            throw ExitCode(1)
        }
    }

    /// Performs a backend command for the explorer; the answer goes back through `update`.
    @Sendable func perform(_ command: Command) async -> Action? {
        switch command {
        case .fetchTrace(let ticket, let id):
            do {
                let trace = try await client.trace(id, in: source)
                return .remoteAnswered(RemoteAnswer(ticket: ticket, outcome: .trace(trace)))
            } catch {
                return .remoteAnswered(RemoteAnswer(ticket: ticket, outcome: .failed("trace \(id.description.prefix(16)): \(error.message)")))
            }
        case .search(let ticket):
            do {
                let found = try await client.search(source, query: query)
                return .remoteAnswered(RemoteAnswer(ticket: ticket, outcome: .listing(RemoteBrowsing.listing(found))))
            } catch {
                return .remoteAnswered(RemoteAnswer(ticket: ticket, outcome: .failed("search failed: \(error.message)")))
            }
        default:
            return nil
        }
    }

    private static func listing(_ found: RemoteSearchResult) -> RemoteListing {
        RemoteListing(document: found.document, hits: found.hits)
    }
}
