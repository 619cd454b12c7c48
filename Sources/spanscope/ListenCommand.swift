#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Dispatch
import Explorer
import LiveGRPC
import LiveReceiver
import LocalHTTP
import Synchronization
import TerminalUI
import TraceAnalysis
import TraceModel
import TerminalText

/// `spanscope listen`: receive spans over OTLP/HTTP and Zipkin and watch them arrive.
struct ListenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Receive spans over OTLP/HTTP, OTLP/gRPC (and Zipkin v2 JSON) and watch them arrive.",
        discussion: """
            Point an instrumented app at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 \
            and OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, or at http://127.0.0.1:4317 with the \
            default gRPC protocol.

            OTLP/HTTP goes to POST /v1/traces (protobuf or JSON, gzip or not), Zipkin v2 JSON to \
            POST /api/v2/spans, OTLP/gRPC to opentelemetry.proto.collector.trace.v1.TraceService/Export \
            (gzip or not) on the --grpc-port.

            The receiver has no authentication, so it listens on loopback unless --allow-remote is given.
            """
    )

    @Option(help: "Address to listen on (loopback unless --allow-remote).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (4318 is OTLP/HTTP's default; 0 picks a free one).")
    var port = 4318

    @Option(name: .customLong("grpc-port"),
            help: ArgumentHelp("Port for OTLP/gRPC (default 4317, its usual port; 0 picks a free one). When the default is taken, listen goes on without gRPC and says so.", valueName: "port"))
    var grpcPort: Int?

    @Option(help: ArgumentHelp("Append every accepted request to FILE as a line of OTLP JSON (readable by spanscope later); each line is on disk before the sender is answered.", valueName: "FILE"))
    var save: String?

    @Flag(name: .customLong("no-ui"), help: "No explorer: print one line per request; stop on Ctrl-C or SIGTERM.")
    var noUI = false

    @Option(name: .customLong("max-spans"), help: "Most spans held in memory; past it the traces that changed longest ago are evicted.")
    var maxSpans = 100_000

    @Flag(name: .customLong("allow-remote"), help: "Allow a non-loopback --host. Anyone who can reach it can send spans: there is no authentication.")
    var allowRemote = false

    @Option(name: .customLong("prices"), help: "JSON price file overriding the built-in prices (model prefix → USD per million tokens).")
    var pricesFile: String?

    @Option(name: .customLong("session-key"), help: "Attribute that names a trace's session, tried before the standard ones (session.id, gen_ai.conversation.id, …): the list's session column, session= in /, @ and stats by session.")
    var sessionKey: String?

    @OptionGroup var terminal: TerminalFlags

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if let g = grpcPort, !(0...65_535).contains(g) { throw ValidationError("--grpc-port must be between 0 and 65535") }
        guard maxSpans >= 1 else { throw ValidationError("--max-spans must be at least 1") }
        if !ListenCommand.isLoopback(host) && !allowRemote {
            throw ValidationError("\(host) is not a loopback address; the receiver has no authentication, "
                                  + "so listening there needs --allow-remote")
        }
    }

    /// True for addresses only this machine can reach.
    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "[::1]" || h.hasPrefix("127.")
    }

    func run() throws {
        if !noUI && !ExplorerApp.hasTerminal {
            printError("spanscope: \(TerminalError.notATerminal.description); or use `spanscope listen --no-ui`")
            throw ExitCode(1)
        }
        let prices = try priceTable(pricesFile)
        if !ListenCommand.isLoopback(host) {
            printError("spanscope: warning: listening on \(host), beyond this machine: the receiver has no "
                       + "authentication, so anyone who can reach it can send spans\(save == nil ? "" : " (and fill \(save!))")")
        }
        let store = LiveStore(maxSpans: maxSpans)
        let options = ReceiverOptions(savePath: save)
        let receiver = TraceReceiver(store: store, options: options, log: noUI ? ListenCommand.logLine : nil)
        let bindHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let (host, port) = (bindHost, port)
        let server: LocalHTTPServer
        do {
            server = try waitFor { try await receiver.listen(host: host, port: port) }
        } catch {
            printError("spanscope: cannot listen on \(host):\(port): \(ListenCommand.describe(error))")
            throw ExitCode(1)
        }
        let hostPart = bindHost.contains(":") ? "[\(bindHost)]" : bindHost
        let address = "http://" + hostPart + ":\(server.port)"
        // OTLP/gRPC beside it, into the same store and save file.
        let grpcReceiver = GRPCTraceReceiver(receiver: receiver)
        let wantedGRPC = grpcPort ?? 4317
        var grpc: GRPCListener?
        do {
            grpc = try waitFor { try await grpcReceiver.listen(host: host, port: wantedGRPC) }
        } catch {
            let why = ListenCommand.describe((error as? GRPCListenError)?.cause ?? error, flag: "--grpc-port")
            if grpcPort != nil {
                waitFor { await server.shutdown() }
                printError("spanscope: cannot listen for OTLP/gRPC on \(host):\(wantedGRPC): \(why)")
                throw ExitCode(1)
            }
            printError("spanscope: warning: OTLP/gRPC is off: cannot listen on \(host):\(wantedGRPC): \(why)")
        }
        let grpcAddress = grpc.map { "http://" + hostPart + ":\($0.port)" }
        if noUI {
            try runHeadless(server, grpc, receiver, address: address, grpcAddress: grpcAddress)
        } else {
            defer { if let grpc { waitFor { await grpc.shutdown() } } }
            try runExplorer(store, address: address, grpcAddress: grpcAddress, prices: prices)
        }
    }

    // MARK: Headless

    /// Set by SIGINT or SIGTERM while running headless.
    private static let stopSignal = Atomic<Int32>(0)

    private func runHeadless(_ server: LocalHTTPServer, _ grpc: GRPCListener?, _ receiver: TraceReceiver, address: String, grpcAddress: String?) throws {
        ListenCommand.printLine("spanscope: listening on \(address) (OTLP/HTTP POST \(TraceReceiver.otlpPath), "
                                + "Zipkin POST \(TraceReceiver.zipkinPath))" + (save.map { "; saving to \(terminalSafe($0))" } ?? ""))
        if let grpcAddress {
            ListenCommand.printLine("spanscope: OTLP/gRPC on \(grpcAddress) (\(GRPCTraceReceiver.service)/\(GRPCTraceReceiver.method))")
        }
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { s in ListenCommand.stopSignal.store(s, ordering: .relaxed) }
        }
        while ListenCommand.stopSignal.load(ordering: .relaxed) == 0 {
            usleep(50_000)
        }
        // Stop taking new connections, then let requests being answered finish: what was
        // acknowledged is already on disk (each line is written and flushed before its answer).
        waitFor { await server.shutdown() }
        if let grpc { waitFor { await grpc.shutdown() } }
        var waited = 0
        while receiver.requestsInFlight > 0 && waited < 100 {
            usleep(50_000)
            waited += 1
        }
        let c = receiver.store.counters
        func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        ListenCommand.printLine("spanscope: stopped after \(count(c.requests + c.failedRequests, "request")): "
                                + "\(count(c.acceptedSpans, "span")) accepted, \(c.rejectedSpans) rejected, "
                                + "\(count(c.failedRequests, "request")) refused")
    }

    /// One line per answered request.
    @Sendable static func logLine(_ r: ReceivedRequest) {
        var line = "\(r.transportStatus ?? String(r.status)) \(r.method) \(r.path)"
        if let f = r.format { line += " \(f)" + (r.compressed ? " (gzip)" : "") }
        if r.status < 300 {
            line += ": \(r.accepted) span\(r.accepted == 1 ? "" : "s") accepted"
            if r.rejected > 0 { line += ", \(r.rejected) rejected (\(r.message))" }
        } else {
            line += ": \(r.message)"
        }
        let c = r.counters
        line += " · holding \(c.heldTraces) trace\(c.heldTraces == 1 ? "" : "s"), \(c.heldSpans) span\(c.heldSpans == 1 ? "" : "s")"
        if c.evictedTraces > 0 { line += ", \(c.evictedTraces) evicted" }
        if c.droppedSpans > 0 { line += ", \(c.droppedSpans) over the limit" }
        printLine(terminalSafe(line))
    }

    /// Writes a line to standard output at once (the output may be a pipe that a script reads).
    static func printLine(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }

    // MARK: Explorer

    private func runExplorer(_ store: LiveStore, address: String, grpcAddress: String?, prices: PriceTable) throws {
        let savePath = save
        let warning = ListenCommand.isLoopback(host) ? nil : "(open to the network, no authentication)"
        func status(_ c: ReceiverCounters) -> LiveStatus {
            LiveStatus(address: address, acceptedSpans: c.acceptedSpans, rejectedSpans: c.rejectedSpans,
                       failedRequests: c.failedRequests, evictedTraces: c.evictedTraces, evictedSpans: c.evictedSpans,
                       droppedSpans: c.droppedSpans, savePath: savePath, warning: warning)
        }
        let source = "listen " + address.dropFirst("http://".count) + (grpcAddress.map { " + gRPC " + $0.dropFirst("http://".count) } ?? "")
        let empty = TraceDocument(source: source, format: grpcAddress == nil ? "live OTLP/HTTP + Zipkin" : "live OTLP/HTTP + gRPC + Zipkin",
                                  traces: [])
        let state = ExplorerState(document: empty, prices: prices, size: Size(width: 80, height: 24),
                                  live: status(ReceiverCounters()), sessionKeys: .preferring(sessionKey))
        var seen: UInt64 = 0
        let poll: () -> Action? = {
            guard let snap = store.snapshot(after: seen) else { return nil }
            seen = snap.revision
            let doc = TraceDocument(source: source, format: empty.format, traces: snap.traces,
                                    warnings: snap.problems, skippedSpans: snap.counters.rejectedSpans)
            return .documentUpdated(LiveUpdate(revision: snap.revision, document: doc,
                                               traceRevisions: snap.traceRevisions, status: status(snap.counters)))
        }
        let options = terminal.options
        var cwd = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let directory = getcwd(&cwd, cwd.count) != nil ? SampleLocator.string(cwd) : "."
        do {
            try MainActor.assumeIsolated {
                try ExplorerApp.run(state, options: options, exportDirectory: directory, updates: poll)
            }
        } catch let e as TerminalError {
            printError("spanscope: \(e.description)")
            throw ExitCode(1)
        }
    }

    /// The system's words for a bind failure.
    static func describe(_ error: any Error, flag: String = "--port") -> String {
        if LocalHTTPServer.isAddressInUse(error) {
            return "the address is already in use (another receiver or collector?); pick another \(flag)"
        }
        return String(describing: error)
    }
}

/// Runs async work to completion from synchronous code (the command line is synchronous because
/// the explorer must own the main thread) and returns its result.
func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task.detached {
        do {
            let value = try await work()
            box.result.withLock { $0 = .success(value) }
        } catch {
            box.result.withLock { $0 = .failure(error) }
        }
        done.signal()
    }
    done.wait()
    return try box.result.withLock { $0! }.get()
}

/// Carries a result from a task back to the thread that waits for it.
private final class ResultBox<T: Sendable>: Sendable {
    let result = Locked<Result<T, any Error>?>(nil)
}

/// `waitFor` for work that cannot fail.
func waitFor(_ work: @escaping @Sendable () async -> Void) {
    try? waitFor { () async throws -> Void in await work() }
}
