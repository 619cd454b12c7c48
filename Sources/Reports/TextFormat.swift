import TraceModel

/// `text` made safe to print on a terminal: control characters, escape sequences, bidi and
/// zero-width characters become visible escapes (`␛`, `^G`, `\u{202e}`), and a line break
/// becomes `^J`, so one line stays one line. Every line the command-line tool prints that may
/// hold text from a trace or a file name goes through this.
public func terminalSafe(_ text: String) -> String { TextFormat.safe(text) }

/// Number, time and text formatting for plain-text reports.
enum TextFormat {
    /// Text from a trace made safe for a terminal: control characters, escape sequences and bidi
    /// or zero-width format characters are shown as visible escapes instead of being obeyed.
    static func safe(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x1B: out += "␛"
            case 0x00..<0x20, 0x7F: out += "^" + String(Unicode.Scalar(UInt8((scalar.value + 0x40) & 0x7F)))
            case 0x80..<0xA0: out += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                if scalar.properties.generalCategory == .format || scalar.properties.generalCategory == .lineSeparator
                    || scalar.properties.generalCategory == .paragraphSeparator {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(grouped(Int64(n))) \(word)\(n == 1 ? "" : "s")" }

    static func grouped(_ v: Int64) -> String {
        let digits = String(v.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return v < 0 ? "-" + out : out
    }

    static func duration(_ nanos: Int64) -> String {
        let d = Double(nanos)
        if nanos < 1_000 { return "\(nanos) ns" }
        if nanos < 1_000_000 { return fixed(d / 1e3, 1) + " µs" }
        if nanos < 1_000_000_000 { return fixed(d / 1e6, 1) + " ms" }
        if nanos < 60_000_000_000 { return fixed(d / 1e9, 2) + " s" }
        let s = nanos / 1_000_000_000
        if s < 3600 { return "\(s / 60)m \(s % 60)s" }
        return "\(s / 3600)h \((s % 3600) / 60)m"
    }

    static func usd(_ v: Double) -> String {
        guard v.isFinite else { return "$?" }
        if v == 0 { return "$0" }
        if v >= 1 { return "$" + fixed(v, 2) }
        if v >= 0.01 { return "$" + fixed(v, 4) }
        // Small amounts keep two significant digits: $0.000065, $0.0000003.
        var digits = 6
        var scaled = v * 1e6
        while scaled < 10 && digits < 12 { scaled *= 10; digits += 1 }
        return "$" + fixed(v, digits)
    }

    static func percent(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        return v >= 9.95 ? fixed(v, 0) + "%" : fixed(v, 1) + "%"
    }

    static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "∞" : "-∞") }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        // Past what Int64 holds (a broken or absurd value), Swift's own rendering of the double.
        guard abs(v * scale) < 9e18 else { return String(v) }
        let r = (v * scale).rounded()
        let whole = Int64(r / scale)
        guard digits > 0 else { return String(whole) }
        var frac = String(Int64(abs(r.truncatingRemainder(dividingBy: scale))))
        while frac.count < digits { frac = "0" + frac }
        return (r < 0 && whole == 0 ? "-" : "") + String(whole) + "." + frac
    }

    static func pad(_ s: String, _ width: Int) -> String {
        let n = s.count
        if n > width { return String(s.prefix(width - 1)) + "… " }
        return s + String(repeating: " ", count: width - n + 1)
    }

    static func left(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    /// `2026-11-25 14:03:12 UTC` from nanoseconds since the epoch.
    static func timestamp(_ nanos: Int64) -> String {
        let seconds = nanos / 1_000_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rem = seconds - days * 86_400
        // Days to civil date: Howard Hinnant's algorithm (http://howardhinnant.github.io/date_algorithms.html).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d)) \(two(rem / 3600)):\(two(rem % 3600 / 60)):\(two(rem % 60)) UTC"
    }
}
