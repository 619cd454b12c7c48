#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 request as the handler sees it: whole, with its body read.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The request target: path plus query, as sent (`/v1/chat/completions?x=1`).
    public var target: String
    /// Header fields in arrival order (names as sent).
    public var headers: [(name: String, value: String)]
    /// The body bytes.
    public var body: [UInt8]

    /// Creates a request.
    public init(method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// The path without the query.
    public var path: String { String(target.prefix { $0 != "?" }) }

    /// Every value of header `name` (case-insensitive), in order.
    public func headerValues(_ name: String) -> [String] {
        let lower = name.lowercased()
        return headers.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? { headerValues(name).first }
}

/// Writes the body of a streamed response, one piece at a time.
public struct ResponseBodyWriter: Sendable {
    let channel: any Channel

    /// Sends `bytes` to the client now (as one HTTP chunk).
    public func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        let buffer = channel.allocator.buffer(bytes: bytes)
        try await channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer))).get()
    }

    /// Sends the UTF-8 of `text`.
    public func write(_ text: String) async throws { try await write(Array(text.utf8)) }
}

/// A response: status, headers and a body that is either complete or streamed.
public struct HTTPResponse: Sendable {
    /// How the body is produced.
    public enum Body: Sendable {
        /// All bytes at once (sent with `Content-Length`).
        case bytes([UInt8])
        /// Written piece by piece by the closure (sent chunked), for server-sent events and the like.
        case stream(@Sendable (ResponseBodyWriter) async throws -> Void)
    }

    /// Status code.
    public var status: Int
    /// Header fields.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: Body

    /// Creates a response.
    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a text body.
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: .bytes(Array(text.utf8)))
    }
}

/// A small HTTP/1.1 server on a loopback address, for tests, examples and local receivers.
///
/// It binds 127.0.0.1 on a free port (or one you choose), reads each request whole (refusing
/// bodies over `maxBodyBytes` with 413), hands it to an async handler, and writes the
/// handler's response, complete or streamed. Connections are kept alive between requests.
public final class LocalHTTPServer: Sendable {
    /// The async function that answers requests.
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse
    /// Answers a request whose body was over the limit; it sees the request without its body.
    public typealias TooLargeHandler = @Sendable (HTTPRequest, _ limit: Int) -> HTTPResponse

    /// The address the server listens on.
    public let host: String
    /// The port it listens on (the one the system chose when started with port 0).
    public let port: Int
    /// Largest request body accepted.
    public let maxBodyBytes: Int
    private let channel: any Channel

    private init(host: String, port: Int, maxBodyBytes: Int, channel: any Channel) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.channel = channel
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://\(host):\(port)" }

    /// Starts listening on `host` (a loopback address) and `port` (0: any free port).
    ///
    /// - Parameter tooLarge: the 413 answer for a body over `maxBodyBytes` (a plain-text 413 when nil).
    public static func start(host: String = "127.0.0.1", port: Int = 0, maxBodyBytes: Int = 16 << 20,
                             tooLarge: TooLargeHandler? = nil,
                             handler: @escaping Handler) async throws -> LocalHTTPServer {
        let limit = max(0, maxBodyBytes)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(maxBodyBytes: limit, tooLarge: tooLarge, handler: handler))
                }
            }
            .bind(host: host, port: port).get()
        let bound = channel.localAddress?.port ?? port
        return LocalHTTPServer(host: host, port: bound, maxBodyBytes: limit, channel: channel)
    }

    /// True when `error`, thrown by `start`, says the address is already in use: read from the
    /// system error's code (`EADDRINUSE`), not from its message, whose wording varies by platform.
    public static func isAddressInUse(_ error: any Error) -> Bool {
        (error as? IOError)?.errnoCode == EADDRINUSE
    }

    /// Stops accepting connections and closes the listening socket.
    public func shutdown() async {
        try? await channel.close().get()
    }
}

/// Collects one request at a time from the HTTP/1 decoder and answers it on a new task.
final class RequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let maxBodyBytes: Int
    private let handler: LocalHTTPServer.Handler
    private let tooLargeHandler: LocalHTTPServer.TooLargeHandler?
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(maxBodyBytes: Int, tooLarge: LocalHTTPServer.TooLargeHandler? = nil, handler: @escaping LocalHTTPServer.Handler) {
        self.maxBodyBytes = maxBodyBytes
        self.tooLargeHandler = tooLarge
        self.handler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
        case .body(var buffer):
            guard !tooLarge else { return }
            if body.count + buffer.readableBytes > maxBodyBytes {
                tooLarge = true
                body = []
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let h = head else { return }
            head = nil
            let channel = context.channel
            let keepAlive = h.isKeepAlive && !tooLarge
            let version = h.version
            if tooLarge {
                let bodiless = HTTPRequest(method: h.method.rawValue, target: h.uri, headers: h.headers.map { ($0.name, $0.value) })
                let response = tooLargeHandler?(bodiless, maxBodyBytes)
                    ?? HTTPResponse.text("request body larger than \(maxBodyBytes) bytes\n", status: 413)
                Task { await RequestHandler.send(response, on: channel, version: version, keepAlive: false) }
                return
            }
            let request = HTTPRequest(method: h.method.rawValue, target: h.uri,
                                      headers: h.headers.map { ($0.name, $0.value) }, body: body)
            body = []
            let handler = self.handler
            Task {
                let response = await handler(request)
                await RequestHandler.send(response, on: channel, version: version, keepAlive: keepAlive)
            }
        }
    }

    static func send(_ response: HTTPResponse, on channel: any Channel, version: HTTPVersion, keepAlive: Bool) async {
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        switch response.body {
        case .bytes(let bytes):
            headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
        case .stream:
            headers.remove(name: "Content-Length")
        }
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        do {
            try await channel.writeAndFlush(HTTPServerResponsePart.head(head)).get()
            switch response.body {
            case .bytes(let bytes):
                if !bytes.isEmpty {
                    // Not awaited: a write's future completes only once flushed, by the `.end` below.
                    channel.write(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: bytes))), promise: nil)
                }
            case .stream(let produce):
                try await produce(ResponseBodyWriter(channel: channel))
            }
            try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
            if !keepAlive { try await channel.close().get() }
        } catch {
            // The client went away or the stream failed midway: nothing sensible is left to send.
            try? await channel.close().get()
        }
    }
}
