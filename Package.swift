// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Spanscope",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spanscope", targets: ["spanscope"]),
        .library(name: "TraceModel", targets: ["TraceModel"]),
        .library(name: "TraceConventions", targets: ["TraceConventions"]),
        .library(name: "TraceFormats", targets: ["TraceFormats"]),
        .library(name: "TraceWriters", targets: ["TraceWriters"]),
        .library(name: "TerminalText", targets: ["TerminalText"]),
        .library(name: "TraceAnalysis", targets: ["TraceAnalysis"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "Explorer", targets: ["Explorer"]),
        .library(name: "AITracing", targets: ["AITracing"]),
        .library(name: "AITracingOpenAI", targets: ["AITracingOpenAI"]),
        .library(name: "AITracingOTLP", targets: ["AITracingOTLP"]),
        .library(name: "LocalHTTP", targets: ["LocalHTTP"]),
        .library(name: "LiveReceiver", targets: ["LiveReceiver"]),
        .executable(name: "seed-example", targets: ["seed-example"]),
        .executable(name: "tracing-bench", targets: ["tracing-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", exact: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context", exact: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        // OTLP/gRPC in `listen` (LiveGRPC); only the spanscope executable and its tests build it.
        .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", exact: "2.9.2"),
        .package(url: "https://github.com/apple/swift-nio-http2", exact: "1.46.0"),
    ],
    targets: [
        .target(name: "TraceModel"),
        // One text layer: JSON writing today (safe text, cell widths and formats move here too).
        .target(name: "TerminalText", dependencies: ["TraceModel"]),
        // Writers apart from the readers, so an app that only records links no reader and no zlib.
        .target(name: "TraceWriters", dependencies: ["TraceModel", "TerminalText"]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The one LLM convention table and the JSON scanner it shares with the readers: what a
        // recorder needs to see its own spans as Spanscope does, without the readers and zlib.
        .target(name: "TraceConventions", dependencies: ["TraceModel", "TerminalText"], exclude: ["CONVENTIONS.md"]),
        .target(name: "TraceFormats", dependencies: ["TraceModel", "TraceConventions", "TerminalText", "CZlib"]),
        .target(name: "TraceAnalysis", dependencies: ["TraceModel"]),
        .target(name: "Reports", dependencies: ["TraceModel", "TraceFormats", "TraceAnalysis", "TerminalText", "TraceWriters"]),
        .target(name: "Synthetic", dependencies: ["TraceModel", "TraceFormats", "TraceWriters", "TerminalText"]),
        // ncursesw, linked by the module map (asking pkg-config only adds cflags SwiftPM refuses,
        // with a warning); the shim header wraps what Swift cannot import (macros, C globals).
        .systemLibrary(name: "CNCurses",
                       providers: [.apt(["libncurses-dev"]), .brew(["ncurses"])]),
        .target(name: "Explorer", dependencies: ["TraceModel", "TraceAnalysis", "TraceWriters", "TerminalText"]),
        .target(name: "TerminalUI", dependencies: ["Explorer", "TraceModel", "CNCurses"]),
        .executableTarget(
            name: "spanscope",
            dependencies: [
                "TraceModel", "TraceFormats", "TraceWriters", "TerminalText", "TraceAnalysis", "Reports", "Synthetic",
                "Explorer", "TerminalUI",
                "LiveReceiver", "LocalHTTP", "LiveGRPC", "RemoteSources",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "AITracing",
            dependencies: [
                "TraceModel", "TraceConventions", "TraceWriters", "TerminalText", "TraceAnalysis",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ]
        ),
        .target(
            name: "LocalHTTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(name: "LiveReceiver", dependencies: ["LocalHTTP", "TraceFormats", "TraceWriters", "TerminalText", "TraceModel"]),
        // Jaeger, Tempo and Phoenix query clients: a backend URL wherever a file is accepted.
        .target(name: "RemoteSources", dependencies: ["TraceFormats", "TraceModel"]),
        .target(name: "LiveGRPC", dependencies: [
            "LiveReceiver", "TraceFormats",
            .product(name: "GRPCCore", package: "grpc-swift-2"),
            .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            .product(name: "NIOHPACK", package: "swift-nio-http2"),
        ]),
        .target(name: "AITracingOpenAI", dependencies: ["AITracing", "TraceModel", "TraceAnalysis"]),
        // The OTLP/HTTP exporter: URLSession and zlib, apart so that AITracing itself links neither.
        .target(name: "AITracingOTLP", dependencies: ["AITracing", "TraceModel", "TraceWriters", "CZlib"]),
        .target(name: "OpenAIFake", dependencies: ["LocalHTTP", "TraceModel"]),
        .target(name: "SeedScenario",
                dependencies: ["AITracing", "AITracingOpenAI", "AITracingOTLP", "LocalHTTP", "OpenAIFake", "TraceModel", "TraceFormats"]),
        .executableTarget(name: "seed-example", dependencies: ["SeedScenario"]),
        .executableTarget(name: "tracing-bench", dependencies: ["AITracing", "TraceModel"]),
        // What the test targets share (repository folders, captured bodies, gzip, temporary
        // files, an HTTP client, `offPool`): Foundation and zlib only.
        .target(name: "TestSupport", dependencies: ["CZlib"], path: "Tests/TestSupport"),
        .testTarget(name: "TraceModelTests", dependencies: ["TraceModel"]),
        .testTarget(name: "TraceFormatsTests", dependencies: ["TestSupport", "TraceFormats", "TraceConventions", "TraceWriters", "TerminalText", "TraceModel", "Synthetic"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TraceAnalysisTests", dependencies: ["TestSupport", "TraceAnalysis", "TraceModel", "TraceFormats", "Synthetic"]),
        .testTarget(name: "ReportsTests", dependencies: ["TestSupport", "Reports", "TerminalText", "TraceAnalysis", "TraceModel", "TraceFormats", "TraceWriters", "Synthetic"]),
        .testTarget(name: "ExplorerTests", dependencies: ["TestSupport", "Explorer", "TerminalText", "TraceModel", "TraceAnalysis", "TraceFormats",
                                                       "TraceWriters", "Synthetic"],
                    exclude: ["Screens"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "Explorer"]),
        .testTarget(
            name: "AITracingTests",
            dependencies: [
                "AITracing", "TraceModel", "TraceFormats", "TraceAnalysis", "TestSupport",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(name: "LocalHTTPTests", dependencies: ["TestSupport", "LocalHTTP", "TraceModel"]),
        .testTarget(name: "LiveReceiverTests", dependencies: ["TestSupport", "LiveReceiver", "LocalHTTP", "TraceFormats", "TerminalText", "TraceWriters", "TraceModel"]),
        .testTarget(name: "LiveGRPCTests", dependencies: [
            "LiveGRPC", "LiveReceiver", "TraceFormats", "TraceModel", "TestSupport",
            .product(name: "GRPCCore", package: "grpc-swift-2"),
            .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP2", package: "swift-nio-http2"),
            .product(name: "NIOHPACK", package: "swift-nio-http2"),
        ]),
        .testTarget(name: "RemoteSourcesTests", dependencies: ["TestSupport", "RemoteSources", "TraceFormats", "TraceModel", "LocalHTTP"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "AITracingOTLPTests", dependencies: [
            "AITracingOTLP", "AITracing", "TraceModel", "TraceWriters", "TraceFormats", "LiveReceiver", "LocalHTTP",
        ]),
        .testTarget(name: "AITracingOpenAITests",
                    dependencies: ["AITracingOpenAI", "AITracing", "OpenAIFake", "LocalHTTP", "TraceModel", "TraceAnalysis", "TraceFormats"]),
        .testTarget(name: "SeedScenarioTests",
                    dependencies: ["SeedScenario", "AITracing", "TraceModel", "TraceFormats", "TraceAnalysis", "LiveReceiver"]),
    ],
    swiftLanguageModes: [.v6]
)
