// swift-tools-version:6.1
// libFuzzer targets for Spanscope's readers and header parsers, all in one executable that picks
// its target from SPANSCOPE_FUZZ_TARGET. Not part of the main build: Scripts/fuzz.sh builds this
// package (release, -sanitize=fuzzer,address, -enable-testing for the readers' internal entry
// points) into .build-fuzz and runs each target.
import PackageDescription

let package = Package(
    name: "SpanscopeFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Spanscope", path: "../..")],
    targets: [
        .target(name: "CLibFuzzer"),
        .executableTarget(name: "spanscope-fuzz", dependencies: [
            "CLibFuzzer",
            .product(name: "TraceModel", package: "Spanscope"),
            .product(name: "TraceConventions", package: "Spanscope"),
            .product(name: "TraceFormats", package: "Spanscope"),
            .product(name: "TraceAnalysis", package: "Spanscope"),
            .product(name: "Explorer", package: "Spanscope"),
            .product(name: "Reports", package: "Spanscope"),
            .product(name: "AITracing", package: "Spanscope"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
