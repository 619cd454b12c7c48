import Testing
import TraceModel
@testable import TraceAnalysis

/// The query language: every field and operator against `ThreeRuns`, whose expected matches
/// are read off the table in its comment, and bad queries with the column they point at.
struct QueryTests {
    @Test("an empty query matches every run")
    func empty() throws {
        #expect(try ThreeRuns.matching("") == "a1 b2 c3")
        #expect(try ThreeRuns.matching("   ") == "a1 b2 c3")
        #expect(try TraceQuery("").isEmpty)
    }

    @Test("error, its negation and error=true/false")
    func errorField() throws {
        #expect(try ThreeRuns.matching("error") == "a1")
        #expect(try ThreeRuns.matching("-error") == "b2 c3")
        #expect(try ThreeRuns.matching("error=false") == "b2 c3")
        #expect(try ThreeRuns.matching("error=true") == "a1")
        #expect(try ThreeRuns.matching("errors>=1") == "a1")
    }

    @Test("service, name, root with = != ~ !~ and wildcards, ignoring case")
    func textFields() throws {
        #expect(try ThreeRuns.matching("service=api") == "a1")
        #expect(try ThreeRuns.matching("service=WORKER") == "b2 c3")
        #expect(try ThreeRuns.matching("service~ork") == "b2 c3")
        #expect(try ThreeRuns.matching("service!=api") == "b2 c3")
        #expect(try ThreeRuns.matching("service!~wor") == "a1")
        #expect(try ThreeRuns.matching("name=chat") == "a1 b2")
        #expect(try ThreeRuns.matching("name=tool*") == "a1")
        #expect(try ThreeRuns.matching("name=*job") == "c3")
        #expect(try ThreeRuns.matching("name=too") == "")
        #expect(try ThreeRuns.matching("root=\"agent run\"") == "a1 b2")
        #expect(try ThreeRuns.matching("root~batch") == "c3")
    }

    @Test("model matches the request or the response model")
    func model() throws {
        #expect(try ThreeRuns.matching("model=gpt-4o") == "a1")
        #expect(try ThreeRuns.matching("model=gpt-4o-2024-08-06") == "a1")
        #expect(try ThreeRuns.matching("model~claude") == "b2")
        #expect(try ThreeRuns.matching("model~gpt or model~claude") == "a1 b2")
        #expect(try ThreeRuns.matching("-model~gpt") == "b2 c3")
    }

    @Test("numbers: duration with units, cost, tokens with k, llm_calls, spans; all six comparisons")
    func numbers() throws {
        #expect(try ThreeRuns.matching("duration>1s") == "a1 c3")
        #expect(try ThreeRuns.matching("duration<=500ms") == "b2")
        #expect(try ThreeRuns.matching("duration>=2s") == "a1 c3")
        #expect(try ThreeRuns.matching("duration=500") == "b2")           // a bare number is ms
        #expect(try ThreeRuns.matching("duration!=2s") == "b2 c3")
        #expect(try ThreeRuns.matching("duration<0.1m") == "a1 b2")       // 6 s
        #expect(try ThreeRuns.matching("duration<1h") == "a1 b2 c3")
        #expect(try ThreeRuns.matching("latency>9000000us") == "c3")
        #expect(try ThreeRuns.matching("cost>0.01") == "a1")
        #expect(try ThreeRuns.matching("cost>$0.0005") == "a1 b2")
        #expect(try ThreeRuns.matching("cost=0") == "c3")
        #expect(try ThreeRuns.matching("tokens>=1200") == "a1")
        #expect(try ThreeRuns.matching("tokens<1k") == "b2 c3")
        #expect(try ThreeRuns.matching("prompt_tokens=100") == "b2")
        #expect(try ThreeRuns.matching("completion_tokens>100") == "a1")
        #expect(try ThreeRuns.matching("llm_calls=0") == "c3")
        #expect(try ThreeRuns.matching("spans>2") == "a1")
        #expect(try ThreeRuns.matching("spans<2") == "c3")
    }

    @Test("session from session.id and gen_ai.conversation.id")
    func session() throws {
        #expect(try ThreeRuns.matching("session=s1") == "a1")
        #expect(try ThreeRuns.matching("session=S2") == "b2")
        #expect(try ThreeRuns.matching("-session=s1") == "b2 c3")
        #expect(try ThreeRuns.matching("session~s") == "a1 b2")
    }

    @Test("any attribute key: numbers compare as numbers, text ignoring case")
    func attributes() throws {
        #expect(try ThreeRuns.matching("user.id=42") == "a1")            // an int attribute
        #expect(try ThreeRuns.matching("user.id=7") == "b2")             // a string attribute
        #expect(try ThreeRuns.matching("user.id!=42") == "b2 c3")
        #expect(try ThreeRuns.matching("http.route~/v1") == "a1")
        #expect(try ThreeRuns.matching("http.route!~/v1") == "b2 c3")
        #expect(try ThreeRuns.matching("http.status_code>=500") == "c3")
        #expect(try ThreeRuns.matching("http.status_code<500") == "")
        #expect(try ThreeRuns.matching("user.id>10") == "a1")
    }

    @Test("bare words search names, attribute values and status messages")
    func words() throws {
        #expect(try ThreeRuns.matching("refund") == "c3")
        #expect(try ThreeRuns.matching("REFUND") == "c3")
        #expect(try ThreeRuns.matching("\"agent run\"") == "a1 b2")
        #expect(try ThreeRuns.matching("timeout") == "a1")
        #expect(try ThreeRuns.matching("-chat") == "c3")
    }

    @Test("terms AND together; or binds tighter; parentheses group; OR in capitals")
    func combining() throws {
        #expect(try ThreeRuns.matching("service=worker -root~batch") == "b2")
        #expect(try ThreeRuns.matching("error or duration>5s") == "a1 c3")
        #expect(try ThreeRuns.matching("error or duration>5s service=worker") == "c3")
        #expect(try ThreeRuns.matching("service=worker (llm_calls=0 or cost>1)") == "c3")
        #expect(try ThreeRuns.matching("-(service=worker or error)") == "")
        #expect(try ThreeRuns.matching("model~claude OR error") == "a1 b2")
        #expect(try ThreeRuns.matching("\"OR\" batch") == "c3")          // quoted: a word (in "worker"), not the keyword
    }

    /// The column and the message fragment a bad query's error gives.
    private func failure(_ query: String) throws -> (column: Int, message: String, line: String) {
        let error = try #require(throws: QueryError.self) { try TraceQuery(query) }
        return (error.column, error.message, error.description)
    }

    @Test("bad queries point at the offending term")
    func badQueries() throws {
        var f = try failure("error duration>abc")
        #expect(f.column == 16)
        #expect(f.line == "query column 16 \"abc\": not a duration; write it like 500ms, 2s, 1.5m or 1h")
        f = try failure("cost>")
        #expect(f.column == 1 && f.message.contains("needs a value"))
        f = try failure("error =5")
        #expect(f.column == 7 && f.message.contains("needs a field"))
        f = try failure("service<3")
        #expect(f.column == 1 && f.message == "service is text: compare it with = != ~ !~")
        f = try failure("tokens~5")
        #expect(f.column == 1 && f.message.contains("is a number"))
        f = try failure("cost>cheap")
        #expect(f.column == 6 && f.message.contains("not an amount"))
        f = try failure("llm_calls>many")
        #expect(f.column == 11 && f.message.contains("not a count"))
        f = try failure("(error")
        #expect(f.column == 1 && f.message.contains("never closed"))
        f = try failure("error)")
        #expect(f.column == 6 && f.message.contains("no ("))
        f = try failure("or error")
        #expect(f.column == 1 && f.message.contains("left"))
        f = try failure("error or")
        #expect(f.column == 7 && f.message.contains("right"))
        f = try failure("error -")
        #expect(f.column == 7 && f.message.contains("nothing after -"))
        f = try failure("name=\"unclosed")
        #expect(f.column == 6 && f.message.contains("quote"))
        f = try failure("user.id>abc")
        #expect(f.column == 9 && f.message.contains("not one"))
        f = try failure("error=maybe")
        #expect(f.column == 1 && f.message.contains("=true or =false"))
        f = try failure("()")
        #expect(f.column == 1 && f.message.contains("empty"))
    }

    @Test("the pointer line marks the term under the query")
    func pointer() throws {
        let error = try #require(throws: QueryError.self) { try TraceQuery("error duration>abc") }
        #expect(error.pointer == "               ^^^")
        #expect(error.term == "abc")
    }

    @Test("only words, attributes and session need attributes a summary load skips")
    func readsAttributes() throws {
        #expect(try !TraceQuery("error duration>2s model~gpt cost>1 name=x").readsAttributes)
        #expect(try TraceQuery("refund").readsAttributes)
        #expect(try TraceQuery("error or user.id=4").readsAttributes)
        #expect(try TraceQuery("-session=s1").readsAttributes)
    }
}
