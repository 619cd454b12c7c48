import TraceModel

/// The price of one model family: USD per million input, output and cached input tokens.
public struct ModelPrice: Hashable, Sendable {
    /// Model-name prefix it matched, e.g. "gpt-4o-mini" (normalised: lowercase, no provider prefix).
    public let prefix: String
    /// USD per 1M input (prompt) tokens.
    public let inputPerMillion: Double
    /// USD per 1M output (completion) tokens; reasoning tokens are output tokens.
    public let outputPerMillion: Double
    /// USD per 1M input tokens read from the prompt cache; nil: the input rate (not known to be cheaper).
    public let cacheReadPerMillion: Double?
    /// USD per 1M input tokens written to the prompt cache; nil: the input rate.
    public let cacheWritePerMillion: Double?
    /// Where the price comes from: "seed", a URL with its date, or a user file path.
    public let source: String

    /// Creates a price; `prefix` is normalised the way model names are (see `PriceTable.normalise`).
    public init(prefix: String, inputPerMillion: Double, outputPerMillion: Double,
                cacheReadPerMillion: Double? = nil, cacheWritePerMillion: Double? = nil, source: String) {
        self.prefix = PriceTable.normalise(prefix)
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cacheReadPerMillion = cacheReadPerMillion
        self.cacheWritePerMillion = cacheWritePerMillion
        self.source = source
    }

    /// Cost in USD of `input` prompt tokens and `output` completion tokens at this price, of
    /// which `cacheRead` and `cacheWrite` input tokens are priced at the cache rates.
    /// Input counts every prompt token, cached ones included (as `LLMCall.promptTokens` does).
    public func cost(input: Int64, output: Int64, cacheRead: Int64 = 0, cacheWrite: Int64 = 0) -> Double {
        let read = max(0, cacheRead), write = max(0, cacheWrite)
        let uncached = max(0, Double(input) - Double(read) - Double(write))
        return (uncached * inputPerMillion + Double(read) * (cacheReadPerMillion ?? inputPerMillion)
                + Double(write) * (cacheWritePerMillion ?? inputPerMillion) + Double(output) * outputPerMillion) / 1_000_000
    }
}

/// Model prices, looked up by the longest matching model-name prefix.
///
/// Matching works on normalised names (see `normalise`): lowercase, without provider or
/// routing prefixes such as `openai/`, `models/` or Bedrock's `us.anthropic.`. A table prefix
/// matches a model name when it equals the name, or when the name continues after it with a
/// separator (`-`, `_`, `@`, `:`) — so `gpt-4o` prices `gpt-4o-2024-08-06` but not `gpt-4o1`,
/// and `gpt-4o-mini-2024-07-18` goes to the longer `gpt-4o-mini`. One exception guards
/// against silently mispricing a newer model: when the name continues with a separator and a
/// one- or two-digit number (a minor version, as in `claude-opus-4-7`), the shorter prefix
/// (`claude-opus-4`) does not match, and the model is unpriced until the table names it.
/// Dates (`-20250514`, `-2024-08-06`, `-0613`) and revision numbers (`-001`) have more digits
/// and do match. A name that nothing matches is unpriced; it is never priced as gpt-4o.
public struct PriceTable: Sendable {
    /// Seed prices plus the sourced current OpenAI, Anthropic and Google models.
    public static let standard = PriceTable(entries: StandardPrices.entries)

    /// The entries, one per prefix, in the order they were given (a later duplicate replaces an earlier one in place).
    public let entries: [ModelPrice]
    private let byPrefix: [String: Int]

    /// Creates a table; when two entries share a prefix, the later one wins.
    public init(entries: [ModelPrice]) {
        var list: [ModelPrice] = []
        var index: [String: Int] = [:]
        for entry in entries where !entry.prefix.isEmpty {
            if let at = index[entry.prefix] {
                list[at] = entry
            } else {
                index[entry.prefix] = list.count
                list.append(entry)
            }
        }
        self.entries = list
        self.byPrefix = index
    }

    /// This table with `overrides` added; an override replaces the entry with the same prefix.
    public func merging(_ overrides: [ModelPrice]) -> PriceTable {
        PriceTable(entries: entries + overrides)
    }

    /// The price for `model` by longest-prefix match, or nil when the model is unpriced.
    public func price(for model: String) -> ModelPrice? {
        let name = Array(PriceTable.normalise(model).utf8)
        guard !name.isEmpty else { return nil }
        var cut = name.count
        while cut > 0 {
            if let at = byPrefix[String(decoding: name[0..<cut], as: UTF8.self)],
               PriceTable.acceptsRemainder(name[cut...]) {
                return entries[at]
            }
            // Next candidate: the name up to the previous separator.
            cut -= 1
            while cut > 0 && !PriceTable.isSeparator(name[cut]) { cut -= 1 }
        }
        return nil
    }

    /// The form model names are matched in: trimmed, lowercase, provider and routing prefixes removed.
    ///
    /// Strips everything up to the last `/` (`openai/gpt-4o`, `models/gemini-1.5-pro`,
    /// `openrouter/anthropic/claude-3-opus`, Vertex resource paths) and leading dot-separated
    /// Bedrock parts naming a region or vendor (`us.anthropic.claude-3-5-sonnet-…`).
    public static func normalise(_ model: String) -> String {
        var name = Substring(model.lowercased())
        while let f = name.first, f.isWhitespace { name.removeFirst() }
        while let l = name.last, l.isWhitespace { name.removeLast() }
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        while let dot = name.firstIndex(of: "."), bedrockQualifiers.contains(String(name[..<dot])) {
            name = name[name.index(after: dot)...]
        }
        return String(name)
    }

    /// Leading parts of Bedrock model ids: cross-region inference profiles, then the vendor.
    private static let bedrockQualifiers: Set<String> = [
        "us", "eu", "apac", "global", "us-gov", "jp", "au", "ca",
        "anthropic", "openai", "google", "amazon", "meta", "mistral", "cohere",
    ]

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "@") || byte == UInt8(ascii: ":")
    }

    /// True when the rest of a name after a table prefix is a variant of that model (empty, a
    /// date, a revision, a tag) rather than a minor version number of a different model.
    private static func acceptsRemainder(_ rest: ArraySlice<UInt8>) -> Bool {
        guard let first = rest.first else { return true }
        guard isSeparator(first) else { return false }
        var digits = 0
        var i = rest.index(after: rest.startIndex)
        while i < rest.endIndex, rest[i] >= UInt8(ascii: "0"), rest[i] <= UInt8(ascii: "9") {
            digits += 1
            i += 1
        }
        let segmentEnds = i == rest.endIndex || isSeparator(rest[i]) || rest[i] == UInt8(ascii: ".")
        return !(segmentEnds && (digits == 1 || digits == 2))
    }
}
