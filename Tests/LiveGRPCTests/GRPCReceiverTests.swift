import GRPCCore
import LiveGRPC
import LiveReceiver
import TestSupport
import Testing
import TraceFormats
import TraceModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct GRPCReceiverTests {
    @Test func thePythonExportersMessagesAreAcceptedWithAnEmptyResponse() async throws {
        let server = try await Running.start()
        for body in try pythonProtobufBodies() {
            // Full success: partial_success left unset, so the response message is empty.
            #expect(try await call(port: server.listener.port, body).isEmpty)
        }
        await server.listener.shutdown()
        let snap = try #require(server.receiver.store.snapshot())
        #expect(snap.traces.count == 1)
        let t = snap.traces[0]
        #expect(t.count == 3)
        let chat = try #require(t.spans.firstIndex { $0.name == "chat gpt-4o-mini" })
        #expect(t.llmCall(at: chat)?.promptTokens == 412 && t.llmCall(at: chat)?.completionTokens == 57)
        #expect(t.parent(of: chat) != nil)
        #expect(server.logs.all.map(\.transportStatus) == ["OK", "OK", "OK"])
        #expect(server.logs.all.allSatisfy { $0.method == "gRPC" && !$0.compressed })
    }

    @Test func gzipMessagesAreInflated() async throws {
        let server = try await Running.start()
        let bodies = try pythonProtobufBodies()
        for body in bodies { _ = try await call(port: server.listener.port, body, gzip: true) }
        await server.listener.shutdown()
        #expect(server.receiver.store.counters.acceptedSpans == 3)
        #expect(server.logs.all.count == bodies.count && server.logs.all.allSatisfy(\.compressed))
    }

    @Test func rejectedSpansAreReportedAsPartialSuccess() async throws {
        // ResourceSpans{ScopeSpans{Span{trace_id: 3 bytes, span_id: 8 bytes, name "x"}}}
        let bad: [UInt8] = [0x0A, 0x03, 1, 2, 3, 0x12, 0x08, 1, 2, 3, 4, 5, 6, 7, 8, 0x2A, 0x01, 0x78]
        let scope: [UInt8] = [0x12, UInt8(bad.count)] + bad
        let resource: [UInt8] = [0x12, UInt8(scope.count)] + scope
        let body: [UInt8] = [0x0A, UInt8(resource.count)] + resource + (try pythonProtobufBodies()[0])
        let server = try await Running.start()
        let response = try await call(port: server.listener.port, body)
        await server.listener.shutdown()
        // ExportTraceServiceResponse{partial_success(1){rejected_spans(1): 1, error_message(2): "…"}}
        #expect(response.count > 4 && response[0] == 0x0A && response[2] == 0x08 && response[3] == 1)
        #expect(String(decoding: response, as: UTF8.self).contains("trace_id"))
        #expect(server.receiver.store.counters.acceptedSpans == 1 && server.receiver.store.counters.rejectedSpans == 1)
    }

    @Test func aMessageThatIsNotOTLPIsInvalidArgument() async throws {
        let server = try await Running.start()
        // Field 1 says 100 bytes follow; 2 do.
        let error = await #expect(throws: RPCError.self) { try await call(port: server.listener.port, [0x0A, 100, 1, 2]) }
        await server.listener.shutdown()
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("invalid OTLP protobuf") == true)
        #expect(server.receiver.store.counters.failedRequests == 1)
        #expect(server.logs.all.map(\.transportStatus) == ["INVALID_ARGUMENT"])
    }

    @Test func messagesOverTheLimitAreResourceExhaustedCompressedOrNot() async throws {
        let server = try await Running.start(maxBody: 1_000)
        let small = try pythonProtobufBodies()[2]
        #expect(small.count < 1_000)
        let padded = small + [0x7A, 0x80, 0x10] + [UInt8](repeating: 0x41, count: 2_048)   // unknown field 15, 2048 bytes
        let plain = await #expect(throws: RPCError.self) { try await call(port: server.listener.port, padded) }
        #expect(plain?.code == .resourceExhausted)
        // Compressed it is small; inflated it is over the limit.
        #expect(gzip(padded).count < 1_000)
        let zipped = await #expect(throws: RPCError.self) { try await call(port: server.listener.port, padded, gzip: true) }
        #expect(zipped?.code == .resourceExhausted)
        // The server still takes a message under the limit.
        #expect(try await call(port: server.listener.port, small).isEmpty)
        await server.listener.shutdown()
        #expect(server.receiver.store.counters.acceptedSpans > 0)
        #expect(server.receiver.store.counters.failedRequests == 2)
        #expect(server.logs.all.map(\.transportStatus) == ["RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED", "OK"])
        #expect(server.logs.all.first?.message == "message larger than 1000 bytes")
        #expect(server.logs.all.dropFirst().first?.message == "message larger than 1000 bytes once inflated")
    }

    @Test func otherServicesAndMethodsAreUnimplemented() async throws {
        let server = try await Running.start()
        let body = try pythonProtobufBodies()[0]
        let method = await #expect(throws: RPCError.self) {
            try await call(port: server.listener.port, body, method: "Exports")
        }
        let service = await #expect(throws: RPCError.self) {
            try await call(port: server.listener.port, body, service: "opentelemetry.proto.collector.metrics.v1.MetricsService")
        }
        await server.listener.shutdown()
        #expect(method?.code == .unimplemented && service?.code == .unimplemented)
        #expect(server.receiver.store.counters.acceptedSpans == 0 && server.receiver.store.counters.failedRequests == 2)
        #expect(server.logs.all.map(\.path) == ["/opentelemetry.proto.collector.trace.v1.TraceService/Exports",
                                                "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"])
    }

    @Test func aMalformedFrameIsRefusedAndTheServerGoesOn() async throws {
        let server = try await Running.start()
        let body = try pythonProtobufBodies()[0]
        let raw = try await RawHTTP2.connect(port: server.listener.port)
        // The frame claims more bytes than the stream carries before it ends.
        let short = try await raw.send(path: GRPCTraceReceiver.path,
                                       chunks: [grpcFrame(Array(body.prefix(10)), claimedLength: body.count)]).get()
        #expect(short.grpcStatus != nil && short.grpcStatus != 0)
        // Frames the transport itself would answer with a stream reset (which clients report as
        // UNAVAILABLE and retry) get a status that says what is wrong (MessageGuard).
        // Flagged as compressed without a grpc-encoding to say how.
        let flagged = try await raw.send(path: GRPCTraceReceiver.path, chunks: [grpcFrame(body, compressed: true)]).get()
        #expect(flagged.grpcStatus == 3 && !flagged.cutShort)   // INVALID_ARGUMENT
        #expect(flagged.grpcMessage?.contains("flagged compressed, but the request names no grpc-encoding") == true)
        // gzip declared, but the bytes are not gzip.
        let corrupt = try await raw.send(path: GRPCTraceReceiver.path, chunks: [grpcFrame(body, compressed: true)],
                                         extraHeaders: [("grpc-encoding", "gzip")]).get()
        #expect(corrupt.grpcStatus == 3)   // INVALID_ARGUMENT
        #expect(corrupt.grpcMessage?.hasPrefix("compressed message is corrupt") == true)
        // A length prefix far past any limit: refused before anything is buffered, split over two DATA frames.
        let frame = grpcFrame(Array(body.prefix(10)), claimedLength: 1 << 30)
        let huge = try await raw.send(path: GRPCTraceReceiver.path, chunks: [Array(frame.prefix(3)), Array(frame.dropFirst(3))]).get()
        #expect(huge.grpcStatus == 8)   // RESOURCE_EXHAUSTED
        #expect(huge.grpcMessage == "message larger than \(ReceiverOptions.defaultMaxBodyBytes) bytes")
        // A gzip message that inflates properly still goes through the guard.
        let zipped = try await raw.send(path: GRPCTraceReceiver.path, chunks: [grpcFrame(gzip(body), compressed: true)],
                                        extraHeaders: [("grpc-encoding", "gzip")]).get()
        #expect(zipped.grpcStatus == 0)
        // A stream window update between the headers and the message (Python's gRPC client sends
        // one) leaves the headers held until the message's prefix decides them.
        let updated = try await raw.send(path: GRPCTraceReceiver.path, chunks: [grpcFrame(gzip(body), compressed: true)],
                                         extraHeaders: [("grpc-encoding", "gzip")],
                                         beforeData: [.windowUpdate(windowSizeIncrement: 1 << 20)]).get()
        #expect(updated.grpcStatus == 0)
        // The same connection still takes a proper call.
        let good = try await raw.send(path: GRPCTraceReceiver.path, chunks: [grpcFrame(body)]).get()
        #expect(good.grpcStatus == 0)
        await raw.close()
        await server.listener.shutdown()
        #expect(server.receiver.store.counters.acceptedSpans == 3)
        #expect(server.receiver.store.counters.requests == 3)
        #expect(server.logs.all.map(\.transportStatus).suffix(6) == ["INVALID_ARGUMENT", "INVALID_ARGUMENT", "RESOURCE_EXHAUSTED", "OK", "OK", "OK"])
    }

    @Test func aClientThatDisconnectsMidStreamLeavesNothingBehind() async throws {
        let path = "/tmp/spanscope-grpc-\(getpid())-disconnect.jsonl"
        unlink(path)
        defer { unlink(path) }
        let server = try await Running.start(save: path)
        let body = try pythonProtobufBodies()[0]
        let raw = try await RawHTTP2.connect(port: server.listener.port)
        // Half a message, stream left open, then the connection goes away.
        let frame = grpcFrame(body)
        let answer = try await raw.send(path: GRPCTraceReceiver.path, chunks: [Array(frame.prefix(frame.count / 2))], end: false)
        await raw.close()
        let cut = try await answer.get()
        #expect(cut.cutShort)
        // Another client is served as usual.
        #expect(try await call(port: server.listener.port, body).isEmpty)
        await server.listener.shutdown()
        #expect(server.receiver.store.counters.acceptedSpans == 1)
        #expect(server.receiver.requestsInFlight == 0)
        let saved = try TraceLoader.readFile(path)
        #expect(saved.filter { $0 == 0x0A }.count == 1)
    }

    @Test func acceptedMessagesAreSavedBeforeTheyAreAcknowledged() async throws {
        let path = "/tmp/spanscope-grpc-\(getpid())-save.jsonl"
        unlink(path)
        defer { unlink(path) }
        let server = try await Running.start(save: path)
        for body in try pythonProtobufBodies() { _ = try await call(port: server.listener.port, body) }
        // Read while the server still runs: each line was on disk before its call was answered.
        let document = try TraceLoader.load(path: path)
        await server.listener.shutdown()
        #expect(document.traces.count == 1 && document.traces[0].count == 3)
    }

    @Test func aPortInUseIsAClearError() async throws {
        let server = try await Running.start()
        let second = GRPCTraceReceiver(receiver: TraceReceiver(store: LiveStore(maxSpans: 10)))
        let error = await #expect(throws: GRPCListenError.self) {
            _ = try await second.listen(host: "127.0.0.1", port: server.listener.port)
        }
        await server.listener.shutdown()
        #expect(error?.description.contains("in use") == true)
    }
}
