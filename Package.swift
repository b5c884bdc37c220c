// swift-tools-version: 6.0
import PackageDescription

// The targets mirror the parts of DESIGN.md, from the bottom up:
// Core -> (Tensor, Scenes) -> Zoo -> (Models, Store, Report) -> Audits -> CLI.
// C libraries are reached through thin system-library or C targets named C*.
let package = Package(
    name: "Faultline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "faultline", targets: ["FaultlineCLI"]),
        .library(name: "FaultlineCore", targets: ["FaultlineCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // C libraries
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CTesseract", pkgConfig: "tesseract", providers: [.apt(["libtesseract-dev"])]),
        .target(name: "COnnxRuntime", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CImageCodecs", linkerSettings: [.linkedLibrary("png"), .linkedLibrary("jpeg")]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        // Parts
        .target(name: "FaultlineCore"),
        .target(name: "FaultlineImageIO", dependencies: ["FaultlineCore", "CImageCodecs"]),
        .target(name: "FaultlineTensor", dependencies: ["FaultlineCore", "COpenBLAS"]),
        .target(name: "FaultlineScenes", dependencies: ["FaultlineCore", "FaultlineImageIO", "CCairo"]),
        .target(
            name: "FaultlineModels",
            dependencies: [
                "FaultlineCore", "FaultlineImageIO", "FaultlineZoo", "CTesseract", "COnnxRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // The loopback OpenAI double (TestDoubles) that tests and `bench --http` serve.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .target(
            name: "FaultlineZoo", dependencies: ["FaultlineCore", "FaultlineImageIO", "FaultlineScenes", "FaultlineTensor"],
            resources: [.copy("Configurations"), .copy("Weights")]),
        .target(name: "FaultlineStore", dependencies: [
            "FaultlineCore", "FaultlineImageIO",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "FaultlineDatasets", dependencies: ["FaultlineCore", "FaultlineImageIO"]),
        .target(name: "FaultlineRunner", dependencies: [
            "FaultlineCore", "FaultlineStore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "FaultlineAudits", dependencies: ["FaultlineCore", "FaultlineScenes", "FaultlineImageIO"]),
        .target(name: "FaultlineReport", dependencies: ["FaultlineCore"]),
        .executableTarget(
            name: "FaultlineCLI",
            dependencies: [
                "FaultlineCore", "FaultlineScenes", "FaultlineModels", "FaultlineStore",
                "FaultlineAudits", "FaultlineReport", "FaultlineImageIO", "FaultlineRunner", "FaultlineDatasets",
                "FaultlineZoo", "FaultlineTensor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Tests
        .testTarget(name: "FaultlineCoreTests", dependencies: ["FaultlineCore"]),
        .testTarget(name: "FaultlineImageIOTests", dependencies: ["FaultlineImageIO"]),
        .testTarget(name: "FaultlineScenesTests", dependencies: ["FaultlineScenes"]),
        .testTarget(name: "FaultlineTensorTests", dependencies: ["FaultlineTensor"]),
        .testTarget(name: "FaultlineZooTests", dependencies: ["FaultlineZoo", "FaultlineScenes", "FaultlineTensor", "FaultlineImageIO"]),
        .testTarget(
            name: "FaultlineModelsTests",
            dependencies: [
                "FaultlineModels", "FaultlineScenes", "FaultlineRunner", "FaultlineStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .testTarget(name: "FaultlineStoreTests", dependencies: ["FaultlineStore"]),
        .testTarget(name: "FaultlineDatasetsTests", dependencies: ["FaultlineDatasets"]),
        .testTarget(name: "FaultlineRunnerTests", dependencies: ["FaultlineRunner", "FaultlineModels"]),
        .testTarget(name: "FaultlineAuditsTests", dependencies: ["FaultlineAudits", "FaultlineScenes", "FaultlineImageIO", "FaultlineZoo"]),
        .testTarget(name: "FaultlineReportTests", dependencies: ["FaultlineReport"]),
        .testTarget(name: "FaultlineCLITests", dependencies: ["FaultlineCLI", "FaultlineStore", "FaultlineImageIO"]),
    ]
)
