import Foundation
import AITracing
import TraceModel
import TestSupport
import Testing

@Suite struct StoreTests {
    @Test func aFullStoreDropsNewSpansAndSaysWhich() {
        let tracer = makeTracer(limit: 10)
        tracer.withSpan("root") { _ in
            for _ in 0..<14 { tracer.withSpan("child") { _ in } }
        }
        #expect(tracer.store.count == 10)
        let report = tracer.store.dropReport
        #expect(report.count == 5)   // 4 children + the root, which ends last
        #expect(report.limit == 10)
        #expect(report.byTrace.first?.dropped == 5)
        #expect(report.description.contains("dropped 5 spans"))
        #expect(tracer.store.document().warnings.contains { $0.contains("dropped 5 spans") })
    }

    @Test func eightTasksRecordEverySpanExactlyOnceWithTheRightParent() async throws {
        // 8 × 100k, as the hardening issue asks (about 12 s in a debug build on two cores); every
        // span is a distinct id, every work span sits under its own task's span. Under
        // ThreadSanitizer (.ci/run) races show without the volume, and 800k spans would take a
        // minute there: AITRACING_TEST_SPANS_PER_TASK lowers the count. The tasks run on two
        // threads of their own (`offPool(threads:)`): on the cooperative pool they held both of
        // its threads for those seconds, and the network tests beside them timed out.
        let perTask = ProcessInfo.processInfo.environment["AITRACING_TEST_SPANS_PER_TASK"].flatMap(Int.init) ?? 100_000
        let tasks = 8
        let tracer = makeTracer(limit: 1 + tasks * (perTask + 1))
        let rootContext: SpanContext = await offPool(threads: 2) { await tracer.withSpan("root") { root in
            await withTaskGroup(of: Void.self) { group in
                for t in 0..<tasks {
                    group.addTask {
                        tracer.withSpan("task-\(t)", attributes: [Attribute("task", .int(Int64(t)))]) { _ in
                            for i in 0..<perTask {
                                tracer.withSpan("work") { s in
                                    s.setAIMetrics(model: "gpt-4o-mini", promptTokens: 100, completionTokens: i % 50)
                                }
                            }
                        }
                    }
                }
            }
            return root.context
        } }
        let spans = tracer.store.spans()
        #expect(spans.count == 1 + tasks * (perTask + 1))
        #expect(tracer.store.dropReport.count == 0)
        #expect(Set(spans.map(\.spanID)).count == spans.count)
        let trace = tracer.trace(rootContext.traceID)
        #expect(trace.count == spans.count)
        #expect(trace.roots.count == 1)
        let root = try #require(trace.rootIndex)
        #expect(trace.children(of: root).count == tasks)
        var taskNumbers = Set<Int64>()
        for taskSpan in trace.children(of: root) {
            let children = trace.children(of: Int(taskSpan))
            #expect(children.count == perTask)
            #expect(children.allSatisfy { trace.spans[Int($0)].name == "work" && trace.children(of: Int($0)).isEmpty })
            if case .int(let t)? = trace.spans[Int(taskSpan)].attributes[key: "task"] { taskNumbers.insert(t) }
        }
        #expect(taskNumbers == Set(0..<Int64(tasks)))
        #expect(trace.llmCalls.count == tasks * perTask)
    }
}
