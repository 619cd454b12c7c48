import Explorer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
}
