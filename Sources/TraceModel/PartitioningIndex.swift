extension RandomAccessCollection {
    /// The index of the first element for which `belongsInSecondPartition` is true, in a
    /// collection where every such element comes after every other one (a binary search;
    /// `endIndex` when there is none). Same contract as swift-algorithms' `partitioningIndex(where:)`.
    @inlinable
    public func partitioningIndex(where belongsInSecondPartition: (Element) throws -> Bool) rethrows -> Index {
        var n = count
        var lo = startIndex
        while n > 0 {
            let half = n / 2
            let mid = index(lo, offsetBy: half)
            if try belongsInSecondPartition(self[mid]) {
                n = half
            } else {
                lo = index(after: mid)
                n -= half + 1
            }
        }
        return lo
    }
}
