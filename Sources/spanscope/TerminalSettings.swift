#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TerminalUI

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
