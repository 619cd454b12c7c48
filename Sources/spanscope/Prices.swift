import ArgumentParser
import TraceAnalysis
import TraceFormats

/// The price table for a command: the built-in one, with a user file laid over it when given.
func priceTable(_ path: String?) throws -> PriceTable {
    guard let path else { return .standard }
    do {
        let entries = try PriceFileReader.load(path: path)
        return PriceTable.standard.merging(entries.map {
            ModelPrice(prefix: $0.prefix, inputPerMillion: $0.inputPerMillion, outputPerMillion: $0.outputPerMillion,
                       cacheReadPerMillion: $0.cacheReadPerMillion, cacheWritePerMillion: $0.cacheWritePerMillion, source: $0.source)
        })
    } catch {
        printError("spanscope: \(error.description)")
        throw ExitCode(1)
    }
}
