import TraceFormats
import TraceConventions
import TraceModel
import TerminalText
import TraceWriters

/// Output formats for generated traces.
public enum GeneratedFormat: String, CaseIterable, Sendable {
    /// One OTLP JSON request object.
    case otlp
    /// OTLP JSON Lines: one request per trace per line (the collector file exporter's form).
    case otlpJSONL = "otlp-jsonl"
    /// The seed's trace shape (a list of trace objects), with start/end times.
    case seed
}

extension TraceGenerator {
    /// Writes the generated traces to `path` (atomically), one trace in memory at a time.
    /// Returns the number of bytes written. With `copies` above 1 (OTLP JSON Lines only), each
    /// trace's line is followed by `copies - 1` more with fresh ids (`IDCopy`): a file that size
    /// at the cost of generating one copy; `copies: 1` writes exactly the plain file.
    @discardableResult
    public func write(to path: String, format: GeneratedFormat, copies: Int = 1) throws(AtomicFile.WriteError) -> Int {
        precondition(copies == 1 || format == .otlpJSONL, "copies are written for OTLP JSON Lines only")
        var file = try AtomicFileWriter(path: path)
        var w = JSONWriter(reserving: 1 << 20)
        var total = 0
        func flush(_ w: inout JSONWriter, _ file: inout AtomicFileWriter) throws(AtomicFile.WriteError) {
            let bytes = w.drain()
            total += bytes.count
            try file.write(bytes)
        }
        switch format {
        case .otlp:
            w.beginObject()
            w.key("resourceSpans")
            w.beginArray()
            for t in 0..<traceCount {
                OTLPJSONWriter.resourceSpans(spans(ofTrace: t), into: &w)
                try flush(&w, &file)
            }
            w.endArray()
            w.endObject()
            try flush(&w, &file)
            try file.write([0x0A])
        case .otlpJSONL:
            let rewrites = (1..<max(1, copies)).map { IDCopy(copy: $0, seed: seed) }
            for t in 0..<traceCount {
                OTLPJSONWriter.request(spans(ofTrace: t), into: &w)
                if rewrites.isEmpty {
                    try flush(&w, &file)
                    try file.write([0x0A])
                    continue
                }
                var line = w.drain()
                line.append(0x0A)
                total += line.count * copies
                try file.write(line)
                for rewrite in rewrites {
                    var copy = line
                    rewrite.rewrite(&copy)
                    try file.write(copy)
                }
            }
        case .seed:
            w.beginArray()
            for t in 0..<traceCount {
                let trace = Trace(id: spans(ofTrace: t)[0].traceID, spans: spans(ofTrace: t), llmCall: LLMConventions.call(for:))
                SeedJSONWriter.trace(trace, into: &w)
                try flush(&w, &file)
            }
            w.endArray()
            try flush(&w, &file)
            try file.write([0x0A])
        }
        try file.commit()
        return total
    }
}
