import ArgumentParser
import Foundation
import NN
import ONNXExport
import Report
import StudyData

/// `report export --onnx`: writes models as ONNX files, each with the inputs and our
/// engine's outputs beside it for scripts/onnx-check.py.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write models as ONNX files (trained weights or freshly initialised), with reference inputs and outputs.",
        discussion: """
        With --weights, each safetensors file (as `report run` writes under models/) is exported as DIR/<file name>.onnx; its architecture comes from --models (one) or the file's metadata, its head and input shape from the tensor shapes (or --head / --input-shape). Without --weights, every architecture of --models (default all eight) is built with --seed and exported as DIR/<arch>.onnx (per-label head) or DIR/<arch>-joint.onnx.

        Beside each model go <name>.io.json, <name>.input.f32 and <name>.output.f32: --samples inputs (validation images with --data, else uniform random pixels) and our engine's inference outputs for them. scripts/onnx-check.py DIR runs onnx.checker and onnxruntime on every file and compares. See docs/onnx.md.
        """)

    enum HeadChoice: String, ExpressibleByArgument, CaseIterable {
        case perLabel = "per-label", joint, both
        var heads: [Head] {
            switch self {
            case .perLabel: [.perLabel]
            case .joint: [.joint]
            case .both: [.perLabel, .joint]
            }
        }
    }

    @Flag(help: "Write ONNX (the one export format so far).")
    var onnx = false

    @Option(parsing: .upToNextOption, help: "Architectures to export (default: all eight; with --weights: the one the files hold).")
    var models: [Architecture] = []

    @Option(help: "Trained weights (safetensors) to export; repeatable.")
    var weights: [String] = []

    @Option(help: "Output head: per-label, joint or both (default: per-label; with --weights: read from the file).")
    var head: HeadChoice?

    @Option(help: "Input shape without the batch axis, e.g. 64,64,3 (default: the architecture's; with --weights: the first study shape the file fits).")
    var inputShape: String?

    @Option(help: "Folder to write into (created if missing).")
    var out: String

    @Option(help: "Number of reference inputs written beside each model (0: none).")
    var samples = 4

    @Option(help: "Take the reference inputs from this dataset's validation split instead of random pixels.")
    var data: String?

    @Option(help: "Seed for fresh weights, random inputs and --train-steps.")
    var seed: UInt64 = 0

    @Option(help: "Before exporting, train this many Adam steps (batch 8) on random inputs and labels, so BatchNorm moving statistics are not their initial values (to check the exporter).")
    var trainSteps = 0

    func validate() throws {
        guard onnx else { throw ValidationError("choose a format: --onnx") }
        guard samples >= 0 else { throw ValidationError("--samples must be ≥ 0, got \(samples)") }
        guard trainSteps >= 0 else { throw ValidationError("--train-steps must be ≥ 0, got \(trainSteps)") }
        if !weights.isEmpty, models.count > 1 {
            throw ValidationError("with --weights give at most one --models architecture (or none: the file's metadata names it)")
        }
        if weights.isEmpty, inputShape != nil, models.count != 1 {
            throw ValidationError("--input-shape needs exactly one --models architecture")
        }
        _ = try parsedInputShape()
    }

    func parsedInputShape() throws -> [Int]? {
        guard let s = inputShape else { return nil }
        let dims = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !dims.isEmpty, dims.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--input-shape must be positive integers separated by commas, e.g. 64,64,3; got \(s)")
        }
        return dims.map { $0! }
    }

    func run() throws {
        do {
            let dir = URL(fileURLWithPath: out)
            do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
                throw ReportError("cannot create \(out): \(error.localizedDescription)")
            }
            let shape = try parsedInputShape()
            let dataset = try data.map { try Study.loadDataset(URL(fileURLWithPath: $0)) }
            var jobs: [(name: String, arch: Architecture, model: Sequential)] = []
            if weights.isEmpty {
                for arch in models.isEmpty ? Architecture.allCases : models {
                    for h in (head ?? .perLabel).heads {
                        let model = try arch.build(head: h, inputShape: shape, seed: seed)
                        jobs.append((arch.rawValue + (h == .joint ? "-joint" : ""), arch, model))
                    }
                }
            } else {
                for file in weights {
                    let url = URL(fileURLWithPath: file)
                    let (arch, model) = try loadWeights(url, inputShape: shape)
                    jobs.append((url.deletingPathExtension().lastPathComponent, arch, model))
                }
            }
            for (name, arch, model) in jobs {
                if trainSteps > 0 { warmUp(model) }
                let url = dir.appendingPathComponent("\(name).onnx")
                try ONNXExporter.export(model, name: name, to: url)
                var line = "wrote \(url.path): \(model.parameterCount) parameters, input (batch, \(model.inputShape.map(String.init).joined(separator: ", ")))"
                if samples > 0 {
                    let x = try referenceInputs(for: model, arch, dataset: dataset)
                    let y = try ReferenceIO.write(model, inputs: x, name: name, directory: dir)
                    guard y.data.allSatisfy(\.isFinite) else {
                        throw ReportError("\(name): our outputs are not finite (diverged weights?); the reference is useless")
                    }
                    line += ", \(x.batch) reference inputs" + (dataset == nil ? " (random)" : " (validation images)")
                }
                print(line)
            }
        } catch { fail(error) }
    }

    /// The model a weights file holds: architecture from --models or the metadata; head and
    /// input shape from --head / --input-shape or the first candidate whose tensors fit.
    func loadWeights(_ url: URL, inputShape: [Int]?) throws -> (Architecture, Sequential) {
        let meta = try Safetensors.metadata(at: url)
        let arch: Architecture
        if let a = models.first {
            arch = a
        } else if let name = meta["architecture"], let a = Architecture(rawValue: name) {
            arch = a
        } else {
            throw ReportError("\(url.path): no --models given and the file's metadata names no architecture"
                + (meta["architecture"].map { " (it says '\($0)')" } ?? ""))
        }
        let heads: [Head] = head?.heads ?? (meta["label"] == "joint" ? [.joint, .perLabel] : [.perLabel, .joint])
        var shapes: [[Int]] = []
        if let inputShape {
            shapes = [inputShape]
        } else {
            shapes = [arch.defaultInputShape]
            for size in [64, 32, 128, 16, 48, 96, 256] {
                for channels in [1, 3] {
                    let s = arch.inputShape(channels: channels, size: size)
                    if !shapes.contains(s) { shapes.append(s) }
                }
            }
        }
        var firstError: SafetensorsError?
        for h in heads {
            for s in shapes {
                guard let model = try? arch.build(head: h, inputShape: s, seed: 0) else { continue }
                guard let error = Self.load(model, from: url) else { return (arch, model) }
                guard case .wrongShape = error else { throw error }
                if firstError == nil { firstError = error }
            }
        }
        throw ReportError("\(url.path): the tensors fit no \(arch.rawValue) model tried (heads \(heads.map(\.rawValue)), input shapes \(shapes.prefix(4))…): "
            + "give --head and --input-shape; first mismatch: \(firstError.map { "\($0)" } ?? "none")")
    }

    /// Loads `url` into `model`; the error, or nil when it fit.
    static func load(_ model: Sequential, from url: URL) -> SafetensorsError? {
        do { try Safetensors.load(into: model, from: url) } catch { return error }
        return nil
    }

    /// `samples` inputs: the first validation images of `dataset` preprocessed for the
    /// model's input shape (its channels and image size), else seeded uniform values in [0, 1).
    func referenceInputs(for model: Sequential, _ arch: Architecture, dataset: Dataset?) throws -> Tensor {
        let shape = model.inputShape
        if let dataset {
            let n = min(samples, dataset.val.count)
            guard n > 0 else { throw ReportError("\(data!): the validation split is empty") }
            let geometry = [1, 3].lazy.flatMap { c in (1...512).lazy.map { (size: $0, channels: c) } }
                .first { arch.inputShape(channels: $0.channels, size: $0.size) == shape }
            guard let geometry else {
                throw ReportError("model \(model.name): input shape \(shape) is no \(arch.rawValue) image shape of 1 or 3 channels; drop --data for random inputs")
            }
            let (values, _) = floats(dataset.val, indices: Array(0..<n),
                                     preprocessing: Preprocessing(channels: geometry.channels, size: geometry.size))
            return Tensor(shape: [n] + shape, data: values)
        }
        var rng = SeededGenerator(seed: seed, stream: "export/inputs/\(model.name)")
        let count = samples * shape.reduce(1, *)
        return Tensor(shape: [samples] + shape, data: (0..<count).map { _ in rng.nextFloat() })
    }

    /// `trainSteps` Adam steps on random inputs and labels (one epoch of batches of 8).
    func warmUp(_ model: Sequential) {
        var rng = SeededGenerator(seed: seed, stream: "export/warm-up/\(model.name)")
        let n = 8 * trainSteps, per = model.inputShape.reduce(1, *), k = model.outputShape[0]
        let x = Tensor(shape: [n] + model.inputShape, data: (0..<(n * per)).map { _ in rng.nextFloat() })
        var y = [Float](repeating: 0, count: n * k)
        let encoding: TargetEncoding = k == 2 ? .twoClass : .multiLabel
        for i in 0..<n {
            if encoding == .twoClass { y[i * 2 + Int(rng.next() % 2)] = 1 } else { for j in 0..<k { y[i * k + j] = Float(rng.next() % 2) } }
        }
        let trainer = Trainer(model: model, config: TrainingConfig(epochs: 1, batchSize: 8, learningRate: 1e-3, seed: seed),
                              encoding: encoding)
        _ = trainer.fit(x: x, y: Tensor(shape: [n, k], data: y), validation: nil)
    }
}
