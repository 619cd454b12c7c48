import Testing
import TraceModel

struct TraceIDLookupTests {
    let ids = [TraceID("4bf92f3577b34da6a3ce929d0e0e4736"), TraceID("4bf92f3500000000a3ce929d0e0e4736"),
               TraceID("0af7651916cd43dd8448eb211c80319c"), TraceID("a426fe09-6e9e-4f5a-8c4c-9e2fd8bf1fa2"),
               TraceID("run"), TraceID("run-2")]

    @Test("a whole id, a unique prefix, any case, a UUID without its dashes")
    func resolves() throws {
        #expect(try TraceIDLookup.resolve("0af7651916cd43dd8448eb211c80319c", in: ids) == 2)
        #expect(try TraceIDLookup.resolve("0af7", in: ids) == 2)
        #expect(try TraceIDLookup.resolve("0AF7", in: ids) == 2)
        #expect(try TraceIDLookup.resolve("4bf92f3577", in: ids) == 0)
        #expect(try TraceIDLookup.resolve("a426fe096e9e", in: ids) == 3)
        #expect(try TraceIDLookup.resolve("a426fe09-6e9e", in: ids) == 3)
        #expect(try TraceIDLookup.resolve(" 0af7 ", in: ids) == 2)
    }

    @Test("an exact id wins over a longer id it is a prefix of")
    func exactWins() throws {
        #expect(try TraceIDLookup.resolve("run", in: ids) == 4)
        #expect(try TraceIDLookup.resolve("run-2", in: ids) == 5)
    }

    @Test("ambiguous, unknown and empty ids fail with one line naming the candidates")
    func failures() throws {
        let ambiguous = try #require(throws: TraceLookupError.self) { try TraceIDLookup.resolve("4bf9", in: ids, source: "a.json") }
        #expect(ambiguous.kind == .ambiguous(matches: 2))
        #expect(ambiguous.description == "a.json: trace id prefix \"4bf9\" is ambiguous: 2 traces start with it "
                + "(4bf92f3577b34da6a3ce929d0e0e4736, 4bf92f3500000000a3ce929d0e0e4736); type more of the id")
        let unknown = try #require(throws: TraceLookupError.self) { try TraceIDLookup.resolve("ffff", in: ids) }
        #expect(unknown.kind == .unknown)
        #expect(unknown.description == "no trace id starts with \"ffff\" (6 traces: 4bf92f3577b34da6, 4bf92f3500000000, "
                + "0af7651916cd43dd, a426fe09-6e9e-4f, …)")
        #expect(!unknown.description.contains("\n"))
        let empty = try #require(throws: TraceLookupError.self) { try TraceIDLookup.resolve("", in: ids) }
        #expect(empty.kind == .empty)
    }
}
