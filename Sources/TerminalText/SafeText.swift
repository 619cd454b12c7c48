/// The one text layer: everything Spanscope shows a person goes through this module.
///
/// - Safe text: `terminalSafe(_:)` (and `Glyphs`, which the explorer draws from) turns control
///   characters into caret notation (`^[` for ESC, `^G`, `^?` for DEL, `^J` for a line break, so
///   one line stays one line) and C1 controls, bidi, zero-width and other format characters into
///   `\u{202E}` form (upper-case hex); emoji variation selectors are dropped.
/// - Cell widths: `CellWidth` (glibc `wcwidth`, frozen in a generated table).
/// - Numbers (`Format`), one form per quantity everywhere (explorer, reports, CLI messages):
///   durations without a space and about three significant digits (`850ns`, `12.3µs`, `450ms`,
///   `1.23s`, `2m05s`, `1h02m`); dollars with two significant digits below a cent, three
///   decimals below a dollar (`$0.0031`, `$0.043`, `$12.50`, `$123`, `<$0.00001`); counts
///   grouped (`12,345`) or compact (`1.2k`); shares `34%`, `0.5%`, `<0.1%`; times in UTC
///   `2024-05-01 12:00:03.250Z` (or without the milliseconds).
/// - JSON: `JSONWriter`, whose strings keep C1, bidi and zero-width characters as `\u` escapes.
public enum TerminalText {}

/// `text` made safe to print on a terminal, one line: controls, escape sequences, bidi and
/// zero-width characters become visible escapes (`^[`, `^G`, `^J`, `\u{202E}`), exactly as the
/// explorer draws them. Every line that may hold text from a trace or a file name goes through this.
public func terminalSafe<S: StringProtocol>(_ text: S) -> String { Glyphs.sanitized(text) }
