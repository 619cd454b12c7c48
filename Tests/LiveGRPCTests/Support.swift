import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import LiveGRPC
import LiveReceiver
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import Synchronization
import TestSupport
import TraceFormats

/// Collects the receiver's log lines.
final class LogLines: Sendable {
    private let lines = Mutex<[ReceivedRequest]>([])

    /// What was logged so far.
    var all: [ReceivedRequest] { lines.withLock { $0 } }

    /// The logging function to give the receiver.
    var log: @Sendable (ReceivedRequest) -> Void {
        { r in self.lines.withLock { $0.append(r) } }
    }
}

/// A receiver with its gRPC server on a free loopback port.
struct Running {
    let receiver: TraceReceiver
    let listener: GRPCListener
    let logs: LogLines

    static func start(maxBody: Int = ReceiverOptions.defaultMaxBodyBytes, save: String? = nil) async throws -> Running {
        let logs = LogLines()
        let receiver = TraceReceiver(store: LiveStore(maxSpans: 1_000),
                                     options: ReceiverOptions(maxBodyBytes: maxBody, savePath: save), log: logs.log)
        let listener = try await GRPCTraceReceiver(receiver: receiver).listen(host: "127.0.0.1", port: 0)
        return Running(receiver: receiver, listener: listener, logs: logs)
    }
}

/// Raw bytes in and out, as the test sends and reads them.
struct Raw: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> [UInt8] { bytes.withUnsafeBytes { Array($0) } }
}

/// Calls `service`/`method` with grpc-swift's own client; returns the response message or throws its RPCError.
func call(port: Int, _ message: [UInt8], gzip: Bool = false,
          service: String = GRPCTraceReceiver.service, method: String = GRPCTraceReceiver.method) async throws -> [UInt8] {
    var config = HTTP2ClientTransport.Posix.Config.defaults
    config.compression = .init(algorithm: gzip ? .gzip : .none, enabledAlgorithms: .all)
    // The client must not refuse to send what the server is meant to refuse.
    let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port),
                                                   transportSecurity: .plaintext, config: config)
    return try await withGRPCClient(transport: transport) { client in
        var options = CallOptions.defaults
        options.compression = gzip ? .gzip : CompressionAlgorithm.none
        options.maxRequestMessageBytes = 1 << 30
        return try await client.unary(request: ClientRequest(message: message),
                                      descriptor: MethodDescriptor(fullyQualifiedService: service, method: method),
                                      serializer: Raw(), deserializer: Raw(), options: options) { try $0.message }
    }
}

/// What the server answered on one raw HTTP/2 stream.
struct RawAnswer: Sendable {
    /// All header fields received (response headers and trailers, in order).
    var headers: [(name: String, value: String)] = []
    /// DATA bytes received.
    var data: [UInt8] = []
    /// True when the stream was reset or the connection closed before the end of the stream.
    var cutShort = false

    /// The `grpc-status` trailer, if any.
    var grpcStatus: Int? { headers.last { $0.name == "grpc-status" }.flatMap { Int($0.value) } }

    /// The `grpc-message` trailer, percent-decoded, if any.
    var grpcMessage: String? { headers.last { $0.name == "grpc-message" }.map { $0.value.removingPercentEncoding ?? $0.value } }
}

/// Reads one stream's frames into a `RawAnswer`.
private final class StreamReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTP2Frame.FramePayload

    private var answer = RawAnswer()
    private let done: EventLoopPromise<RawAnswer>

    init(done: EventLoopPromise<RawAnswer>) { self.done = done }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let h):
            for field in h.headers { answer.headers.append((field.name, field.value)) }
            if h.endStream { done.succeed(answer) }
        case .data(let d):
            if case .byteBuffer(let b) = d.data { answer.data += b.readableBytesView }
            if d.endStream { done.succeed(answer) }
        case .rstStream:
            answer.cutShort = true
            done.succeed(answer)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer.cutShort = true
        done.succeed(answer)
    }
}

/// An HTTP/2 connection that writes gRPC frames by hand, to send what no proper client would.
struct RawHTTP2 {
    let channel: any Channel

    static func connect(port: Int) async throws -> RawHTTP2 {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { ch in
                ch.eventLoop.makeCompletedFuture {
                    _ = try ch.pipeline.syncOperations.configureHTTP2Pipeline(
                        mode: .client, connectionConfiguration: .init(), streamConfiguration: .init()
                    ) { stream in stream.eventLoop.makeSucceededVoidFuture() }
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawHTTP2(channel: channel)
    }

    /// Opens a stream to `path`, sends `chunks` as DATA frames (the last one ending the stream when
    /// `end`), and returns the stream's answer once it is complete; with `end` false it returns as
    /// soon as everything is written, with a future for the answer.
    /// `beforeData` frames go between the headers and the first DATA frame (as real clients send
    /// window updates there).
    func send(path: String, chunks: [[UInt8]], end: Bool = true, extraHeaders: [(String, String)] = [],
              beforeData: [HTTP2Frame.FramePayload] = []) async throws -> EventLoopFuture<RawAnswer> {
        let done = channel.eventLoop.makePromise(of: RawAnswer.self)
        let streamPromise = channel.eventLoop.makePromise(of: (any Channel).self)
        let channel = self.channel
        // The multiplexer is not Sendable: it is used on its event loop only.
        channel.eventLoop.execute {
            do {
                let multiplexer = try channel.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self).syncMultiplexer()
                multiplexer.createStreamChannel(promise: streamPromise) { stream in
                    stream.eventLoop.makeCompletedFuture {
                        try stream.pipeline.syncOperations.addHandler(StreamReader(done: done))
                    }
                }
            } catch {
                streamPromise.fail(error)
            }
        }
        let stream = try await streamPromise.futureResult.get()
        var headers = HPACKHeaders([(":method", "POST"), (":scheme", "http"), (":path", path),
                                    (":authority", "127.0.0.1"), ("content-type", "application/grpc"), ("te", "trailers")])
        for (n, v) in extraHeaders { headers.add(name: n, value: v) }
        let headersFrame = HTTP2Frame.FramePayload.headers(.init(headers: headers, endStream: chunks.isEmpty && end))
        try await stream.writeAndFlush(headersFrame).get()
        for frame in beforeData { try await stream.writeAndFlush(frame).get() }
        for (i, chunk) in chunks.enumerated() {
            let buffer = ByteBuffer(bytes: chunk)
            let frame = HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(buffer), endStream: end && i == chunks.count - 1))
            try await stream.writeAndFlush(frame).get()
        }
        return done.futureResult
    }

    func close() async {
        try? await channel.close().get()
    }
}

/// A gRPC length-prefixed message: compressed flag, 4-byte big-endian length, bytes.
func grpcFrame(_ message: [UInt8], compressed: Bool = false, claimedLength: Int? = nil) -> [UInt8] {
    let n = UInt32(claimedLength ?? message.count)
    return [compressed ? 1 : 0, UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + message
}
