import Synchronization
import TraceModel

/// Makes W3C-format ids: 16-byte trace ids and 8-byte span ids, never all zero.
///
/// The generator is SplitMix64 (Steele, Lea and Flood, "Fast Splittable Pseudorandom Number
/// Generators", OOPSLA 2014; constants as in Vigna's reference splitmix64.c at
/// prng.di.unimi.it/splitmix64.c): an atomic counter advanced by a fixed odd step, then mixed.
/// The mix is a bijection on 64-bit values, so one generator never repeats a span id within
/// 2^64 draws, and a seed makes the sequence reproducible for tests. It is not a cryptographic
/// generator; trace ids only need to be unique, as the seed's `uuid4()` ids were.
public final class IDGenerator: Sendable {
    private let state: Atomic<UInt64>

    /// A generator whose sequence is fixed by `seed` (for tests and reproducible runs).
    public init(seed: UInt64) {
        state = Atomic(seed)
    }

    /// A generator seeded from the system's random source.
    public convenience init() {
        var system = SystemRandomNumberGenerator()
        self.init(seed: system.next())
    }

    /// The process-wide generator tracers use unless given another.
    public static let shared = IDGenerator()

    /// The next non-zero 64-bit value.
    @inline(__always)
    public func next() -> UInt64 {
        while true {
            let x = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            if z != 0 { return z }
        }
    }

    /// A new 8-byte span id.
    @inline(__always)
    public func spanID() -> SpanID { SpanID(.bits64(next())) }

    /// A new 16-byte trace id.
    @inline(__always)
    public func traceID() -> TraceID { TraceID(.bits128(high: next(), low: next())) }
}
