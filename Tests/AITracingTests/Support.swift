import AITracing
import Testing
import TraceModel

/// A tracer with its own store and a seeded id generator, so tests never share state.
func makeTracer(_ service: String = "test-service", limit: Int = 1_000_000, seed: UInt64 = 42,
                store: SpanStore? = nil) -> AITracer {
    AITracer(service: service, store: store ?? SpanStore(limit: limit), ids: IDGenerator(seed: seed))
}

/// The recorded span named `name` (first match).
func span(_ spans: [Span], _ name: String) -> Span? {
    spans.first { $0.name == name }
}

#if canImport(Glibc)
import Glibc
#endif

struct TestError: Error, CustomStringConvertible {
    var description: String { "tool exploded" }
}

/// Polls `condition` every 5 ms until it holds or `limit` has passed; then records an issue
/// naming `what` and returns false, so a flush that never lands fails the test instead of
/// hanging the run.
@discardableResult
func waitUntil(_ what: String, limit: Duration = .seconds(30),
               sourceLocation: SourceLocation = #_sourceLocation,
               _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while !(await condition()) {
        guard ContinuousClock.now < deadline else {
            Issue.record("waited \(limit) for \(what)", sourceLocation: sourceLocation)
            return false
        }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return true
}
