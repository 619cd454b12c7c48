import CZlib
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// What several test targets need alike: the repository's folders, the captured exporter bodies,
// gzip, temporary files, an HTTP client, and a way to run heavy work off the cooperative pool.
// Only Foundation and zlib, so that any test target can use it without linking the readers.

/// The repository's folder, found from this file's path (Tests/TestSupport/TestSupport.swift).
public let repositoryDirectory: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// The repository's `Tests` folder.
public let testsDirectory: String = repositoryDirectory + "/Tests"

/// The repository's `SampleTraces` folder (no trailing slash).
public let sampleDirectory: String = repositoryDirectory + "/SampleTraces"

/// TraceFormatsTests' fixtures, with a trailing slash: bodies captured from real exporters.
public let fixtureDirectory: String = testsDirectory + "/TraceFormatsTests/Fixtures/"

/// The OTLP protobuf `ExportTraceServiceRequest`s the Python OTLP/HTTP exporter sent, in the
/// order sent (the fixture holds each behind a 4-byte big-endian length; the same message is
/// what its gRPC exporter puts in a gRPC frame).
public func pythonProtobufBodies() throws -> [[UInt8]] {
    let all = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixtureDirectory + "python-otel-otlp.binpb.list")))
    var bodies: [[UInt8]] = []
    var i = 0
    while i + 4 <= all.count {
        let n = Int(all[i]) << 24 | Int(all[i + 1]) << 16 | Int(all[i + 2]) << 8 | Int(all[i + 3])
        bodies.append(Array(all[(i + 4)..<(i + 4 + n)]))
        i += 4 + n
    }
    return bodies
}

/// Gzip-compresses `bytes` with the system zlib (window bits 15 + 16 ask for the gzip wrapper).
public func gzip(_ bytes: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    let ok = deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                           Int32(MemoryLayout<z_stream>.size))
    precondition(ok == Z_OK)
    defer { deflateEnd(&stream) }
    var input = bytes
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
    let produced: Int = input.withUnsafeMutableBufferPointer { inBuf in
        out.withUnsafeMutableBufferPointer { outBuf in
            stream.next_in = inBuf.baseAddress
            stream.avail_in = UInt32(inBuf.count)
            stream.next_out = outBuf.baseAddress
            stream.avail_out = UInt32(outBuf.count)
            precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
            return outBuf.count - Int(stream.avail_out)
        }
    }
    return Array(out[0..<produced])
}

/// A fresh, empty directory under /tmp for one test.
public func temporaryDirectory() -> String {
    var template = Array("/tmp/spanscope-test-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}

/// A path named `name` in a fresh temporary directory.
public func temporaryPath(_ name: String) -> String { temporaryDirectory() + "/" + name }

/// `body`'s result, computed on a thread of its own.
///
/// Swift Testing runs async tests on the cooperative pool, one thread per core (two here):
/// seconds of synchronous work there starved the async network tests beside it into their
/// timeouts. A plain Thread is outside that pool, and outside Dispatch's global queues, which
/// on Linux may share its threads.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (done: CheckedContinuation<T, Never>) in
        Thread { done.resume(returning: body()) }.start()
    }
}

/// `body`'s result or error, computed on a thread of its own (see the non-throwing `offPool`).
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await offPool { Result { try body() } }.get()
}

/// Runs `body`, and every task it starts (a task group's children included), on `threads`
/// threads of their own instead of the cooperative pool: for async tests whose concurrent tasks
/// do seconds of synchronous work. Task-local values are inherited as usual; the threads end
/// when `body` returns.
public func offPool<T: Sendable>(threads: Int, _ body: @Sendable () async throws -> T) async rethrows -> T {
    let executor = ThreadExecutor(threads: threads)
    defer { executor.shutDown() }
    return try await withTaskExecutorPreference(executor, operation: body)
}

/// A task executor with threads of its own, taking jobs in the order they come.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    // The queue and the stop flag are guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    init(threads: Int) {
        for _ in 0..<max(1, threads) { Thread { self.work() }.start() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        if stopping {
            // A task started inside `body` but outliving it: its own thread, rather than no thread.
            condition.unlock()
            Thread { job.runSynchronously(on: self.asUnownedTaskExecutor()) }.start()
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads finish once the queue is empty.
    func shutDown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

/// Sends one request with URLSession; returns the status, the headers (names lowercased) and
/// the body as text.
public func fetch(_ url: String, method: String = "GET", body: [UInt8]? = nil,
                  type: String? = nil) async throws -> (Int, [String: String], String) {
    var request = URLRequest(url: URL(string: url)!)
    // Far past the default 60 s: in the full parallel suite on two cores the server's tasks can
    // wait that long for a cooperative thread.
    request.timeoutInterval = 180
    request.httpMethod = method
    if let type { request.setValue(type, forHTTPHeaderField: "Content-Type") }
    if let body { request.httpBody = Data(body) }
    return try await withCheckedThrowingContinuation { continuation in
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error { continuation.resume(throwing: error); return }
            let http = response as! HTTPURLResponse
            var headers: [String: String] = [:]
            for (k, v) in http.allHeaderFields { headers[(k as! String).lowercased()] = v as? String }
            continuation.resume(returning: (http.statusCode, headers, String(decoding: data ?? Data(), as: UTF8.self)))
        }.resume()
    }
}
