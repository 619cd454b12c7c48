#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex: the project's one lock, for state shared between threads
/// (the recorder's spans and store, the live receiver's traces, the CLI's hand-offs).
///
/// Used rather than `Synchronization.Mutex`: on Linux that Mutex locks with
/// futexes inside the (uninstrumented) standard library, so ThreadSanitizer cannot see it and
/// reports every contended access as a race; it does see pthread locking. Measured with
/// `tracing-bench` (release, 2 cores, same session): the same per span with one task, and
/// faster under contention (about 350 against 590 ns per span with 4 and 8 tasks).
///
/// Copies share one lock and one value (like a class), and `Locked` is `Sendable` only when the
/// value is: a non-Sendable value behind a lock could still escape through `withLock`'s result.
public struct Locked<Value> {
    @usableFromInline let storage: LockedStorage<Value>

    /// Guards `value`.
    public init(_ value: Value) {
        storage = LockedStorage.make(value)
    }

    /// Runs `body` with the value while holding the lock (inlinable: the recorder calls it per span).
    @inlinable
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try storage.withUnsafeMutablePointers { value, mutex in
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return try body(&value.pointee)
        }
    }
}

extension Locked: @unchecked Sendable where Value: Sendable {}
// `@unchecked`: every access to the value goes through `withLock`.

/// The value and its mutex in one allocation (the mutex must not move once initialised, which a
/// `ManagedBuffer`'s tail storage guarantees).
@usableFromInline
final class LockedStorage<Value>: ManagedBuffer<Value, pthread_mutex_t> {
    static func make(_ value: Value) -> LockedStorage<Value> {
        let storage = unsafeDowncast(create(minimumCapacity: 1) { _ in value }, to: LockedStorage<Value>.self)
        storage.withUnsafeMutablePointerToElements { mutex in
            mutex.initialize(to: pthread_mutex_t())
            pthread_mutex_init(mutex, nil)
        }
        return storage
    }

    deinit {
        withUnsafeMutablePointerToElements { mutex in
            pthread_mutex_destroy(mutex)
            mutex.deinitialize(count: 1)
        }
    }
}
