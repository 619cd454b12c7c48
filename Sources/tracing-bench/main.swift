import AITracing
import TraceModel
import Foundation

// tracing-bench [--spans N] [--tasks 1,4,8] [--repeat R] [--seed-script PATH [--python PATH]] [--no-check]
//
// Per-span cost of `withSpan` + `setAIMetrics` (the seed's bench loop: a root span, then
// N child spans each with an `index` attribute and AI metrics priced from the table), with 1
// task and with several concurrent tasks each recording N spans under the same root. Prints
// wall-clock ns per span (best and median of R runs) and checks that every span was recorded
// exactly once under the right parent. With --seed-script it also runs
// `python3 PATH bench N` (or the --python given) R times in the same session, as often as
// each of its own measurements, and prints the best and the ratio.

struct Options {
    var spans = 100_000
    var tasks = [1, 4, 8]
    var repeats = 3
    var seedScript: String?
    var python = "python3"
    var check = true
}

func parse() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    func fail(_ m: String) -> Never {
        FileHandle.standardError.write(Data("tracing-bench: \(m)\n".utf8))
        exit(2)
    }
    while let a = args.popFirst() {
        switch a {
        case "--spans":
            guard let v = args.popFirst().flatMap(Int.init) else { fail("--spans needs a number") }
            o.spans = v
        case "--repeat":
            guard let v = args.popFirst().flatMap(Int.init) else { fail("--repeat needs a number") }
            o.repeats = max(1, v)
        case "--tasks":
            let list = (args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
            guard !list.isEmpty else { fail("--tasks needs a list like 1,4,8") }
            o.tasks = list
        case "--seed-script":
            guard let v = args.popFirst() else { fail("--seed-script needs a path") }
            o.seedScript = v
        case "--python":
            guard let v = args.popFirst() else { fail("--python needs a path") }
            o.python = v
        case "--no-check": o.check = false
        case "-h", "--help":
            print("usage: tracing-bench [--spans N] [--tasks 1,4,8] [--repeat R] [--seed-script PATH [--python PATH]] [--no-check]")
            exit(0)
        default: fail("unknown argument \(a)")
        }
    }
    guard o.spans > 0 else { fail("--spans must be positive") }
    return o
}

/// The seed's per-span work.
@inline(__always)
func recordChild(_ tracer: AITracer, _ i: Int) {
    tracer.withSpan("child", attributes: [Attribute("index", .int(Int64(i)))]) { span in
        span.setAIMetrics(model: "gpt-4o-mini", promptTokens: 100, completionTokens: 20)
    }
}

/// One run: returns elapsed nanoseconds and the problems found when checking the result.
func run(spans n: Int, tasks: Int, check: Bool) async -> (nanos: Int64, total: Int, problems: [String]) {
    let total = tasks == 1 ? n : tasks * (n + 1) + 1
    let tracer = AITracer(service: "bench", store: SpanStore(limit: total + 1), ids: IDGenerator(seed: 1))
    let clock = ContinuousClock()
    let started = clock.now
    let rootID: TraceID
    if tasks == 1 {
        rootID = tracer.withSpan("root") { root in
            for i in 0..<(n - 1) { recordChild(tracer, i) }
            return root.context.traceID
        }
    } else {
        rootID = await tracer.withSpan("root") { root in
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        tracer.withSpan("task") { _ in
                            for i in 0..<n { recordChild(tracer, i) }
                        }
                    }
                }
            }
            return root.context.traceID
        }
    }
    let elapsed = started.duration(to: clock.now)
    let nanos = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000

    // Exactly once, right parents: checked outside the timed part.
    var problems: [String] = []
    guard check else { return (nanos, total, problems) }
    let store = tracer.store
    if store.count != total { problems.append("recorded \(store.count) spans, expected \(total)") }
    if store.dropReport.count != 0 { problems.append(store.dropReport.description) }
    let trace = tracer.trace(rootID)
    if Set(trace.spans.map(\.spanID)).count != trace.count { problems.append("duplicate span ids") }
    if trace.roots.count != 1 { problems.append("\(trace.roots.count) roots") }
    if let root = trace.rootIndex {
        if tasks == 1 {
            if trace.children(of: root).count != n - 1 { problems.append("root has \(trace.children(of: root).count) children") }
        } else {
            let taskSpans = trace.children(of: root)
            if taskSpans.count != tasks { problems.append("root has \(taskSpans.count) task spans") }
            for t in taskSpans where trace.children(of: Int(t)).count != n {
                problems.append("a task span has \(trace.children(of: Int(t)).count) children, expected \(n)")
            }
        }
    }
    return (nanos, total, problems)
}

/// The seed tracer's ns per span from one run of `python script bench spans`, nil when it fails.
func seedFigure(_ script: String, python: String, spans: Int) -> Double? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [python, script, "bench", String(spans)]
    let pipe = Pipe()
    p.standardOutput = pipe
    do { try p.run() } catch { return nil }
    p.waitUntilExit()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    guard let r = out.range(of: "ns_per_span=") else { return nil }
    return Double(out[r.upperBound...].prefix { $0.isNumber || $0 == "." })
}

let options = parse()
#if DEBUG
print("note: debug build; measure with `swift run -c release tracing-bench`")
#endif
print("AITracing recording cost: withSpan + setAIMetrics, \(options.spans) spans per task, best/median of \(options.repeats)")
print("tasks     spans   best ns/span   median ns/span   check")
var singleBest: Double?
var failed = false
for t in options.tasks {
    var samples: [Double] = []
    var problems: [String] = []
    var total = 0
    for _ in 0..<options.repeats {
        let r = await run(spans: options.spans, tasks: t, check: options.check)
        samples.append(Double(r.nanos) / Double(r.total))
        problems += r.problems
        total = r.total
    }
    samples.sort()
    let best = samples[0], median = samples[samples.count / 2]
    if t == 1 { singleBest = best }
    failed = failed || !problems.isEmpty
    let check = !options.check ? "not checked" : problems.isEmpty ? "every span once, parents right" : "FAILED: " + Set(problems).sorted().joined(separator: "; ")
    print(String(format: "%5d %9d %14.0f %16.0f   %@", t, total, best, median, check))
}
if let script = options.seedScript {
    let runs = (0..<options.repeats).map { _ in seedFigure(script, python: options.python, spans: options.spans) }
    if runs.allSatisfy({ $0 != nil }), let seed = runs.compactMap({ $0 }).min() {
        print(String(format: "seed (%@ %@ bench %d, best of %d): %.0f ns/span", options.python, script, options.spans, options.repeats, seed))
        if let single = singleBest {
            print(String(format: "ratio seed / AITracing single-task: %.1fx", seed / single))
        }
    } else {
        print("seed: could not run \(options.python) \(script)")
        failed = true
    }
}
exit(failed ? 1 : 0)
