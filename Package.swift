// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "MedicalScanStudy",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "report", targets: ["ReportCLI"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Plots", targets: ["Plots"]),
        .library(name: "StudyData", targets: ["StudyData"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C libraries, each behind a one-line shim and a [system] modulemap.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(name: "CCairo", path: "Sources/CCairo", pkgConfig: "cairo",
                       providers: [.apt(["libcairo2-dev"]), .brew(["cairo"])]),
        // Linux file-system calls Glibc's module does not expose (renameat2, flock).
        .target(name: "CFileSystem"),
        // Debian's libcmark-gfm.pc links both libcmark-gfm and libcmark-gfm-extensions.
        .systemLibrary(name: "CCMarkGFM", path: "Sources/CCMarkGFM", pkgConfig: "libcmark-gfm",
                       providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"]), .brew(["cmark-gfm"])]),

        .target(name: "SeededRandom"),
        .target(name: "NN", dependencies: ["CBLAS", "SeededRandom"]),
        .target(name: "StudyData", dependencies: ["CPNG", "SeededRandom"]),
        .target(name: "Plots", dependencies: ["CCairo"]),
        // What a training cell runs: data preparation, training, prediction. Its own target so
        // that the training cells' code fingerprint covers exactly this code.
        .target(name: "Training", dependencies: ["NN", "StudyData", "SeededRandom"]),
        // Bootstrap intervals, paired comparisons and the verdict rules of the findings.
        .target(name: "Stats", dependencies: ["SeededRandom"]),
        .target(name: "GFM", dependencies: ["CCMarkGFM"]),
        .target(name: "Report", dependencies: [
            "NN", "StudyData", "Plots", "SeededRandom", "Training", "Stats", "GFM", "CFileSystem",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Yams", package: "Yams"),
        ], plugins: ["SourceFingerprints", "EmbedTemplates"]),
        // The default report templates, compiled into the Report module.
        .executableTarget(name: "embed-templates", path: "Sources/EmbedTemplatesTool"),
        .plugin(name: "EmbedTemplates", capability: .buildTool(), dependencies: ["embed-templates"]),
        ]),
        // Architectures as data: YAML/JSON model specs and Keras's to_json(), built with NN.
        .target(name: "ModelSpec", dependencies: ["NN", "Plots", .product(name: "Yams", package: "Yams")]),
        .executableTarget(name: "ReportCLI", dependencies: [
            "Report", "NN", "StudyData", "Plots", "ModelSpec",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Build-time fingerprints of the code (SHA-256 of each target's sources) for the cache keys.
        .target(name: "SourceHashing"),
        .executableTarget(name: "fingerprint-tool", dependencies: ["SourceHashing"], path: "Sources/FingerprintTool"),
        .plugin(name: "SourceFingerprints", capability: .buildTool(), dependencies: ["fingerprint-tool"]),

        .target(name: "TestSupport", dependencies: ["NN"], path: "Tests/TestSupport"),
        .testTarget(name: "NNTests", dependencies: ["NN", "TestSupport"]),
        .testTarget(name: "StudyDataTests", dependencies: ["StudyData"]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots"], exclude: ["Snapshots"]),
        .testTarget(name: "StatsTests", dependencies: ["Stats"]),
        .testTarget(name: "ReportTests", dependencies: [
            "Report", "NN", "StudyData", "Plots", "Training", "SourceHashing", "Stats", "GFM",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "GFMTests", dependencies: ["GFM"]),
        .testTarget(name: "ModelSpecTests", dependencies: ["ModelSpec", "NN", "Plots", .product(name: "Yams", package: "Yams")],
                    exclude: ["Fixtures"]),
    ]
)
