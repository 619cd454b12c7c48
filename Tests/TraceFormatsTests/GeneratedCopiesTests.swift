import Foundation
import Synthetic
import TestSupport
import Testing
import TraceModel
@testable import TraceFormats

/// `spanscope generate --copies N`: each generated trace written N times, later copies with
/// fresh ids, so a 10 GB benchmark file costs one generated gigabyte.
@Suite struct GeneratedCopiesTests {
    static func lines(_ path: String) throws -> [[UInt8]] {
        try Array(Data(contentsOf: URL(fileURLWithPath: path))).split(separator: 0x0A).map(Array.init)
    }

    static func isHex(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) || (0x61...0x66).contains(c) }

    @Test func copiesRepeatEachTraceWithFreshIdsAndTheSameShape() throws {
        let dir = temporaryDirectory()
        let generator = TraceGenerator(spans: 450, traces: 3, seed: 17)
        try generator.write(to: dir + "/plain.jsonl", format: .otlpJSONL)
        try generator.write(to: dir + "/one.jsonl", format: .otlpJSONL, copies: 1)
        try generator.write(to: dir + "/copies.jsonl", format: .otlpJSONL, copies: 3)

        let plain = try Self.lines(dir + "/plain.jsonl")
        #expect(try Self.lines(dir + "/one.jsonl") == plain, "one copy is the plain file")
        let copied = try Self.lines(dir + "/copies.jsonl")
        #expect(copied.count == 9)
        for t in 0..<3 {
            #expect(copied[3 * t] == plain[t], "the first copy of trace \(t) is the generated line")
            for c in 1..<3 {
                let line = copied[3 * t + c]
                #expect(line.count == plain[t].count)
                let changed = zip(line, plain[t]).filter { $0 != $1 }
                #expect(!changed.isEmpty)
                #expect(changed.allSatisfy { Self.isHex($0) && Self.isHex($1) }, "only id digits change")
            }
        }

        let original = try TraceLoader.load(path: dir + "/plain.jsonl")
        let document = try TraceLoader.load(path: dir + "/copies.jsonl")
        #expect(document.traces.count == 9)
        #expect(Set(document.traces.map(\.id)).count == 9, "every copy is a trace of its own")
        #expect(document.traces.map(\.count).reduce(0, +) == 1_350)
        for trace in document.traces {
            let source = original.traces.first { $0.spans.map(\.name) == trace.spans.map(\.name) }
            #expect(source != nil)
            guard let source else { continue }
            // The tree survives the new ids: parents are found in the copy exactly as in the original.
            #expect(trace.parents == source.parents)
            #expect(trace.spans.map(\.startNanos) == source.spans.map(\.startNanos))
            if trace.id != source.id {
                #expect(Set(trace.spans.map(\.spanID)).isDisjoint(with: source.spans.map(\.spanID)))
            }
        }
    }
}
