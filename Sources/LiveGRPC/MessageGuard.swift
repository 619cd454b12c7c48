import GRPCCore
import NIOCore
import NIOHPACK
import NIOHTTP2

/// Sits first in each HTTP/2 stream's pipeline, before grpc-swift-nio-transport's stream handler,
/// so that messages the transport cannot decode get a gRPC status instead of a stream reset.
///
/// The transport answers a message it cannot decode (a corrupt compressed one, one whose length
/// prefix is past its limit, one flagged compressed without a `grpc-encoding`) by resetting the
/// stream, which clients report as UNAVAILABLE and retry (grpc-swift-nio-transport 2.9,
/// `GRPCStreamStateMachine.serverReceive(buffer:)`: any decode error → `forwardErrorAndClose`).
/// So this guard:
/// - takes `grpc-encoding: gzip`/`deflate` off the request headers (the transport then has no
///   decompressor) and clears the messages' compressed flag; whether the first message was
///   compressed goes on as `spanscope-compressed: 1`, and the receiver inflates it with zlib
///   under its own limit (INVALID_ARGUMENT when corrupt, RESOURCE_EXHAUSTED when too large);
/// - holds the request headers until the first message's 5-byte prefix has arrived, and when
///   that prefix already settles the answer (longer than the limit, flagged compressed without
///   an encoding) passes on the headers with `spanscope-refused-code`/`spanscope-refused`, an
///   empty message and the end of the stream, and drops the rest of what the client sends; the
///   receiver then answers with that status through grpc-swift's usual path.
/// Frames after the first message pass through with only their compressed flag cleared.
final class MessageGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload

    /// Header the receiver reads: the first message came compressed with the request's encoding.
    static let compressedKey = "spanscope-compressed"
    /// Header the receiver reads: the gRPC status code (its number) to answer with at once.
    static let refusedCodeKey = "spanscope-refused-code"
    /// Header the receiver reads: why, for the status message.
    static let refusedKey = "spanscope-refused"
    /// Header the receiver reads: the encoding the client named.
    static let encodingKey = "spanscope-grpc-encoding"

    private enum Phase {
        /// Waiting for the request headers.
        case headers
        /// Reading a 5-byte message prefix (so far in `prefix`).
        case prefix
        /// Passing on this many more bytes of the current message.
        case payload(Int)
        /// The answer is settled: whatever else the client sends is dropped.
        case discarding
    }

    private let limit: Int
    private var phase = Phase.headers
    private var held: HPACKHeaders?
    private var encoding: String?
    private var prefix: [UInt8] = []

    /// A guard refusing messages longer than `limit` bytes.
    init(limit: Int) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let payload = unwrapInboundIn(data)
        switch (phase, payload) {
        case (.discarding, _):
            return
        case (.headers, .headers(let h)):
            var headers = h.headers
            for name in [Self.compressedKey, Self.refusedCodeKey, Self.refusedKey, Self.encodingKey] {
                headers.remove(name: name)
            }
            let named = headers.values(forHeader: "grpc-encoding", canonicalForm: true).map { $0.lowercased() }
            if named.count == 1, named[0] == "gzip" || named[0] == "deflate" {
                headers.remove(name: "grpc-encoding")
                headers.add(name: Self.encodingKey, value: named[0])
                encoding = named[0]
            }
            phase = .prefix
            if h.endStream {
                forward(context, .headers(.init(headers: headers, endStream: true)))
            } else {
                held = headers
            }
        case (_, .data(let d)):
            guard case .byteBuffer(var buffer) = d.data else {
                context.fireChannelRead(data)
                return
            }
            var out = context.channel.allocator.buffer(capacity: buffer.readableBytes)
            while buffer.readableBytes > 0 {
                switch phase {
                case .payload(let remaining):
                    let n = min(remaining, buffer.readableBytes)
                    var slice = buffer.readSlice(length: n)!
                    out.writeBuffer(&slice)
                    phase = remaining == n ? .prefix : .payload(remaining - n)
                case .prefix, .headers:
                    let n = min(5 - prefix.count, buffer.readableBytes)
                    prefix += buffer.readBytes(length: n)!
                    guard prefix.count == 5 else { continue }
                    if let refusal = decide(context) {
                        refuse(context, refusal.code, refusal.why)
                        return
                    }
                    // The transport gets the message as if it had come uncompressed.
                    out.writeInteger(encoding == nil ? prefix[0] : UInt8(0))
                    out.writeBytes(prefix[1...])
                    let length = Int(prefix[1]) << 24 | Int(prefix[2]) << 16 | Int(prefix[3]) << 8 | Int(prefix[4])
                    prefix = []
                    phase = length == 0 ? .prefix : .payload(length)
                case .discarding:
                    return
                }
            }
            if d.endStream {
                // The stream ends inside a prefix: the transport sees the cut-off frame, as it would have.
                out.writeBytes(prefix)
                prefix = []
                flushHeaders(context, extra: [])
            }
            if out.readableBytes > 0 || d.endStream {
                forward(context, .data(.init(data: .byteBuffer(out), endStream: d.endStream)))
            }
        case (_, .headers):
            // The client's trailers (or headers out of place): the held headers go first.
            flushHeaders(context, extra: [])
            context.fireChannelRead(data)
        default:
            // Window updates, priority and the like do not settle anything: the headers stay held.
            context.fireChannelRead(data)
        }
    }

    /// What the first message's prefix settles, if anything.
    private func decide(_ context: ChannelHandlerContext) -> (code: RPCError.Code, why: String)? {
        // Only the first message: later ones meet the transport's own checks.
        guard held != nil else { return nil }
        let flag = prefix[0]
        let length = Int(prefix[1]) << 24 | Int(prefix[2]) << 16 | Int(prefix[3]) << 8 | Int(prefix[4])
        if flag > 1 { return (.invalidArgument, "message prefix has compression flag \(flag) (0 or 1 expected)") }
        if flag == 1, encoding == nil {
            return (.invalidArgument, "message flagged compressed, but the request names no grpc-encoding")
        }
        if length > limit {
            return (.resourceExhausted, "message larger than \(limit) bytes" + (flag == 1 ? " compressed" : ""))
        }
        flushHeaders(context, extra: flag == 1 ? [(Self.compressedKey, "1")] : [])
        return nil
    }

    /// Passes on the held headers, with `extra` fields.
    private func flushHeaders(_ context: ChannelHandlerContext, extra: [(String, String)]) {
        guard var headers = held else { return }
        held = nil
        for (name, value) in extra { headers.add(name: name, value: value) }
        forward(context, .headers(.init(headers: headers)))
    }

    /// Passes on the headers marked with the status, an empty message and the end of the stream.
    private func refuse(_ context: ChannelHandlerContext, _ code: RPCError.Code, _ why: String) {
        flushHeaders(context, extra: [(Self.refusedCodeKey, String(code.rawValue)), (Self.refusedKey, why)])
        var empty = context.channel.allocator.buffer(capacity: 5)
        empty.writeBytes([0, 0, 0, 0, 0])
        forward(context, .data(.init(data: .byteBuffer(empty), endStream: true)))
        phase = .discarding
        prefix = []
    }

    private func forward(_ context: ChannelHandlerContext, _ payload: HTTP2Frame.FramePayload) {
        context.fireChannelRead(wrapInboundOut(payload))
    }
}
