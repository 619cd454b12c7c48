/// Order statistics without a full sort: after `select`, every requested rank holds the value a
/// full ascending sort would put there (the rest of the buffer is reordered, not sorted).
///
/// Quickselect (Hoare, "Algorithm 65: find", CACM 1961) on several ranks at once: a three-way
/// partition (equal keys are common: zero self times) and descent only into the sides that still
/// hold a requested rank; past a depth of 2·log2(n) a range is sorted, so the worst case stays
/// O(n log n).
enum Selection {
    /// Puts the `ranks` order statistics of `values` in place (ranks in `0..<values.count`).
    static func select(_ values: inout [Int64], ranks: [Int]) {
        let wanted = Array(Set(ranks)).sorted()
        guard !wanted.isEmpty, values.count > 1 else { return }
        precondition(wanted.first! >= 0 && wanted.last! < values.count, "rank outside the values")
        values.withUnsafeMutableBufferPointer { a in
            let limit = 2 * (Int.bitWidth - a.count.leadingZeroBitCount) + 4
            // Pending ranges: [lo, hi) of the buffer and [rlo, rhi) of `wanted` inside it.
            var pending: [(lo: Int, hi: Int, rlo: Int, rhi: Int, depth: Int)] = [(0, a.count, 0, wanted.count, 0)]
            while let (lo, hi, rlo, rhi, depth) = pending.popLast() {
                if hi - lo <= 24 || depth > limit {
                    var range = UnsafeMutableBufferPointer(rebasing: a[lo..<hi])
                    range.sort()
                    continue
                }
                let pivot = median(a[lo], a[lo + (hi - lo) / 2], a[hi - 1])
                // Three-way partition (Dijkstra): [lo, lt) < pivot, [lt, gt) == pivot, [gt, hi) > pivot.
                var lt = lo, i = lo, gt = hi
                while i < gt {
                    let v = a[i]
                    if v < pivot {
                        a.swapAt(lt, i)
                        lt += 1
                        i += 1
                    } else if v > pivot {
                        gt -= 1
                        a.swapAt(i, gt)
                    } else {
                        i += 1
                    }
                }
                var r = rlo
                while r < rhi && wanted[r] < lt { r += 1 }
                if r > rlo { pending.append((lo, lt, rlo, r, depth + 1)) }
                var s = r
                while s < rhi && wanted[s] < gt { s += 1 }
                if s < rhi { pending.append((gt, hi, s, rhi, depth + 1)) }
            }
        }
    }

    @inline(__always)
    private static func median(_ a: Int64, _ b: Int64, _ c: Int64) -> Int64 {
        max(min(a, b), min(max(a, b), c))
    }
}
