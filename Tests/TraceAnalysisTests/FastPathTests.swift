import Synthetic
import Testing
import TraceModel
@testable import TraceAnalysis

/// The fast paths of search and stats against straightforward reference implementations on
/// randomized inputs: byte-folded word search, the non-ASCII shortcut, numbers matched through
/// their display text, and percentiles by selection instead of a full sort.
@Suite struct FastPathTests {
    /// Pieces text is made of: ASCII in both cases, digits and punctuation, multibyte UTF-8
    /// (2-, 3- and 4-byte sequences, upper and lower case), and near misses of the needles.
    static let pieces = ["a", "B", "c", "x", "Y", "z", "0", "7", "-", ".", " ", "_", "/", "é", "É", "ß", "ñ", "Ñ",
                         "日本", "😀", "ab", "AB", "aB", "xyz", "XYZ", "Refund", "rEfUnD", "refun", "café", "CAFÉ",
                         "ÀÁÂ", "Straße", "ÿ", "İ", "K"]

    static func text(_ rng: inout SplitMix64, maxPieces: Int = 40) -> String {
        let n = Int.random(in: 0...maxPieces, using: &rng)
        return (0..<n).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    /// The reference for ASCII needles: lowercase ASCII letters of both, compare every position.
    static func referenceASCII(_ hay: String, _ needle: String) -> Bool {
        func fold(_ b: UInt8) -> UInt8 { (b >= 65 && b <= 90) ? b + 32 : b }
        let h = hay.utf8.map(fold), n = needle.utf8.map(fold)
        if n.isEmpty { return true }
        guard h.count >= n.count else { return false }
        for i in 0...(h.count - n.count) where Array(h[i..<i + n.count]) == n { return true }
        return false
    }

    /// The reference for other needles: Unicode lowercase of both, then `contains`.
    static func referenceUnicode(_ hay: String, _ needle: String) -> Bool {
        hay.lowercased().contains(needle.lowercased())
    }

    static func reference(_ hay: String, _ needle: String) -> Bool {
        needle.utf8.allSatisfy { $0 < 0x80 } ? referenceASCII(hay, needle) : referenceUnicode(hay, needle)
    }

    /// A needle: often a piece of the haystack with its case changed, sometimes random text.
    static func needle(from hay: String, _ rng: inout SplitMix64) -> String {
        let chars = Array(hay)
        if chars.isEmpty || Bool.random(using: &rng) && Int.random(in: 0..<3, using: &rng) == 0 {
            return text(&rng, maxPieces: 3)
        }
        let a = Int.random(in: 0..<chars.count, using: &rng)
        let b = Int.random(in: a...min(chars.count, a + 12), using: &rng)
        let piece = String(chars[a..<max(b, a + 1)])
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return piece.uppercased()
        case 1: return piece.lowercased()
        default: return piece
        }
    }

    @Test func wordSearchAgreesWithTheReferenceOnRandomText() {
        var rng = SplitMix64(seed: 1)
        var hits = 0
        for _ in 0..<6000 {
            let hay = Self.text(&rng, maxPieces: Int.random(in: 0...60, using: &rng))
            let needle = Self.needle(from: hay, &rng)
            let expected = Self.reference(hay, needle)
            #expect(SpanQuery(needle).matches(hay) == expected, "needle \(needle.debugDescription) in \(hay.debugDescription)")
            if expected { hits += 1 }
        }
        #expect(hits > 1500)   // the test sees both outcomes often
    }

    @Test func theWordScanFindsMatchesAtEveryOffsetAndAcrossWordBoundaries() {
        // Every position relative to the eight-byte steps, and needles of every length up to 20,
        // with the needle's first and last bytes also scattered around as decoys.
        var rng = SplitMix64(seed: 2)
        for length in 1...20 {
            let needle = String((0..<length).map { _ in "abcXYZ-é".randomElement(using: &rng)! })
            let ascii = needle.utf8.allSatisfy { $0 < 0x80 }
            for offset in 0..<24 {
                let filler = String(repeating: "q", count: offset)
                let decoy = String(needle.prefix(1)) + "_" + String(needle.suffix(1))
                let hay = decoy + filler + needle.uppercased() + filler
                #expect(SpanQuery(needle).matches(hay), "\(needle) at \(offset)")
                let broken = decoy + filler + String(needle.dropLast()) + "#" + filler
                if ascii {
                    #expect(SpanQuery(needle).matches(broken) == Self.referenceASCII(broken, needle))
                }
            }
        }
    }

    @Test func nonASCIIQueriesSkipOnlyTextThatCannotMatch() {
        // The shortcut: a non-ASCII query cannot occur in pure ASCII text, unless lowercasing
        // makes it ASCII (Kelvin sign K → k) or it is canonically equal to ASCII (U+037E is ";").
        #expect(!SpanQuery("é").matches("plain ascii text e"))
        #expect(SpanQuery("É").matches("Café"))
        #expect(SpanQuery("\u{212A}").matches("kilo"))
        #expect(SpanQuery("\u{037E}").matches("a;b") == Self.referenceUnicode("a;b", "\u{037E}"))
        #expect(SpanQuery("ÑO").matches("año ÑOÑO"))
        #expect(!SpanQuery("ñx").matches("año ÑOÑO"))
    }

    /// Every string span search is documented to read, listed the plain way.
    static func searchedTexts(_ trace: Trace, _ i: Int) -> [String] {
        let s = trace.spans[i]
        var out = [s.name, s.service, s.status.message]
        func value(_ v: AttributeValue) {
            switch v {
            case .array(let items): items.forEach(value)
            case .kvlist(let pairs): for p in pairs { out.append(p.key); value(p.value) }
            default: out.append(v.displayText)
            }
        }
        func attributes(_ list: [Attribute]) { for a in list { out.append(a.key); value(a.value) } }
        attributes(s.attributes)
        for e in s.events { out.append(e.name); attributes(e.attributes) }
        if let c = trace.llmCall(at: i) {
            out += [c.requestModel, c.responseModel, c.provider, c.operation, c.responseID].compactMap { $0 }
            out += c.finishReasons
            attributes(c.parameters)
            for m in c.inputMessages + c.outputMessages {
                if let n = m.name { out.append(n) }
                for part in m.parts {
                    switch part {
                    case .text(let t): out.append(t)
                    case .toolCall(let id, let name, let arguments): out += [name, arguments, id]
                    case .toolResult(let id, let content): out += [content, id]
                    case .other(let type, let content): out += [content, type]
                    }
                }
            }
        }
        return out
    }

    static func randomValue(_ rng: inout SplitMix64, depth: Int = 0) -> AttributeValue {
        switch Int.random(in: 0..<(depth < 2 ? 9 : 7), using: &rng) {
        case 0, 1: return .string(text(&rng, maxPieces: 8))
        case 2: return .int(Int64.random(in: -100_000...100_000, using: &rng))
        case 3: return .double([0.25, -1.5, 1e-5, 3e20, .nan, .infinity, -.infinity, 42,
                                Double.random(in: -10...10, using: &rng)].randomElement(using: &rng)!)
        case 4: return .bool(Bool.random(using: &rng))
        case 5: return .bytes((0..<Int.random(in: 0...4, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case 6: return .empty
        case 7: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            return .kvlist((0..<Int.random(in: 0...3, using: &rng)).map { _ in
                Attribute(text(&rng, maxPieces: 3), randomValue(&rng, depth: depth + 1))
            })
        }
    }

    static func randomTrace(_ rng: inout SplitMix64, spans: Int) -> Trace {
        var b = TraceBuilder()
        var root = ""
        for i in 0..<spans {
            let attributes = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
                Attribute(text(&rng, maxPieces: 3), randomValue(&rng))
            }
            let events = Int.random(in: 0..<4, using: &rng) == 0
                ? [SpanEvent(timeNanos: Timeline.epoch, name: text(&rng, maxPieces: 4),
                             attributes: [Attribute("k", randomValue(&rng))])] : []
            var call: LLMCall? = nil
            if Int.random(in: 0..<3, using: &rng) == 0 {
                call = LLMCall(operation: "chat", provider: text(&rng, maxPieces: 2), requestModel: text(&rng, maxPieces: 3),
                               inputMessages: [LLMMessage(role: "user", text: text(&rng, maxPieces: 30))],
                               outputMessages: [LLMMessage(role: "assistant", parts: [
                                   .text(text(&rng, maxPieces: 20)),
                                   .toolCall(id: "call_\(i)", name: text(&rng, maxPieces: 2), arguments: text(&rng, maxPieces: 6)),
                               ])],
                               finishReasons: [text(&rng, maxPieces: 2)])
            }
            let start = Int64.random(in: 0...1000, using: &rng)
            let name = "s\(i)|" + text(&rng, maxPieces: 3)
            if i == 0 { root = name }
            b.add(name, parent: i == 0 ? nil : root, start,
                  start + [0, 1, 7, Int64.random(in: 0...5000, using: &rng)].randomElement(using: &rng)!,
                  error: Bool.random(using: &rng) ? text(&rng, maxPieces: 5) : nil,
                  call: call, attributes: attributes, events: events, service: text(&rng, maxPieces: 2))
        }
        return b.trace
    }

    @Test func spanSearchAndBareWordsAgreeWithTheReferenceOverEveryField() throws {
        var rng = SplitMix64(seed: 3)
        var matched = 0, tried = 0
        for _ in 0..<60 {
            let trace = Self.randomTrace(&rng, spans: Int.random(in: 1...8, using: &rng))
            let texts = (0..<trace.count).map { Self.searchedTexts(trace, $0) }
            for _ in 0..<25 {
                // Needles from any field (message text, attribute values, numbers' display
                // text), case changed, or random.
                let source = texts.randomElement(using: &rng)!.randomElement(using: &rng)!
                var needle = Self.needle(from: source, &rng)
                if needle.contains("\"") || needle.contains("(") || needle.contains(")") || needle.isEmpty { continue }
                if needle.first == "-" { needle.removeFirst() }
                if needle.isEmpty || needle.contains(" ") { continue }
                let expected = (0..<trace.count).filter { i in texts[i].contains { Self.reference($0, needle) } }
                #expect(SpanQuery(needle).matchingSpans(in: trace).sorted() == expected, "needle \(needle.debugDescription)")
                // The same needle as a bare word of the query language (quoted, so it stays one word).
                if !needle.contains("\\"), let query = try? TraceQuery("\"" + needle + "\"") {
                    let facts = TraceFacts(trace: trace, prices: .standard)
                    #expect(query.matches(trace, facts: facts) == !expected.isEmpty, "word \(needle.debugDescription)")
                }
                tried += 1
                if !expected.isEmpty { matched += 1 }
            }
        }
        #expect(tried > 800 && matched > tried / 3)
    }

    @Test func numbersAreFoundByTheirDisplayTextOnly() {
        var b = TraceBuilder()
        b.add("n", parent: nil, 0, 10, attributes: [
            Attribute("i", -42), Attribute("d", .double(1e-5)), Attribute("big", .double(3e20)),
            Attribute("nan", .double(.nan)), Attribute("inf", .double(-.infinity)), Attribute("flag", true),
            Attribute("raw", .bytes([0x0a, 0xff])), Attribute("none", .empty),
        ])
        let trace = b.trace
        for word in ["-42", "42", "1e-05", "3e+20", "nan", "NaN", "-infinity", "TRUE", "0x0aff", "AFF", "null"] {
            #expect(SpanQuery(word).matches(trace, span: 0), "\(word)")
        }
        for word in ["-43", "1e-06", "false", "0x0b", "nul1"] {
            #expect(!SpanQuery(word).matches(trace, span: 0), "\(word)")
        }
    }

    @Test func percentilesBySelectionEqualThoseOfAFullSort() {
        var rng = SplitMix64(seed: 4)
        for round in 0..<400 {
            let n = round < 50 ? round + 1 : Int.random(in: 1...5000, using: &rng)
            // Few distinct values (many ties), wide ranges, sorted and reversed runs.
            let spread: Int64 = [1, 3, 1000, 1_000_000_000_000].randomElement(using: &rng)!
            var values = (0..<n).map { _ in Int64.random(in: 0...spread, using: &rng) }
            switch round % 4 {
            case 1: values.sort()
            case 2: values.sort(by: >)
            default: break
            }
            let expected = Percentiles(sorted: values.sorted())
            var scratch = values
            #expect(Percentiles(selecting: &scratch) == expected, "n \(n)")
            #expect(scratch.sorted() == values.sorted())
            let ranks = (0..<5).map { _ in Int.random(in: 0..<n, using: &rng) }
            var selected = values
            Selection.select(&selected, ranks: ranks)
            let sorted = values.sorted()
            for r in ranks { #expect(selected[r] == sorted[r]) }
        }
    }

    @Test func statsOverRandomTracesAgreeWithAPlainRecount() {
        var rng = SplitMix64(seed: 5)
        let traces = (0..<30).map { _ in Self.randomTrace(&rng, spans: Int.random(in: 1...40, using: &rng)) }
        let table = TraceStats.groups(traces, by: .service)
        // The plain way: every span's duration per service, sorted, numpy's rule applied to it.
        var durations: [String: [Int64]] = [:]
        for t in traces { for s in t.spans { durations[s.service.isEmpty ? "(no service)" : s.service, default: []].append(s.durationNanos) } }
        #expect(table.groups.count == durations.count)
        for g in table.groups {
            let d = durations[g.key]!.sorted()
            #expect(g.count == d.count)
            #expect(g.duration.p50 == TraceStats.percentile(d, 0.5))
            #expect(g.duration.p95 == TraceStats.percentile(d, 0.95))
            #expect(g.duration.p99 == TraceStats.percentile(d, 0.99))
            #expect(g.duration.max == Double(d.last!))
        }
    }
}
