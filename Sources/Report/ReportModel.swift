import Foundation
import ModelSpec
import NN
import StudyData
import Training
import Yams

/// Everything the report templates show, as one value tree: the templates only lay it out.
/// Every number was computed in this run and is already formatted; strings that come from
/// data (ids, paths) are escaped for Markdown when the template uses them with `{{…}}`,
/// and the few pre-built Markdown fragments (findings) are used with `{{{…}}}`.
struct ReportModel: Encodable {
    var title = "Medical image multi-label classification — the study, rerun"
    var profile: String
    var quick: Bool
    var dataSource: String
    var defaultData: Bool
    var fingerprint: String
    var budget: BudgetSection?
    var dataset: DatasetSection
    var models: [ModelSection]
    /// "one model of your own (tiny)" when the run has users' models, else nil.
    var userModels: String?
    var augmentation: AugmentationSection
    var base: BaseSection
    var experiments: [ExperimentSection]
    var results: ResultsSection
    var blackRule: BlackRuleSection
    var submission: SubmissionSection
    var methodology: MethodologySection
    var conclusion: ConclusionSection
    var appendix: AppendixSection

    struct BudgetSection: Encodable {
        var seconds: String
        /// "65 %" of the budget for the main comparison, or "all" when no experiment runs.
        var mainShare: String
        /// The plan's rule in numbers (`Budget`): "500 images for 2 epochs", "25 %", "4 epochs".
        var floor: String
        var costTie: String
        var wholeEpochs: String
        /// How the plan was revised during the run (`Schedule`), as a sentence.
        var revised: String
        var rows: [Row]
        struct Row: Encodable { var run: String; var images: String; var epochs: String; var epochsRun: String; var seconds: String }
    }

    struct DatasetSection: Encodable {
        struct SplitRow: Encodable { var name: String; var count: String; var black: String; var blackRate: String; var nearBlack: String }
        struct LabelRow: Encodable { var split: String; var label: String; var positives: String; var negatives: String; var rate: String }
        struct Chart: Encodable { var title: String; var path: String }
        struct Baseline: Encodable { var label: String; var allOnesF1: String; var majorityAccuracy: String }
        var splits: [SplitRow]
        var blackSentence: String
        var duplicateSentence: String
        var labelRows: [LabelRow]
        var labelFigure = FigureID.datasetLabels.link
        var labelCharts: [Chart]
        var blackFigure = FigureID.datasetBlack.link
        var blackLabelFigure = FigureID.datasetBlackLabels.link
        var cooccurrenceFigure = FigureID.datasetCooccurrence.link
        var intensityFigure = FigureID.datasetIntensity.link
        var meanFigure = FigureID.datasetMeanImages.link
        var examplesFigure = FigureID.datasetExamples.link
        var baselineRows: [Baseline]
        var allOnesMeanF1: String
        var baselineSplit: String
    }

    struct ModelSection: Encodable {
        struct Layer: Encodable { var name: String; var type: String; var input: String; var output: String; var params: String }
        var name: String
        var studyLabel: String
        var params: String
        var input: String
        var layers: [Layer]
        var diagram: String
    }

    struct AugmentationSection: Encodable {
        /// The kinds' names, "rotate ±90°; horizontal flip; …".
        var kinds: String
        var gallery = FigureID.augmentationGallery.link
    }

    /// The base setting of the hyper-parameter experiments.
    struct BaseSection: Encodable {
        var model: String
        var images: String
        var epochs: String
        var seeds: String
        var multipleSeeds: Bool
        /// The study's experiments this configuration does not run, by title (nil: all run).
        var notRun: String?
        /// Whether they are left out by the quick profile's default (for the time budget),
        /// rather than by the user's `experiments:` list.
        var notRunForBudget: Bool
    }

    struct ScoreRow: Encodable {
        var label: String; var precision: String; var recall: String; var f1: String; var f1CI: String
        var accuracy: String; var ap: String; var threshold: String
    }

    /// One row of a comparison table: a labelled variant over its seeds.
    struct VariantRow: Encodable {
        var rank: String
        var label: String
        var name: String
        var f1: [String]
        var meanF1: String
        var meanF1CI: String
        var seedSpread: String
        var meanF1Tuned: String
        var meanF1NonBlack: String
        var meanAP: String
        var params: String
        var images: String
        var epochs: String
        var seconds: String
        var imagesPerSecond: String
        var status: String
        var curves: String
    }

    struct ExperimentSection: Encodable {
        var id: String
        var title: String
        var question: String
        var finding: String
        var figure: String
        var rows: [VariantRow]
        var curves: String?
    }

    struct ResultsSection: Encodable {
        struct Best: Encodable {
            var name: String
            var architecture: String
            var meanF1: String
            var meanF1CI: String
            var meanF1Tuned: String
            var meanF1NonBlack: String
            var scores: [ScoreRow]
            var tuned: [ScoreRow]
            var confusion: [String]
            var pr: String
            var roc: String
            var misclassified: String
        }
        struct ThresholdRow: Encodable { var name: String; var meanF1: String; var meanF1Tuned: String; var gain: String; var thresholds: String }
        struct APRow: Encodable { var name: String; var ap: [String]; var meanAP: String }
        var rows: [VariantRow]
        var finding: String
        var best: Best
        var baselineF1: String
        var aboveBaseline: String
        var thresholdRows: [ThresholdRow]
        var apRows: [APRow]
        var figure = FigureID.resultsF1.link
        var apFigure = FigureID.resultsAP.link
        var scoredImages: String
        var nonBlackImages: String
    }

    struct BlackRuleSection: Encodable {
        struct Row: Encodable { var rule: String; var prediction: String; var meanF1: String; var chosen: Bool }
        var rows: [Row]
        var chosen: String
        var asked: String
        var sentence: String
        var figure = FigureID.blackRules.link
        var blackValidation: String
        /// No validation image is entirely black: the rules cannot differ, so none is compared.
        var noBlack: Bool
    }

    struct SubmissionSection: Encodable {
        struct Positive: Encodable { var label: String; var count: String; var rate: String }
        struct Test: Encodable { var scores: [ScoreRow]; var meanF1: String; var meanF1CI: String }
        var model: String
        var count: String
        var black: String
        /// At least one test image is entirely black (and got the rule).
        var anyBlack: Bool
        var rule: String
        /// "threshold 0.5" or the three tuned thresholds, and why.
        var thresholds: String
        var thresholdSentence: String
        var positives: [Positive]
        var head: String
        var test: Test?
    }

    struct MethodologySection: Encodable {
        var resamples: String
        var seedsMain: String
        var seedsExperiments: String
    }

    struct ConclusionSection: Encodable {
        var summary: String
        var architectures: String
    }

    struct AppendixSection: Encodable {
        struct Version: Encodable { var name: String; var version: String }
        struct Cell: Encodable { var cell: String; var key: String; var status: String; var seconds: String }
        var command: String
        var seed: String
        var fingerprint: String
        var commit: String
        var computed: String
        var cached: String
        var totalSeconds: String
        var versions: [Version]
        var config: String
        var cells: [Cell]
    }
}

// MARK: - Building the model

extension ReportModel {
    init(options: StudyOptions, data: LoadedData, analysis: DatasetAnalysis, sizes: Plan.Sizes, plan: Plan,
         revisions: Int = 0, slowdown: Double? = nil, trained: [Variant: VariantResult], evaluated: Evaluated, findings: Findings, submission: Submission, testScore: [LabelScore]?,
         timings: [CellTiming], started: Date) {
        let cfg = options.config
        profile = cfg.profile.rawValue
        quick = cfg.profile == .quick
        defaultData = data.isDefault
        dataSource = data.isDefault ? "the embedded default dataset (generated phantom scans in the competition's layout)"
                                    : "the data in \(Markdown.code(TextSafety.clip(data.dataset.root.path, 200)))"
        fingerprint = data.dataset.fingerprint
        dataset = ReportModel.datasetSection(analysis)
        models = Architecture.allCases.map { a in
            let info = ArchitectureInfo.of(a)
            return ModelSection(name: a.rawValue, studyLabel: a.studyLabel, params: grouped(info.parameterCount),
                                input: ArchitectureInfo.shapeText(info.inputShape),
                                layers: info.summary.map { s in
                                    ModelSection.Layer(name: s.name, type: s.type, input: ArchitectureInfo.shapeText(s.input),
                                                       output: ArchitectureInfo.shapeText(s.output), params: grouped(s.params))
                                },
                                diagram: FigureID.architecture(a.rawValue).link)
        }
        if !cfg.architectures.isEmpty {
            let names = cfg.architectures.map(\.name).joined(separator: ", ")
            userModels = cfg.architectures.count == 1 ? "one model of your own (\(names))" : "\(cfg.architectures.count) models of your own (\(names))"
        }
        for m in cfg.architectures {
            guard let spec = try? m.modelSpec(), let rows = try? spec.summary() else { continue }
            models.append(ModelSection(name: m.name, studyLabel: m.label ?? "your model",
                                       params: grouped(rows.reduce(0) { $0 + $1.params }),
                                       input: ArchitectureInfo.shapeText(spec.inputShape),
                                       layers: rows.map { s in
                                           ModelSection.Layer(name: s.name, type: s.type, input: ArchitectureInfo.shapeText(s.input),
                                                              output: ArchitectureInfo.shapeText(s.output), params: grouped(s.params))
                                       },
                                       diagram: FigureID.architecture(m.name).link))
        }
        augmentation = AugmentationSection(kinds: FigureSet.galleryKinds.map(\.0).joined(separator: "; "))

        // The base setting: the variant the experiments share (each changes one choice of it),
        // i.e. the one that appears in the most of them.
        // Ties: the first to appear in the plan.
        var order: [Variant] = [], count: [Variant: Int] = [:]
        for e in plan.experiments {
            for v in Set(e.rows.map(\.variant)) { count[v, default: 0] += 1 }
            for r in e.rows where !order.contains(r.variant) { order.append(r.variant) }
        }
        let expBase = order.max { count[$0]! < count[$1]! }
        base = BaseSection(model: cfg.experimentModel.rawValue,
                           images: expBase.map { ReportModel.images($0, data: data) } ?? "–",
                           epochs: expBase.map { plural($0.epochs, "epoch") } ?? "–",
                           seeds: plural(cfg.repeats, "seed"), multipleSeeds: cfg.repeats > 1,
                           notRun: { () -> String? in
                               let missing = ExperimentID.hyperParameters.filter { !cfg.experiments.contains($0) }
                               return missing.isEmpty ? nil : missing.map { "*\($0.title)*" }.joined(separator: ", ")
                           }(),
                           notRunForBudget: cfg.profile == .quick && cfg.experiments == ExperimentID.quick)
        func row(_ r: Experiment.Row, rank: Int?) -> VariantRow {
            ReportModel.variantRow(r, rank: rank, trained: trained, evaluated: evaluated, findings: findings, data: data)
        }
        experiments = plan.experiments.map { e in
            ExperimentSection(id: e.id.rawValue, title: e.title, question: e.question, finding: findings.sentence(for: e),
                              figure: FigureID.experiment(e.id).link, rows: e.rows.map { row($0, rank: nil) },
                              curves: e.id == .epochs ? FigureID.experimentCurves.link : nil)
        }
        let ranked = findings.ranked(plan.main)
        let bestRun = evaluated.best, bestEval = evaluated[bestRun], bestResult = trained[bestRun]!
        let bestCI = findings.interval(of: [bestRun])
        func scoreRows(_ scores: [LabelScore], ci: [String]?) -> [ScoreRow] {
            scores.map { s in
                ScoreRow(label: "label\(s.label + 1)", precision: fmt(s.precision), recall: fmt(s.recall), f1: fmt(s.f1),
                         f1CI: ci?[s.label] ?? "", accuracy: fmt(s.accuracy), ap: fmt(s.ap), threshold: fmt(Double(s.threshold), 2))
            }
        }
        results = ResultsSection(
            rows: ranked.enumerated().map { row($0.element, rank: $0.offset + 1) },
            finding: findings.sentence(for: plan.main),
            best: ResultsSection.Best(
                name: bestResult.name, architecture: bestRun.model.name, meanF1: fmt(bestEval.meanF1),
                meanF1CI: bestCI.mean, meanF1Tuned: fmt(bestEval.meanF1Tuned), meanF1NonBlack: fmt(bestEval.meanF1NonBlack),
                scores: scoreRows(bestEval.atHalf, ci: bestCI.perLabel), tuned: scoreRows(bestEval.tuned, ci: nil),
                confusion: (0..<3).map { FigureID.confusion(run: bestResult.name, label: $0).link },
                pr: FigureID.precisionRecall(run: bestResult.name).link, roc: FigureID.roc(run: bestResult.name).link,
                misclassified: FigureID.misclassified(run: bestResult.name).link),
            baselineF1: fmt(evaluated.baseline),
            aboveBaseline: findings.baselineComparison(bestRun),
            thresholdRows: plan.main.rows.map { r in
                let ev = evaluated[r.runs[0]]
                return ResultsSection.ThresholdRow(name: trained[r.runs[0]]!.name, meanF1: fmt(ev.meanF1), meanF1Tuned: fmt(ev.meanF1Tuned),
                                                   gain: signed(ev.meanF1Tuned - ev.meanF1),
                                                   thresholds: ev.tunedThresholds.map { fmt(Double($0), 2) }.joined(separator: " / "))
            },
            apRows: plan.runs.compactMap { v in
                guard let ev = evaluated.byRun[v] else { return nil }
                return ResultsSection.APRow(name: trained[v]!.name, ap: ev.atHalf.map { fmt($0.ap) }, meanAP: fmt(ev.meanAP))
            },
            scoredImages: grouped(data.prep.validation.count), nonBlackImages: grouped(data.prep.nonBlackValidation.count))

        let choice = evaluated.blackRule
        let blackValidation = data.prep.validationBlack.filter { $0 }.count
        blackRule = BlackRuleSection(
            rows: choice.candidates.map {
                BlackRuleSection.Row(rule: $0.rule.rawValue, prediction: $0.prediction.map(String.init).joined(separator: ","),
                                     meanF1: fmt($0.meanF1), chosen: $0.rule == choice.chosen)
            },
            chosen: choice.chosen.rawValue, asked: choice.asked.rawValue, sentence: findings.blackRuleSentence(choice),
            blackValidation: grouped(blackValidation), noBlack: blackValidation == 0)

        let n = submission.ids.count
        do {
            var s = SubmissionSection(
                model: submission.model, count: grouped(n), black: grouped(submission.blackCount), anyBlack: submission.blackCount > 0,
                rule: "\(choice.chosen.rawValue) (\(choice.prediction.map(String.init).joined(separator: ",")))",
                thresholds: Findings.thresholdsShort(submission.thresholds),
                thresholdSentence: findings.thresholdSentence(evaluated.thresholds),
                positives: (0..<3).map { l in
                    let c = submission.predictions.filter { $0[l] == 1 }.count
                    return SubmissionSection.Positive(label: "label\(l + 1)", count: grouped(c), rate: percent(c, n))
                },
                head: Markdown.codeBlock(submission.csv.split(separator: "\n").prefix(6).map { TextSafety.clip(String($0), 80) }.joined(separator: "\n")))
            if let t = testScore, let truth = data.testTruth {
                let ci = findings.intervals(truth: truth, predictions: submission.predictions)
                s.test = SubmissionSection.Test(scores: scoreRows(t, ci: ci.perLabel), meanF1: fmt(t.map(\.f1).reduce(0, +) / 3), meanF1CI: ci.mean)
            }
            self.submission = s
        }
        methodology = MethodologySection(resamples: grouped(cfg.bootstrapResamples), seedsMain: plural(cfg.mainRepeats, "seed"),
                                         seedsExperiments: plural(cfg.repeats, "seed"))
        conclusion = ConclusionSection(summary: findings.conclusion(isDefault: data.isDefault), architectures: findings.sentence(for: plan.main))

        if let b = cfg.budgetSeconds {
            budget = BudgetSection(seconds: Log.duration(b),
                                   mainShare: plan.experiments.isEmpty ? "all" : "\(Int((Budget.mainShare * 100).rounded())) %",
                                   floor: "\(grouped(Budget.floorImages)) images for \(plural(Budget.minEpochs, "epoch"))",
                                   costTie: "\(Int(((Budget.costTie - 1) * 100).rounded())) %",
                                   wholeEpochs: plural(Budget.wholeEpochs(cfg), "epoch"),
                                   revised: Self.revisionSentence(revisions: revisions, slowdown: slowdown), rows: plan.runs.map { v in
                let r = trained[v]!
                return BudgetSection.Row(run: r.name, images: grouped(r.networks.first?.trainImages ?? 0),
                                         epochs: "\(v.epochs)", epochsRun: r.networks.map { "\($0.epochsRun)" }.joined(separator: "/"),
                                         seconds: fmt(r.cellSeconds, 1))
            })
        }
        let yaml = (try? YAMLEncoder().encode(cfg)) ?? "\(cfg)"
        appendix = AppendixSection(
            command: Markdown.code(CommandLine.arguments.map { TextSafety.clip($0, 200) }.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")),
            seed: "\(cfg.seed)", fingerprint: data.dataset.fingerprint, commit: Versions.gitCommit() ?? "not a git checkout",
            computed: "\(timings.filter { !$0.cached }.count)", cached: "\(timings.filter(\.cached).count)",
            totalSeconds: fmt(Date().timeIntervalSince(started), 1),
            versions: Versions.all().map { AppendixSection.Version(name: $0.0, version: $0.1) },
            config: yaml,
            cells: timings.filter { !$0.cell.hasPrefix("figure/") }.map {
                AppendixSection.Cell(cell: $0.cell, key: $0.key, status: $0.cached ? "cached" : "computed", seconds: fmt($0.seconds, 1))
            })
    }

    /// What the schedule did with the plan (`Schedule.Outcome`).
    static func revisionSentence(revisions: Int, slowdown: Double?) -> String {
        guard let slowdown else {
            return "Every cell of the first plan was already cached (computed by shards or an earlier run), so it was used as it was."
        }
        let pace = "The networks trained at \(fmt(1 / slowdown, 2))× the speed measured at the start"
        return revisions == 0
            ? pace + "; revising the plan before each network from that changed no size."
            : pace + ": revising the plan before each network from the speeds achieved so far changed the sizes of the networks still to train \(revisions == 1 ? "once" : "\(revisions) times"). The table shows what each trained with."
    }

    static func images(_ v: Variant, data: LoadedData) -> String {
        let n = data.trainCount(v.blackPolicy)
        return grouped(min(n, v.trainLimit ?? n))
    }

    static func variantRow(_ r: Experiment.Row, rank: Int?, trained: [Variant: VariantResult], evaluated: Evaluated,
                           findings: Findings, data: LoadedData) -> VariantRow {
        let runs = r.runs
        let evs = runs.map { evaluated[$0] }, res = runs.map { trained[$0]! }
        func avg(_ f: (VariantEvaluation) -> Double) -> Double { evs.map(f).reduce(0, +) / Double(evs.count) }
        let ci = findings.interval(of: runs)
        var status: [String] = []
        for (e, t) in zip(evs, res) {
            let tag = runs.count > 1 ? "seed \(t.variant.seed): " : ""
            if !t.diverged.isEmpty { status.append(tag + "diverged (" + t.diverged.joined(separator: "; ") + ")") }
            else if !e.collapsed.isEmpty { status.append(tag + "collapsed on " + e.collapsed.map { "label\($0 + 1)" }.joined(separator: ", ")) }
        }
        let means = evs.map(\.meanF1)
        return VariantRow(
            rank: rank.map { evs.allSatisfy(\.learned) ? "\($0)" : "–" } ?? "",
            label: r.label, name: res[0].name + (runs.count > 1 ? " ×\(runs.count)" : ""),
            f1: (0..<3).map { l in fmt(avg { $0.atHalf[l].f1 }) }, meanF1: fmt(avg(\.meanF1)), meanF1CI: ci.mean,
            seedSpread: runs.count > 1 ? "± \(fmt(SeedSpread.sd(means)))" : "",
            meanF1Tuned: fmt(avg(\.meanF1Tuned)), meanF1NonBlack: fmt(avg(\.meanF1NonBlack)), meanAP: fmt(avg(\.meanAP)),
            params: grouped(res[0].parameterCount), images: grouped(res[0].networks.first?.trainImages ?? 0),
            epochs: res.map { $0.networks.map { "\($0.epochsRun)" }.joined(separator: "/") }.joined(separator: ", "),
            seconds: fmt(res.map(\.seconds).reduce(0, +), 0),
            imagesPerSecond: fmt(res.flatMap(\.networks).map(\.imagesPerSecond).reduce(0, +) / Double(max(1, res.flatMap(\.networks).count)), 0),
            status: status.joined(separator: "; "),
            curves: FigureID.curves(run: res[0].name).link)
    }

    static func datasetSection(_ analysis: DatasetAnalysis) -> DatasetSection {
        let total = analysis.splits.reduce(0) { $0 + $1.count }
        let black = analysis.splits.reduce(0) { $0 + $1.blackCount }
        let labelled = analysis.splits.filter(\.labelled)
        let lBlack = labelled.reduce(0) { $0 + $1.blackCount }, lTotal = labelled.reduce(0) { $0 + $1.count }
        var blackSentence = "\(grouped(black)) of the \(grouped(total)) images (\(percent(black, total))) are entirely black"
        blackSentence += " — \(grouped(lBlack)) of the \(grouped(lTotal)) labelled train and validation images (the original counted 4,985 of 15,000)."
        if lBlack > 0 {
            let rates = (0..<3).map { l -> String in
                let p = labelled.reduce(0) { $0 + $1.blackPositives[l] }
                return "label\(l + 1) \(percent(p, lBlack))"
            }
            blackSentence += " Black images carry both labels (positive rates \(rates.joined(separator: ", "))): they hold no signal, so the study dropped all but one of them from training."
        }
        func ids(_ list: [String]) -> String { list.map { Markdown.code(TextSafety.clip($0, 40)) }.joined(separator: ", ") }
        var dup = analysis.exactDuplicateGroupCount == 0
            ? "Apart from the black images, no two images are identical"
            : "Apart from the black images, \(grouped(analysis.exactDuplicateGroupCount)) groups of identical images were found (\(grouped(analysis.exactDuplicateImageCount)) images; \(analysis.exactDuplicateCrossSplitGroups) groups span splits, e.g. \(analysis.exactDuplicateExamples.first.map { ids($0.images) } ?? ""))"
        dup += analysis.nearDuplicatePairCount == 0
            ? ", and no near-duplicates (perceptual hash within \(analysis.nearDuplicateThreshold) bits)."
            : "; \(grouped(analysis.nearDuplicatePairCount)) near-duplicate pairs have perceptual hashes within \(analysis.nearDuplicateThreshold) bits (e.g. \(analysis.nearDuplicateExamples.prefix(3).map { "\(ids([$0.a])) ~ \(ids([$0.b]))" }.joined(separator: ", ")))."
        dup += " The original found no duplicates besides the black images."

        return DatasetSection(
            splits: analysis.splits.map { s in
                DatasetSection.SplitRow(name: s.name, count: grouped(s.count), black: grouped(s.blackCount),
                                        blackRate: percent(s.blackCount, s.count), nearBlack: grouped(s.nearBlackCount))
            },
            blackSentence: blackSentence, duplicateSentence: dup,
            labelRows: labelled.flatMap { s in
                (0..<3).map { l in
                    DatasetSection.LabelRow(split: s.name, label: "label\(l + 1)", positives: grouped(s.positives[l]),
                                            negatives: grouped(s.negatives[l]), rate: percent(s.positives[l], s.count))
                }
            },
            labelCharts: labelled.flatMap { s in
                (0..<3).map { l in DatasetSection.Chart(title: "\(s.name) label\(l + 1)", path: FigureID.datasetLabelsOf(split: s.name, label: l).link) }
            },
            baselineRows: analysis.baselines.map { b in
                DatasetSection.Baseline(label: "label\(b.label)", allOnesF1: fmt(b.allOnesF1), majorityAccuracy: fmt(b.majorityAccuracy))
            },
            allOnesMeanF1: fmt(analysis.meanAllOnesF1), baselineSplit: analysis.baselineSplit)
    }
}

// MARK: - Formatting

func fmt(_ x: Double, _ digits: Int = 3) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    return String(format: "%.\(digits)f", x)
}

/// "+0.012" / "−0.034": a difference with its sign always shown.
func signed(_ x: Double, _ digits: Int = 3) -> String {
    guard x.isFinite else { return fmt(x, digits) }
    let s = String(format: "%.\(digits)f", abs(x))
    return (x < 0 && s != String(format: "%.\(digits)f", 0.0) ? "−" : "+") + s
}

/// 12345 → "12,345".
func grouped(_ n: Int) -> String {
    let s = String(abs(n))
    var out = ""
    for (i, c) in s.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + String(out.reversed())
}

/// "1 epoch", "3 epochs".
func plural(_ n: Int, _ word: String) -> String { "\(grouped(n)) \(word)\(n == 1 ? "" : "s")" }

func percent(_ a: Int, _ b: Int) -> String { b == 0 ? "–" : String(format: "%.1f %%", 100 * Double(a) / Double(b)) }

enum SeedSpread {
    /// Sample standard deviation (n − 1); 0 for fewer than two values.
    static func sd(_ xs: [Double]) -> Double {
        guard xs.count > 1 else { return 0 }
        let m = xs.reduce(0, +) / Double(xs.count)
        return (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
    }
}

/// Seed-averaged values of a row.
enum RowStats {
    static func average(_ r: Experiment.Row, _ evaluated: Evaluated, _ f: (VariantEvaluation) -> Double) -> Double {
        r.runs.map { f(evaluated[$0]) }.reduce(0, +) / Double(r.runs.count)
    }
}
