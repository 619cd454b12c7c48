import TraceConventions
import TraceModel

/// One span as a summary or a stats table needs it, recorded by the index scan: ids, times, the
/// error bit, its name and its context (for the service). 48 bytes; no attributes, events or text.
struct SkeletonSpan {
    /// The span id when it is a 64-bit hex id, else 0 (then `SkeletonPart.exotic` holds it).
    var spanID: UInt64
    /// The parent id likewise (meaningless without `hasParent`).
    var parentID: UInt64
    var start: Int64
    var end: Int64
    /// The trace's slot in its part (`PartIndex.entries`).
    var slot: Int32
    /// Index into `SkeletonPart.names`.
    var name: Int32
    /// The part's context (`PartIndex.contexts`) the span sits in.
    var context: Int32
    var bits: UInt8

    static let error: UInt8 = 1, hasParent: UInt8 = 2, llm: UInt8 = 4, exoticID: UInt8 = 8, exoticParent: UInt8 = 16
}

/// The skeletons one part of the scan recorded, in file order, with the part's span names
/// interned and, once `finish` ran, each trace slot's spans found through `order`.
struct SkeletonPart {
    var spans: [SkeletonSpan] = []
    /// Ids that are not 64-bit hex (128-bit, UUID, base64, text), keyed by span index × 2
    /// (+ 1 for the parent's): rare in OTLP files, so kept out of the per-span record.
    var exotic: [Int: Identifier] = [:]
    var names: [String] = []
    private var nameSlots: [String: Int32] = [:]
    /// The last names met, by raw bytes: most spans repeat a name seen a few spans before, and a
    /// memcmp is cheaper than building and hashing a String.
    /// 64 slots of up to 64 bytes each, with each slot's length (-1: empty) and name number.
    private var recentBytes = [UInt8](repeating: 0, count: 64 * 64)
    private var recentLength = [Int](repeating: -1, count: 64)
    private var recentID = [Int32](repeating: -1, count: 64)
    /// After `finish`: span indices grouped by slot (file order within a slot) and the offsets.
    var order: [Int32] = []
    var offsets: [Int32] = []

    /// Records a span the scan kept (after the same checks the full reader makes), from the raw
    /// byte ranges the scan found. `base` is the window the ranges point into.
    mutating func record(_ base: UnsafePointer<UInt8>, slot: Int32, id: (start: Int, end: Int, escaped: Bool),
                         parent: (start: Int, end: Int, escaped: Bool)?, name: (start: Int, end: Int, escaped: Bool)?,
                         start: Int64, end: Int64, error: Bool, llm: Bool, context: Int32) {
        let index = spans.count
        var bits: UInt8 = (error ? SkeletonSpan.error : 0) | (llm ? SkeletonSpan.llm : 0)
        var spanBits: UInt64 = 0, parentBits: UInt64 = 0
        switch SkeletonPart.identifier(base, id) {
        case .bits64(let v): spanBits = v
        case let other:
            bits |= SkeletonSpan.exoticID
            exotic[index << 1] = other
        }
        if let parent {
            let pid = SkeletonPart.identifier(base, parent)
            // As the full reader: an empty or zero parent id is no parent.
            if !pid.isZero {
                bits |= SkeletonSpan.hasParent
                if case .bits64(let v) = pid {
                    parentBits = v
                } else {
                    bits |= SkeletonSpan.exoticParent
                    exotic[index << 1 | 1] = pid
                }
            }
        }
        spans.append(SkeletonSpan(spanID: spanBits, parentID: parentBits, start: start, end: end, slot: slot,
                                  name: intern(base, name), context: context, bits: bits))
    }

    /// The id as the full reader makes it (`OTLPJSONReader.readID`).
    @inline(__always)
    private static func identifier(_ base: UnsafePointer<UInt8>, _ s: (start: Int, end: Int, escaped: Bool)) -> Identifier {
        if !s.escaped, s.end &- s.start == 16, let v = hex16(base + s.start) { return .bits64(v) }
        if !s.escaped { return Identifier(utf8: UnsafeBufferPointer(start: base + s.start, count: s.end - s.start)) }
        return Identifier(parsing: decoded(base, s))
    }

    /// 16 hex digits (either case) as `Identifier(utf8:)` reads them, else nil: the usual span
    /// id, checked and converted 16 bytes at a time rather than by its general per-byte parser.
    @inline(__always)
    private static func hex16(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt8>.self)
        let digit = (v &- SIMD16<UInt8>(repeating: 0x30)) .< SIMD16<UInt8>(repeating: 10)
        let letter = ((v | SIMD16<UInt8>(repeating: 0x20)) &- SIMD16<UInt8>(repeating: 0x61)) .< SIMD16<UInt8>(repeating: 6)
        guard all(digit .| letter) else { return nil }
        // A digit's value is its low nibble; a letter's (0x41–0x46, 0x61–0x66) its low nibble + 9.
        let nibbles = (v & SIMD16<UInt8>(repeating: 0x0F)) &+ (v &>> SIMD16<UInt8>(repeating: 6)) &* SIMD16<UInt8>(repeating: 9)
        let words = unsafeBitCast(nibbles, to: SIMD2<UInt64>.self)
        return UInt64(pack8(UInt64(littleEndian: words[0]))) << 32 | UInt64(pack8(UInt64(littleEndian: words[1])))
    }

    /// Eight nibbles, one per byte with the first in the lowest byte, as the 32-bit number they
    /// spell (the first nibble most significant).
    @inline(__always)
    private static func pack8(_ w: UInt64) -> UInt32 {
        // Each 16-bit lane: (first << 4) | second in its low byte.
        let pairs = ((w &<< 4) | (w &>> 8)) & 0x00FF_00FF_00FF_00FF
        let quads = (pairs | (pairs &>> 8)) & 0x0000_FFFF_0000_FFFF
        let bytes = UInt32(truncatingIfNeeded: quads | (quads &>> 16))
        return bytes.byteSwapped
    }

    /// An escaped string's text, as `JSONScanner.readString` decodes it.
    private static func decoded(_ base: UnsafePointer<UInt8>, _ s: (start: Int, end: Int, escaped: Bool)) -> String {
        var scanner = JSONScanner(UnsafeBufferPointer(start: base, count: s.end + 1), at: s.start - 1)
        return (try? scanner.readString()) ?? ""
    }

    /// The name's number in `names`.
    private mutating func intern(_ base: UnsafePointer<UInt8>, _ name: (start: Int, end: Int, escaped: Bool)?) -> Int32 {
        guard let name else { return intern("") }
        if name.escaped { return intern(SkeletonPart.decoded(base, name)) }
        let n = name.end - name.start
        let p = base + name.start
        let raw = UnsafeBufferPointer(start: p, count: n)
        guard n > 0, n <= 64 else { return intern(String(decoding: raw, as: UTF8.self)) }
        let h = (n &* 31 &+ Int(p[0]) &* 7 &+ Int(p[n &- 1]) &+ Int(p[n &>> 1]) &* 3) & 63
        if recentLength[h] == n, recentBytes.withUnsafeBufferPointer({ memcmp($0.baseAddress! + h &* 64, p, n) }) == 0 {
            return recentID[h]
        }
        let id = intern(String(decoding: raw, as: UTF8.self))
        recentBytes.withUnsafeMutableBufferPointer { ($0.baseAddress! + h &* 64).update(from: p, count: n) }
        recentLength[h] = n
        recentID[h] = id
        return id
    }

    private mutating func intern(_ text: String) -> Int32 {
        if let id = nameSlots[text] { return id }
        let id = Int32(names.count)
        names.append(text)
        nameSlots[text] = id
        return id
    }

    /// Groups the spans by trace slot (a counting sort, stable), once the part's scan is over.
    mutating func finish(slots: Int) {
        var counts = [Int32](repeating: 0, count: slots + 1)
        for s in spans { counts[Int(s.slot) + 1] += 1 }
        for i in 0..<slots { counts[i + 1] += counts[i] }
        var fill = counts
        var order = [Int32](repeating: 0, count: spans.count)
        for (i, s) in spans.enumerated() {
            order[Int(fill[Int(s.slot)])] = Int32(i)
            fill[Int(s.slot)] += 1
        }
        self.order = order
        offsets = counts
        nameSlots = [:]
        recentBytes = []
        recentLength = []
        recentID = []
    }
}

/// Every span of an indexed file as a skeleton (`SkeletonSpan`), so that `summary` and `stats`
/// run the full load's analysis on lightweight traces instead of decoding each trace again.
///
/// Recorded only when asked (`TraceIndexer.index(…, skeletons: true)`): about 52 bytes a span,
/// against a few hundred bytes of file per span.
public final class SpanSkeletons: Sendable {
    let parts: [SkeletonPart]
    /// Per part, the index of its first context in `TraceIndex.contexts`.
    let contextBases: [Int32]
    /// Per trace of the index (in its order): the (part, slot) pieces holding its spans, in file order.
    let pieces: [[(part: Int32, slot: Int32)]]

    init(parts: [SkeletonPart], contextBases: [Int32], pieces: [[(part: Int32, slot: Int32)]]) {
        self.parts = parts
        self.contextBases = contextBases
        self.pieces = pieces
    }

    /// Joins the parts' skeletons to the joined index's traces (found by id).
    static func join(_ parts: [PartIndex], traces: [TraceIndexEntry]) -> SpanSkeletons? {
        var position: [TraceID: Int] = [:]
        position.reserveCapacity(traces.count)
        for (i, t) in traces.enumerated() { position[t.id] = i }
        var pieces = [[(part: Int32, slot: Int32)]](repeating: [], count: traces.count)
        var kept: [SkeletonPart] = []
        var bases: [Int32] = []
        var base: Int32 = 0
        for (p, part) in parts.enumerated() {
            guard let skeletons = part.skeletons else { return nil }
            kept.append(skeletons)
            bases.append(base)
            base += Int32(part.contexts.count)
            for (slot, e) in part.entries.enumerated() {
                guard let i = position[e.id] else { continue }
                pieces[i].append((Int32(p), Int32(slot)))
            }
        }
        return SpanSkeletons(parts: kept, contextBases: bases, pieces: pieces)
    }

    /// Trace `i` of `index` built from its skeletons: spans without attributes, events or links,
    /// with the entry's LLM calls on the spans that made them. Nil when the skeletons cannot stand
    /// for a full load of it:
    /// - a span id occurs twice: the full load drops exact copies (comparing attributes and
    ///   events, which skeletons lack) and hands a B3 shared id's children to its server half
    ///   (an attribute again);
    /// - the counts disagree with the entry (never expected; a guard, not a path).
    func trace(at i: Int, of index: TraceIndex) -> Trace? {
        let entry = index.traces[i]
        var spans: [Span] = []
        spans.reserveCapacity(entry.spanCount)
        var calls = [LLMCall?]()
        calls.reserveCapacity(entry.spanCount)
        var nextCall = 0
        let contexts = index.contexts
        for piece in pieces[i] {
            let part = parts[Int(piece.part)]
            let base = contextBases[Int(piece.part)]
            let from = Int(part.offsets[Int(piece.slot)]), to = Int(part.offsets[Int(piece.slot) + 1])
            for o in from..<to {
                let k = Int(part.order[o])
                let s = part.spans[k]
                let id = s.bits & SkeletonSpan.exoticID != 0 ? part.exotic[k << 1]! : .bits64(s.spanID)
                var parent: SpanID?
                if s.bits & SkeletonSpan.hasParent != 0 {
                    parent = SpanID(s.bits & SkeletonSpan.exoticParent != 0 ? part.exotic[k << 1 | 1]! : .bits64(s.parentID))
                }
                let c = Int(base + s.context)
                spans.append(Span(traceID: entry.id, spanID: SpanID(id), parentID: parent, name: part.names[Int(s.name)],
                                  service: c < contexts.count ? contexts[c].service : "",
                                  startNanos: s.start, endNanos: s.end,
                                  status: s.bits & SkeletonSpan.error != 0 ? SpanStatus(.error) : .unset))
                if s.bits & SkeletonSpan.llm != 0 {
                    guard nextCall < entry.llmCalls.count else { return nil }
                    calls.append(entry.llmCalls[nextCall])
                    nextCall += 1
                } else {
                    calls.append(nil)
                }
            }
        }
        guard spans.count == entry.spanCount, nextCall == entry.llmCalls.count else { return nil }
        let trace = Trace(id: entry.id, spans: spans, llmCalls: calls)
        if trace.flags.contains(where: { $0.contains(.duplicateID) }) { return nil }
        return trace
    }

    /// Spans recorded.
    public var spanCount: Int { parts.reduce(0) { $0 + $1.spans.count } }
}

extension LazyTraceStore {
    /// True when the index holds span skeletons (it was made with `skeletons: true`).
    public var hasSkeletons: Bool { index.skeletons != nil }

    /// Trace `i` for a summary or a stats table: built from the skeletons the scan recorded when
    /// they can stand for a full load of it (see `SpanSkeletons.trace(at:of:)`), else decoded
    /// from the file with `.summary` detail. Either way the analysis sees what a `.summary`
    /// load gives it, apart from span attributes, which only queries and groupings that read
    /// attributes need (callers pass those to `trace(at:detail:)` instead).
    public func summaryTrace(at i: Int) throws(TraceFormatError) -> Trace {
        try summaryDecode(at: i).trace
    }

    /// `summaryTrace(at:)` with the exact copies of spans the read kept once (none from skeletons:
    /// a trace with a repeated span id is always read again).
    public func summaryDecode(at i: Int) throws(TraceFormatError) -> (trace: Trace, duplicatesMerged: Int) {
        if let skeletons = index.skeletons, let trace = skeletons.trace(at: i, of: index) { return (trace, 0) }
        return try decode(at: i, detail: .summary)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
