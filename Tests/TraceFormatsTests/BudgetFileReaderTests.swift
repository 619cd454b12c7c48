import Testing
@testable import TraceFormats

@Suite struct BudgetFileReaderTests {
    func parse(_ text: String) throws(TraceFormatError) -> [BudgetFileEntry] {
        try BudgetFileReader.parse(Array(text.utf8), path: "budget.json")
    }

    @Test func defaultAndRoots() throws {
        let entries = try parse("""
        {"default": {"max_cost": 0.1, "max-errors": 0},
         "roots": {"invoke_agent travel_planner": {"max_duration": "30s", "max_llm_calls": 8}}}
        """)
        #expect(entries == [
            BudgetFileEntry(root: nil, limits: [BudgetFileLimit(metric: "cost", value: "0.1"), BudgetFileLimit(metric: "errors", value: "0")]),
            BudgetFileEntry(root: "invoke_agent travel_planner",
                            limits: [BudgetFileLimit(metric: "duration", value: "30s"), BudgetFileLimit(metric: "llm_calls", value: "8")]),
        ])
        #expect(try parse("{}").isEmpty)
    }

    @Test(arguments: [
        ("[]", "budget.json: expected a JSON object like"),
        ("{\"roots\": []}", "budget.json: \"roots\" must map root span names to limits"),
        ("{\"default\": {\"max_speed\": 1}}", "budget.json: \"default\": unknown key \"max_speed\""),
        ("{\"default\": {\"max_cost\": true}}", "budget.json: \"default\": \"max_cost\" must be a number or a string, got true"),
        ("{\"budgets\": {}}", "budget.json: unknown top-level key \"budgets\""),
        ("{\"default\": ", "budget.json:1:13: not valid JSON"),
    ])
    func problemsNameTheFile(_ text: String, _ message: String) {
        #expect(throws: TraceFormatError.self) { try parse(text) }
        do {
            _ = try parse(text)
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }
}
