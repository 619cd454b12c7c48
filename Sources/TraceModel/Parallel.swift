import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs independent pieces of work on all cores.
public enum Parallel {
    /// Cores available to this process.
    public static let cores: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Calls `body(i)` for every `i` in `0..<count`, concurrently when there is enough to share.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let work = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: count) { work.value($0) }
        }
    }

    /// `transform(i)` for every `i` in `0..<count`, computed concurrently, in order.
    public static func map<T>(_ count: Int, _ transform: (Int) -> T) -> [T] {
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            let out = SendablePointer(buffer.baseAddress!)
            forEach(count) { out.pointer[$0] = transform($0) }
        }
        return results.map { $0! }
    }
}

/// Carries a value into concurrent work whose safety the caller guarantees (disjoint writes).
public struct UncheckedSendable<T>: @unchecked Sendable {
    /// The value carried.
    public let value: T
    /// Wraps a value.
    public init(_ value: T) { self.value = value }
}

/// A pointer to a buffer whose elements concurrent workers write one each, never the same one.
public struct SendablePointer<T>: @unchecked Sendable {
    /// The buffer's start.
    public let pointer: UnsafeMutablePointer<T>
    /// Wraps a pointer.
    public init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
