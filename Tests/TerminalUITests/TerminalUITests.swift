@testable import Explorer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import Testing
@testable import TerminalUI

@Suite struct ThemeTests {
    @Test func monochromeUsesAttributesOnly() {
        let theme = Theme(palette: .monochrome)
        for ink in Ink.allCases {
            for paper in Paper.allCases {
                let look = theme.look(Style(ink: ink, paper: paper))
                #expect(look.foreground == -1 && look.background == -1, "\(ink) on \(paper) got a colour")
            }
        }
        // What colour would say must still be visible.
        #expect(theme.look(Style(paper: .selection)).reverse)
        #expect(theme.look(Style(paper: .bar)).reverse)
        #expect(theme.look(Style(paper: .match)).underline)
        #expect(theme.look(Style(ink: .error)).bold)
        #expect(theme.look(Style(ink: .critical)).bold)
    }

    @Test func coloursKeepTheTerminalsOwnTextAndBackground() {
        for palette in [Theme.Palette.ansi8, .xterm256] {
            let theme = Theme(palette: palette)
            let plain = theme.look(.plain)
            #expect(plain.foreground == -1 && plain.background == -1)
            // Only search matches get a background; everything else keeps the user's.
            for ink in Ink.allCases { #expect(theme.look(Style(ink: ink)).background == -1) }
            #expect(theme.look(Style(ink: .error)).foreground != theme.look(Style(ink: .llm)).foreground)
            #expect(theme.look(Style(ink: .critical)).foreground != theme.look(Style(ink: .bar)).foreground)
        }
    }

    @Test func waterfallReverseSurvivesTheSelectionlessRow() {
        // Bars use reverse video for left-open cells; a bar cell never gets the selection paper.
        let look = Theme(palette: .monochrome).look(Style(ink: .bar, attributes: [.reverse]))
        #expect(look.reverse)
    }
}

@Suite struct KeyDecodingTests {
    @Test func controlCharacters() {
        #expect(Terminal.decode(character: 0x0D) == .enter)
        #expect(Terminal.decode(character: 0x0A) == .enter)
        #expect(Terminal.decode(character: 0x1B) == .escape)
        #expect(Terminal.decode(character: 0x09) == .tab)
        #expect(Terminal.decode(character: 0x7F) == .backspace)
        #expect(Terminal.decode(character: 0x08) == .backspace)
        #expect(Terminal.decode(character: 0x04) == .control("d"))
        #expect(Terminal.decode(character: 0x15) == .control("u"))
    }

    @Test func printableAndWideCharacters() {
        #expect(Terminal.decode(character: 0x6A) == .character("j"))
        #expect(Terminal.decode(character: 0x20) == .character(" "))
        #expect(Terminal.decode(character: 0x4E2D) == .character("中"))
        #expect(Terminal.decode(character: 0xD800) == nil)   // not a scalar
    }
}

@Suite struct MouseDecodingTests {
    func parse(_ s: String) -> SGRMouseReport? { SGRMouseReport.parse(Array(s.utf8)) }

    @Test func sgrReportsCountFromOneAndSayPressOrRelease() {
        #expect(parse("0;12;5M") == SGRMouseReport(button: 0, modifiers: 0, pressed: true, column: 11, row: 4))
        #expect(parse("0;12;5m")?.pressed == false)
        #expect(parse("64;1;1M")?.button == 64)
        // Shift (4) + Control (16) on the right button; columns past 223 (X10's limit) are fine.
        #expect(parse("22;300;2M") == SGRMouseReport(button: 2, modifiers: 20, pressed: true, column: 299, row: 1))
    }

    @Test func garbledReportsAreDropped() {
        for bad in ["", "M", "0;12M", "0;12;5", "0;12;5X", "0;;5M", "a;1;1M", "0;0;1M", "0;1;2;3M", "0;1234567;1M"] {
            #expect(parse(bad) == nil, "\(bad)")
        }
    }

    @Test func wheelIsKeysLeftPressIsAClickAndASecondOnTheSameRowIsADoubleClick() {
        var clicks = ClickTracker()
        func input(_ s: String, at millis: Int64) -> TerminalInput { parse(s)!.input(clicks: &clicks, millis: millis) }
        #expect(input("64;3;3M", at: 0) == .key(.wheelUp))
        #expect(input("65;3;3M", at: 0) == .key(.wheelDown))
        #expect(input("0;10;4M", at: 1_000) == .mouse(MouseEvent(.click, row: 3, column: 9)))
        #expect(input("0;10;4m", at: 1_050) == .nothing)                       // releases do nothing
        #expect(input("0;30;4M", at: 1_300) == .mouse(MouseEvent(.doubleClick, row: 3, column: 29)))
        #expect(input("0;30;4M", at: 1_400) == .mouse(MouseEvent(.click, row: 3, column: 29)))   // a third starts over
        #expect(input("0;30;5M", at: 1_500) == .mouse(MouseEvent(.click, row: 4, column: 29)))   // another row
        #expect(input("0;30;5M", at: 2_000) == .mouse(MouseEvent(.click, row: 4, column: 29)))   // too slow
        #expect(input("2;30;5M", at: 2_100) == .nothing)                       // right button
    }
}

@Suite struct ClipboardTests {
    @Test func base64MatchesTheRFCTestVectors() {
        // RFC 4648 §10.
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(String(decoding: Clipboard.base64(Array(plain.utf8)), as: UTF8.self) == encoded)
        }
    }

    @Test func osc52CarriesTheTextAsBase64SoEscapesInItAreInert() {
        let seq = Clipboard.osc52("a\u{1B}]0;pwned\u{07}")!
        #expect(String(decoding: seq, as: UTF8.self) == "\u{1B}]52;c;YRtdMDtwd25lZAc=\u{07}")
        #expect(seq.filter { $0 == 0x1B || $0 == 0x07 }.count == 2)   // only our own ESC and BEL
    }

    @Test func textOverTheCapIsRefused() {
        #expect(Clipboard.osc52(String(repeating: "x", count: Clipboard.maximumBytes)) != nil)
        #expect(Clipboard.osc52(String(repeating: "x", count: Clipboard.maximumBytes + 1)) == nil)
    }
}

@Suite struct EffectsTests {
    /// An export is written off the UI thread; its `.wrote` answer waits for the loop.
    @Test func aWriteRunsElsewhereAndAnswersWithWhereItWent() throws {
        let dir = "/tmp/spanscope-effects-\(getpid())"
        #expect(mkdir(dir, 0o700) == 0)
        defer { unlink(dir + "/x.json"); rmdir(dir) }
        let effects = Effects(exportDirectory: dir)
        effects.start(.write(fileName: "x.json", contents: "{}\n"))
        effects.waitUntilIdle(maxMillis: 10_000)
        #expect(effects.takeAnswers() == [.wrote(path: dir + "/x.json", error: nil)])
        #expect(!effects.isBusy)
        let fd = open(dir + "/x.json", O_RDONLY)
        #expect(fd >= 0)
        var buffer = [UInt8](repeating: 0, count: 8)
        #expect(read(fd, &buffer, 8) == 3)
        close(fd)
    }

    /// A backend fetch goes to the host's closure off the UI thread and answers like a write, but
    /// quitting does not wait for it (a slow backend must not hold the terminal).
    @Test func aFetchGoesToTheBackendAndQuittingDoesNotWaitForIt() {
        let released = Mutex(false)
        let asked = Mutex<[Command]>([])
        let effects = Effects(exportDirectory: "/tmp") { command in
            asked.withLock { $0.append(command) }
            while !released.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
            return .remoteAnswered(RemoteAnswer(ticket: 1, outcome: .failed("HTTP 503")))
        }
        effects.start(.search(ticket: 1))
        effects.waitUntilIdle(maxMillis: 60_000)
        // Returned while the fetch still waits to be released.
        #expect(effects.isBusy && effects.takeAnswers().isEmpty)
        released.withLock { $0 = true }
        var answers: [Action] = []
        for _ in 0..<12_000 where answers.isEmpty {   // a minute at most, so a broken runner fails rather than hangs
            usleep(5_000)
            answers = effects.takeAnswers()
        }
        guard case .remoteAnswered(let answer)? = answers.first, case .failed(let why) = answer.outcome else {
            Issue.record("no answer: \(answers)")
            return
        }
        #expect(answers.count == 1 && answer.ticket == 1 && why == "HTTP 503")
        #expect(asked.withLock { $0 } == [.search(ticket: 1)])
    }
}

extension EffectsTests {
    /// A workbench table is worked out off the UI thread; its answer waits for the loop like any
    /// other, and quitting does not wait for it.
    @Test func aWorkbenchJobRunsElsewhereAndAnswersWithItsTicket() {
        let job = WorkbenchJob(ticket: 7, table: .calls(oneTrace: false), traces: [], facts: nil, prices: .standard,
                               sessionKeys: .standard)
        let effects = Effects(exportDirectory: "/tmp")
        effects.start(.computeWorkbench(job))
        var answers: [Action] = []
        for _ in 0..<12_000 where answers.isEmpty {   // a minute at most
            usleep(5_000)
            answers = effects.takeAnswers()
        }
        guard case .workbenchComputed(let answer)? = answers.first, case .level(.calls(let calls)) = answer.outcome else {
            Issue.record("no table: \(answers)")
            return
        }
        #expect(answers.count == 1 && answer.ticket == 7 && calls.rows.isEmpty)
        #expect(!effects.isBusy)
    }
}

/// Service colours (issue 15): distinct in both palettes, nothing but the name without colour.
@Suite struct ServiceThemeTests {
    @Test func serviceSlotsLookDistinctAndStayPlainInMonochrome() {
        for palette in [Theme.Palette.ansi8, .xterm256] {
            let theme = Theme(palette: palette)
            let looks = Ink.services.map { theme.look(Style(ink: $0)) }
            #expect(Set(looks).count == Ink.services.count, "\(palette)")
            // Eight colours: none of them is the error red.
            #expect(!looks.contains { $0.foreground == theme.look(Style(ink: .error)).foreground })
        }
        let mono = Theme(palette: .monochrome)
        #expect(Ink.services.allSatisfy { mono.look(Style(ink: $0)) == mono.look(.plain) })
    }
}
