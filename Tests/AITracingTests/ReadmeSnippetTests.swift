import AITracing
import Foundation
import TraceFormats
import TestSupport
import Testing

// snippet:begin
/// The README's "Record your own traces" snippet, compiled. `snippetIsTheReadmes` checks that
/// the lines between the markers are the README's, line for line (this function's indentation
/// and the file path aside), so the README cannot drift from code that builds and runs.
func readmeSnippet(path: String) async {
    let store = SpanStore(limit: 100_000)                      // bounded; says what it dropped
    let tracer = AITracer(service: "agent-service", store: store)
    let exporter = BatchingExporter(store: store, exporter: OTLPJSONLinesFileExporter(path: path))

    tracer.withSpan("process_request") { _ in
        tracer.withLLMSpan(model: "gpt-4o") { llm in
            // … call the model, then record its usage (priced from Spanscope's table) …
            llm.setAIMetrics(model: "gpt-4o", promptTokens: 812, completionTokens: 164)
        }
        var headers: [String: String] = [:]
        tracer.propagator.inject(into: &headers)               // traceparent, baggage, X-Trace-ID, …
    }
    await exporter.shutdown()                                  // then: spanscope summary spans.jsonl
}
// snippet:end

@Suite struct ReadmeSnippetTests {
    @Test func theReadmeSnippetWritesATraceSpanscopeReads() async throws {
        let path = temporaryPath("spans.jsonl")
        await readmeSnippet(path: path)
        let doc = try TraceLoader.load(path: path)
        #expect(doc.traces.count == 1)
        #expect(doc.traces[0].count == 2)
        #expect(doc.traces[0].llmCalls.first?.totalTokens == 976)
    }

    /// README.md itself (not a copy): its first Swift block under "Record your own traces" is the
    /// compiled snippet above, and it imports only modules this file imports.
    @Test func snippetIsTheReadmes() throws {
        let here = URL(fileURLWithPath: #filePath)
        let readme = try String(contentsOf: here.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "## Record your own traces"), "README.md has no 'Record your own traces' section")
        let open = try #require(readme.range(of: "```swift\n", range: section.upperBound..<readme.endIndex))
        let close = try #require(readme.range(of: "\n```", range: open.upperBound..<readme.endIndex))
        let block = readme[open.upperBound..<close.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        let source = try String(contentsOf: here, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let begin = try #require(source.firstIndex(of: "// snippet:begin"))
        let end = try #require(source.firstIndex(of: "// snippet:end"))
        let function = Array(source[begin + 1..<end])
        let bodyStart = try #require(function.firstIndex { $0.hasPrefix("func readmeSnippet") }) + 1
        let body = function[bodyStart..<function.count - 1].map { line in
            String(line.hasPrefix("    ") ? line.dropFirst(4) : Substring(line))
                .replacingOccurrences(of: "(path: path)", with: "(path: \"spans.jsonl\")")
        }

        let imports = block.prefix { $0.hasPrefix("import ") || $0.isEmpty }
        let code = Array(block.dropFirst(imports.count))
        #expect(code == body, "README.md's snippet differs from the compiled one in Tests/AITracingTests/ReadmeSnippetTests.swift")
        for line in imports where !line.isEmpty {
            #expect(source.contains(line), "README.md's snippet has \(line), which the compiled snippet lacks")
        }
        #expect(imports.contains("import AITracing"))
    }
}
