import Testing
import TraceModel
@testable import TraceFormats

/// Inputs the fuzzer (Scripts/fuzz.sh) found to break a reader, each kept as a regression test,
/// shrunk to what matters. The name says what went wrong before the fix.
@Suite struct FuzzFindingTests {
    /// fuzz-decode: a backslash before a raw newline in a string put the newline into the error
    /// message (and a backslash before ESC would have put ESC on the user's terminal).
    @Test func invalidEscapeBeforeAControlByteIsDescribedNotCopied() {
        for byte: UInt8 in [0x0A, 0x1B, 0x07, 0x9B, 0xC2] {
            var bytes = Array(#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a\"#.utf8)
            bytes.append(byte)
            bytes += Array(#"b"}]}]}]}"#.utf8)
            do {
                _ = try TraceLoader.decode(bytes, source: "bad.json")
                Issue.record("expected an error for byte \(byte)")
            } catch {
                #expect(error.description.allSatisfy { $0.isASCII && !($0.asciiValue! < 0x20) })
                #expect(error.description.contains("a backslash before byte 0x"))
            }
        }
    }
}
