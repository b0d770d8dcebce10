import Foundation
import ModelSpec
import NN
import StudyData
import Training
import Yams

/// How much of the study a run does.
public enum Profile: String, Codable, Sendable, CaseIterable {
    /// The study within a time budget: throughput is measured at start and every training
    /// cell gets the images and epochs that fit, so the whole run takes about five minutes on
    /// two cores.
    case quick
    /// The study's own protocol: all 12,000 / 3,000 images, up to 10 epochs with the study's
    /// callbacks, all eight architectures trained one network per label.
    case full
}

/// How the entirely black images (whose labels are a coin flip) are predicted.
public enum BlackRule: String, Codable, Sendable, CaseIterable {
    /// The majority label of the black training images (the study's rule).
    case majority
    /// 1,1,1. The F1-optimal threshold is half the achievable F1 (Lipton, Elkan &
    /// Narayanaswamy 2014), so on images whose label is a coin flip (probability ½ ≥ F1/2)
    /// predicting positive is what maximises F1, not the majority label.
    case ones
    /// Per label, whichever of 0 and 1 gives the better cross-fitted F1 on validation.
    case f1Optimal = "f1-optimal"
    /// Chosen on validation among the three above (cross-fitted): the default.
    case auto
}

/// The thresholds of the submission's predictions.
public enum SubmissionThresholds: String, Codable, Sendable, CaseIterable {
    /// 0.5 for every label (the study's).
    case half
    /// Per label, the threshold with the best F1 on the whole validation split.
    case tuned
    /// The tuned thresholds when their cross-fitted mean F1 on validation is detectably higher
    /// than 0.5's (the paired bootstrap interval of the difference lies above 0), else 0.5: the
    /// default. With class weighting, 0.5 balances the classes, which is not what F1 rewards.
    case auto
}

/// Everything that decides what a run computes. Every field feeds the cache keys of the
/// cells that read it, so changing one recomputes exactly what depends on it.
public struct StudyConfig: Codable, Sendable, Equatable {
    public var profile: Profile
    public var seed: UInt64
    /// Architectures of the main comparison.
    public var models: [Architecture]
    /// Head used for the main comparison: the study's one network per label, or one joint network.
    public var gridHead: Head
    /// Training images used (after the black-image policy); nil = all. With a budget, an upper bound.
    public var trainLimit: Int?
    /// Validation images scored (a seeded random subset); nil = all.
    public var valLimit: Int?
    /// Non-black validation images watched each epoch (curves, early stopping); nil = all scored ones.
    public var monitorLimit: Int?
    /// Epochs of the main comparison (with a budget: the most any cell may run).
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    /// The study's callbacks (early stopping, ReduceLROnPlateau).
    public var callbacks: Bool
    /// Balanced class weights from the label counts (the study's protocol).
    public var classWeighting: Bool
    public var blackPolicy: BlackPolicy
    /// How black images are predicted when scoring and in the submission.
    public var blackRule: BlackRule
    /// The thresholds of the submission (the validation tables show both 0.5 and tuned).
    public var thresholds: SubmissionThresholds = .auto
    public var augment: Bool
    /// The architecture the hyper-parameter experiments are run on.
    public var experimentModel: Architecture
    /// Epochs of the hyper-parameter experiments (with a budget: the most any may run).
    public var experimentEpochs: Int
    public var curveEpochs: [Int]
    public var learningRates: [Double]
    public var batchSizes: [Int]
    /// Experiments run besides the main comparison.
    public var experiments: [ExperimentID]
    /// Seeds per variant of the hyper-parameter experiments (`--repeats`).
    public var repeats: Int
    /// Seeds per architecture of the main comparison.
    public var mainRepeats: Int
    /// Seconds of training the whole plan may take; nil = no budget (the epochs and limits
    /// above are used as they are). The quick profile's 200 s: on the 2-core machine, whose
    /// speed moves by up to 1.5× from minute to minute, a run at 215 s took 242 s after the
    /// data in one hour and 295 s in another (training 1.26× its estimate as the host slowed
    /// after the speed measurement); 200 s keeps such an hour under the five-minute bound.
    public var budgetSeconds: Double?
    /// Bootstrap resamples for every interval.
    public var bootstrapResamples: Int
    /// Users' models in the main comparison besides `models` (`architectures:` files in a
    /// configuration, `--architecture FILE`), read and checked at start.
    public var architectures: [CustomModel] = []
    /// Export every trained network as ONNX into `onnx/` of the output.
    public var onnx: Bool = false

    public static func defaults(for profile: Profile) -> StudyConfig {
        switch profile {
        case .quick:
            return StudyConfig(profile: .quick, seed: 2024, models: Architecture.allCases, gridHead: .joint,
                               trainLimit: nil, valLimit: 1_500, monitorLimit: 400, epochs: 12, batchSize: 32, learningRate: 1e-3,
                               callbacks: true, classWeighting: true, blackPolicy: .keepOne, blackRule: .auto, augment: false,
                               experimentModel: .conv4, experimentEpochs: 12, curveEpochs: [1, 4],
                               learningRates: [1e-3, 1e-2, 1e-1], batchSizes: [32, 128],
                               experiments: ExperimentID.quick, repeats: 2, mainRepeats: 1,
                               budgetSeconds: 200, bootstrapResamples: 2_000)
        case .full:
            return StudyConfig(profile: .full, seed: 2024, models: Architecture.allCases, gridHead: .perLabel,
                               trainLimit: nil, valLimit: nil, monitorLimit: nil, epochs: 10, batchSize: 32, learningRate: 1e-3,
                               callbacks: true, classWeighting: true, blackPolicy: .keepOne, blackRule: .auto, augment: false,
                               experimentModel: .conv2, experimentEpochs: 10, curveEpochs: [5, 10],
                               learningRates: [1e-3, 1e-2, 1e-1], batchSizes: [32, 128],
                               experiments: ExperimentID.hyperParameters, repeats: 1, mainRepeats: 1,
                               budgetSeconds: nil, bootstrapResamples: 2_000)
        }
    }

    /// Reads a YAML (or JSON) configuration file: any subset of the fields above, applied
    /// over the defaults of the file's `profile` (or of `base`). Unknown fields are refused.
    public static func load(_ url: URL, base: Profile) throws -> StudyConfig {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ReportError("\(url.path): cannot read the configuration file (\(error.localizedDescription))")
        }
        return try parse(text, source: url.path, base: base, folder: url.deletingLastPathComponent())
    }

    /// `folder`: what the paths of `architectures:` are relative to (default: the current folder).
    public static func parse(_ text: String, source: String, base: Profile, folder: URL? = nil) throws -> StudyConfig {
        let overrides: Overrides
        do {
            overrides = try YAMLDecoder().decode(Overrides.self, from: text)
        } catch let e as ReportError {
            throw ReportError("\(source): \(e.message)")
        } catch let DecodingError.dataCorrupted(ctx) {
            if let e = ctx.underlyingError as? ReportError { throw ReportError("\(source): \(e.message)") }
            throw ReportError("\(source): \(describe(ctx))")
        } catch let DecodingError.typeMismatch(type, ctx) {
            throw ReportError("\(source): field '\(path(ctx))' should be \(typeName(type))")
        } catch let DecodingError.valueNotFound(type, ctx) {
            throw ReportError("\(source): field '\(path(ctx))' is empty; it should be \(typeName(type))")
        } catch let DecodingError.keyNotFound(key, _) {
            throw ReportError("\(source): field '\(key.stringValue)' is missing")
        } catch {
            throw ReportError("\(source): not a valid YAML configuration (\(error))")
        }
        var c = StudyConfig.defaults(for: overrides.profile ?? base)
        overrides.apply(to: &c)
        for (i, path) in (overrides.architectures ?? []).enumerated() {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
                : (folder ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).appendingPathComponent(path)
            do { c.architectures.append(try StudyConfig.customModel(url, head: c.gridHead)) } catch let e as ReportError {
                throw ReportError("\(source): architectures[\(i)]: \(e.message)")
            }
        }
        try c.validate(source: source)
        return c
    }

    private static func path(_ ctx: DecodingError.Context) -> String {
        ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }

    private static func describe(_ ctx: DecodingError.Context) -> String {
        let p = path(ctx)
        // Unknown enum values: name the field and the known values.
        if let last = ctx.codingPath.last?.stringValue ?? ctx.codingPath.dropLast().last?.stringValue,
           let known = knownValues[last] ?? knownValues[ctx.codingPath.first?.stringValue ?? ""] {
            return "field '\(p)': not one of \(known.joined(separator: ", "))"
        }
        return p.isEmpty ? ctx.debugDescription : "field '\(p)': \(ctx.debugDescription)"
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "a whole number"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "text"
        default:
            let s = "\(type)"
            return s.hasPrefix("Array") ? "a list" : (s.hasPrefix("Dictionary") ? "a mapping" : "a value")
        }
    }

    static let knownValues: [String: [String]] = [
        "profile": Profile.allCases.map(\.rawValue),
        "models": Architecture.allCases.map(\.rawValue),
        "experimentModel": Architecture.allCases.map(\.rawValue),
        "gridHead": ["perLabel", "joint"],
        "blackPolicy": BlackPolicy.allCases.map(\.rawValue),
        "blackRule": BlackRule.allCases.map(\.rawValue),
        "thresholds": SubmissionThresholds.allCases.map(\.rawValue),
        "experiments": ExperimentID.hyperParameters.map(\.rawValue),
    ]

    public func validate(source: String = "configuration") throws {
        func fail(_ s: String) throws -> Never { throw ReportError("\(source): \(s)") }
        if epochs < 1 { try fail("epochs must be at least 1, got \(epochs)") }
        if experimentEpochs < 1 { try fail("experimentEpochs must be at least 1, got \(experimentEpochs)") }
        if batchSize < 1 || batchSize > 4096 { try fail("batchSize must be between 1 and 4096, got \(batchSize)") }
        if batchSizes.isEmpty || batchSizes.contains(where: { $0 < 1 || $0 > 4096 }) { try fail("batchSizes must be between 1 and 4096") }
        if !(learningRate > 0) || !learningRate.isFinite { try fail("learningRate must be a positive number, got \(learningRate)") }
        if let t = trainLimit, t < 2 { try fail("trainLimit must be at least 2, got \(t)") }
        if let v = valLimit, v < 2 { try fail("valLimit must be at least 2, got \(v)") }
        if let v = monitorLimit, v < 2 { try fail("monitorLimit must be at least 2, got \(v)") }
        if models.isEmpty { try fail("models must name at least one architecture") }
        if Set(models).count != models.count { try fail("models names an architecture twice") }
        if curveEpochs.isEmpty || curveEpochs.contains(where: { $0 < 1 }) { try fail("curveEpochs must be positive") }
        if learningRates.isEmpty || learningRates.contains(where: { !($0 > 0) || !$0.isFinite }) { try fail("learningRates must be positive") }
        if repeats < 1 || repeats > 100 { try fail("repeats must be between 1 and 100, got \(repeats)") }
        if mainRepeats < 1 || mainRepeats > 100 { try fail("mainRepeats must be between 1 and 100, got \(mainRepeats)") }
        if let b = budgetSeconds, !(b > 0) || !b.isFinite { try fail("budgetSeconds must be positive, got \(b)") }
        if bootstrapResamples < 100 || bootstrapResamples > 100_000 { try fail("bootstrapResamples must be between 100 and 100000, got \(bootstrapResamples)") }
        var names = Set(Architecture.allCases.map(\.rawValue))
        for m in architectures where !names.insert(m.name).inserted {
            try fail("architectures: two models are named '\(m.name)' (a user's model needs a name of its own, not one of the study's eight)")
        }
    }

    /// A user's model file (YAML, JSON or Keras JSON; `docs/architectures-format.md`) made
    /// ready for the study: read (a bad file fails with the spec reader's line naming it),
    /// its name checked (file-name safe, not a study architecture's) and built once for
    /// `head` on the study's 64×64 input, so a model the study cannot train is refused now.
    public static func customModel(_ url: URL, head: Head) throws -> CustomModel {
        let spec: ModelSpec
        do { spec = try ModelSpec.load(url) } catch { throw ReportError(error.description) }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard spec.name.count <= 64, spec.name.allSatisfy(allowed.contains), !spec.name.hasPrefix("."), !spec.name.hasPrefix("-") else {
            throw ReportError("\(url.path): name '\(TextSafety.clip(spec.name, 60))' must be a file-name-safe word (letters, digits, '.', '_', '-'; at most 64) — it names the model's files and figures")
        }
        if Architecture(rawValue: spec.name) != nil {
            throw ReportError("\(url.path): name '\(spec.name)' is a study architecture's; give the model a name of its own")
        }
        if spec.inputShape.count == 3, ![1, 3].contains(spec.inputShape[2]) {
            throw ReportError("\(url.path): input \(spec.inputShape): the study feeds 1 or 3 channels")
        }
        let model = CustomModel(spec, source: url.path)
        do {
            let ref = ModelRef.custom(model)
            _ = try spec.build(head: head, inputShape: ref.inputShape(channels: ref.studyChannels, size: 64), seed: 0)
        } catch {
            throw ReportError("\(error.description) (the study trains it on 64×64 images, \(head == .joint ? "joint head" : "one network per label"))")
        }
        return model
    }

    /// The fields a configuration file may set; absent ones keep the profile's defaults.
    struct Overrides: Decodable {
        var profile: Profile?
        var seed: UInt64?
        var models: [Architecture]?
        var gridHead: Head?
        var trainLimit: Int?
        var valLimit: Int?
        var monitorLimit: Int?
        var epochs: Int?
        var batchSize: Int?
        var learningRate: Double?
        var callbacks: Bool?
        var classWeighting: Bool?
        var blackPolicy: BlackPolicy?
        var blackRule: BlackRule?
        var thresholds: SubmissionThresholds?
        var augment: Bool?
        var experimentModel: Architecture?
        var experimentEpochs: Int?
        var curveEpochs: [Int]?
        var learningRates: [Double]?
        var batchSizes: [Int]?
        var experiments: [ExperimentID]?
        var repeats: Int?
        var mainRepeats: Int?
        var budgetSeconds: Double?
        var bootstrapResamples: Int?
        var architectures: [String]?
        var onnx: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case profile, seed, models, gridHead, trainLimit, valLimit, monitorLimit, epochs, batchSize, learningRate, callbacks,
                 classWeighting, blackPolicy, blackRule, thresholds, augment, experimentModel, experimentEpochs, curveEpochs,
                 learningRates, batchSizes, experiments, repeats, mainRepeats, budgetSeconds, bootstrapResamples, architectures, onnx
        }

        init(from decoder: Decoder) throws {
            // Refuse unknown fields, with the nearest known one as a suggestion.
            let any = try decoder.container(keyedBy: AnyKey.self)
            let known = CodingKeys.allCases.map(\.stringValue)
            for key in any.allKeys where !known.contains(key.stringValue) {
                let name = TextSafety.clip(key.stringValue, 60)
                if let guess = nearest(key.stringValue, in: known) {
                    throw ReportError("unknown field '\(name)' (did you mean '\(guess)'?)")
                }
                throw ReportError("unknown field '\(name)' (known: \(known.joined(separator: ", ")))")
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            profile = try c.decodeIfPresent(Profile.self, forKey: .profile)
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed)
            models = try c.decodeIfPresent([Architecture].self, forKey: .models)
            gridHead = try c.decodeIfPresent(Head.self, forKey: .gridHead)
            trainLimit = try c.decodeIfPresent(Int.self, forKey: .trainLimit)
            valLimit = try c.decodeIfPresent(Int.self, forKey: .valLimit)
            monitorLimit = try c.decodeIfPresent(Int.self, forKey: .monitorLimit)
            epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
            batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize)
            learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate)
            callbacks = try c.decodeIfPresent(Bool.self, forKey: .callbacks)
            classWeighting = try c.decodeIfPresent(Bool.self, forKey: .classWeighting)
            blackPolicy = try c.decodeIfPresent(BlackPolicy.self, forKey: .blackPolicy)
            blackRule = try c.decodeIfPresent(BlackRule.self, forKey: .blackRule)
            thresholds = try c.decodeIfPresent(SubmissionThresholds.self, forKey: .thresholds)
            augment = try c.decodeIfPresent(Bool.self, forKey: .augment)
            experimentModel = try c.decodeIfPresent(Architecture.self, forKey: .experimentModel)
            experimentEpochs = try c.decodeIfPresent(Int.self, forKey: .experimentEpochs)
            curveEpochs = try c.decodeIfPresent([Int].self, forKey: .curveEpochs)
            learningRates = try c.decodeIfPresent([Double].self, forKey: .learningRates)
            batchSizes = try c.decodeIfPresent([Int].self, forKey: .batchSizes)
            experiments = try c.decodeIfPresent([ExperimentID].self, forKey: .experiments)
            repeats = try c.decodeIfPresent(Int.self, forKey: .repeats)
            mainRepeats = try c.decodeIfPresent(Int.self, forKey: .mainRepeats)
            budgetSeconds = try c.decodeIfPresent(Double.self, forKey: .budgetSeconds)
            bootstrapResamples = try c.decodeIfPresent(Int.self, forKey: .bootstrapResamples)
            architectures = try c.decodeIfPresent([String].self, forKey: .architectures)
            onnx = try c.decodeIfPresent(Bool.self, forKey: .onnx)
        }

        func apply(to c: inout StudyConfig) {
            if let v = seed { c.seed = v }
            if let v = models { c.models = v }
            if let v = gridHead { c.gridHead = v }
            if let v = trainLimit { c.trainLimit = v > 0 ? v : nil }
            if let v = valLimit { c.valLimit = v > 0 ? v : nil }
            if let v = monitorLimit { c.monitorLimit = v > 0 ? v : nil }
            if let v = epochs { c.epochs = v }
            if let v = batchSize { c.batchSize = v }
            if let v = learningRate { c.learningRate = v }
            if let v = callbacks { c.callbacks = v }
            if let v = classWeighting { c.classWeighting = v }
            if let v = blackPolicy { c.blackPolicy = v }
            if let v = blackRule { c.blackRule = v }
            if let v = thresholds { c.thresholds = v }
            if let v = augment { c.augment = v }
            if let v = experimentModel { c.experimentModel = v }
            if let v = experimentEpochs { c.experimentEpochs = v }
            if let v = curveEpochs { c.curveEpochs = v }
            if let v = learningRates { c.learningRates = v }
            if let v = batchSizes { c.batchSizes = v }
            if let v = experiments { c.experiments = v }
            if let v = repeats { c.repeats = v }
            if let v = mainRepeats { c.mainRepeats = v }
            if let v = budgetSeconds { c.budgetSeconds = v > 0 ? v : nil }
            if let v = bootstrapResamples { c.bootstrapResamples = v }
            if let v = onnx { c.onnx = v }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// The known word closest to `word` by edit distance, if it is close enough to be a typo
/// (at most a third of its letters differ, or one is a prefix of the other).
func nearest(_ word: String, in known: [String]) -> String? {
    let w = Array(word.lowercased().replacingOccurrences(of: "_", with: ""))
    var best: (String, Int)?
    for k in known {
        let d = editDistance(w, Array(k.lowercased()))
        if best == nil || d < best!.1 { best = (k, d) }
    }
    guard let (k, d) = best else { return nil }
    return d <= max(1, k.count / 3) || k.lowercased().hasPrefix(String(w)) || String(w).hasPrefix(k.lowercased()) ? k : nil
}

func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}

/// Makes user-supplied text safe for a one-line message: long text is clipped, control
/// characters are shown escaped.
public enum TextSafety {
    public static func clip(_ s: String, _ limit: Int = 120) -> String {
        var out = ""
        var count = 0
        for scalar in s.unicodeScalars {
            if count >= limit { return out + "…(\(s.utf8.count) bytes in all)" }
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                out += String(format: "\\x%02x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }
}

extension CustomModel {
    /// A spec as training sees it: the whole spec in canonical JSON (sorted keys, every
    /// option written), so that any change to the file's model changes the key.
    init(_ spec: ModelSpec, source: String) {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let json = (try? enc.encode(spec)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        self.init(name: spec.name, label: spec.label, inputShape: spec.inputShape, spec: json)
    }

    /// The spec back (it was written by `init(_:source:)`, so it reads).
    func modelSpec() throws -> ModelSpec {
        do { return try ModelSpec.parse(json: spec, source: name) } catch { throw ReportError(error.description) }
    }
}
