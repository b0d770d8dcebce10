import NN
/// conv1 training-step memory: forward + backward at batch 32 plus Adam's two moment
/// buffers per parameter, updated each step (what a trainer holds).
func memMain() throws {
    let model = try Architecture.conv1.build(head: .perLabel, seed: 1)
    (model.layers.last as! Dense).emitsLogits = true
    var m = model.parameters.map { [Float](repeating: 0, count: $0.value.count) }
    var v = m
    var rng = SeededGenerator(seed: 3)
    let x = Tensor(shape: [32, 64, 64, 1], data: (0..<(32 * 4096)).map { _ in rng.nextFloat() })
    let dy = Tensor(repeating: 0.01, shape: [32, 2])
    for _ in 0..<4 {
        model.zeroGrad()
        _ = model.forward(x, mode: .training)
        model.backward(dy)
        for (k, p) in model.parameters.enumerated() {
            for i in p.value.data.indices {
                let g = p.grad.data[i]
                m[k][i] = 0.9 * m[k][i] + 0.1 * g
                v[k][i] = 0.999 * v[k][i] + 0.001 * g * g
                p.value.data[i] -= 1e-3 * m[k][i] / (v[k][i].squareRoot() + 1e-7)
            }
        }
    }
    print("done")
}
