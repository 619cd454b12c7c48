import ArgumentParser

/// The `spanscope` command: explore, summarise and convert LLM traces.
@main
struct Spanscope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spanscope",
        abstract: "A terminal explorer for traces of LLM applications.",
        subcommands: [
            OpenCommand.self,
            SummaryCommand.self,
            StatsCommand.self,
            SessionsCommand.self,
            CallsCommand.self,
            CheckCommand.self,
            DiffCommand.self,
            ConvertCommand.self,
            ListenCommand.self,
            GenerateCommand.self,
            BenchLoadCommand.self,
            BenchIndexCommand.self,
            BenchQueryCommand.self,
            BenchFrameCommand.self,
            BenchDiffCommand.self,
            BenchWorkbenchCommand.self,
        ],
        defaultSubcommand: OpenCommand.self
    )
}
