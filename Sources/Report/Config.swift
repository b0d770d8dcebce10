import Foundation
import NN
import StudyData
import Yams

/// How much of the study a run does.
public enum Profile: String, Codable, Sendable, CaseIterable {
    /// A subset of the data and few epochs: every section present with real trained results,
    /// within about five minutes on two cores.
    case quick
    /// The study's own protocol: all 12,000 / 3,000 images, up to 10 epochs with the study's
    /// callbacks, all eight architectures trained one network per label.
    case full
}

/// Everything that decides what a run computes. Every field feeds the cache keys of the
/// cells that read it, so changing one recomputes exactly what depends on it.
public struct StudyConfig: Codable, Sendable, Equatable {
    public var profile: Profile
    public var seed: UInt64
    /// Architectures of the main comparison (experiment 1).
    public var models: [Architecture]
    /// Head used for the main comparison: the study's one network per label, or one joint network.
    public var gridHead: Head
    /// Training images used (after the black-image policy); nil = all.
    public var trainLimit: Int?
    /// Validation images scored (a seeded random subset); nil = all.
    public var valLimit: Int?
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    /// The study's callbacks (early stopping, ReduceLROnPlateau) and class weights.
    public var callbacks: Bool
    public var classWeighting: Bool
    public var blackPolicy: BlackPolicy
    public var augment: Bool
    /// The architecture the hyper-parameter experiments (2–5) are run on.
    public var experimentModel: Architecture
    /// Epochs of the hyper-parameter experiments and of the long curve run (experiment 3).
    public var experimentEpochs: Int
    public var curveEpochs: [Int]
    public var learningRates: [Double]
    /// Experiments run besides the main comparison, by id (heads, epochs, learning-rate,
    /// optimizer, loss, augmentation, black-policy, channels, resolution); all by default.
    public var experimentIds: [String]

    public static let allExperimentIds = ["heads", "epochs", "learning-rate", "optimizer", "loss",
                                          "augmentation", "black-policy", "channels", "resolution"]

    public static func defaults(for profile: Profile) -> StudyConfig {
        switch profile {
        case .quick:
            return StudyConfig(profile: .quick, seed: 2024, models: Architecture.allCases, gridHead: .joint,
                               trainLimit: 2_500, valLimit: 1_000, epochs: 2, batchSize: 32, learningRate: 1e-3,
                               callbacks: true, classWeighting: false, blackPolicy: .keepOne, augment: false,
                               experimentModel: .conv4, experimentEpochs: 2, curveEpochs: [2, 4],
                               learningRates: [1e-3, 1e-2, 1e-1], experimentIds: allExperimentIds)
        case .full:
            return StudyConfig(profile: .full, seed: 2024, models: Architecture.allCases, gridHead: .perLabel,
                               trainLimit: nil, valLimit: nil, epochs: 10, batchSize: 32, learningRate: 1e-3,
                               callbacks: true, classWeighting: true, blackPolicy: .keepOne, augment: false,
                               experimentModel: .conv2, experimentEpochs: 10, curveEpochs: [5, 10],
                               learningRates: [1e-3, 1e-2, 1e-1], experimentIds: allExperimentIds)
        }
    }

    /// Reads a YAML (or JSON) configuration file: any subset of the fields above, applied
    /// over the defaults of the file's `profile` (or of `base`).
    public static func load(_ url: URL, base: Profile) throws -> StudyConfig {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ReportError("\(url.path): cannot read the configuration file (\(error.localizedDescription))")
        }
        let overrides: Overrides
        do { overrides = try YAMLDecoder().decode(Overrides.self, from: text) } catch let DecodingError.dataCorrupted(ctx) {
            throw ReportError("\(url.path): \(ctx.debugDescription)")
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.valueNotFound(_, ctx) {
            let path = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            throw ReportError("\(url.path): field '\(path)': \(ctx.debugDescription)")
        } catch {
            throw ReportError("\(url.path): not a valid YAML configuration (\(error))")
        }
        var c = StudyConfig.defaults(for: overrides.profile ?? base)
        overrides.apply(to: &c)
        try c.validate(source: url.path)
        return c
    }

    public func validate(source: String = "configuration") throws {
        func fail(_ s: String) throws -> Never { throw ReportError("\(source): \(s)") }
        if epochs < 1 { try fail("epochs must be at least 1, got \(epochs)") }
        if experimentEpochs < 1 { try fail("experimentEpochs must be at least 1, got \(experimentEpochs)") }
        if batchSize < 1 { try fail("batchSize must be at least 1, got \(batchSize)") }
        if !(learningRate > 0) { try fail("learningRate must be positive, got \(learningRate)") }
        if let t = trainLimit, t < 2 { try fail("trainLimit must be at least 2, got \(t)") }
        if let v = valLimit, v < 2 { try fail("valLimit must be at least 2, got \(v)") }
        if models.isEmpty { try fail("models must name at least one architecture") }
        if curveEpochs.isEmpty || curveEpochs.contains(where: { $0 < 1 }) { try fail("curveEpochs must be positive") }
        if learningRates.isEmpty || learningRates.contains(where: { !($0 > 0) }) { try fail("learningRates must be positive") }
        for id in experimentIds where !StudyConfig.allExperimentIds.contains(id) {
            try fail("experimentIds: unknown experiment '\(id)' (known: \(StudyConfig.allExperimentIds.joined(separator: ", ")))")
        }
    }

    /// The fields a configuration file may set; absent ones keep the profile's defaults.
    struct Overrides: Decodable {
        var profile: Profile?
        var seed: UInt64?
        var models: [Architecture]?
        var gridHead: Head?
        var trainLimit: Int?
        var valLimit: Int?
        var epochs: Int?
        var batchSize: Int?
        var learningRate: Double?
        var callbacks: Bool?
        var classWeighting: Bool?
        var blackPolicy: BlackPolicy?
        var augment: Bool?
        var experimentModel: Architecture?
        var experimentEpochs: Int?
        var curveEpochs: [Int]?
        var learningRates: [Double]?
        var experimentIds: [String]?

        func apply(to c: inout StudyConfig) {
            if let v = seed { c.seed = v }
            if let v = models { c.models = v }
            if let v = gridHead { c.gridHead = v }
            if let v = trainLimit { c.trainLimit = v > 0 ? v : nil }
            if let v = valLimit { c.valLimit = v > 0 ? v : nil }
            if let v = epochs { c.epochs = v }
            if let v = batchSize { c.batchSize = v }
            if let v = learningRate { c.learningRate = v }
            if let v = callbacks { c.callbacks = v }
            if let v = classWeighting { c.classWeighting = v }
            if let v = blackPolicy { c.blackPolicy = v }
            if let v = augment { c.augment = v }
            if let v = experimentModel { c.experimentModel = v }
            if let v = experimentEpochs { c.experimentEpochs = v }
            if let v = curveEpochs { c.curveEpochs = v }
            if let v = learningRates { c.learningRates = v }
            if let v = experimentIds { c.experimentIds = v }
        }
    }
}
