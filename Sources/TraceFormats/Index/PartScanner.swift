import TraceConventions
import TraceModel

/// Scans the requests of one part of a file (one line each) into a `PartIndex`.
///
/// Per span it keeps only what a list shows; the LLM attributes a summary needs are decoded by
/// the full reader's own value code and fed to the convention table by row (each distinct key is
/// looked up once per file), so tokens and models come out exactly as in a full load.
struct PartScanner {
    var part = PartIndex()
    /// Decodes LLM attribute values and resources (its scanner covers the current window).
    private var reader: OTLPJSONReader
    /// File offset of the window's first byte.
    private var windowOffset: Int64 = 0
    private var lineStart = 0
    /// Slot of the trace the previous span in the same `spans` array belonged to, for runs.
    private var lastSlot: Int32 = -1
    /// The previous span's raw trace id (window offsets) and its slot: consecutive spans of
    /// one trace skip the id parse and the table lookup.
    private var lastID: (start: Int, count: Int) = (0, 0)
    private var lastIDSlot: Int32 = -1
    /// What the attribute keys met so far are to a summary and to the session rule.
    private let summaryKeys: SummaryKeyMemo
    /// The current span's session value under the best-ranked session key it has so far.
    private var spanSession: (rank: Int32, value: String)?
    /// The current span's kept attributes as (table row, value), reused from span to span.
    private var llm: [(row: Int32, value: AttributeValue)] = []
    /// Where the walker decodes a key written with escapes.
    private let keyScratch: KeyScratch

    /// `sessionKeys`: the keys that name a trace's session, tried in order; `skeletons`: record
    /// every span's skeleton (`SpanSkeletons`) too.
    init(sessionKeys: [String] = SessionConventions.standardKeys, skeletons: Bool = false) {
        if skeletons { part.skeletons = SkeletonPart() }
        summaryKeys = SummaryKeyMemo(sessionKeys: sessionKeys)
        keyScratch = KeyScratch()
        reader = OTLPJSONReader(scanner: JSONScanner(UnsafeBufferPointer<UInt8>(start: nil, count: 0)))
        reader.keepAttribute = LLMConventions.isSummaryKey
    }

    /// Points the scanner at a new window of the file.
    mutating func setWindow(_ window: UnsafeBufferPointer<UInt8>, fileOffset: Int64) {
        reader = OTLPJSONReader(scanner: JSONScanner(window), interner: reader.interner)
        reader.keepAttribute = LLMConventions.isSummaryKey
        windowOffset = fileOffset
        lastIDSlot = -1
    }

    /// Scans one line `[start, end)` of the window. A structural error is recorded in
    /// `part.failure` (and stops the part).
    mutating func scanLine(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) {
        lineStart = start
        var w = LineWalker(base, from: start, to: end, scratch: keyScratch.bytes)
        guard w.peek() != nil else { return }
        part.requests += 1
        do throws(ScanFailure) {
            try request(&w)
            if let c = w.peek() {
                throw w.fail("unexpected \(JSONScanner.describe(byte: c)) after the request object")
            }
        } catch {
            part.failure = (part.lines + 1, error.offset - start + 1, windowOffset + Int64(error.offset), error.message)
        }
    }

    private func column(_ offset: Int) -> Int { offset - lineStart + 1 }

    private mutating func warn(_ offset: Int, _ message: String) {
        part.warnings.append((part.lines + 1, column(offset), message))
    }

    private mutating func request(_ w: inout LineWalker) throws(ScanFailure) {
        guard try w.openObject() else { return }
        repeat {
            let k = try w.key()
            if (w.keyIs(k, "resourceSpans") || w.keyIs(k, "resource_spans")) && w.peek() == UInt8(ascii: "[") {
                if try w.openArray() {
                    repeat { try resourceSpans(&w) } while try w.nextElement()
                }
            } else {
                // Lines of other signals are counted as the full reader counts them (`otherSignal`).
                if let signal = PartScanner.otherSignal(w, k) { part.skippedLines[signal, default: 0] += 1 }
                try w.skipValue()
            }
        } while try w.nextMember()
    }

    /// The signal a request key holds when it is not traces, by `OTLPJSONReader.otherSignal`'s table.
    private static func otherSignal(_ w: LineWalker, _ k: LineWalker.Key) -> String? {
        if w.keyIs(k, "resourceLogs") || w.keyIs(k, "resource_logs") { return "logs" }
        if w.keyIs(k, "resourceMetrics") || w.keyIs(k, "resource_metrics") { return "metrics" }
        if w.keyIs(k, "resourceProfiles") || w.keyIs(k, "resource_profiles") { return "profiles" }
        return nil
    }

    private mutating func resourceSpans(_ w: inout LineWalker) throws(ScanFailure) {
        guard w.peek() == UInt8(ascii: "{") else { try w.skipValue(); return }
        let firstContext = part.contexts.count
        var resource: Range<Int64>?
        var service = ""
        var session: String?
        if try w.openObject() {
            repeat {
                let k = try w.key()
                if w.keyIs(k, "resource") {
                    w.skipWhitespace()
                    let s = w.p
                    (service, session) = try resourceService(&w)
                    resource = windowOffset + Int64(s)..<windowOffset + Int64(w.p)
                } else if w.keyIs(k, "scopeSpans") || w.keyIs(k, "scope_spans") || w.keyIs(k, "instrumentationLibrarySpans")
                            || w.keyIs(k, "instrumentation_library_spans") {
                    guard w.peek() == UInt8(ascii: "[") else { try w.skipValue(); continue }
                    if try w.openArray() {
                        repeat { try scopeSpans(&w) } while try w.nextElement()
                    }
                } else {
                    try w.skipValue()
                }
            } while try w.nextMember()
        }
        // The resource may follow the spans: complete this entry's contexts and roots now.
        for c in firstContext..<part.contexts.count {
            part.contexts[c].resource = resource
            part.contexts[c].service = service
            part.contexts[c].session = session
        }
    }

    /// Skips a resource object and returns its `service.name` and session id, read by the full
    /// reader's code.
    private mutating func resourceService(_ w: inout LineWalker) throws(ScanFailure) -> (service: String, session: String?) {
        guard w.peek() == UInt8(ascii: "{") else { try w.skipValue(); return ("", nil) }
        var service = ""
        var session: String?
        if try w.openObject() {
            repeat {
                let k = try w.key()
                if w.keyIs(k, "attributes") {
                    w.skipWhitespace()
                    reader.scanner.pos = w.p
                    do {
                        let attributes = try reader.readAttributes()
                        service = attributes[key: "service.name"]?.stringValue ?? ""
                        session = SessionConventions.best(attributes, keys: summaryKeys.sessionKeys)?.value
                    } catch {
                        throw ScanFailure(offset: error.offset - Int(reader.scanner.origin), message: error.message)
                    }
                    w.p = reader.scanner.pos
                } else {
                    try w.skipValue()
                }
            } while try w.nextMember()
        }
        return (service, session)
    }

    private mutating func scopeSpans(_ w: inout LineWalker) throws(ScanFailure) {
        guard w.peek() == UInt8(ascii: "{") else { try w.skipValue(); return }
        let context = Int32(part.contexts.count)
        part.contexts.append(SpanContext())
        guard try w.openObject() else { return }
        repeat {
            let k = try w.key()
            if w.keyIs(k, "scope") || w.keyIs(k, "instrumentationLibrary") || w.keyIs(k, "instrumentation_library") {
                w.skipWhitespace()
                let s = w.p
                try w.skipValue()
                part.contexts[Int(context)].scope = windowOffset + Int64(s)..<windowOffset + Int64(w.p)
            } else if w.keyIs(k, "spans") {
                guard w.peek() == UInt8(ascii: "[") else { try w.skipValue(); continue }
                lastSlot = -1
                if try w.openArray() {
                    repeat { try span(&w, context: context) } while try w.nextElement()
                }
                lastSlot = -1
            } else {
                try w.skipValue()
            }
        } while try w.nextMember()
    }

    private mutating func span(_ w: inout LineWalker, context: Int32) throws(ScanFailure) {
        guard w.peek() == UInt8(ascii: "{") else {
            warn(w.p, "span skipped: a span is not an object")
            part.skipped += 1
            try w.skipValue()
            lastSlot = -1
            return
        }
        let spanStart = w.p
        var traceRaw: (start: Int, count: Int)?
        var traceEscaped = false
        var spanRaw: (start: Int, end: Int, escaped: Bool)?
        var hasParent = false
        var parentRaw: (start: Int, end: Int, escaped: Bool)?
        var name: (start: Int, end: Int, escaped: Bool)?
        var start: Int64?
        var end: Int64?
        var error = false
        // (Most spans keep nothing: an empty array's removeAll is still a call that rebuilds it.
        // `removeAll(keepingCapacity:)` of these tuples went through the generic
        // `replaceSubrange`, ~470 instructions a time; `removeLast` is specialised.)
        while !llm.isEmpty { llm.removeLast() }
        spanSession = nil
        if try w.openObject() {
            repeat {
                let k = try w.key()
                guard k.count > 0 else { try w.skipValue(); continue }
                // On the key's first byte as written, as the full reader dispatches (so a key
                // that starts with an escape, `"\u0074raceId"`, is no field there either).
                switch k.written {
                case UInt8(ascii: "t"):
                    if (w.keyIs(k, "traceId") || w.keyIs(k, "trace_id")) && w.peek() == 0x22 {
                        let s = try w.rawString()
                        traceRaw = (s.start, s.end - s.start)
                        traceEscaped = s.escaped
                    } else { try w.skipValue() }
                case UInt8(ascii: "s"):
                    if (w.keyIs(k, "spanId") || w.keyIs(k, "span_id")) && w.peek() == 0x22 {
                        spanRaw = try w.rawString()
                    } else if w.keyIs(k, "startTimeUnixNano") || w.keyIs(k, "start_time_unix_nano") {
                        start = try w.nanos()
                    } else if w.keyIs(k, "status") {
                        error = try statusIsError(&w)
                    } else { try w.skipValue() }
                case UInt8(ascii: "e"):
                    if w.keyIs(k, "endTimeUnixNano") || w.keyIs(k, "end_time_unix_nano") {
                        end = try w.nanos()
                    } else { try w.skipValue() }
                case UInt8(ascii: "p"):
                    if (w.keyIs(k, "parentSpanId") || w.keyIs(k, "parent_span_id")) && w.peek() == 0x22 {
                        let s = try w.rawString()
                        hasParent = s.escaped || !w.isZeroID(s.start, s.end)
                        parentRaw = s
                    } else { try w.skipValue() }
                case UInt8(ascii: "n"):
                    if w.keyIs(k, "name") && w.peek() == 0x22 {
                        let s = try w.rawString()
                        name = (s.start, s.end, s.escaped)
                    } else { try w.skipValue() }
                case UInt8(ascii: "a"):
                    if w.keyIs(k, "attributes") && w.peek() == UInt8(ascii: "[") {
                        try summaryAttributes(&w)
                    } else { try w.skipValue() }
                default:
                    try w.skipValue()
                }
            } while try w.nextMember()
        }
        // The same three checks, in the same order and words, as the full reader's.
        // The trace id is parsed only when it differs from the previous span's.
        var cached: Int32 = -1
        if let raw = traceRaw, !traceEscaped, lastIDSlot >= 0, raw.count == lastID.count,
           memcmp(w.base + raw.start, w.base + lastID.start, raw.count) == 0 {
            cached = lastIDSlot
        }
        let traceID: TraceID?
        if cached >= 0 {
            traceID = part.entries[Int(cached)].id
        } else if let raw = traceRaw {
            traceID = traceEscaped ? decodedID(at: raw.start - 1) : TraceID(Identifier(utf8: UnsafeBufferPointer(start: w.base + raw.start, count: raw.count)))
        } else {
            traceID = nil
        }
        guard let traceID, !traceID.raw.isZero else { return skip("missing 'traceId'", at: spanStart) }
        guard let s = spanRaw, s.escaped || !w.isZeroID(s.start, s.end) else { return skip("missing 'spanId'", at: spanStart) }
        guard var startNanos = start else {
            return skip("span \(SpanID(identifier(w.base, s))) has no 'startTimeUnixNano'", at: spanStart)
        }
        var endNanos = end ?? startNanos
        let range = Span.timeRange
        if !range.contains(startNanos) || !range.contains(endNanos) {
            startNanos = min(max(startNanos, range.lowerBound), range.upperBound)
            endNanos = min(max(endNanos, range.lowerBound), range.upperBound)
            part.clamped += 1
        }

        let slot = cached >= 0 ? cached : slot(for: traceID, raw: traceEscaped ? nil : traceRaw)
        let spanEnd = windowOffset + Int64(w.p)
        let base = w.base
        let runStart = windowOffset + Int64(spanStart)
        let continues = lastSlot == slot
        let callsBefore = part.skeletons == nil ? 0 : part.entries[Int(slot)].llmCalls.count
        PartScanner.add(to: &part.entries[Int(slot)], error: error, start: startNanos, end: endNanos,
                        root: !hasParent, name: PartScanner.string(base, name), context: context, llm: llm,
                        session: spanSession?.value,
                        run: runStart..<spanEnd, continuesRun: continues)
        if part.skeletons != nil {
            part.skeletons!.record(base, slot: slot, id: s, parent: parentRaw, name: name, start: startNanos, end: endNanos,
                                   error: error, llm: part.entries[Int(slot)].llmCalls.count > callsBefore, context: context)
        }
        lastSlot = slot
    }

    private static func add(to e: inout TraceIndexEntry, error: Bool, start: Int64, end: Int64, root: Bool,
                            name: @autoclosure () -> String, context: Int32, llm: [(row: Int32, value: AttributeValue)],
                            session: String?, run: Range<Int64>, continuesRun: Bool) {
        e.spanCount += 1
        if error { e.errorCount += 1 }
        e.startNanos = min(e.startNanos, start)
        e.endNanos = max(e.endNanos, max(end, start))
        e.offerRoot(name: name(), start: start, parentless: root, context: context, session: session)
        e.offerSession(session)
        if !llm.isEmpty, let call = LLMConventions.summaryCall(spanStart: start, rows: llm) { e.llmCalls.append(call) }
        if continuesRun, !e.runs.isEmpty {
            e.runs[e.runs.count - 1].end = run.upperBound
            e.runs[e.runs.count - 1].spans += 1
        } else {
            e.runs.append(SpanRun(start: run.lowerBound, end: run.upperBound, context: context, spans: 1))
        }
    }

    private mutating func skip(_ why: String, at offset: Int) {
        part.skipped += 1
        warn(offset, "span skipped: \(why)")
        lastSlot = -1
    }

    /// A name as the full reader decodes it.
    private static func string(_ base: UnsafePointer<UInt8>, _ name: (start: Int, end: Int, escaped: Bool)?) -> String {
        guard let name else { return "" }
        if !name.escaped { return String(decoding: UnsafeBufferPointer(start: base + name.start, count: name.end - name.start), as: UTF8.self) }
        var s = JSONScanner(UnsafeBufferPointer(start: base, count: name.end + 1), at: name.start - 1)
        return (try? s.readString()) ?? ""
    }

    /// A raw id as the full reader makes it.
    private mutating func identifier(_ base: UnsafePointer<UInt8>, _ s: (start: Int, end: Int, escaped: Bool)) -> Identifier {
        if !s.escaped { return Identifier(utf8: UnsafeBufferPointer(start: base + s.start, count: s.end - s.start)) }
        reader.scanner.pos = s.start - 1
        return Identifier(parsing: (try? reader.scanner.readString()) ?? "")
    }

    private mutating func decodedID(at quote: Int) -> TraceID? {
        reader.scanner.pos = quote
        guard let text = try? reader.scanner.readString(), !text.isEmpty else { return nil }
        return TraceID(Identifier(parsing: text))
    }

    /// The table slot of a trace, created on first sight.
    private mutating func slot(for id: TraceID, raw: (start: Int, count: Int)?) -> Int32 {
        let slot: Int32
        if let s = part.slots[id] {
            slot = s
        } else {
            slot = Int32(part.entries.count)
            part.slots[id] = slot
            part.entries.append(TraceIndexEntry(id: id))
        }
        if let raw {
            lastID = raw
            lastIDSlot = slot
        } else {
            lastIDSlot = -1
        }
        return slot
    }

    /// The status object's code, as the full reader reads it: 2, "2", "ERROR" or "STATUS_CODE_ERROR".
    private mutating func statusIsError(_ w: inout LineWalker) throws(ScanFailure) -> Bool {
        guard w.peek() == UInt8(ascii: "{") else { try w.skipValue(); return false }
        var error = false
        guard try w.openObject() else { return false }
        repeat {
            let k = try w.key()
            if w.keyIs(k, "code") {
                w.skipWhitespace()
                let s = w.p
                try w.skipValue()
                let raw = UnsafeBufferPointer(start: w.base + s, count: w.p - s)
                if let ascii = PartScanner.asciiStatusIsError(raw) {
                    error = ascii
                } else {
                    var text = String(decoding: raw, as: UTF8.self)
                    if text.hasPrefix("\"") { text = String(text.dropFirst().dropLast()) }
                    if text.hasPrefix("STATUS_CODE_") { text = String(text.dropFirst(12)) }
                    error = text == "2" || text.uppercased() == "ERROR"
                }
            } else {
                try w.skipValue()
            }
        } while try w.nextMember()
        return error
    }

    /// The status rule below on a code written in ASCII, without making Strings (nil for any
    /// other byte, which the String rule decides): quotes dropped, then `STATUS_CODE_`, then
    /// `2` or `error` in any case.
    static func asciiStatusIsError(_ raw: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard let base = raw.baseAddress, !raw.contains(where: { $0 >= 0x80 }) else { return raw.isEmpty ? false : nil }
        var from = 0, to = raw.count
        if raw[0] == 0x22 { from = 1; to = max(1, to &- 1) }
        let prefix: StaticString = "STATUS_CODE_"
        if to &- from >= prefix.utf8CodeUnitCount, memcmp(base + from, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0 {
            from &+= prefix.utf8CodeUnitCount
        }
        let n = to &- from
        if n == 1 { return raw[from] == UInt8(ascii: "2") }
        guard n == 5 else { return false }
        // ASCII letters only differ from their capitals in bit 5; no other byte lands on E, R or O.
        let upper = "ERROR".utf8
        return zip(upper.indices, 0..<5).allSatisfy { raw[from &+ $1] & 0xDF == upper[$0] }
    }

    /// True for a value written exactly `{"stringValue":"…"}` with no quote or backslash inside.
    @inline(__always)
    private static func isPlainStringValue(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        let prefix: StaticString = #"{"stringValue":""#
        let n = prefix.utf8CodeUnitCount
        guard end &- start >= n &+ 2, memcmp(base + start, prefix.utf8Start, n) == 0,
              base[end &- 1] == UInt8(ascii: "}"), base[end &- 2] == 0x22 else { return false }
        var p = start &+ n
        while p < end &- 2 {
            if base[p] == 0x22 || base[p] == UInt8(ascii: "\\") { return false }
            p &+= 1
        }
        return true
    }

    /// The two commonest value shapes read directly, as the full reader reads them:
    /// `{"stringValue":"…"}` without escapes (short ones interned, as `readAnyValue` does) and
    /// `{"intValue":"…"}` of 1–18 decimal digits (where `Int64(text)` always succeeds). Nil for
    /// anything else, which goes to `readAnyValue`.
    @inline(__always)
    private mutating func plainValue(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> AttributeValue? {
        if PartScanner.isPlainStringValue(base, start, end) {
            let raw = UnsafeBufferPointer(start: base + (start &+ 16), count: end &- 2 &- (start &+ 16))
            return .string(raw.count <= OTLPJSONReader.internLimit ? reader.interner.intern(raw) : String(decoding: raw, as: UTF8.self))
        }
        let prefix: StaticString = #"{"intValue":""#
        let n = prefix.utf8CodeUnitCount
        let digits = end &- 2 &- (start &+ n)
        guard digits >= 1, digits <= 18, memcmp(base + start, prefix.utf8Start, n) == 0,
              base[end &- 1] == UInt8(ascii: "}"), base[end &- 2] == 0x22 else { return nil }
        var v: Int64 = 0
        var p = start &+ n
        while p < end &- 2 {
            let d = base[p] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            v = v &* 10 &+ Int64(d)
            p &+= 1
        }
        return .int(v)
    }

    /// Reads the attributes a summary keeps (the full reader's `isSummaryKey` filter) and skips
    /// the rest, message texts included, at block speed. The usual entry shape is read by
    /// `LineWalker.plainAttribute`; anything else by the general walk below, which also decodes
    /// keys written with escapes, as the full reader does.
    private mutating func summaryAttributes(_ w: inout LineWalker) throws(ScanFailure) {
        guard try w.openArray() else { return }
        repeat {
            if let e = w.plainAttribute() {
                let use = summaryKeys.use(w.base + e.keyStart, e.keyEnd &- e.keyStart)
                if use.wanted { try take(use, &w, value: e.value, valueEnd: e.valueEnd, plainString: e.plainString) }
                continue
            }
            guard w.peek() == UInt8(ascii: "{") else { try w.skipValue(); continue }
            var sawKey = false
            var use = SummaryKeyMemo.Use.none
            var value = -1, valueEnd = -1
            if try w.openObject() {
                repeat {
                    let k = try w.key()
                    if w.keyIs(k, "key") && w.peek() == 0x22 {
                        let raw = try w.rawString()
                        sawKey = true
                        if raw.escaped {
                            // The full reader decodes the key before its filter sees it.
                            reader.scanner.pos = raw.start &- 1
                            guard var text = try? reader.scanner.readString() else { use = .none; continue }
                            use = text.withUTF8 { summaryKeys.compute($0) }
                        } else {
                            use = summaryKeys.use(w.base + raw.start, raw.end &- raw.start)
                        }
                        // Most keys are not wanted: skip the rest of the entry, value unread.
                        if !use.wanted {
                            try w.skipRestOfAttribute()
                            break
                        }
                    } else if w.keyIs(k, "value") {
                        w.skipWhitespace()
                        value = w.p
                        // The key may follow its value: keep the place.
                        try w.skipValue()
                        valueEnd = w.p
                    } else {
                        try w.skipValue()
                    }
                } while try w.nextMember()
            }
            guard sawKey, use.wanted else { continue }
            try take(use, &w, value: value, valueEnd: valueEnd)
        } while try w.nextElement()
    }

    /// Keeps the value at `[value, valueEnd)` (-1: the entry has none) of a wanted attribute:
    /// by its convention table row for the LLM summary, and as the span's session when its key
    /// ranks best so far.
    @inline(__always)
    private mutating func take(_ use: SummaryKeyMemo.Use, _ w: inout LineWalker, value: Int, valueEnd: Int,
                               plainString: Bool = false) throws(ScanFailure) {
        // A session key ranked below one this span already has changes nothing.
        let session = use.sessionRank >= 0 && (spanSession == nil || use.sessionRank < spanSession!.rank)
        guard use.row >= 0 || session else { return }
        var v = AttributeValue.empty
        if plainString {
            // `{"stringValue":"…"}` without escapes, as `plainValue` reads it.
            let raw = UnsafeBufferPointer(start: w.base + (value &+ 16), count: valueEnd &- 2 &- (value &+ 16))
            v = .string(raw.count <= OTLPJSONReader.internLimit ? reader.interner.intern(raw) : String(decoding: raw, as: UTF8.self))
        } else if value >= 0, let plain = plainValue(w.base, value, valueEnd) {
            v = plain
        } else if value >= 0 {
            reader.scanner.pos = value
            do {
                v = try reader.readAnyValue(depth: 0)
            } catch {
                throw ScanFailure(offset: error.offset - reader.scanner.origin, message: error.message)
            }
        }
        if use.row >= 0 { llm.append((use.row, v)) }
        if session {
            let text = v.displayText
            if !text.isEmpty { spanSession = (use.sessionRank, text) }
        }
    }
}

/// Room for the walker to decode one key written with escapes, owned by a part's scanner.
final class KeyScratch {
    let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: LineWalker.scratchSize)
    deinit { bytes.deallocate() }
}

/// `LLMConventions.summaryRow` and the session-key rank, remembered per key: a file repeats a few
/// dozen attribute keys over and over, and the table lookup (a hash of the whole key, a probe, a
/// compare) cost more than the rest of an attribute entry's scan.
///
/// An open-addressing table hashed on the key's length and its first and last eight bytes; a slot
/// holds one key of up to 64 bytes, compared whole (eight bytes at a time) before its answer is
/// used. Keys are only added while the table is at most half full, so a file with thousands of
/// distinct keys costs a short probe and a table lookup per unremembered key, never an eviction
/// loop; longer keys are looked up every time.
final class SummaryKeyMemo {
    /// What one attribute key is to the scan.
    struct Use {
        /// The convention table row a summary reads it under, else -1.
        var row: Int32
        /// Its place among the session keys, else -1.
        var sessionRank: Int32
        /// True when the value must be read.
        var wanted: Bool { row >= 0 || sessionRank >= 0 }
        /// A key nothing reads.
        static let none = Use(row: -1, sessionRank: -1)
    }

    /// The keys that name a session, tried in order.
    let sessionKeys: [String]
    /// The same keys as bytes, for comparing with a key read from the file.
    private let sessionBytes: [[UInt8]]
    static let slots = 1024, width = 64
    private let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: slots * width)
    /// Per slot: the key's hash, or 0 when empty (a key hashing to 0 is never remembered).
    private let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: slots)
    /// Per slot: the key's length.
    private let lengths = UnsafeMutablePointer<UInt8>.allocate(capacity: slots)
    /// Per slot: what the key is to the scan.
    private let uses = UnsafeMutablePointer<Use>.allocate(capacity: slots)
    /// Per first byte: true when some wanted key starts with it.
    private let firsts = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
    /// Keys remembered.
    private(set) var count = 0
    /// Lookups that found their key remembered, and those that went to the table (for tests).
    private(set) var hits = 0, misses = 0

    init(sessionKeys: [String] = SessionConventions.standardKeys) {
        self.sessionKeys = sessionKeys
        sessionBytes = sessionKeys.map { Array($0.utf8) }
        hashes.initialize(repeating: 0, count: SummaryKeyMemo.slots)
        lengths.initialize(repeating: 0, count: SummaryKeyMemo.slots)
        uses.initialize(repeating: .none, count: SummaryKeyMemo.slots)
        for b in 0..<256 { firsts[b] = LLMConventions.mayMatter(UInt8(b)) }
        for key in sessionKeys { if let b = key.utf8.first { firsts[Int(b)] = true } }
    }

    deinit {
        bytes.deallocate()
        hashes.deallocate()
        lengths.deallocate()
        uses.deallocate()
        firsts.deallocate()
    }

    /// The hash the table uses: length and the first and last eight bytes (or the few there are),
    /// mixed by multiplication; never 0.
    @inline(__always)
    static func hash(_ k: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var a: UInt64, b: UInt64
        if n >= 8 {
            a = UnsafeRawPointer(k).loadUnaligned(as: UInt64.self)
            b = UnsafeRawPointer(k + (n &- 8)).loadUnaligned(as: UInt64.self)
        } else {
            a = 0
            for i in 0..<n { a = a &<< 8 | UInt64(k[i]) }
            b = a
        }
        let x: UInt64 = a &* 0x9E37_79B9_7F4A_7C15
        let y: UInt64 = b &* 0xC2B2_AE3D_27D4_EB4F
        let z: UInt64 = UInt64(truncatingIfNeeded: n) &* 0x1656_67B1_9E37_79F9
        var h: UInt64 = x ^ (y &<< 31 | y &>> 33) ^ z
        h ^= h &>> 29
        return h | 1
    }

    /// True when the `n` bytes at `a` and `b` are equal, eight at a time (`n` ≥ 8).
    @inline(__always)
    static func sameWords(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i &+ 8 <= n {
            if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) { return false }
            i &+= 8
        }
        return i == n || UnsafeRawPointer(a + (n &- 8)).loadUnaligned(as: UInt64.self) == UnsafeRawPointer(b + (n &- 8)).loadUnaligned(as: UInt64.self)
    }

    /// What the `n`-byte key at `k` is to the scan, remembered.
    @inline(__always)
    func use(_ k: UnsafePointer<UInt8>, _ n: Int) -> Use {
        guard n > 0, firsts[Int(k[0])] else { return .none }
        guard n <= SummaryKeyMemo.width else { return long(k, n) }
        let h = SummaryKeyMemo.hash(k, n)
        var slot = Int(truncatingIfNeeded: h &>> 40) & (SummaryKeyMemo.slots &- 1)
        while true {
            let stored = hashes[slot]
            if stored == 0 { break }
            if stored == h {
                let mine = bytes + slot &* SummaryKeyMemo.width
                if Int(lengths[slot]) == n, n >= 8 ? SummaryKeyMemo.sameWords(mine, k, n) : memcmp(mine, k, n) == 0 {
                    hits &+= 1
                    return uses[slot]
                }
            }
            slot = (slot &+ 1) & (SummaryKeyMemo.slots &- 1)
        }
        return remember(k, n, hash: h, slot: slot)
    }

    /// A key not remembered: its answer from the table, kept in `slot` (the empty slot its probe
    /// ended at) while the memo is at most half full.
    @inline(never)
    private func remember(_ k: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, slot: Int) -> Use {
        misses &+= 1
        let answer = compute(UnsafeBufferPointer(start: k, count: n))
        if count < SummaryKeyMemo.slots / 2 {
            let mine = bytes + slot &* SummaryKeyMemo.width
            mine.update(from: k, count: n)
            lengths[slot] = UInt8(n)
            hashes[slot] = h
            uses[slot] = answer
            count &+= 1
        }
        return answer
    }

    /// A key too long to remember, looked up every time.
    @inline(never)
    private func long(_ k: UnsafePointer<UInt8>, _ n: Int) -> Use {
        misses &+= 1
        return compute(UnsafeBufferPointer(start: k, count: n))
    }

    /// What `key` is to the scan, remembered.
    func use(_ key: UnsafeBufferPointer<UInt8>) -> Use {
        guard let k = key.baseAddress else { return .none }
        return use(k, key.count)
    }

    /// The key's convention table row when a summary reads it, else nil.
    func keptRow(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let row = use(key).row
        return row >= 0 ? Int(row) : nil
    }

    /// `LLMConventions.isSummaryKey(key)`, remembered.
    func isSummaryKey(_ key: UnsafeBufferPointer<UInt8>) -> Bool { use(key).row >= 0 }

    /// What `key` is to the scan, worked out from the convention table and the session keys.
    func compute(_ key: UnsafeBufferPointer<UInt8>) -> Use {
        let row = LLMConventions.summaryRow(key).map { Int32($0) } ?? -1
        var rank: Int32 = -1
        for i in 0..<sessionBytes.count where sessionBytes[i].count == key.count {
            if key.count == 0 || memcmp(sessionBytes[i], key.baseAddress!, key.count) == 0 {
                rank = Int32(i)
                break
            }
        }
        return Use(row: row, sessionRank: rank)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
