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
        .target(name: "TraceFormats", dependencies: ["TraceModel"], exclude: ["CONVENTIONS.md"]),
        .target(name: "TraceAnalysis", dependencies: ["TraceModel"]),
        .executableTarget(
            name: "spanscope",
            dependencies: [
                "TraceModel", "TraceFormats", "TraceAnalysis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TraceModelTests", dependencies: ["TraceModel"]),
        .testTarget(name: "TraceFormatsTests", dependencies: ["TraceFormats", "TraceModel"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TraceAnalysisTests", dependencies: ["TraceAnalysis", "TraceModel", "TraceFormats"]),
    ],
    swiftLanguageModes: [.v6]
)
