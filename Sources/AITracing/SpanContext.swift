import TraceModel

/// What identifies a span to its children and to other services: trace id, span id, W3C trace
/// flags and trace state.
///
/// The context of the running span lives in a task-local value, so child tasks inherit it and
/// unrelated tasks never see it (the seed kept it in a thread-local, which async code breaks:
/// a task can resume on another thread, and two tasks on one thread share it).
public struct SpanContext: Hashable, Sendable {
    /// The trace the span belongs to.
    public var traceID: TraceID
    /// The span's id; a child started under this context names it as its parent.
    public var spanID: SpanID
    /// W3C `trace-flags` (bit 0: sampled).
    public var traceFlags: UInt8
    /// The W3C `tracestate` header value carried along, already validated ("" when none).
    public var traceState: String
    /// True when the context arrived from another process (extracted from headers).
    public var isRemote: Bool

    /// Creates a context.
    public init(traceID: TraceID, spanID: SpanID, traceFlags: UInt8 = 1, traceState: String = "", isRemote: Bool = false) {
        self.traceID = traceID
        self.spanID = spanID
        self.traceFlags = traceFlags
        self.traceState = traceState
        self.isRemote = isRemote
    }

    /// True when the sampled flag is set.
    public var isSampled: Bool { traceFlags & 1 == 1 }

    /// The binding made by `withCurrent` and by the tracers' `withSpan`.
    @TaskLocal static var taskLocal: SpanContext?

    /// The context of the span running in the current task, or nil outside any span.
    ///
    /// Code instrumented with swift-distributed-tracing binds its own task-local
    /// (`InstrumentationContext.current`); a span it started through `AITracer` carries this
    /// context there. `withSpan` keeps both bindings in step, so whichever is innermost is found.
    public static var current: SpanContext? {
        if let bridged = DistributedTracingBridge.currentContext() { return bridged }
        return taskLocal
    }

    /// Runs `body` with `context` as the current context (for example one extracted from headers).
    public static func withCurrent<T>(_ context: SpanContext?, _ body: () throws -> T) rethrows -> T {
        try DistributedTracingBridge.withBinding(context) {
            try $taskLocal.withValue(context, operation: body)
        }
    }

    /// Runs the async `body` with `context` as the current context.
    public static func withCurrent<T>(_ context: SpanContext?, isolation: isolated (any Actor)? = #isolation,
                                      _ body: () async throws -> T) async rethrows -> T {
        try await DistributedTracingBridge.withBinding(context, isolation: isolation) {
            try await $taskLocal.withValue(context, operation: body, isolation: isolation)
        }
    }
}
