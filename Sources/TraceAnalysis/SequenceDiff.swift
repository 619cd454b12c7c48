/// A longest common subsequence of two sequences, by Myers' greedy O((N+M)·D) algorithm.
///
/// Source: Eugene W. Myers, "An O(ND) Difference Algorithm and Its Variations", Algorithmica 1
/// (1986) 251–266, the forward greedy search of section 3 with the V array of each round kept for
/// the walk back. D is the number of inserted plus deleted elements, so two sequences that differ
/// in a few places cost little however long they are; the search gives up past a bound instead of
/// turning quadratic (callers then fall back to something cheaper).
public enum SequenceDiff {
    /// Index pairs `(a, b)` of one longest common subsequence, ascending in both, or nil when the
    /// sequences differ by more than `maxEdits` insertions plus deletions or the search would
    /// take more than about `maxWork` comparisons.
    ///
    /// `equal(i, j)` compares element `i` of the first sequence with element `j` of the second.
    public static func matches(countA n: Int, countB m: Int, maxEdits: Int = 2_000, maxWork: Int = 50_000_000,
                               equal: (Int, Int) -> Bool) -> [(a: Int, b: Int)]? {
        // Equal heads and tails cost one comparison each; only the middle needs the search.
        var head = 0
        while head < n && head < m && equal(head, head) { head += 1 }
        var tail = 0
        while tail < n - head && tail < m - head && equal(n - 1 - tail, m - 1 - tail) { tail += 1 }
        let rows = n - head - tail, cols = m - head - tail
        var out: [(a: Int, b: Int)] = []
        out.reserveCapacity(head + tail + min(rows, cols))
        for i in 0..<head { out.append((i, i)) }
        if rows > 0 && cols > 0 {
            let limit = min(maxEdits, rows + cols, maxWork / max(1, rows + cols))
            guard let middle = search(rows, cols, limit: limit, equal: { equal(head + $0, head + $1) }) else { return nil }
            for (a, b) in middle { out.append((head + a, head + b)) }
        }
        for t in stride(from: tail - 1, through: 0, by: -1) { out.append((n - 1 - t, m - 1 - t)) }
        return out
    }

    /// The search proper on sequences of `n` and `m` elements; nil past `limit` edits.
    private static func search(_ n: Int, _ m: Int, limit: Int, equal: (Int, Int) -> Bool) -> [(Int, Int)]? {
        // v[k] = furthest x reached on diagonal k (x − y = k); `history` keeps round d's values
        // for k in −d…d at offset d², so the walk back can replay each choice.
        let offset = limit + 1
        var v = [Int32](repeating: 0, count: 2 * limit + 3)
        var history: [Int32] = []
        var finalRound = -1
        rounds: for d in 0...limit {
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = Int(v[offset + k + 1])
                } else {
                    x = Int(v[offset + k - 1]) + 1
                }
                var y = x - k
                while x < n && y < m && equal(x, y) { x += 1; y += 1 }
                v[offset + k] = Int32(x)
                if x >= n && y >= m {
                    history.append(contentsOf: v[(offset - d)...(offset + d)])
                    finalRound = d
                    break rounds
                }
            }
            history.append(contentsOf: v[(offset - d)...(offset + d)])
        }
        guard finalRound >= 0 else { return nil }

        var pairs: [(Int, Int)] = []
        var x = n, y = m
        func at(_ d: Int, _ k: Int) -> Int { Int(history[d * d + k + d]) }
        for d in stride(from: finalRound, to: 0, by: -1) {
            let k = x - y
            let down = k == -d || (k != d && at(d - 1, k - 1) < at(d - 1, k + 1))
            let previousK = down ? k + 1 : k - 1
            let previousX = at(d - 1, previousK)
            let previousY = previousX - previousK
            // The snake of round d starts just after the edit that left (previousX, previousY).
            let startX = down ? previousX : previousX + 1
            let startY = startX - k
            while x > startX && y > startY {
                x -= 1; y -= 1
                pairs.append((x, y))
            }
            x = previousX; y = previousY
        }
        while x > 0 && y > 0 {
            x -= 1; y -= 1
            pairs.append((x, y))
        }
        return pairs.reversed()
    }
}

/// One line of a line-based text comparison.
public struct TextDiffLine: Hashable, Sendable {
    /// Whether the line is in both texts, only the first (removed) or only the second (added).
    public enum Kind: Hashable, Sendable { case same, removed, added }
    /// Where the line comes from.
    public var kind: Kind
    /// The line's text, without its line break.
    public var text: String

    /// Creates a line.
    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }
}

/// Line-based comparison of two texts (prompts, answers): the lines of the first that are not
/// in a longest common subsequence are removed, those of the second are added.
public enum TextDiff {
    /// Every line of both texts in order, each marked same, removed or added. Texts too different
    /// for the bounded search show as all of the first removed, then all of the second added.
    public static func lines(_ a: String, _ b: String) -> [TextDiffLine] {
        let left = split(a), right = split(b)
        // Compare small integers, not strings: one dictionary pass gives every distinct line a number.
        var numbers: [Substring: Int32] = [:]
        let x = left.map { line in numbers[line] ?? { numbers[line] = Int32(numbers.count); return Int32(numbers.count - 1) }() }
        let y = right.map { line in numbers[line] ?? { numbers[line] = Int32(numbers.count); return Int32(numbers.count - 1) }() }
        let pairs = SequenceDiff.matches(countA: x.count, countB: y.count) { x[$0] == y[$1] } ?? []
        var out: [TextDiffLine] = []
        out.reserveCapacity(x.count + y.count)
        var i = 0, j = 0
        for (pa, pb) in pairs + [(x.count, y.count)] {
            while i < pa { out.append(TextDiffLine(.removed, String(left[i]))); i += 1 }
            while j < pb { out.append(TextDiffLine(.added, String(right[j]))); j += 1 }
            if pa < x.count {
                out.append(TextDiffLine(.same, String(left[pa])))
                i = pa + 1; j = pb + 1
            }
        }
        return out
    }

    /// The comparison as unified-diff hunks (`@@ -1,3 +1,4 @@`, then ` `, `-` and `+` lines) with
    /// `context` unchanged lines around each change; empty when the texts are equal.
    /// Format: GNU diffutils manual, "Detailed Description of Unified Format".
    public static func unified(_ a: String, _ b: String, context: Int = 2) -> [String] {
        let all = lines(a, b)
        guard all.contains(where: { $0.kind != .same }) else { return [] }
        // Mark the lines to show: every change and `context` lines either side of it.
        var show = [Bool](repeating: false, count: all.count)
        for (i, line) in all.enumerated() where line.kind != .same {
            for j in max(0, i - context)...min(all.count - 1, i + context) { show[j] = true }
        }
        var out: [String] = []
        var i = 0
        var lineA = 1, lineB = 1   // 1-based line numbers of the next line in each text
        while i < all.count {
            guard show[i] else {
                if all[i].kind != .added { lineA += 1 }
                if all[i].kind != .removed { lineB += 1 }
                i += 1
                continue
            }
            var end = i
            while end < all.count && show[end] { end += 1 }
            let hunk = all[i..<end]
            let countA = hunk.filter { $0.kind != .added }.count
            let countB = hunk.filter { $0.kind != .removed }.count
            // An empty side is numbered by the line before it, as diff does.
            out.append("@@ -\(range(lineA, countA)) +\(range(lineB, countB)) @@")
            for line in hunk {
                switch line.kind {
                case .same: out.append(" " + line.text)
                case .removed: out.append("-" + line.text)
                case .added: out.append("+" + line.text)
                }
            }
            lineA += countA
            lineB += countB
            i = end
        }
        return out
    }

    /// `start,count`, or `start` alone for one line; an empty side is numbered by the line before it.
    private static func range(_ start: Int, _ count: Int) -> String {
        count == 1 ? "\(start)" : "\(count == 0 ? start - 1 : start),\(count)"
    }

    private static func split(_ text: String) -> [Substring] {
        text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false)
    }
}
