#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import TerminalUI

/// The explorer's terminal flags, the same for `open` and `listen`.
struct TerminalFlags: ParsableArguments {
    @Flag(name: .customLong("no-color"), help: "No colours (same as setting NO_COLOR).")
    var noColor = false

    @Flag(help: "Use the mouse: wheel scrolls, click selects, double-click opens (most terminals then need Shift to select text).")
    var mouse = false

    @Flag(help: "Let y copy to the terminal's clipboard with OSC 52 (also SPANSCOPE_OSC52=1); tmux needs set-clipboard on.")
    var osc52 = false

    /// The terminal settings these flags and the environment ask for.
    var options: TerminalOptions { TerminalOptions.from(noColor: noColor, mouse: mouse, osc52: osc52) }
}

extension TerminalOptions {
    /// The explorer's terminal settings from its flags and the environment: `NO_COLOR` (any
    /// value) turns colours off; `SPANSCOPE_OSC52=1` allows clipboard copies like `--osc52`.
    static func from(noColor: Bool, mouse: Bool, osc52: Bool) -> TerminalOptions {
        let noColorEnv = getenv("NO_COLOR").map { String(cString: $0) } ?? ""
        let osc52Env = getenv("SPANSCOPE_OSC52").map { String(cString: $0) } ?? ""
        return TerminalOptions(colors: !noColor && noColorEnv.isEmpty, mouse: mouse,
                               osc52: osc52 || osc52Env == "1")
    }
}
