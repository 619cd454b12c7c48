// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Spanscope",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spanscope", targets: ["spanscope"]),
        .library(name: "TraceModel", targets: ["TraceModel"]),
        .library(name: "TraceFormats", targets: ["TraceFormats"]),
        .library(name: "TraceAnalysis", targets: ["TraceAnalysis"]),
        .library(name: "Explorer", targets: ["Explorer"]),
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
        // ncursesw, linked by the module map (asking pkg-config only adds cflags SwiftPM refuses,
        // with a warning); the shim header wraps what Swift cannot import (macros, C globals).
        .systemLibrary(name: "CNCurses",
                       providers: [.apt(["libncurses-dev"]), .brew(["ncurses"])]),
        .target(name: "Explorer", dependencies: ["TraceModel", "TraceAnalysis"]),
        .target(name: "TerminalUI", dependencies: ["Explorer", "CNCurses"]),
        .executableTarget(
            name: "spanscope",
            dependencies: [
                "TraceModel", "TraceFormats", "TraceAnalysis", "Reports", "Synthetic", "Explorer", "TerminalUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "TraceModelTests", dependencies: ["TraceModel"]),
        .testTarget(name: "TraceFormatsTests", dependencies: ["TraceFormats", "TraceModel", "Synthetic"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "TraceAnalysisTests", dependencies: ["TraceAnalysis", "TraceModel", "TraceFormats"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "TraceAnalysis", "TraceModel", "TraceFormats"]),
        .testTarget(name: "ExplorerTests", dependencies: ["Explorer", "TraceModel", "TraceAnalysis", "TraceFormats"],
                    exclude: ["Screens"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "Explorer"]),
    ],
    swiftLanguageModes: [.v6]
)
