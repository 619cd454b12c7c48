import TraceModel

/// Reads files of OTLP binary protobuf: one `ExportTraceServiceRequest` (what `curl` saves of an
/// OTLP/HTTP body), or the OpenTelemetry collector file exporter's `format: proto` output, where
/// each request follows its length as a 4-byte big-endian integer
/// (opentelemetry-collector-contrib exporter/fileexporter, README "format: proto" and
/// `exportMessageAsBuffer` in file_writer.go, after protobuf's "streaming multiple messages"
/// technique). The messages are decoded by the same decoder `listen` uses.
enum OTLPProtobufFile {
    /// True when the bytes plausibly start an OTLP trace request, framed or not: a first field
    /// `resource_spans` (1, length-delimited) whose content itself starts with `resource` or
    /// `scope_spans`. Text never starts so (a JSON file's leading newline is followed by text).
    static func looksLikeProtobuf(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        if start < bytes.count, bytes[start] == 0x0A { return startsRequest(bytes, at: start, end: bytes.count) }
        guard let length = frameLength(bytes, at: start) else {
            // A frame cut short: text never starts with a NUL, so say truncated rather than unknown.
            return start + 5 <= bytes.count && bytes[start] == 0 && bytes[start + 4] == 0x0A
        }
        return startsRequest(bytes, at: start + 4, end: start + 4 + length)
    }

    /// The length a 4-byte big-endian prefix at `at` announces, when that many bytes follow.
    static func frameLength(_ bytes: UnsafeBufferPointer<UInt8>, at: Int) -> Int? {
        guard at >= 0, at + 4 <= bytes.count else { return nil }
        var n = 0
        for i in 0..<4 { n = n << 8 | Int(bytes[at + i]) }
        return n <= bytes.count - at - 4 ? n : nil
    }

    /// True when a request message starts at `at`: field 1 (length-delimited), with a length
    /// inside `end`, holding a `ResourceSpans` whose first field is 1 or 2 (or empty).
    private static func startsRequest(_ bytes: UnsafeBufferPointer<UInt8>, at: Int, end: Int) -> Bool {
        guard at < end, end <= bytes.count, bytes[at] == 0x0A else { return false }
        var p = at + 1
        var length = 0, shift = 0
        while p < end, shift < 35 {
            let b = bytes[p]
            length |= Int(b & 0x7F) << shift
            p += 1
            if b < 0x80 { break }
            shift += 7
        }
        guard p <= end, length <= end - p else { return false }
        return length == 0 || bytes[p] == 0x0A || bytes[p] == 0x12
    }

    /// Reads every request in the file into `collector`. Spans of requests before a broken one
    /// stay collected; the error names the byte where decoding stopped.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, source: String,
                     into collector: inout SpanCollector) throws(TraceFormatError) {
        if bytes[start] == 0x0A {
            try decode(bytes, start..<bytes.count, number: nil, source: source, into: &collector)
            return
        }
        var at = start
        var number = 1
        while at < bytes.count {
            guard let length = frameLength(bytes, at: at) else {
                let left = bytes.count - at
                let why = left < 4 ? "\(left) stray byte\(left == 1 ? "" : "s") after the last message"
                    : "message \(number) announces more bytes than remain (\(left - 4))"
                throw TraceFormatError(source: source, message: "truncated OTLP protobuf at byte \(at): \(why)")
            }
            try decode(bytes, (at + 4)..<(at + 4 + length), number: number, source: source, into: &collector)
            at += 4 + length
            number += 1
        }
    }

    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, number: Int?, source: String,
                               into collector: inout SpanCollector) throws(TraceFormatError) {
        var decoder = OTLPProtobuf.Decoder(bytes: UnsafeBufferPointer(rebasing: bytes[range]))
        do {
            let result = try decoder.request(into: &collector)
            if result.rejected > 0 {
                collector.skippedSpans += result.rejected
                collector.warn("\(source): \(result.rejected) span\(result.rejected == 1 ? "" : "s") skipped"
                               + (number.map { " in message \($0)" } ?? "") + ": \(result.message)")
            }
        } catch {
            let which = number.map { " (message \($0))" } ?? ""
            throw TraceFormatError(source: source, message: "invalid OTLP protobuf at byte \(range.lowerBound + error.offset)\(which): \(error.message)")
        }
    }
}
