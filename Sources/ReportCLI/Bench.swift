import ArgumentParser
import Foundation
import NN
import StudyData

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training and inference throughput of the eight architectures (images/second).",
        discussion: """
            Training: forward, backward and an Adam step at the given batch size on random inputs. \
            GFLOP/s counts the matrix products (convolutions, dense, LSTM; a multiply-add is 2) and \
            is compared with the sgemm peak measured at start (1024² on all cores). \
            Compare with ../shared/anchors (Keras) measured in the same sitting.
            """)

    @Option(parsing: .upToNextOption, help: "Architectures to measure (default: all eight).")
    var models: [Architecture] = []

    @Option(help: "Batch size.")
    var batch: Int = 32

    @Option(help: "Training images per measurement (after one warm-up batch).")
    var images: Int = 256

    @Flag(help: "Also print each layer's forward, backward and optimizer milliseconds per batch.")
    var layers = false

    @Flag(help: "Only check OpenBLAS's products against a naive sum and measure the sgemm peak.")
    var kernelCheck = false

    @Option(help: "Also time reading this dataset folder.")
    var data: String?

    func run() throws {
        let check = BLASKernels.selfCheck()
        print("OpenBLAS: \(blasVersion())")
        print("OPENBLAS_CORETYPE: \(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)"); \(BLASKernels.startupGuardSummary)")
        print("kernel check: \(check)")
        let peak = LayerBenchmark.sgemmPeakGFLOPs()
        print(String(format: "sgemm peak (1024², all cores, best of 20): %.1f GFLOP/s", peak))
        if kernelCheck { return }
        let list = models.isEmpty ? Architecture.allCases : models
        print("model   params        train img/s  train GFLOP/s  % peak   infer img/s")
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
                let gflops = train * (try LayerBenchmark.flopsPerImage(arch, training: true)) / 1e9
                print(arch.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0) + String(format: " %10d  %12.1f  %13.1f  %5.1f%%  %12.1f", model.parameterCount, train,
                             gflops, 100 * gflops / peak, infer))
                if layers { try printLayers(arch) }
            } catch { fail(error) }
        }
        if let data {
            do {
                let s = try DataBenchmark.readSeconds(root: URL(fileURLWithPath: data))
                print(String(format: "reading %@: %.2f s", data, s))
            } catch { fail(error) }
        }
    }

    private func printLayers(_ arch: Architecture) throws {
        let rows = try LayerBenchmark.layerBreakdown(arch, batch: batch, iterations: max(2, images / batch))
        let total = rows.reduce(0) { $0 + $1.totalMs }
        func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
        print("  " + pad("layer", 24) + pad("type", 20) + "  fwd ms   bwd ms   opt ms   share  GFLOP/s")
        for r in rows {
            print("  " + pad(r.name, 24) + pad(r.type, 20)
                  + String(format: "%7.2f  %7.2f  %7.2f  %5.1f%%  %7.1f", r.forwardMs, r.backwardMs, r.optimizerMs,
                           100 * r.totalMs / max(total, 1e-9), r.gflopsPerSecond))
        }
        print(String(format: "  total %.1f ms per batch of %d", total, batch))
    }
}
