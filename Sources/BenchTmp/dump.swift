import NN
import Foundation
func dumpMain() throws {
    let dir = URL(fileURLWithPath: "/tmp/kcmp")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    var meta: [[String: Any]] = []
    for arch in Architecture.allCases {
        let model = try arch.build(head: .perLabel, seed: 7)
        var rng = SeededGenerator(seed: 9, stream: "dump")
        for p in model.parameters where p.name.hasPrefix("moving") || p.name == "beta" || p.name == "gamma" || p.name == "bias" {
            for i in p.value.data.indices {
                p.value.data[i] = p.name == "moving_variance" || p.name == "gamma" ? Float(rng.uniform(0.5, 1.5)) : Float(rng.uniform(-0.3, 0.3))
            }
        }
        let x = Tensor(shape: [2] + model.inputShape, data: (0..<(2 * model.inputShape.reduce(1, *))).map { _ in rng.nextFloat() })
        let y = model.forward(x, mode: .inference)
        func write(_ t: Tensor, _ name: String) throws {
            let d = t.data.withUnsafeBufferPointer { Data(buffer: $0) }
            try d.write(to: dir.appendingPathComponent(name))
        }
        try write(x, "\(arch.rawValue)_x.f32"); try write(y, "\(arch.rawValue)_y.f32")
        for (i, p) in model.parameters.enumerated() { try write(p.value, "\(arch.rawValue)_p\(i).f32") }
        meta.append(["name": arch.rawValue, "x": x.shape, "y": y.shape, "params": model.parameters.map { $0.value.shape }])
    }
    let json = try JSONSerialization.data(withJSONObject: meta)
    try json.write(to: dir.appendingPathComponent("meta.json"))
}
