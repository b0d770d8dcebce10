import Foundation
import XCTest
@testable import NN

final class SafetensorsTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("safetensors-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func model(seed: UInt64, hidden: Int = 8) -> Sequential {
        try! Sequential(name: "tiny", inputShape: [2],
                        layers: [TrainingTestRunningMean(), TrainingTestDense(hidden, activation: .relu),
                                 TrainingTestDense(2, activation: .softmax)], seed: seed)
    }

    func testRoundTripRestoresEveryParameterAndMetadata() throws {
        let a = model(seed: 1)
        a.parameters[0].value.data = [0.25, -0.5]    // non-trainable moving stats travel too
        let url = dir.appendingPathComponent("tiny.safetensors")
        try Safetensors.save(a, to: url, metadata: ["architecture": "tiny", "note": "quote \" and \\ newline\n"])
        let b = model(seed: 2)
        XCTAssertNotEqual(a.parameters.map(\.value), b.parameters.map(\.value))
        try Safetensors.load(into: b, from: url)
        XCTAssertEqual(a.parameters.map(\.value), b.parameters.map(\.value))
        XCTAssertEqual(try Safetensors.metadata(at: url), ["architecture": "tiny", "note": "quote \" and \\ newline\n"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        XCTAssertEqual(leftovers, ["tiny.safetensors"], "no temporary file is left behind")
    }

    func testFileLayoutIsStandardSafetensors() throws {
        let a = model(seed: 3)
        let url = dir.appendingPathComponent("layout.safetensors")
        try Safetensors.save(a, to: url, metadata: [:])
        let bytes = try Data(contentsOf: url)
        let n = bytes.prefix(8).withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        XCTAssertEqual(n % 8, 0, "header padded to 8 bytes")
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + n))) as! [String: Any]
        XCTAssertEqual(Set(header.keys), ["running_mean_1/moving_mean", "dense_1/kernel", "dense_1/bias",
                                          "dense_2/kernel", "dense_2/bias"])
        let kernel = header["dense_1/kernel"] as! [String: Any]
        XCTAssertEqual(kernel["dtype"] as? String, "F32")
        XCTAssertEqual(kernel["shape"] as? [Int], [2, 8])
        let offsets = kernel["data_offsets"] as! [Int]
        XCTAssertEqual(offsets[1] - offsets[0], 2 * 8 * 4)
        // The bytes at those offsets are the kernel, little-endian float32, row-major (in, out).
        let body = bytes.subdata(in: (8 + n)..<bytes.count)
        let values = (0..<16).map { i in
            body.withUnsafeBytes { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offsets[0] + 4 * i, as: UInt32.self))) }
        }
        XCTAssertEqual(values, a.parameters[1].value.data)
        // Data section holds exactly the tensors: 2 + 16 + 8 + 16 + 2 floats.
        XCTAssertEqual(body.count, (2 + 16 + 8 + 16 + 2) * 4)
        XCTAssertNil(header["__metadata__"])
    }

    func testLoadRejectsWrongShapeNamingFileAndTensor() throws {
        let url = dir.appendingPathComponent("wide.safetensors")
        try Safetensors.save(model(seed: 4, hidden: 16), to: url)
        let target = model(seed: 5, hidden: 8)
        let before = target.parameters.map(\.value)
        XCTAssertThrowsError(try Safetensors.load(into: target, from: url)) { error in
            XCTAssertEqual(error as? SafetensorsError,
                           .wrongShape(file: url.path, tensor: "dense_1/kernel", expected: [2, 8], found: [2, 16]))
            XCTAssertTrue("\(error)".contains("dense_1/kernel") && "\(error)".contains("wide.safetensors"))
        }
        XCTAssertEqual(target.parameters.map(\.value), before, "a failed load changes nothing")
    }

    func testLoadRejectsMissingAndUnexpectedTensors() throws {
        let small = try Sequential(name: "small", inputShape: [2], layers: [TrainingTestDense(2, activation: .softmax)], seed: 6)
        let url = dir.appendingPathComponent("small.safetensors")
        try Safetensors.save(small, to: url)
        XCTAssertThrowsError(try Safetensors.load(into: model(seed: 7), from: url)) { error in
            XCTAssertEqual(error as? SafetensorsError, .missingTensor(file: url.path, tensor: "running_mean_1/moving_mean"))
        }
        let big = dir.appendingPathComponent("big.safetensors")
        try Safetensors.save(model(seed: 8), to: big)
        let oneDense = try Sequential(name: "one", inputShape: [2], layers: [TrainingTestDense(8, activation: .softmax)], seed: 9)
        XCTAssertThrowsError(try Safetensors.load(into: oneDense, from: big)) { error in
            XCTAssertEqual(error as? SafetensorsError, .unexpectedTensor(file: big.path, tensor: "dense_2/bias"))
        }
    }

    func testLoadRejectsBadFiles() throws {
        let garbage = dir.appendingPathComponent("garbage.safetensors")
        try Data([1, 2, 3]).write(to: garbage)
        XCTAssertThrowsError(try Safetensors.load(into: model(seed: 10), from: garbage)) { error in
            guard case .malformedHeader(let file, _)? = error as? SafetensorsError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, garbage.path)
        }
        let missing = dir.appendingPathComponent("absent.safetensors")
        XCTAssertThrowsError(try Safetensors.load(into: model(seed: 10), from: missing)) { error in
            guard case .unreadable(let file, _)? = error as? SafetensorsError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, missing.path)
        }
        // A valid header whose tensor has dtype F16.
        let f16 = dir.appendingPathComponent("f16.safetensors")
        let json = Array(#"{"w/kernel":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}}"#.utf8)
        var d = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { d.append(contentsOf: $0) }
        d.append(contentsOf: json)
        d.append(Data(count: 8))
        try d.write(to: f16)
        let w = try Sequential(name: "w", inputShape: [2], layers: [TrainingTestDense(2, activation: .softmax)], seed: 11)
        w.layers[0].name = "w"
        XCTAssertThrowsError(try Safetensors.load(into: w, from: f16)) { error in
            XCTAssertEqual(error as? SafetensorsError, .wrongDType(file: f16.path, tensor: "w/kernel", dtype: "F16"))
        }
    }

    func testWriteToUnwritablePlaceThrows() {
        let url = dir.appendingPathComponent("no/such/dir/x.safetensors")
        XCTAssertThrowsError(try Safetensors.save(model(seed: 12), to: url)) { error in
            guard case .unwritable(let file, _)? = error as? SafetensorsError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, url.path)
        }
    }
}
