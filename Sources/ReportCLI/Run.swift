import ArgumentParser
import Foundation
import NN
import Report

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rerun the study and write output/report.md, output/report.html and the files beside them.")

    @Option(help: "Competition data folder (default: the embedded phantom dataset in ./data/phantom).")
    var data: String?

    @Option(help: "Output folder.")
    var out: String = "output"

    @Option(help: "quick (a subset, a few minutes) or full (the study's protocol).")
    var profile: Profile = .quick

    @Option(help: "YAML configuration file: any StudyConfig fields, over the profile's defaults.")
    var config: String?

    @Option(parsing: .upToNextOption, help: "Architectures of the main comparison (conv1 … conv5, lstm1, fc1, fc2).")
    var models: [Architecture] = []

    @Option(help: "Random seed of every draw.")
    var seed: UInt64?

    @Option(help: "Number of training images (0 = all).")
    var trainLimit: Int?

    @Option(help: "Epochs of the main comparison.")
    var epochs: Int?

    @Option(help: "Test labels (id,label1,label2,label3) to score the submission against.")
    var testLabels: String?

    @Option(help: "Report templates folder.")
    var templates: String = "report-templates"

    @Option(name: .customLong("force"), help: "Recompute this cell even if cached; repeatable, prefix match (e.g. train/conv2, figures).")
    var force: [String] = []

    @Flag(help: "Ignore the cache (results are still written to it).")
    var noCache = false

    @Flag(help: "Print only errors and warnings.")
    var quiet = false

    func run() throws {
        do {
            var cfg = try config.map { try StudyConfig.load(URL(fileURLWithPath: $0), base: profile) } ?? StudyConfig.defaults(for: profile)
            if !models.isEmpty { cfg.models = models }
            if let seed { cfg.seed = seed }
            if let trainLimit { cfg.trainLimit = trainLimit > 0 ? trainLimit : nil }
            if let epochs { cfg.epochs = epochs }
            try cfg.validate(source: "command line")
            let options = StudyOptions(
                dataDirectory: data.map { URL(fileURLWithPath: $0) },
                outputDirectory: URL(fileURLWithPath: out),
                templatesDirectory: URL(fileURLWithPath: templates),
                config: cfg,
                testLabels: testLabels.map { URL(fileURLWithPath: $0) },
                useCache: !noCache, forced: force, quiet: quiet,
                defaultDataDirectory: URL(fileURLWithPath: "data/phantom"))
            let html = try Study(options: options).run()
            if !quiet { print(html.path) }
        } catch {
            fail(error)
        }
    }
}

extension Profile: ExpressibleByArgument {}
extension Architecture: ExpressibleByArgument {}
