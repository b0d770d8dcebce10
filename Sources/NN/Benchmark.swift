/// Throughput measurements of the layers, for `report bench` and the speed tests.
public enum LayerBenchmark {
    /// A batch of uniform [0, 1) inputs for `model`, the same on every call.
    static func randomInput(_ model: Sequential, batch: Int) -> Tensor {
        var rng = SeededGenerator(seed: 2, stream: "bench")
        return Tensor(shape: [batch] + model.inputShape,
                      data: (0..<(batch * model.inputShape.reduce(1, *))).map { _ in rng.nextFloat() })
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
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
        return Double(batch * iterations) / seconds(elapsed)
    }

    /// Inference throughput: images per second of `forward(.inference)` at `batch`.
    public static func inferenceImagesPerSecond(_ arch: Architecture, batch: Int = 32, iterations: Int) throws -> Double {
        precondition(batch > 0 && iterations > 0, "LayerBenchmark: batch and iterations must be positive")
        let model = try arch.build(head: .perLabel, seed: 1)
        let x = randomInput(model, batch: batch)
        _ = model.forward(x, mode: .inference)
        let clock = ContinuousClock()
        let elapsed = clock.measure { for _ in 0..<iterations { _ = model.forward(x, mode: .inference) } }
        return Double(batch * iterations) / seconds(elapsed)
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
        func ms(_ d: Duration) -> Double { seconds(d) * 1e3 }
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
