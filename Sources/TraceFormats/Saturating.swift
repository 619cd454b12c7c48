/// Arithmetic on times read from files that may hold any value: results stop at the ends of
/// `Int64` instead of trapping (as `+` does) or wrapping into nonsense (as `&+` does).
extension Int64 {
    /// `self + other`, held at `Int64.min`/`Int64.max` on overflow.
    func adding(saturating other: Int64) -> Int64 {
        let (r, o) = addingReportingOverflow(other)
        return o ? (other > 0 ? .max : .min) : r
    }

    /// `self − other`, held at `Int64.min`/`Int64.max` on overflow.
    func subtracting(saturating other: Int64) -> Int64 {
        let (r, o) = subtractingReportingOverflow(other)
        return o ? (other < 0 ? .max : .min) : r
    }

    /// `self × other`, held at `Int64.min`/`Int64.max` on overflow.
    func multiplied(saturating other: Int64) -> Int64 {
        let (r, o) = multipliedReportingOverflow(by: other)
        return o ? ((self < 0) != (other < 0) ? .min : .max) : r
    }
}
