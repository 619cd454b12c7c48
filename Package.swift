// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Spanscope",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "spanscope", targets: ["spanscope"]),
        .library(name: "TraceModel", targets: ["TraceModel"]),
        .library(name: "TraceFormats", targets: ["TraceFormats"]),
        .library(name: "TraceAnalysis", targets: ["TraceAnalysis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        .target(name: "TraceModel"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "TraceFormats", dependencies: ["TraceModel", "CZlib"], exclude: ["CONVENTIONS.md"]),
        .target(name: "TraceAnalysis", dependencies: ["TraceModel"]),
        .target(name: "Reports", dependencies: ["TraceModel", "TraceFormats", "TraceAnalysis"]),
        .target(name: "Synthetic", dependencies: ["TraceModel", "TraceFormats"]),
        .executableTarget(
            name: "spanscope",
            dependencies: [
                "TraceModel", "TraceFormats", "TraceAnalysis", "Reports", "Synthetic",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TraceModelTests", dependencies: ["TraceModel"]),
        .testTarget(name: "TraceFormatsTests", dependencies: ["TraceFormats", "TraceModel", "Synthetic"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TraceAnalysisTests", dependencies: ["TraceAnalysis", "TraceModel", "TraceFormats"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "TraceAnalysis", "TraceModel", "TraceFormats"]),
    ],
    swiftLanguageModes: [.v6]
)
