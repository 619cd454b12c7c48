import Synchronization

/// How far a load has got, readable from another thread while the load runs (for a progress
/// line when a big file takes a while).
public final class LoadProgress: Sendable {
    private let total = Atomic<Int>(0)
    private let read = Atomic<Int>(0)
    private let parsed = Atomic<Int>(0)
    private let stage = Atomic<Int>(0)

    /// Creates a progress record at zero.
    public init() {}

    /// What the load is doing.
    public enum Stage: Int, Sendable {
        case reading, parsing, indexing, done
    }

    /// Bytes in the file(s), when known.
    public var totalBytes: Int { total.load(ordering: .relaxed) }
    /// Bytes read from disk so far.
    public var bytesRead: Int { read.load(ordering: .relaxed) }
    /// Bytes parsed so far.
    public var bytesParsed: Int { parsed.load(ordering: .relaxed) }
    /// The current stage.
    public var currentStage: Stage { Stage(rawValue: stage.load(ordering: .relaxed)) ?? .reading }

    func addTotal(_ n: Int) { total.add(n, ordering: .relaxed) }
    func addRead(_ n: Int) { read.add(n, ordering: .relaxed) }
    func addParsed(_ n: Int) { parsed.add(n, ordering: .relaxed) }
    func enter(_ s: Stage) { stage.store(s.rawValue, ordering: .relaxed) }
}
