import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs independent pieces of work on all cores.
enum Parallel {
    /// Cores available to this process.
    static let cores: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Calls `body(i)` for every `i` in `0..<count`, concurrently when there is enough to share.
    static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            let work = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: count) { work.value($0) }
        }
    }
}

/// Carries a value into concurrent work whose safety the caller guarantees (disjoint writes).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A pointer to a buffer whose elements concurrent workers write one each, never the same one.
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
