#!/usr/bin/env bash
# Regenerates Sources/ONNXExport/onnx.pb.swift from Sources/ONNXExport/onnx.proto.
#
# onnx.proto is the ONNX project's file, verbatim (Apache-2.0, see its SPDX header), taken
# from the onnx/onnx repository at tag v1.22.0 (path onnx/onnx.proto). To move to another
# ONNX release, replace that file with the release's onnx/onnx.proto and rerun this script.
#
# Needs protoc (Debian: protobuf-compiler) and the swift-protobuf plugin protoc-gen-swift of
# the same version as the package's SwiftProtobuf dependency (1.39.0). Set PROTOC_GEN_SWIFT
# to an existing plugin binary, or let the script build one in a scratch package (about ten
# minutes on two busy cores; later runs reuse it).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
version="${SWIFT_PROTOBUF_VERSION:-1.39.0}"
scratch="${PGS_SCRATCH:-/tmp/protoc-gen-swift-$version}"
plugin="${PROTOC_GEN_SWIFT:-$scratch/.build/release/protoc-gen-swift}"

command -v protoc >/dev/null || { echo "error: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }

if [ ! -x "$plugin" ]; then
    echo "building protoc-gen-swift $version in $scratch"
    mkdir -p "$scratch"
    cat > "$scratch/Package.swift" <<SWIFT
// swift-tools-version:6.1
import PackageDescription
let package = Package(
    name: "pgs",
    dependencies: [.package(url: "https://github.com/apple/swift-protobuf", exact: "$version")],
    targets: []
)
SWIFT
    (cd "$scratch" && swift build -c release --product protoc-gen-swift)
fi

cd "$repo/Sources/ONNXExport"
protoc --plugin=protoc-gen-swift="$plugin" --swift_out=. --swift_opt=Visibility=Internal onnx.proto
echo "wrote Sources/ONNXExport/onnx.pb.swift ($(wc -l < onnx.pb.swift) lines) with $("$plugin" --version 2>/dev/null || echo protoc-gen-swift) and $(protoc --version)"
