import XCTest
@testable import NN
import TestSupport

/// The fused first convolution + max pool (`ConvPoolFusion`) against the same two layers run
/// one after the other (the model's twin with its input gradient on, which never fuses).
final class ConvPoolFusionTests: XCTestCase {
    struct Case {
        var input: [Int]
        var conv: () -> Conv2D
        var pool: () -> MaxPool2D
        var bandBudget: Int
    }

    func model(_ c: Case) throws -> Sequential {
        try Sequential(name: "fused", inputShape: c.input, layers: [c.conv(), c.pool(), Flatten(), Dense(units: 3)], seed: 5)
    }

    /// Forward values and dL/d(kernel) bit for bit; dL/d(bias) (summed in another order) to rounding.
    func assertMatchesTheLayers(_ c: Case, batch: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let fused = try model(c), twin = try model(c)
        twin.computesInputGradient = true
        let fusion = try XCTUnwrap(fused.fusion, "not fused", file: file, line: line)
        fusion.bandBudget = c.bandBudget
        let x = randomTensor([batch] + c.input, seed: 21)
        let dy = randomTensor([batch, 3], seed: 22)
        for mode in [Mode.inference, .training] {
            let a = fused.forward(x, mode: mode), b = twin.forward(x, mode: mode)
            XCTAssertTrue(fused.lastForwardFused, file: file, line: line)
            XCTAssertFalse(twin.lastForwardFused, file: file, line: line)
            XCTAssertEqual(a.data, b.data, "\(mode) output", file: file, line: line)
        }
        fused.zeroGrad(); twin.zeroGrad()
        let dx = fused.backward(dy)
        twin.backward(dy)
        XCTAssertEqual(dx.shape, [batch] + c.input, file: file, line: line)
        for (p, q) in zip(fused.parameters, twin.parameters) where p.trainable {
            if p === fused.layers[0].parameters[1] {
                let scale = q.grad.data.map(abs).max() ?? 0
                XCTAssertGreaterThan(scale, 0, file: file, line: line)
                for (u, v) in zip(p.grad.data, q.grad.data) { XCTAssertEqual(u, v, accuracy: 1e-5 * scale, "bias", file: file, line: line) }
            } else {
                XCTAssertEqual(p.grad.data, q.grad.data, p.name, file: file, line: line)
            }
        }
    }

    /// conv1's shape of layer (one channel, 3×3, a 3×3 pool that leaves the last rows and
    /// columns out), conv4's (three channels, 5×5, 5×5 pool), conv2's (`same` on both); ReLU
    /// and linear; strides; one band and several; a batch the cores split unevenly.
    func testFusedEqualsTheTwoLayers() throws {
        let cases = [
            Case(input: [13, 13, 1], conv: { Conv2D(filters: 20, kernelSize: 3, activation: .relu) },
                 pool: { MaxPool2D(poolSize: 3) }, bandBudget: 1 << 16),
            Case(input: [13, 13, 1], conv: { Conv2D(filters: 20, kernelSize: 3, activation: .relu) },
                 pool: { MaxPool2D(poolSize: 3) }, bandBudget: 1),
            Case(input: [14, 14, 3], conv: { Conv2D(filters: 18, kernelSize: 5, activation: .relu) },
                 pool: { MaxPool2D(poolSize: 5) }, bandBudget: 600),
            Case(input: [12, 12, 3], conv: { Conv2D(filters: 33, kernelSize: 5, padding: .same, activation: .relu) },
                 pool: { MaxPool2D(poolSize: 2, padding: .same) }, bandBudget: 300),
            Case(input: [11, 9, 2], conv: { Conv2D(filters: 7, kernelSize: (3, 2), strides: (1, 2), activation: .linear) },
                 pool: { MaxPool2D(poolSize: (2, 2)) }, bandBudget: 1),
            Case(input: [17, 15, 3], conv: { Conv2D(filters: 16, kernelSize: 3, strides: 2, padding: .same, activation: .relu) },
                 pool: { MaxPool2D(poolSize: (2, 3)) }, bandBudget: 200),
        ]
        for c in cases { try assertMatchesTheLayers(c, batch: 5) }
    }

    /// Layers the fused pass cannot stand for run as layers: a sigmoid convolution, an
    /// overlapping pool, a pool over padding, and a model whose input gradient is wanted.
    func testOtherLayersAreNotFused() throws {
        let unfused: [(Conv2D, MaxPool2D)] = [
            (Conv2D(filters: 4, kernelSize: 3, activation: .sigmoid), MaxPool2D(poolSize: 2)),
            (Conv2D(filters: 4, kernelSize: 3, activation: .relu), MaxPool2D(poolSize: 3, strides: 2)),
            (Conv2D(filters: 4, kernelSize: 3, activation: .relu), MaxPool2D(poolSize: 3, padding: .same)),
        ]
        for (conv, pool) in unfused {
            let m = try Sequential(name: "m", inputShape: [10, 10, 1], layers: [conv, pool, Flatten(), Dense(units: 2)], seed: 1)
            XCTAssertNil(m.fusion, "\(conv.activation) \(pool.poolSize) \(pool.strides) \(pool.padding)")
        }
        let m = try Sequential(name: "m", inputShape: [10, 10, 1],
                               layers: [Conv2D(filters: 4, kernelSize: 3, activation: .relu), MaxPool2D(poolSize: 2), Flatten(), Dense(units: 2)],
                               seed: 1)
        XCTAssertNotNil(m.fusion)
        m.computesInputGradient = true
        _ = m.forward(randomTensor([2, 10, 10, 1], seed: 3), mode: .training)
        XCTAssertFalse(m.lastForwardFused)
    }

    /// The study's networks whose first two layers fuse.
    func testTheStudysFirstLayersFuseWhereTheyCan() throws {
        for a in Architecture.allCases {
            let m = try a.build(head: .joint, seed: 1)
            XCTAssertEqual(m.fusion != nil, [.conv1, .conv2, .conv4].contains(a), a.rawValue)
        }
    }
}
