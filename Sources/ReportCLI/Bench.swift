import ArgumentParser
import Foundation
import NN
import StudyData

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training and inference throughput of the eight architectures (images/second).",
        discussion: "Training: forward, backward and an Adam step at the given batch size on random inputs. Compare with ../shared/anchors (Keras) measured in the same sitting.")

    @Option(parsing: .upToNextOption, help: "Architectures to measure (default: all eight).")
    var models: [Architecture] = []

    @Option(help: "Batch size.")
    var batch: Int = 32

    @Option(help: "Training images per measurement (after one warm-up batch).")
    var images: Int = 256

    @Option(help: "Also time reading this dataset folder.")
    var data: String?

    func run() throws {
        let list = models.isEmpty ? Architecture.allCases : models
        print("model   params        train img/s   infer img/s")
        for arch in list {
            do {
                let model = try arch.build(head: .perLabel, seed: 1)
                let n = max(images, batch * 2)
                var rng = SeededGenerator(seed: 3)
                let x = Tensor(shape: [n] + model.inputShape, data: (0..<(n * model.inputShape.reduce(1, *))).map { _ in rng.nextFloat() })
                var y = Tensor(zeros: [n, 2])
                for i in 0..<n { y.data[i * 2 + (i % 2)] = 1 }
                var cfg = TrainingConfig(epochs: 1, seed: 1)
                cfg.batchSize = batch
                cfg.shuffle = false
                // Warm-up on one batch, then time one epoch over `n` images.
                _ = Trainer(model: model, config: cfg, encoding: .twoClass).fit(x: x.items(0..<batch), y: y.items(0..<batch), validation: nil)
                let t0 = Date()
                _ = Trainer(model: model, config: cfg, encoding: .twoClass).fit(x: x, y: y, validation: nil)
                let train = Double(n) / Date().timeIntervalSince(t0)
                let t1 = Date()
                _ = predictProbabilities(model, x, batchSize: batch)
                let infer = Double(n) / Date().timeIntervalSince(t1)
                print(String(format: "%-7@ %10d  %12.1f  %12.1f", arch.rawValue, model.parameterCount, train, infer))
            } catch { fail(error) }
        }
        if let data {
            do {
                let s = try DataBenchmark.readSeconds(root: URL(fileURLWithPath: data))
                print(String(format: "reading %@: %.2f s", data, s))
            } catch { fail(error) }
        }
    }
}
