import Foundation
import XCTest
@testable import NN

/// Outputs of two small models against Keras 3 (tensorflow-cpu 2.21), computed once with
/// the same deterministic weights and inputs (weight element i of the model's p-th weight
/// tensor is 0.5·sin(1 + 0.7·i + 1.3·p), BatchNorm moving variances 1 + |that|, input
/// element i is cos(0.37·i)) by the script at the end of this comment. Covers `same` stride-2
/// convolution on odd/even sizes, `same` max pooling, BatchNorm in both modes, Flatten,
/// Dense with softmax/sigmoid, and stacked LSTMs with and without sequences.
///
/// ```python
/// import os, json
/// os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
/// import numpy as np, keras
/// from keras import layers as L
/// def fill(model):
///     ws = []
///     for p, w in enumerate(model.get_weights()):
///         n = w.size
///         i = np.arange(n, dtype=np.float64)
///         v = 0.5 * np.sin(1 + i * 0.7 + p * 1.3)
///         ws.append(v.reshape(w.shape).astype(np.float32))
///     # moving variance must be positive: the 4th weight of a BN layer
///     model.set_weights(ws)
///     for l in model.layers:
///         if isinstance(l, L.BatchNormalization):
///             g, b, m, v = l.get_weights()
///             l.set_weights([g, b, m, (1 + np.abs(v)).astype(np.float32)])
/// def xin(shape):
///     n = int(np.prod(shape)); return np.cos(np.arange(n) * 0.37).reshape(shape).astype(np.float32)
/// a = keras.Sequential([keras.Input((7, 6, 2)), L.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
///     L.MaxPool2D(2, padding="same"), L.BatchNormalization(), L.Flatten(), L.Dense(3, activation="softmax")])
/// b = keras.Sequential([keras.Input((5, 3)), L.LSTM(4, return_sequences=True), L.LSTM(3), L.Dense(2, activation="sigmoid")])
/// out = {}
/// for name, m, shape in [("convnet", a, (3, 7, 6, 2)), ("lstmnet", b, (3, 5, 3))]:
///     fill(m)
///     x = xin(shape)
///     out[name] = {"inference": m(x, training=False).numpy().ravel().tolist(),
///                  "training": m(x, training=True).numpy().ravel().tolist()}
/// print(json.dumps(out))
/// ```
final class KerasGoldenTests: XCTestCase {
    private func fill(_ model: Sequential) {
        for (p, param) in model.parameters.enumerated() {
            for i in param.value.data.indices {
                let v = 0.5 * sin(1 + Double(i) * 0.7 + Double(p) * 1.3)
                param.value.data[i] = Float(param.name == "moving_variance" ? 1 + abs(v) : v)
            }
        }
    }

    private func input(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { Float(cos(Double($0) * 0.37)) })
    }

    private func check(_ model: Sequential, batchShape: [Int], inference: [Float], training: [Float]) {
        fill(model)
        let x = input(batchShape)
        let yi = model.forward(x, mode: .inference)
        XCTAssertLessThan(zip(yi.data, inference).map { abs($0 - $1) }.max()!, 1e-5, "\(model.name) inference")
        let yt = model.forward(x, mode: .training)
        XCTAssertLessThan(zip(yt.data, training).map { abs($0 - $1) }.max()!, 1e-5, "\(model.name) training")
    }

    func testConvNetMatchesKeras() throws {
        let model = try Sequential(name: "convnet", inputShape: [7, 6, 2], layers: [
            Conv2D(filters: 4, kernelSize: 3, strides: 2, padding: .same, activation: .relu),
            MaxPool2D(poolSize: 2, padding: .same), BatchNormalization(), Flatten(),
            Dense(units: 3, activation: .softmax),
        ], seed: 1)
        check(model, batchShape: [3, 7, 6, 2],
              inference: [0.35515547, 0.32324222, 0.32160231, 0.34076408, 0.32442078, 0.33481508, 0.34073699, 0.32155389, 0.3377091],
              training: [0.38612434, 0.32492879, 0.28894681, 0.25791323, 0.32571036, 0.41637641, 0.26035833, 0.30082071, 0.43882093])
    }

    /// Two 3×3 stride-1 convolutions with ≥ 8 input channels (the Winograd path), `same` then
    /// `valid`, on odd and even sizes. Keras values from the script above with the model
    /// `keras.Sequential([keras.Input((7, 6, 9)), L.Conv2D(10, 3, padding="same", activation="relu"),
    /// L.Conv2D(8, 3, activation="relu"), L.Flatten(), L.Dense(3, activation="softmax")])` on input (2, 7, 6, 9).
    /// Run with both tile sizes, F(2×2) and F(4×4) (whose tiles overhang the 7×6 and 5×4 outputs).
    func testWinogradConvNetMatchesKeras() throws {
        minimumWinogradSize = 1   // the path the study's large layers take, on small shapes
        defer { minimumWinogradSize = defaultMinimumWinogradSize; winogradTileChoice = nil }
        for tile in [2, 4] {
            winogradTileChoice = tile
            let model = try Sequential(name: "winograd F(\(tile)×\(tile))", inputShape: [7, 6, 9], layers: [
                Conv2D(filters: 10, kernelSize: 3, padding: .same, activation: .relu),
                Conv2D(filters: 8, kernelSize: 3, activation: .relu), Flatten(), Dense(units: 3, activation: .softmax),
            ], seed: 1)
            XCTAssertEqual((model.layers[0] as! Conv2D).geometry!.winogradTile, tile)
            XCTAssertEqual((model.layers[1] as! Conv2D).geometry!.winogradTile, tile)
            let keras: [Float] = [0.7809135317802429, 0.2047358602285385, 0.014350599609315395,
                                  0.7469285130500793, 0.15611210465431213, 0.09695927053689957]
            check(model, batchShape: [2, 7, 6, 9], inference: keras, training: keras)
        }
    }

    func testLSTMNetMatchesKeras() throws {
        let model = try Sequential(name: "lstmnet", inputShape: [5, 3], layers: [
            LSTM(units: 4, returnSequences: true), LSTM(units: 3), Dense(units: 2, activation: .sigmoid),
        ], seed: 1)
        check(model, batchShape: [3, 5, 3],
              inference: [0.39623532, 0.37905303, 0.39581317, 0.37923655, 0.39572072, 0.37873578],
              training: [0.39623532, 0.37905303, 0.39581317, 0.37923655, 0.39572072, 0.37873578])
    }
}
