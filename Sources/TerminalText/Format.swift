/// Number, time and cost formatting, without Foundation so that screens and reports are the
/// same everywhere (the forms are listed on `TerminalText`).
public enum Format {
    /// A fixed-point decimal with `digits` fraction digits, rounded half away from zero.
    public static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.0e18 else { return String(value) }
        let n = UInt64(scaled)
        let s = UInt64(scale)
        let whole = n / s
        var out = (value < 0 && n > 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let frac = String(n % s)
            out += "." + String(repeating: "0", count: digits - frac.count) + frac
        }
        return out
    }

    /// A duration in the largest fitting unit with about three significant digits: `850ns`,
    /// `12.3µs`, `450ms`, `1.23s`, `2m05s`, `1h02m`.
    public static func duration(_ nanos: Int64) -> String {
        let n = nanos < 0 ? 0 : nanos
        if n < 1_000 { return "\(n)ns" }
        if n < 1_000_000 { return scaled(Double(n) / 1e3, "µs") }
        if n < 1_000_000_000 { return scaled(Double(n) / 1e6, "ms") }
        if n < 60_000_000_000 { return scaled(Double(n) / 1e9, "s") }
        let secs = n / 1_000_000_000
        if secs < 3600 { return "\(secs / 60)m" + pad2(secs % 60) + "s" }
        if secs < 86_400 { return "\(secs / 3600)h" + pad2(secs / 60 % 60) + "m" }
        return "\(secs / 86_400)d" + pad2(secs / 3600 % 24) + "h"
    }

    private static func scaled(_ v: Double, _ unit: String) -> String {
        if v < 9.995 { return fixed(v, digits: 2) + unit }
        if v < 99.95 { return fixed(v, digits: 1) + unit }
        return fixed(v, digits: 0) + unit
    }

    private static func pad2(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// A duration for an axis label: like `duration` without trailing zeros (`2s`, `2.5s`, `250ms`).
    public static func tick(_ nanos: Int64) -> String {
        let d = duration(nanos)
        guard let dot = d.firstIndex(of: ".") else { return d }
        var unitStart = d.index(after: dot)
        while unitStart < d.endIndex, d[unitStart].isNumber { unitStart = d.index(after: unitStart) }
        var digits = String(d[..<unitStart])
        while digits.hasSuffix("0") { digits.removeLast() }
        if digits.hasSuffix(".") { digits.removeLast() }
        return digits + d[unitStart...]
    }

    /// A count in compact form: `950`, `1.2k`, `12k`, `1.2M`.
    public static func compact(_ v: Int64) -> String {
        let a = v < 0 ? -Double(v) : Double(v)
        let sign = v < 0 ? "-" : ""
        if a < 1_000 { return String(v) }
        if a < 9_950 { return sign + fixed(a / 1e3, digits: 1) + "k" }
        if a < 999_500 { return sign + fixed(a / 1e3, digits: 0) + "k" }
        if a < 9_950_000 { return sign + fixed(a / 1e6, digits: 1) + "M" }
        if a < 999_500_000 { return sign + fixed(a / 1e6, digits: 0) + "M" }
        return sign + fixed(a / 1e9, digits: 1) + "G"
    }

    /// A count with thousands separators: `12,345`.
    public static func grouped(_ v: Int64) -> String {
        let digits = String(v.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (v < 0 ? "-" : "") + out
    }

    /// US dollars with precision that suits the amount: two significant digits below a cent
    /// (`$0.0031`, `$0.000067`, at most nine characters, so `<$0.00001` below that), then
    /// `$0.042`, `$1.23`, `$123`.
    public static func usd(_ v: Double) -> String {
        guard v.isFinite else { return "$?" }
        if v == 0 { return "$0" }
        let a = abs(v)
        let sign = v < 0 ? "-" : ""
        if a < 0.000_01 { return sign + "<$0.00001" }
        if a < 0.01 {
            var digits = 3
            var scaled = a * 1000
            while scaled < 1 { scaled *= 10; digits += 1 }
            return sign + "$" + fixed(a, digits: digits + 1)
        }
        if a < 1 { return sign + "$" + fixed(a, digits: 3) }
        if a < 100 { return sign + "$" + fixed(a, digits: 2) }
        return sign + "$" + fixed(a, digits: 0)
    }

    /// A share as a percentage: `34%`, `0.5%`, `<0.1%`.
    public static func percent(_ part: Double, of whole: Double) -> String {
        guard whole > 0 else { return "–" }
        return percent(part / whole * 100)
    }

    /// A percentage already scaled to 0–100, in the same form as `percent(_:of:)`.
    public static func percent(_ p: Double) -> String {
        guard p.isFinite else { return "–" }
        if p == 0 { return "0%" }
        if p < 0.1 { return "<0.1%" }
        if p < 10 { return fixed(p, digits: 1) + "%" }
        return fixed(p, digits: 0) + "%"
    }

    /// `n` and the word, plural unless `n` is one: `1 span`, `12,345 spans`.
    public static func plural(_ n: Int, _ word: String) -> String {
        "\(grouped(Int64(n))) \(word)\(n == 1 ? "" : "s")"
    }

    /// A UTC timestamp `2024-05-01 12:00:03.250Z` from nanoseconds since the epoch.
    public static func timestamp(_ nanos: Int64, millis: Bool = true) -> String {
        let secs = nanos >= 0 ? nanos / 1_000_000_000 : (nanos + 1) / 1_000_000_000 - 1
        let ms = Int((nanos - secs * 1_000_000_000) / 1_000_000)
        var days = secs / 86_400
        var rem = secs % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = civil(fromDays: days)
        var s = "\(y)-\(pad2(m))-\(pad2(d)) \(pad2(rem / 3600)):\(pad2(rem / 60 % 60)):\(pad2(rem % 60))"
        if millis { s += "." + String(repeating: "0", count: 3 - String(ms).count) + String(ms) }
        return s + "Z"
    }

    /// Year, month, day for a count of days since 1970-01-01.
    ///
    /// Howard Hinnant's `civil_from_days`, http://howardhinnant.github.io/date_algorithms.html
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
