import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What arrives from one HTTP exchange: the response head, then body pieces as they come.
enum TransportEvent: Sendable {
    case head(status: Int, headers: [String: String])
    case body(Data)
}

/// Sends a request with FoundationNetworking's URLSession and delivers the response as a stream.
///
/// On this Linux toolchain `URLSession.bytes(for:)` does not exist, but a data delegate is told
/// about each piece of the body as it arrives, which is what server-sent events need. One
/// session per request keeps the delegate's lifetime tied to the request.
enum HTTPTransport {
    static func send(_ request: URLRequest, timeout: TimeInterval) -> AsyncThrowingStream<TransportEvent, any Error> {
        AsyncThrowingStream { continuation in
            let delegate = StreamingDelegate(continuation: continuation)
            let configuration = URLSessionConfiguration.ephemeral
            // An idle timeout: a long stream that keeps sending is not cut off.
            configuration.timeoutIntervalForRequest = timeout
            let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
            let task = session.dataTask(with: request)
            continuation.onTermination = { _ in
                task.cancel()
                session.finishTasksAndInvalidate()
            }
            task.resume()
        }
    }
}

/// Forwards URLSession delegate calls into an async stream.
///
/// `@unchecked Sendable`: its only state is the continuation, which is itself Sendable;
/// NSObject subclasses cannot be checked by the compiler.
final class StreamingDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let continuation: AsyncThrowingStream<TransportEvent, any Error>.Continuation

    init(continuation: AsyncThrowingStream<TransportEvent, any Error>.Continuation) {
        self.continuation = continuation
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (k, v) in http?.allHeaderFields ?? [:] {
            if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v }
        }
        continuation.yield(.head(status: http?.statusCode ?? 0, headers: headers))
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        continuation.yield(.body(data))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error { continuation.finish(throwing: error) } else { continuation.finish() }
    }
}
