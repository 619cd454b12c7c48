import TestSupport
import Testing
@testable import TraceFormats
#if canImport(Glibc)
import Glibc
#endif

@Suite struct PriceFileReaderTests {
    func parse(_ text: String) throws(TraceFormatError) -> [PriceFileEntry] {
        try PriceFileReader.parse(Array(text.utf8), path: "prices.json")
    }

    @Test func plainAndWrappedForms() throws {
        let plain = try parse("""
        {"gpt-4o": {"input": 2.0, "output": 8.0},
         "acme-llm": {"input": 1, "output": 3, "source": "acme contract 2026"}}
        """)
        #expect(plain == [PriceFileEntry(prefix: "gpt-4o", inputPerMillion: 2, outputPerMillion: 8, source: "prices.json"),
                          PriceFileEntry(prefix: "acme-llm", inputPerMillion: 1, outputPerMillion: 3, source: "acme contract 2026")])
        let wrapped = try parse(#"{"source": "team sheet 2026-11", "models": {"OpenAI/GPT-4o-mini": {"input": 0.1, "output": 0.4}}}"#)
        #expect(wrapped == [PriceFileEntry(prefix: "OpenAI/GPT-4o-mini", inputPerMillion: 0.1, outputPerMillion: 0.4, source: "team sheet 2026-11")])
    }

    @Test(arguments: [
        ("{\"gpt-4o\": {\"input\": 2.5, \"output\": 10}", "prices.json:1:40: not valid JSON: unexpected end of file inside an object (byte 39)"),
        ("{\"gpt-4o\": {\"input\": 2.5,\n  \"output\": 10},,}", "prices.json:2:17: not valid JSON: expected a quoted key, found ','"),
        ("{\"gpt-4o\": {\"input\": 2.5, \"output\": 10},\n \"GPT-4o\": {\"input\": 1, \"output\": 1}}", "prices.json: model \"GPT-4o\" is listed twice"),
        ("", "prices.json:1:1: not valid JSON: unexpected end of file, expected a value"),
        ("[1, 2]", "prices.json: expected a JSON object mapping model names to prices"),
        ("{\"gpt-4o\": 2.5}", "model \"gpt-4o\": expected an object like {\"input\": 2.5, \"output\": 10}, got 2.5"),
        ("{\"gpt-4o\": {\"input\": \"cheap\", \"output\": 10}}", "model \"gpt-4o\": \"input\" must be a number ≥ 0 (USD per million tokens), got \"cheap\""),
        ("{\"gpt-4o\": {\"input\": -1, \"output\": 10}}", "model \"gpt-4o\": \"input\" must be a number ≥ 0"),
        ("{\"gpt-4o\": {\"input\": 2.5}}", "model \"gpt-4o\": missing \"output\" (USD per million output tokens)"),
        ("{\"gpt-4o\": {\"inptu\": 2.5, \"output\": 10}}", "model \"gpt-4o\": unknown key \"inptu\""),
        ("{\"models\": {}, \"version\": 2}", "unknown top-level key \"version\""),
        ("{\"\": {\"input\": 1, \"output\": 1}}", "a model name is empty"),
        ("{\"gpt-4o\": {\"input\": 1, \"output\": 1, \"source\": 7}}", "model \"gpt-4o\": \"source\" must be a string"),
        ("{\"\\u001b[31mevil\\u202e\": {\"input\": \"x\", \"output\": 1}}", "model \"?[31mevil?\": \"input\" must be a number"),
    ])
    func badFilesSayWhichFileAndWhatIsWrong(_ text: String, _ message: String) {
        do {
            _ = try parse(text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.description.hasPrefix("prices.json"))
            #expect(error.description.contains(message), "\(error.description)")
            #expect(!error.description.contains("\u{1B}"))
        }
    }

    @Test func unreadableFiles() {
        let missing = #expect(throws: TraceFormatError.self) { try PriceFileReader.load(path: "/nonexistent/prices.json") }
        #expect(missing?.description == "/nonexistent/prices.json: no such file")
        let dir = temporaryDirectory()
        let directory = #expect(throws: TraceFormatError.self) { try PriceFileReader.load(path: dir) }
        #expect(directory?.description == "\(dir): is a directory")
    }
}
