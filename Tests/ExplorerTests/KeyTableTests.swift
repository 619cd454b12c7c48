import Foundation
import Testing
@testable import Explorer

@Suite struct KeyTableTests {
    @Test func noKeyIsBoundTwiceInOneContext() {
        for ctx in KeyContext.allCases {
            var seen: [Key: String] = [:]
            for b in KeyTable.bindings(in: ctx) {
                for k in b.keys {
                    #expect(seen[k] == nil, "\(k.label) in \(ctx): “\(seen[k] ?? "")” and “\(b.help)”")
                    seen[k] = b.help
                }
            }
        }
    }

    @Test func vimKeysAndArrowsBothWork() {
        #expect(KeyTable.action(for: .down, in: .trace) == KeyTable.action(for: .character("j"), in: .trace))
        #expect(KeyTable.action(for: .up, in: .trace) == KeyTable.action(for: .character("k"), in: .trace))
        #expect(KeyTable.action(for: .left, in: .trace) == KeyTable.action(for: .character("h"), in: .trace))
        #expect(KeyTable.action(for: .right, in: .trace) == KeyTable.action(for: .character("l"), in: .trace))
        #expect(KeyTable.action(for: .character("7"), in: .trace) == .collapseToDepth(7))
        #expect(KeyTable.action(for: .character("x"), in: .prompt) == .type("x"))
        #expect(KeyTable.action(for: .wheelDown, in: .document) == .down)
    }

    @Test func statusBarHintsComeFromTheTable() {
        let hints = KeyTable.hints(in: .trace)
        #expect(hints.first?.word == "help")
        #expect(hints.contains { $0.key == "/" && $0.word == "find" })
        let s = ExplorerState(document: .init(source: "a.json", format: "t", traces: [Fixtures.agent()]),
                              size: Size(width: 160, height: 10))
        let bar = render(s, size: s.size).text.split(separator: "\n").last!
        for (key, word) in hints.prefix(5) { #expect(bar.contains("\(key) \(word)")) }
    }

    /// The README's key list (between `<!-- keys:begin -->` and `<!-- keys:end -->`) is
    /// generated from the table and must match it; SPANSCOPE_UPDATE_SCREENS=1 rewrites it.
    @Test func readmeKeyListMatchesTheTable() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let readme = try String(contentsOf: url, encoding: .utf8)
        let begin = "<!-- keys:begin -->\n", end = "<!-- keys:end -->"
        guard let b = readme.range(of: begin), let e = readme.range(of: end, range: b.upperBound..<readme.endIndex) else {
            Issue.record("README.md has no \(begin) … \(end) section")
            return
        }
        let generated = "\n" + KeyTable.markdown()
        if String(readme[b.upperBound..<e.lowerBound]) == generated { return }
        if Golden.updating {
            try (String(readme[..<b.upperBound]) + generated + String(readme[e.lowerBound...]))
                .write(to: url, atomically: true, encoding: .utf8)
            Issue.record("rewrote the key list in README.md: review it with git diff")
        } else {
            Issue.record("README.md's key list is out of date with the key table; run with SPANSCOPE_UPDATE_SCREENS=1 and review")
        }
    }
}
