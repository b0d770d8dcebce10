/// Throughput measurements of the layers, for `report bench` and the speed tests.
public enum LayerBenchmark {
    /// A batch of uniform [0, 1) inputs for `model`, the same on every call.
    public static func randomInput(_ model: Sequential, batch: Int) -> Tensor {
        var rng = SeededGenerator(seed: 2, stream: "bench")
        return Tensor(shape: [batch] + model.inputShape,
                      data: (0..<(batch * model.inputShape.reduce(1, *))).map { _ in rng.nextFloat() })
    }

    /// Training-step throughput without the optimizer: images per second of forward
    /// (`.training`) + backward on a batch of `batch` random inputs, averaged over
    /// `iterations` steps after one warm-up step. The last layer emits logits and the
    /// backward starts from a fixed gradient, as a training loop with a fused loss does.
    public static func forwardBackwardImagesPerSecond(_ arch: Architecture, batch: Int = 32, iterations: Int) throws -> Double {
        precondition(batch > 0 && iterations > 0, "LayerBenchmark: batch and iterations must be positive")
        let model = try arch.build(head: .perLabel, seed: 1)
        if let last = model.layers.last as? any FusedActivationLayer { last.emitsLogits = true }
        let x = randomInput(model, batch: batch)
        let dy = Tensor(repeating: 1 / Float(batch), shape: [batch] + model.outputShape)
        func step() {
            model.zeroGrad()
            _ = model.forward(x, mode: .training)
            model.backward(dy)
        }
        step()
        let clock = ContinuousClock()
        let elapsed = clock.measure { for _ in 0..<iterations { step() } }
        return Double(batch * iterations) / (elapsed / .seconds(1))
    }

    /// Inference throughput: images per second of `forward(.inference)` at `batch`.
    public static func inferenceImagesPerSecond(_ arch: Architecture, batch: Int = 32, iterations: Int) throws -> Double {
        precondition(batch > 0 && iterations > 0, "LayerBenchmark: batch and iterations must be positive")
        let model = try arch.build(head: .perLabel, seed: 1)
        let x = randomInput(model, batch: batch)
        _ = model.forward(x, mode: .inference)
        let clock = ContinuousClock()
        let elapsed = clock.measure { for _ in 0..<iterations { _ = model.forward(x, mode: .inference) } }
        return Double(batch * iterations) / (elapsed / .seconds(1))
    }

    /// Milliseconds per layer of one forward (`.training`) and one backward at `batch`,
    /// averaged over `iterations`, for profiling: (layer name, forward ms, backward ms).
    public static func perLayerMilliseconds(_ arch: Architecture, batch: Int = 32, iterations: Int) throws -> [(String, Double, Double)] {
        let model = try arch.build(head: .perLabel, seed: 1)
        if let last = model.layers.last as? any FusedActivationLayer { last.emitsLogits = true }
        let x = randomInput(model, batch: batch)
        let dy = Tensor(repeating: 1 / Float(batch), shape: [batch] + model.outputShape)
        var fwd = [Double](repeating: 0, count: model.layers.count), bwd = fwd
        let clock = ContinuousClock()
        func ms(_ d: Duration) -> Double { d / .milliseconds(1) }
        for it in 0...iterations {
            var h = x
            var times = [Double](repeating: 0, count: model.layers.count), btimes = times
            for (i, layer) in model.layers.enumerated() {
                var out = h
                times[i] = ms(clock.measure { out = layer.forward(h, mode: .training) })
                h = out
            }
            var g = dy
            for (i, layer) in model.layers.enumerated().reversed() {
                var out = g
                btimes[i] = ms(clock.measure { out = layer.backward(g) })
                g = out
            }
            if it > 0 { for i in times.indices { fwd[i] += times[i] / Double(iterations); bwd[i] += btimes[i] / Double(iterations) } }
        }
        return model.layers.indices.map { (model.layers[$0].name, fwd[$0], bwd[$0]) }
    }
}

// MARK: - Work, peak and per-layer breakdown

/// One layer's share of a training step, from `LayerBenchmark.layerBreakdown`.
public struct LayerTiming: Sendable, Equatable {
    public let name: String
    public let type: String
    /// Milliseconds per batch of forward (`.training`), backward, and the Adam step over
    /// this layer's parameters.
    public let forwardMs: Double
    public let backwardMs: Double
    public let optimizerMs: Double
    /// Matrix-product work of this layer per batch (forward + backward), in GFLOP.
    public let gflop: Double

    public var totalMs: Double { forwardMs + backwardMs + optimizerMs }
    /// Achieved GFLOP/s over this layer's forward + backward.
    public var gflopsPerSecond: Double { forwardMs + backwardMs > 0 ? gflop / ((forwardMs + backwardMs) / 1e3) : 0 }
}

extension LayerBenchmark {
    /// Floating-point work of one item through `layer`'s matrix products (a multiply-add
    /// counts 2): Conv2D 2·OH·OW·kh·kw·C·F, Dense 2·rows·in·units, LSTM 2·T·(F + u)·4u;
    /// other layers (pooling, normalisation, activations) count 0. `training` adds the two
    /// backward products (dW and dX, the latter skipped by a first layer), i.e. 3× or 2×.
    static func flops(_ layer: Layer, input: [Int], output: [Int], first: Bool, training: Bool) -> Double {
        let forward: Double
        switch layer {
        case let c as Conv2D:
            forward = 2 * Double(output.reduce(1, *)) * Double(c.kernelSize.0 * c.kernelSize.1 * input[2])
        case let d as Dense:
            forward = 2 * Double(input.reduce(1, *)) * Double(d.units)
        case let l as LSTM:
            forward = 2 * Double(input[0]) * Double(input[1] + l.units) * Double(4 * l.units)
        default:
            forward = 0
        }
        return training ? forward * (first ? 2 : 3) : forward
    }

    /// Matrix-product work of one training image (forward + backward) or one inference
    /// image, in FLOPs (see `flops(_:input:output:first:training:)`).
    public static func flopsPerImage(_ arch: Architecture, training: Bool) throws -> Double {
        let model = try arch.build(head: .perLabel, seed: 1)
        return zip(model.layers, model.summary).enumerated().reduce(0) { sum, e in
            sum + flops(e.element.0, input: e.element.1.input, output: e.element.1.output, first: e.offset == 0, training: training)
        }
    }

    /// The machine's measured `sgemm` peak, in GFLOP/s: the best of `repeats` products of
    /// two `size`×`size` matrices, split over the cores the way the engine splits its own
    /// products (each part single-threaded in OpenBLAS).
    public static func sgemmPeakGFLOPs(size: Int = 1024, repeats: Int = 20) -> Double {
        engineSetup
        var rng = SeededGenerator(seed: 4, stream: "bench/peak")
        let a = (0..<(size * size)).map { _ in rng.nextFloat() - 0.5 }
        let b = (0..<(size * size)).map { _ in rng.nextFloat() - 0.5 }
        var c = [Float](repeating: 0, count: size * size)
        let clock = ContinuousClock()
        var best = Double.infinity
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            for r in 0...repeats {
                let t = clock.measure {
                    parallelSgemm(transA: false, transB: false, m: size, n: size, k: size, alpha: 1, a: ap.baseAddress!, lda: size,
                                  b: bp.baseAddress!, ldb: size, beta: 0, c: cp.baseAddress!, ldc: size)
                } / .seconds(1)
                if r > 0 { best = min(best, t) }
            }
        } } }
        return 2 * Double(size) * Double(size) * Double(size) / best / 1e9
    }

    /// Per-layer milliseconds of a training step at `batch` (forward `.training`, backward
    /// from a fixed logits gradient, an Adam step per layer's parameters), averaged over
    /// `iterations` steps after one warm-up, with each layer's product work.
    public static func layerBreakdown(_ arch: Architecture, batch: Int = 32, iterations: Int) throws -> [LayerTiming] {
        precondition(batch > 0 && iterations > 0, "LayerBenchmark: batch and iterations must be positive")
        let model = try arch.build(head: .perLabel, seed: 1)
        if let last = model.layers.last as? any FusedActivationLayer { last.emitsLogits = true }
        let x = randomInput(model, batch: batch)
        let dy = Tensor(repeating: 1 / Float(batch), shape: [batch] + model.outputShape)
        let n = model.layers.count
        let fusion = model.computesInputGradient ? nil : model.fusion
        var fwd = [Double](repeating: 0, count: n), bwd = fwd, opt = fwd
        let adam = Adam()
        let clock = ContinuousClock()
        for it in 0...iterations {
            model.zeroGrad()
            var h = x
            let w = it > 0 ? 1e3 / Double(iterations) : 0
            // A fused first convolution and pool (as training runs them) is timed as one, on
            // the convolution's row.
            for (i, layer) in model.layers.enumerated() where !(fusion != nil && i == 1) {
                var out = h
                if i == 0, let fusion {
                    fwd[i] += w * (clock.measure { out = fusion.forward(h, mode: .training) } / .seconds(1))
                } else {
                    fwd[i] += w * (clock.measure { out = layer.forward(h, mode: .training) } / .seconds(1))
                }
                h = out
            }
            var g = dy
            for (i, layer) in model.layers.enumerated().reversed() where !(fusion != nil && i == 1) {
                var out = g
                if i == 0, let fusion {
                    bwd[i] += w * (clock.measure { fusion.backward(g) } / .seconds(1))
                } else {
                    bwd[i] += w * (clock.measure { out = layer.backward(g) } / .seconds(1))
                }
                g = out
            }
            for (i, layer) in model.layers.enumerated() {
                opt[i] += w * (clock.measure { adam.step(layer.parameters) } / .seconds(1))
            }
        }
        return model.layers.indices.map { i in
            let s = model.summary[i]
            let type = fusion == nil || i > 1 ? s.type : i == 0 ? "\(s.type)+\(model.summary[1].type)" : "(in \(model.summary[0].name))"
            return LayerTiming(name: s.name, type: type, forwardMs: fwd[i], backwardMs: bwd[i], optimizerMs: opt[i],
                               gflop: Double(batch) * flops(model.layers[i], input: s.input, output: s.output,
                                                            first: i == 0, training: true) / 1e9)
        }
    }
}
