extension ModelPrice {
    /// Where this price comes from, in words a reader understands without knowing the code:
    /// the built-in table's rows name their published price list; the rows taken from the seed
    /// document's example (its `pricing` dict) say so; anything else came from a `--prices` file.
    public var sourceDescription: String {
        switch source {
        case StandardPrices.seed:
            return "built-in table (seed defaults: the pricing example in tracing-frameworks-for-ai)"
        case StandardPrices.openAI, StandardPrices.anthropic, StandardPrices.google:
            return "built-in table (\(source))"
        default:
            return "price file (\(source))"
        }
    }
}
