/// The first stage of simdjson for one line: every 64-byte block of the line classified into bit
/// masks (Langdale & Lemire, "Parsing Gigabytes of JSON per Second", VLDB Journal 28, 2019,
/// https://arxiv.org/abs/1902.08318, section 3.1), so that `LineWalker` finds a string's end and
/// a container's end by scanning bits instead of bytes, and never reads the string contents.
///
/// Per block: the quotes not escaped (a quote after an odd-length run of backslashes is
/// escaped: the paper's "odd-length sequences of backslashes", found with one addition whose
/// carries run along each sequence, as in simdjson's `json_string_scanner::find_escaped`), the
/// backslashes, the in-string mask (the prefix XOR of the unescaped quotes: the paper uses a
/// carry-less multiplication by all ones; Swift has no `pclmulqdq`, so a shift-XOR cascade of
/// six steps), and the brackets `{}[]` outside strings. Swift has no `pmovmskb` either: each
/// class is found 16 bytes at a time with `SIMD16<UInt8>` compares, packed into one byte per
/// lane, and gathered eight lanes at a time with one multiplication per class.
///
/// What the walker takes from the masks is exactly what its byte loops would find:
/// - a string's end is local: from just after an opening quote, the byte loop and the
///   odd-backslash rule agree on every later quote (a backslash run never starts before the
///   opening quote), so `nextQuote` is used for every string;
/// - the in-string mask depends on the whole line before. It is used only where the walker is
///   outside a string and the mask agrees there, and only on lines without a quote that the
///   mask calls escaped outside a string (`trusted`): those are the one place where the byte
///   loop (which opens a string at any quote it meets outside one) and the mask part ways.
///   Elsewhere, and whenever a fast answer would be an error, the byte loop runs instead, so
///   errors and their offsets stay the same.
///
/// Not the default walk (`TraceIndexer.index(stage1:)`, `spanscope bench-index --stage1`): on
/// collector-style OTLP (a quote every 11 bytes, 1,000 spans per line) classifying costs about 3.8
/// instructions per byte, more than the whole structural walk it replaces (keys, ids, skipped
/// attribute entries found 16 and 32 bytes at a time), so the scan took 1.34× the instructions
/// (Benchmarks/RESULTS.md, "Stage 1 bit masks"). What dominates is the gathering of byte-compare
/// results into bits: eight multiplications per class per block where `pmovmskb` is one
/// instruction per 16 bytes.
final class StructuralMasks {
    /// Unescaped quotes, one bit per byte, 64 bytes per word, from `origin`.
    private(set) var quotes: UnsafeMutablePointer<UInt64>
    /// Backslashes.
    private(set) var backslashes: UnsafeMutablePointer<UInt64>
    /// Inside a string (opening quote included, closing quote not).
    private(set) var inString: UnsafeMutablePointer<UInt64>
    /// `{`, `}`, `[` and `]` outside strings.
    private(set) var brackets: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    /// Offset (in the walker's bytes) of the line's first byte.
    private(set) var origin = 0
    /// End of the classified line (exclusive).
    private(set) var end = 0
    /// Words filled.
    private(set) var count = 0
    /// False when the line has a quote the masks call escaped outside a string: the in-string
    /// mask is then not used.
    private(set) var trusted = true

    init() {
        capacity = 0
        quotes = .allocate(capacity: 1)
        backslashes = .allocate(capacity: 1)
        inString = .allocate(capacity: 1)
        brackets = .allocate(capacity: 1)
        reserve(1 << 12)
    }

    deinit {
        quotes.deallocate()
        backslashes.deallocate()
        inString.deallocate()
        brackets.deallocate()
    }

    private func reserve(_ words: Int) {
        guard words > capacity else { return }
        let n = max(words, capacity * 2)
        for p in [quotes, backslashes, inString, brackets] { p.deallocate() }
        quotes = .allocate(capacity: n)
        backslashes = .allocate(capacity: n)
        inString = .allocate(capacity: n)
        brackets = .allocate(capacity: n)
        capacity = n
    }

    /// The view a walker reads.
    var view: View {
        View(quotes: quotes, backslashes: backslashes, inString: inString, brackets: brackets,
             origin: origin, count: count, trusted: trusted)
    }

    /// Classifies the bytes `[start, end)` of `base`.
    func classify(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) {
        origin = start
        self.end = end
        let n = end - start
        count = (n + 63) >> 6
        reserve(count + 1)
        var escapedCarry: UInt64 = 0   // 1 when the next block's first byte is escaped
        var stringCarry: UInt64 = 0    // all ones when the next block starts inside a string
        var bad: UInt64 = 0
        var w = 0
        let whole = n >> 6
        while w < whole {
            classifyBlock(UnsafeRawPointer(base + start + (w << 6)), w, &escapedCarry, &stringCarry, &bad)
            w += 1
        }
        if whole < count {
            // The last partial block, padded with spaces (which are in no mask).
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { pad in
                let b = pad.baseAddress!
                b.initialize(repeating: 0x20, count: 64)
                b.update(from: base + start + (whole << 6), count: n - (whole << 6))
                classifyBlock(UnsafeRawPointer(b), whole, &escapedCarry, &stringCarry, &bad)
            }
        }
        // A guard word: searches may read one word past the line.
        quotes[count] = 0; backslashes[count] = 0; inString[count] = 0; brackets[count] = 0
        trusted = bad == 0
    }

    @inline(__always)
    private func classifyBlock(_ p: UnsafeRawPointer, _ w: Int, _ escapedCarry: inout UInt64,
                               _ stringCarry: inout UInt64, _ bad: inout UInt64) {
        // One byte per lane: bit 0 quote, bit 1 backslash, bit 2 bracket. `[{` and `]}` differ
        // from each other only in bit 5 (0x5B/0x7B, 0x5D/0x7D): one compare each.
        let quote = SIMD16<UInt8>(repeating: 0x22), slash = SIMD16<UInt8>(repeating: 0x5C)
        let bit5 = SIMD16<UInt8>(repeating: 0x20)
        let open = SIMD16<UInt8>(repeating: 0x7B), close = SIMD16<UInt8>(repeating: 0x7D)
        let one = SIMD16<UInt8>(repeating: 1), two = SIMD16<UInt8>(repeating: 2), four = SIMD16<UInt8>(repeating: 4)
        let zero = SIMD16<UInt8>(repeating: 0)
        var lanes = SIMD8<UInt64>()
        for i in 0..<4 {
            let v = p.loadUnaligned(fromByteOffset: i << 4, as: SIMD16<UInt8>.self)
            let f = v | bit5
            var code = zero.replacing(with: one, where: v .== quote)
            code |= zero.replacing(with: two, where: v .== slash)
            code |= zero.replacing(with: four, where: (f .== open) .| (f .== close))
            let words = unsafeBitCast(code, to: SIMD2<UInt64>.self)
            lanes[i << 1] = words[0]
            lanes[(i << 1) | 1] = words[1]
        }
        let q = StructuralMasks.gather(lanes, shift: 0)
        let k = StructuralMasks.gather(lanes, shift: 2)
        let anySlash = (lanes[0] | lanes[1] | lanes[2] | lanes[3] | lanes[4] | lanes[5] | lanes[6] | lanes[7]) & 0x0202_0202_0202_0202
        let escaped: UInt64
        var b: UInt64 = 0
        if anySlash == 0 {
            escaped = escapedCarry
            escapedCarry = 0
        } else {
            b = StructuralMasks.gather(lanes, shift: 1)
            // simdjson's find_escaped: a run of backslashes starting on an even bit, plus the
            // run itself, carries past its end exactly when its length is odd on that parity.
            let s = b & ~escapedCarry
            let follows = s << 1 | escapedCarry
            let even: UInt64 = 0x5555_5555_5555_5555
            let oddStarts = s & ~even & ~follows
            let (sum, overflow) = oddStarts.addingReportingOverflow(s)
            escapedCarry = overflow ? 1 : 0
            escaped = (even ^ (sum << 1)) & follows
        }
        let real = q & ~escaped
        // Prefix XOR: bit i is the parity of the unescaped quotes at or before i.
        var x = real
        x ^= x << 1; x ^= x << 2; x ^= x << 4; x ^= x << 8; x ^= x << 16; x ^= x << 32
        x ^= stringCarry
        stringCarry = UInt64(bitPattern: Int64(bitPattern: x) >> 63)
        quotes[w] = real
        backslashes[w] = b
        inString[w] = x
        brackets[w] = k & ~x
        bad |= q & escaped & ~x
    }

    /// Bit `shift` of each of the 64 lanes' bytes, gathered into one word (lane i to bit i):
    /// per 8 lanes, the 0/1 bytes times 0x0102040810204080 put byte j's bit at bit 56 + j.
    @inline(__always)
    private static func gather(_ lanes: SIMD8<UInt64>, shift: UInt64) -> UInt64 {
        var out: UInt64 = 0
        for i in 0..<8 {
            out |= ((((lanes[i] &>> shift) & 0x0101_0101_0101_0101) &* 0x0102_0408_1020_4080) &>> 56) &<< UInt64(i << 3)
        }
        return out
    }

    /// The masks of one line, as a walker reads them (valid while the `StructuralMasks` lives
    /// and classifies no other line).
    struct View {
        let quotes: UnsafeMutablePointer<UInt64>
        let backslashes: UnsafeMutablePointer<UInt64>
        let inString: UnsafeMutablePointer<UInt64>
        let brackets: UnsafeMutablePointer<UInt64>
        let origin: Int
        let count: Int
        let trusted: Bool

        /// The first unescaped quote at or after offset `i` (within the line), or -1.
        @inline(__always)
        func nextQuote(from i: Int) -> Int {
            let r = i &- origin
            var w = r &>> 6
            guard r >= 0, w < count else { return -1 }
            var bits = quotes[w] & (~0 &<< UInt64(r & 63))
            while bits == 0 {
                w &+= 1
                guard w < count else { return -1 }
                bits = quotes[w]
            }
            return origin &+ (w &<< 6) &+ bits.trailingZeroBitCount
        }

        /// True when a backslash is in `[from, to)` (both within the line).
        @inline(__always)
        func hasBackslash(from: Int, to: Int) -> Bool {
            guard to > from else { return false }
            let a = from &- origin, b = to &- origin
            var w = a &>> 6
            let last = (b &- 1) &>> 6
            var bits = backslashes[w] & (~0 &<< UInt64(a & 63))
            while w < last {
                if bits != 0 { return true }
                w &+= 1
                bits = backslashes[w]
            }
            let tail = b & 63
            if tail != 0 { bits &= ~(~0 &<< UInt64(tail)) }
            return bits != 0
        }

        /// True when the masks have the walker outside a string just before offset `i`.
        @inline(__always)
        func outsideString(before i: Int) -> Bool {
            let r = i &- origin
            guard r > 0 else { return r == 0 }
            let j = r &- 1
            guard (j &>> 6) < count else { return false }
            return inString[j &>> 6] & (1 &<< UInt64(j & 63)) == 0
        }

        /// From offset `i` (outside strings), the offset just past the bracket that brings
        /// `depth` back to zero, or -1 when the line ends first.
        @inline(__always)
        func closeBrackets(_ base: UnsafePointer<UInt8>, from i: Int, depth start: Int) -> Int {
            var depth = start
            let r = i &- origin
            var w = r &>> 6
            guard r >= 0, w < count else { return -1 }
            var bits = brackets[w] & (~0 &<< UInt64(r & 63))
            while true {
                while bits != 0 {
                    let at = origin &+ (w &<< 6) &+ bits.trailingZeroBitCount
                    bits &= bits &- 1
                    // `{`/`[` have bit 1 set (0x7B, 0x5B), `}`/`]` clear (0x7D, 0x5D).
                    if base[at] & 0x02 != 0 { depth &+= 1 } else {
                        depth &-= 1
                        if depth == 0 { return at &+ 1 }
                    }
                }
                w &+= 1
                guard w < count else { return -1 }
                bits = brackets[w]
            }
        }
    }
}
