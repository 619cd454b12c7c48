import Foundation
import TestSupport
import Testing
import TraceFormats
import TraceModel
@testable import Explorer

/// Stored expected screens: `Tests/ExplorerTests/Screens/NAME.txt`.
///
/// A screen that differs fails the test with both versions. To accept new screens on purpose,
/// run `SPANSCOPE_UPDATE_SCREENS=1 swift test --filter ExplorerTests`: the files are rewritten
/// and the tests still fail once, so nothing is accepted without a look at `git diff`.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Screens")
    static var updating: Bool { ProcessInfo.processInfo.environment["SPANSCOPE_UPDATE_SCREENS"] == "1" }

    static func check(_ screen: Screen, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = directory.appendingPathComponent(name + ".txt")
        let actual = screen.rendering
        let expected = try? String(contentsOf: url, encoding: .utf8)
        if expected == actual { return }
        if updating {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            Issue.record("rewrote Screens/\(name).txt: review it with git diff, then run again without SPANSCOPE_UPDATE_SCREENS",
                         sourceLocation: sourceLocation)
            return
        }
        guard let expected else {
            Issue.record("no stored screen Screens/\(name).txt; create it with SPANSCOPE_UPDATE_SCREENS=1 and review it\n\(actual)",
                         sourceLocation: sourceLocation)
            return
        }
        Issue.record("screen \(name) differs from Screens/\(name).txt\n--- expected\n\(expected)\n--- actual\n\(actual)",
                     sourceLocation: sourceLocation)
    }
}

enum Samples {
    static let directory = URL(fileURLWithPath: sampleDirectory)

    static let all = ["agent-parallel-tools.otlp.jsonl", "openinference-incident-qa.otlp.json",
                      "openllmetry-triage-batch.otlp.jsonl", "rag-pipeline.otlp.json", "seed-agent-tool.json"]

    static func load(_ name: String) throws -> TraceDocument {
        var doc = try TraceLoader.load(path: directory.appendingPathComponent(name).path)
        // Screens show the file name from the path; keep it free of the checkout's location.
        doc.source = name
        return doc
    }
}

/// Keys from a compact description: plain characters, or names in angle brackets (`<down>`, `<enter>`).
func keys(_ text: String) -> [Key] {
    var out: [Key] = []
    var i = text.startIndex
    while i < text.endIndex {
        if text[i] == "<", let close = text[i...].firstIndex(of: ">"), close > text.index(after: i) {
            let name = String(text[text.index(after: i)..<close])
            switch name {
            case "up": out.append(.up)
            case "down": out.append(.down)
            case "left": out.append(.left)
            case "right": out.append(.right)
            case "enter": out.append(.enter)
            case "esc": out.append(.escape)
            case "tab": out.append(.tab)
            case "pgup": out.append(.pageUp)
            case "pgdn": out.append(.pageDown)
            case "home": out.append(.home)
            case "end": out.append(.end)
            case "bs": out.append(.backspace)
            case "space": out.append(.character(" "))
            default: out.append(.control(name.last!))
            }
            i = text.index(after: close)
        } else {
            out.append(.character(text[i]))
            i = text.index(after: i)
        }
    }
    return out
}

extension ExplorerState {
    /// Presses keys through the key table and `update`; returns the commands asked for.
    @discardableResult
    mutating func press(_ text: String) -> [Command] {
        var commands: [Command] = []
        for k in keys(text) {
            guard let a = action(for: k) else { continue }
            let (next, c) = update(self, a)
            self = next
            if let c { commands.append(c) }
        }
        return commands
    }

    /// The name of the selected span.
    var selectedName: String? { session.map { $0.trace.spans[$0.selected].name } }

    /// Names of the visible tree rows.
    var rowNames: [String] { session.map { s in s.rows.rows.map { s.trace.spans[Int($0)].name } } ?? [] }
}

/// A state for a sample at a size.
func state(_ sample: String, _ width: Int = 120, _ height: Int = 40) throws -> ExplorerState {
    ExplorerState(document: try Samples.load(sample), size: Size(width: width, height: height))
}
