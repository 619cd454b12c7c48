import TraceFormats
import TraceModel

extension TraceGenerator {
    /// Generated traces, one run per seed, as one document read through the same collector as
    /// files (so benchmarks see what a loaded file would give them).
    public static func document(spans: Int, traces: Int, seeds: [UInt64]) -> TraceDocument {
        var collector = SpanCollector()
        for seed in seeds {
            TraceGenerator(spans: spans, traces: traces, seed: seed).forEachTrace { list in
                for span in list { collector.add(span) }
            }
        }
        return collector.document(source: "synthetic")
    }
}
