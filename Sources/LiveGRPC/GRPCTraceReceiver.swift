import GRPCCore
import GRPCNIOTransportHTTP2
import LiveReceiver
import TraceFormats

/// Receives spans over OTLP/gRPC (`opentelemetry.proto.collector.trace.v1.TraceService/Export`)
/// into the same store, save file and limits as an HTTP `TraceReceiver`.
///
/// The message is handed over as raw bytes (custom (de)serializers, no generated code) and
/// decoded by the same protobuf reader as OTLP/HTTP. Status codes follow the OTLP/gRPC
/// specification (https://github.com/open-telemetry/opentelemetry-proto/blob/main/docs/specification.md#otlpgrpc-response):
/// OK with an `ExportTraceServiceResponse` carrying `partial_success` only when spans were
/// rejected; INVALID_ARGUMENT for a message that cannot be decoded (not retryable), a corrupt
/// compressed one included; RESOURCE_EXHAUSTED for a message over the size limit, compressed or
/// inflated; UNAVAILABLE when the spans cannot be saved (retryable); UNIMPLEMENTED for any other
/// service or method. gzip- and deflate-compressed messages (`grpc-encoding`) are inflated here
/// with zlib under the limit; `MessageGuard` keeps the transport from resetting the stream on
/// messages it could not decode itself.
public final class GRPCTraceReceiver: Sendable {
    /// The OTLP trace service.
    public static let service = "opentelemetry.proto.collector.trace.v1.TraceService"
    /// Its one method.
    public static let method = "Export"
    /// `/service/method`, as the call's HTTP/2 path and in log lines.
    public static var path: String { "/\(service)/\(method)" }

    /// Decodes, saves and stores what arrives.
    public let receiver: TraceReceiver

    /// The transport's own limit, above the receiver's: `MessageGuard` refuses a first message
    /// over the receiver's limit from its length prefix; this only bounds later messages of a
    /// stream (which unary Export refuses anyway), where the transport resets the stream.
    static func transportLimit(_ limit: Int) -> Int {
        limit > Int.max / 4 ? Int.max / 2 : limit * 2 + (1 << 16)
    }

    /// A gRPC front for `receiver` (its options give the message size limit).
    public init(receiver: TraceReceiver) {
        self.receiver = receiver
    }

    /// Starts a gRPC server on `host`:`port` (0: any free port) and returns once it listens.
    public func listen(host: String, port: Int) async throws -> GRPCListener {
        let bindHost = host.lowercased() == "localhost" ? "127.0.0.1" : host
        let address: SocketAddress = bindHost.contains(":")
            ? .ipv6(host: bindHost, port: port) : .ipv4(host: bindHost, port: port)
        var config = HTTP2ServerTransport.Posix.Config.defaults
        let limit = receiver.options.maxBodyBytes
        config.rpc.maxRequestPayloadSize = GRPCTraceReceiver.transportLimit(limit)
        config.compression.enabledAlgorithms = .all
        // First in every stream: messages the transport would answer with a reset get a status.
        config.channelDebuggingCallbacks.onAcceptHTTP2Stream = { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(MessageGuard(limit: limit), position: .first)
            }
        }
        let inner = HTTP2ServerTransport.Posix(address: address, transportSecurity: .plaintext, config: config)
        let transport = LoggingTransport(inner: inner, receiver: receiver)
        let server = GRPCServer(transport: transport, services: [TraceService(receiver: receiver)])
        let serving = Task { try await server.serve() }
        let bound: SocketAddress
        do {
            bound = try await inner.listeningAddress
        } catch {
            // The bind failed: serve() holds the reason.
            server.beginGracefulShutdown()
            if case .failure(let reason) = await serving.result { throw GRPCListenError(reason) }
            throw GRPCListenError(error)
        }
        let boundPort = bound.ipv4?.port ?? bound.ipv6?.port ?? port
        return GRPCListener(port: boundPort, stop: { server.beginGracefulShutdown() }, serving: serving)
    }
}

/// Why the gRPC server could not start, in the system's words.
public struct GRPCListenError: Error, CustomStringConvertible {
    /// The innermost cause (the transport wraps the bind error in layers), for callers that
    /// tell errors apart by their code.
    public let cause: any Error
    /// The innermost cause's description.
    public var description: String { String(describing: cause) }

    init(_ error: any Error) {
        var cause: any Error = error
        while let wrapped = (cause as? RuntimeError)?.cause { cause = wrapped }
        self.cause = cause
    }
}

/// A running gRPC server.
public final class GRPCListener: Sendable {
    /// The port it listens on.
    public let port: Int
    private let stop: @Sendable () -> Void
    private let serving: Task<Void, any Error>

    init(port: Int, stop: @escaping @Sendable () -> Void, serving: Task<Void, any Error>) {
        self.port = port
        self.stop = stop
        self.serving = serving
    }

    /// Stops taking calls, lets calls under way finish, and returns when the server has stopped.
    public func shutdown() async {
        stop()
        _ = await serving.result
    }
}

/// The one method, registered with raw-byte (de)serializers.
private struct TraceService: RegistrableRPCService {
    let receiver: TraceReceiver

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        let receiver = self.receiver
        router.registerHandler(
            forMethod: MethodDescriptor(fullyQualifiedService: GRPCTraceReceiver.service, method: GRPCTraceReceiver.method),
            deserializer: RawMessage(), serializer: RawMessage()
        ) { request, _ in
            let compressed = request.metadata.encoding
            let limit = receiver.options.maxBodyBytes
            if let raw = request.metadata[stringValues: MessageGuard.refusedCodeKey].first(where: { _ in true }),
               let status = Int(raw).flatMap(Status.Code.init(rawValue:)), let code = RPCError.Code(status) {
                // MessageGuard settled it from the message's prefix.
                let why = request.metadata[stringValues: MessageGuard.refusedKey].first(where: { _ in true }) ?? "refused"
                receiver.refusedElsewhere(transport: "gRPC", path: GRPCTraceReceiver.path, status: code.name,
                                          httpStatus: code.httpStatus, compressed: compressed, why)
                throw RPCError(code: code, message: why)
            }
            var message: [UInt8]
            do {
                message = try await ServerRequest(stream: request).message
            } catch let error as RPCError {
                // The transport refused the message (too large, cut short) or there was not exactly one.
                receiver.refusedElsewhere(transport: "gRPC", path: GRPCTraceReceiver.path, status: error.code.name,
                                          httpStatus: error.code.httpStatus, compressed: compressed, error.message)
                throw error
            }
            if request.metadata[stringValues: MessageGuard.compressedKey].contains("1") {
                do throws(GzipBody.Failure) {
                    message = try GzipBody.decompress(message, limit: limit)
                } catch {
                    let (code, why): (RPCError.Code, String)
                    switch error {
                    case .tooLarge: (code, why) = (.resourceExhausted, "message larger than \(limit) bytes once inflated")
                    case .corrupt(let reason): (code, why) = (.invalidArgument, "compressed message is corrupt: \(reason)")
                    }
                    receiver.refusedElsewhere(transport: "gRPC", path: GRPCTraceReceiver.path, status: code.name,
                                              httpStatus: code.httpStatus, compressed: true, why)
                    throw RPCError(code: code, message: why)
                }
            }
            if message.count > limit {
                let why = "message larger than \(limit) bytes" + (compressed ? " once inflated" : "")
                receiver.refusedElsewhere(transport: "gRPC", path: GRPCTraceReceiver.path, status: RPCError.Code.resourceExhausted.name,
                                          httpStatus: 413, compressed: compressed, why)
                throw RPCError(code: .resourceExhausted, message: why)
            }
            let answer = receiver.exportProtobuf(message, transport: "gRPC", path: GRPCTraceReceiver.path,
                                                 compressed: compressed, status: { $0.code.name })
            switch answer {
            case .accepted(let response, _, _):
                return StreamingServerResponse(single: ServerResponse(message: response))
            case .invalid(let why):
                throw RPCError(code: .invalidArgument, message: why)
            case .unavailable(let why):
                throw RPCError(code: .unavailable, message: why)
            }
        }
    }
}

/// Passes a message through as its bytes, for the protobuf reader to decode.
private struct RawMessage: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }

    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}

/// Forwards to the real transport and logs calls to methods nobody serves, which the router
/// answers with UNIMPLEMENTED without a word.
private struct LoggingTransport<Inner: ServerTransport>: ServerTransport {
    typealias Bytes = Inner.Bytes

    let inner: Inner
    let receiver: TraceReceiver

    func configure(context: GRPCServerContext) {
        inner.configure(context: context)
    }

    func listen(
        streamHandler: @escaping @Sendable (RPCStream<Inbound, Outbound>, ServerContext) async -> Void
    ) async throws {
        let receiver = self.receiver
        try await inner.listen { stream, context in
            let d = stream.descriptor
            if d.service.fullyQualifiedService != GRPCTraceReceiver.service || d.method != GRPCTraceReceiver.method {
                let path = "/" + String(d.fullyQualifiedMethod.prefix(200))
                receiver.refusedElsewhere(transport: "gRPC", path: path, status: RPCError.Code.unimplemented.name,
                                          httpStatus: 404, compressed: false,
                                          "no such method; spans go to \(GRPCTraceReceiver.path)")
            }
            await streamHandler(stream, context)
        }
    }

    func beginGracefulShutdown() {
        inner.beginGracefulShutdown()
    }
}

extension Metadata {
    /// True when the client compressed its messages.
    fileprivate var encoding: Bool {
        self[stringValues: "grpc-encoding"].contains { $0 != "identity" }
            || self[stringValues: MessageGuard.encodingKey].contains { _ in true }
    }
}

extension TraceReceiver.ExportAnswer {
    /// The gRPC status code of the answer.
    fileprivate var code: RPCError.Code? {
        switch self {
        case .accepted: return nil
        case .invalid: return .invalidArgument
        case .unavailable: return .unavailable
        }
    }
}

extension Optional where Wrapped == RPCError.Code {
    /// `OK` for no error.
    fileprivate var name: String { self?.name ?? "OK" }
}

extension RPCError.Code {
    /// The code's name as the gRPC documentation writes it (grpc/grpc doc/statuscodes.md).
    var name: String {
        switch self {
        case .cancelled: return "CANCELLED"
        case .unknown: return "UNKNOWN"
        case .invalidArgument: return "INVALID_ARGUMENT"
        case .deadlineExceeded: return "DEADLINE_EXCEEDED"
        case .notFound: return "NOT_FOUND"
        case .alreadyExists: return "ALREADY_EXISTS"
        case .permissionDenied: return "PERMISSION_DENIED"
        case .resourceExhausted: return "RESOURCE_EXHAUSTED"
        case .failedPrecondition: return "FAILED_PRECONDITION"
        case .aborted: return "ABORTED"
        case .outOfRange: return "OUT_OF_RANGE"
        case .unimplemented: return "UNIMPLEMENTED"
        case .internalError: return "INTERNAL"
        case .unavailable: return "UNAVAILABLE"
        case .dataLoss: return "DATA_LOSS"
        case .unauthenticated: return "UNAUTHENTICATED"
        default: return "CODE \(rawValue)"
        }
    }

    /// The HTTP status closest in meaning, for the receiver's counters and log.
    var httpStatus: Int {
        switch self {
        case .invalidArgument: return 400
        case .resourceExhausted: return 413
        case .unimplemented: return 404
        case .unavailable: return 503
        case .cancelled: return 499
        default: return 500
        }
    }
}
