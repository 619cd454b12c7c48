import LocalHTTP
import TestSupport
import Testing
import TraceModel

@Suite struct LocalHTTPTests {
    @Test func aBusyPortIsRecognisedByItsErrorCode() async throws {
        let first = try await LocalHTTPServer.start { _ in .text("first") }
        var busy: (any Error)?
        do {
            let second = try await LocalHTTPServer.start(port: first.port) { _ in .text("second") }
            await second.shutdown()
            Issue.record("a second server bound port \(first.port)")
        } catch {
            busy = error
        }
        #expect(busy.map(LocalHTTPServer.isAddressInUse) == true, "\(String(describing: busy))")
        #expect(!LocalHTTPServer.isAddressInUse(CancellationError()))
        await first.shutdown()
    }

    @Test func bindsLoopbackOnAFreePortAndRoutesToTheHandler() async throws {
        let seen = Locked<[String]>([])
        let server = try await LocalHTTPServer.start { request in
            seen.withLock { $0.append("\(request.method) \(request.target) \(request.header("X-Probe") ?? "-")") }
            if request.path == "/echo" { return HTTPResponse(status: 201, headers: [("X-Len", "\(request.body.count)")], body: .bytes(request.body)) }
            return .text("not here", status: 404)
        }
        #expect(server.host == "127.0.0.1")
        #expect(server.port > 0)
        let (status, headers, body) = try await fetch(server.baseURL + "/echo?x=1", method: "POST", body: Array("hello".utf8))
        #expect(status == 201)
        #expect(body == "hello")
        #expect(headers["x-len"] == "5")
        let (missing, _, _) = try await fetch(server.baseURL + "/other")
        #expect(missing == 404)
        #expect(seen.withLock { $0 }.first == "POST /echo?x=1 -")
        await server.shutdown()
    }

    @Test func refusesBodiesOverTheLimit() async throws {
        let server = try await LocalHTTPServer.start(maxBodyBytes: 1000) { _ in .text("ok") }
        let (ok, _, _) = try await fetch(server.baseURL + "/", method: "POST", body: Array(repeating: 1, count: 1000))
        #expect(ok == 200)
        let (refused, _, body) = try await fetch(server.baseURL + "/", method: "POST", body: Array(repeating: 1, count: 5000))
        #expect(refused == 413)
        #expect(body.contains("larger than 1000 bytes"))
        await server.shutdown()
    }

    @Test func streamsAResponsePieceByPiece() async throws {
        let server = try await LocalHTTPServer.start { _ in
            HTTPResponse(status: 200, headers: [("Content-Type", "text/event-stream")], body: .stream { writer in
                for i in 0..<5 {
                    try await writer.write("data: \(i)\n\n")
                    try await Task.sleep(for: .milliseconds(2))
                }
            })
        }
        let (status, headers, body) = try await fetch(server.baseURL + "/events")
        #expect(status == 200)
        #expect(headers["content-type"] == "text/event-stream")
        #expect(body == (0..<5).map { "data: \($0)\n\n" }.joined())
        await server.shutdown()
    }

    @Test func servesManyRequestsConcurrently() async throws {
        let server = try await LocalHTTPServer.start { request in .text(String(request.path.dropFirst())) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 {
                group.addTask {
                    let (_, _, body) = try await fetch(server.baseURL + "/\(i)")
                    #expect(body == "\(i)")
                }
            }
            try await group.waitForAll()
        }
        await server.shutdown()
    }

    @Test func refusesConnectionsAfterShutdown() async throws {
        let server = try await LocalHTTPServer.start { _ in .text("ok") }
        await server.shutdown()
        await #expect(throws: (any Error).self) { _ = try await fetch(server.baseURL + "/") }
    }
}
