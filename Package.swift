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
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
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

        .target(name: "SeededRandom"),
        // Checks OpenBLAS's kernel choice before main (docs/benchmarks.md, "OpenBLAS kernels").
        .target(name: "BLASGuard", dependencies: ["CBLAS"]),
        // Element-wise kernels in C, compiled for AVX-512/AVX2/baseline and picked at run time.
        .target(name: "CKernels"),
        .target(name: "NN", dependencies: ["CBLAS", "BLASGuard", "CKernels", "SeededRandom"]),
        .target(name: "StudyData", dependencies: ["CPNG", "SeededRandom"]),
        .target(name: "Plots", dependencies: ["CCairo"]),
        .target(name: "Report", dependencies: [
            "NN", "StudyData", "Plots", "SeededRandom",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Ink", package: "Ink"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "ReportCLI", dependencies: [
            "Report", "NN", "StudyData", "Plots",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "TestSupport", dependencies: ["NN"], path: "Tests/TestSupport"),
        .testTarget(name: "NNTests", dependencies: ["NN", "TestSupport"]),
        .testTarget(name: "StudyDataTests", dependencies: ["StudyData"]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots"], exclude: ["Snapshots"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "NN", "StudyData", "Plots"]),
    ]
)
