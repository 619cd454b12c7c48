import ArgumentParser

struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "summary", abstract: "Summarise traces.")
    @Argument(help: "Trace files.") var files: [String] = []
    func run() throws {}
}
