import Foundation
import TestSupport
import Testing
import TraceModel
@testable import TraceFormats

/// Lines of other OTLP signals in a JSON Lines file read through its index: counted, warned
/// about and refused as a full load counts, warns and refuses.
@Suite struct IndexOtherSignalsTests {
    static func spanLine(_ trace: Int, _ span: Int) -> String {
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[]},\"scopeSpans\":[{\"spans\":[{\"traceId\":\"\(String(format: "%032x", trace))\","
            + "\"spanId\":\"\(String(format: "%016x", span))\",\"name\":\"s\",\"startTimeUnixNano\":\"\(1_700_000_000_000_000_000 + span)\"}]}]}]}"
    }

    static func write(_ lines: [String], _ name: String) throws -> String {
        let path = temporaryPath(name)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func logsMetricsAndProfilesLinesAreCountedAndWarnedAboutOnOneTwoAndThreeCores() throws {
        let lines = [
            IndexOtherSignalsTests.spanLine(1, 1),
            #"{"resourceLogs":[{"resource":{},"scopeLogs":[{"logRecords":[{"body":{"stringValue":"}{ not a span"}}]}]}]}"#,
            IndexOtherSignalsTests.spanLine(2, 2),
            #"{"resourceMetrics":[]}"#,
            #"{"resource_logs":[]}"#,
            IndexOtherSignalsTests.spanLine(1, 3),
            #"{"resourceProfiles":[]}"#,
            IndexOtherSignalsTests.spanLine(1, 3),   // an exporter's retry: an exact duplicate
        ]
        let path = try IndexOtherSignalsTests.write(lines, "other-signals.jsonl")
        let full = try TraceLoader.load(path: path)
        // By hand: two lines of logs (one in snake case), one of metrics, one of profiles.
        #expect(full.skippedLines == ["logs": 2, "metrics": 1, "profiles": 1])
        #expect(full.duplicatesMerged == 1)
        for parts in 1...3 {
            let index = try TraceIndexer.index(path: path, parts: parts, window: 64)
            #expect(index.skippedLines == full.skippedLines, "\(parts) cores")
            #expect(index.warnings(duplicatesMerged: full.duplicatesMerged) == full.warnings, "\(parts) cores")
            #expect(index.warnings.last == "skipped lines of other OTLP signals (not spans): 2 of logs, 1 of metrics, 1 of profiles")
            #expect(index.format == full.format)
        }
    }

    @Test func aFileOfLogsAloneIsRefusedWithAFullLoadsMessage() throws {
        let path = try IndexOtherSignalsTests.write([#"{"resourceLogs":[]}"#, #"{"resourceMetrics":[]}"#], "logs-only.jsonl")
        let full = #expect(throws: TraceFormatError.self) { _ = try TraceLoader.load(path: path) }
        let indexed = #expect(throws: TraceFormatError.self) { _ = try TraceIndexer.index(path: path, parts: 2) }
        #expect(indexed?.description == full?.description)
        #expect(indexed?.description.contains("holds OTLP logs or metrics but no spans") == true)
    }
}
