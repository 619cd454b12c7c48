import TraceModel

/// One service of a trace with its colour slot.
public struct ServiceShade: Hashable, Sendable {
    /// The service name as recorded.
    public var name: String
    /// Spans of the trace in the service.
    public var spans: Int
    /// Its colour slot (`Ink.services`).
    public var ink: Ink
}

/// Colours for services: each name hashes to a slot of a small palette, so a service keeps its
/// colour from trace to trace; two services of one trace that hash alike are told apart by
/// giving the later name (in name order) the next free slot.
enum ServiceColours {
    /// The services of `trace` with their spans and slots, most spans first (empty names left out).
    static func shades(of trace: Trace) -> [ServiceShade] {
        var counts: [String: Int] = [:]
        // Neighbouring spans mostly share a service: count runs, so a big trace hashes few strings.
        var run = "", runLength = 0
        for span in trace.spans {
            if span.service == run {
                runLength += 1
                continue
            }
            if runLength > 0 { counts[run, default: 0] += runLength }
            run = span.service
            runLength = 1
        }
        if runLength > 0 { counts[run, default: 0] += runLength }
        counts[""] = nil
        let names = counts.keys.sorted()
        let slots = Ink.services.count
        var taken = [Bool](repeating: false, count: slots)
        var ink: [String: Ink] = [:]
        for name in names {
            var slot = Int(hash(name) % UInt64(slots))
            // With more services than slots, colours repeat: the names still tell them apart.
            if taken.contains(false) {
                while taken[slot] { slot = (slot + 1) % slots }
            }
            taken[slot] = true
            ink[name] = Ink.services[slot]
        }
        return names.map { ServiceShade(name: $0, spans: counts[$0]!, ink: ink[$0]!) }
            .sorted { ($1.spans, $0.name) < ($0.spans, $1.name) }
    }

    /// FNV-1a over the name's UTF-8 (http://www.isthe.com/chongo/tech/comp/fnv/): stable across
    /// runs, unlike `Hasher`, which is seeded per process.
    static func hash(_ name: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in name.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}
