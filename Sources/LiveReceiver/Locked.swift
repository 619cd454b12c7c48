#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex: request handlers run on several threads at once, the
/// explorer reads from the main thread.
///
/// A pthread mutex rather than `Synchronization.Mutex` for the reason AITracing's `Locked`
/// gives: ThreadSanitizer sees pthread locking but not the standard library's futex lock.
final class Locked<Value>: @unchecked Sendable {
    // `@unchecked`: every access to `value` goes through `withLock`.
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always)
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
