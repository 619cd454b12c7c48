import AITracing
#if canImport(Glibc)
import Glibc
#endif
import SeedScenario

// seed-example [--format otlp|otlp-jsonl|seed] [--output FILE] [--otlp-endpoint URL]
// Runs the seed's agent → tool scenario over loopback HTTP and writes its one trace, or sends it
// over OTLP/HTTP (protobuf, gzip) to URL: `spanscope listen`, a collector, Jaeger, Tempo, Phoenix.
var format = TraceFile.Format.otlpJSON
var output = "seed-example-trace.json"
var endpoint: String?
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    switch arg {
    case "--format":
        guard let value = args.popFirst(), let f = TraceFile.Format(rawValue: value) else {
            print("seed-example: --format takes one of: \(TraceFile.Format.allCases.map(\.rawValue).joined(separator: ", "))")
            exit(2)
        }
        format = f
    case "--output", "-o":
        guard let value = args.popFirst() else { print("seed-example: --output needs a file name"); exit(2) }
        output = value
    case "--otlp-endpoint":
        guard let value = args.popFirst() else { print("seed-example: --otlp-endpoint needs a URL (http://127.0.0.1:4318)"); exit(2) }
        endpoint = value
    case "--help", "-h":
        print("usage: seed-example [--format otlp|otlp-jsonl|seed] [--output FILE] [--otlp-endpoint URL]")
        exit(0)
    default:
        print("seed-example: unknown argument \(arg) (try --help)")
        exit(2)
    }
}

do {
    if let endpoint {
        let outcome = try await SeedScenario.run(sendingTo: endpoint)
        print("recorded trace \(outcome.traceID): \(outcome.spanCount) spans from agent-service and tool-service")
        print("answer: \(outcome.answer)")
        print("sent to \(outcome.path) (OTLP/HTTP protobuf, gzip)")
    } else {
        let outcome = try await SeedScenario.run(writingTo: output, format: format)
        print("recorded trace \(outcome.traceID): \(outcome.spanCount) spans from agent-service and tool-service")
        print("answer: \(outcome.answer)")
        print("wrote \(outcome.path) (\(format.rawValue)); look at it with: swift run spanscope summary \(outcome.path)")
    }
} catch {
    print("seed-example: \(error)")
    exit(1)
}
