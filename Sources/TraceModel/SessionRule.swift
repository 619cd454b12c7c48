/// The attribute keys that name a trace's session (conversation), as Spanscope knows them, and
/// the rule that picks a trace's session from them. Kept here, below both the readers and the
/// analysis, so that the index scan and a full load follow one rule.
public enum SessionConventions {
    /// The conventions Spanscope knows, in the order they are tried:
    /// - `session.id`: OpenInference (Arize Phoenix) and the OTel session registry
    ///   (open-telemetry/semantic-conventions, docs/attributes-registry/session.md);
    /// - `gen_ai.conversation.id`: OTel GenAI semantic conventions;
    /// - `langfuse.session.id`: Langfuse's OTel attribute mapping;
    /// - `traceloop.association.properties.session_id` / `.conversation_id`: Traceloop OpenLLMetry
    ///   association properties (traceloop/openllmetry-js `AssociationProperty`), which newer
    ///   Traceloop SDKs also set unprefixed as `session_id` / `conversation_id`.
    public static let standardKeys = [
        "session.id", "gen_ai.conversation.id", "langfuse.session.id",
        "traceloop.association.properties.session_id", "traceloop.association.properties.conversation_id",
        "session_id", "conversation_id",
    ]

    /// `key` first, then the standard keys.
    public static func keys(preferring key: String?) -> [String] {
        guard let key, !key.isEmpty else { return standardKeys }
        return [key] + standardKeys.filter { $0 != key }
    }

    /// The value of the best-ranked key (earliest in `keys`) among `attributes` with a non-empty
    /// display text; on a tie, the first such attribute.
    public static func best(_ attributes: [Attribute], keys: [String]) -> (rank: Int, value: String)? {
        best(attributes, keys: keys, lengths: Set(keys.map(\.utf8.count)))
    }

    /// `best(_:keys:)` with the keys' byte lengths given, to skip most attributes unread.
    static func best(_ attributes: [Attribute], keys: [String], lengths: Set<Int>) -> (rank: Int, value: String)? {
        var best: (rank: Int, value: String)? = nil
        for a in attributes where lengths.contains(a.key.utf8.count) {
            guard let rank = keys.firstIndex(of: a.key) else { continue }
            let text = a.value.displayText
            if !text.isEmpty && (best == nil || rank < best!.rank) { best = (rank, text) }
        }
        return best
    }
}

extension Trace {
    /// The session id the trace carries under `keys`: on the root span or its resource first,
    /// else on the first span (depth-first) that has one of the keys. Nil when no span has any.
    public func sessionID(keys: [String]) -> String? {
        guard count > 0 else { return nil }
        let lengths = Set(keys.map(\.utf8.count))
        if let root = rootIndex {
            if let hit = SessionConventions.best(spans[root].attributes, keys: keys, lengths: lengths)
                ?? SessionConventions.best(spans[root].origin.resource, keys: keys, lengths: lengths) { return hit.value }
        }
        for node in preorder {
            if let hit = SessionConventions.best(spans[Int(node)].attributes, keys: keys, lengths: lengths) { return hit.value }
        }
        return nil
    }
}
