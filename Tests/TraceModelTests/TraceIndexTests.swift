import Testing
@testable import TraceModel

@Suite struct IdentifierTests {
    @Test func parsesHexUUIDAndBase64() {
        #expect(Identifier(parsing: "00f067aa0ba902b7") == .bits64(0x00f0_67aa_0ba9_02b7))
        #expect(Identifier(parsing: "4bf92f3577b34da6a3ce929d0e0e4736").text == "4bf92f3577b34da6a3ce929d0e0e4736")
        let uuid = "d26d6438-fde7-421f-8edc-271b6bf2f9b1"
        #expect(Identifier(parsing: uuid).text == uuid)
        #expect(Identifier(parsing: "APBnqgupArc=") == .bits64(0x00f0_67aa_0ba9_02b7))
        #expect(Identifier(parsing: "span-1") == .text("span-1"))
        #expect(Identifier(parsing: "0000000000000000").isZero)
    }
}
