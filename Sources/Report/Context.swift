import Foundation
import NN
import StudyData
import Yams

/// The values the report templates see. Every number here was computed in this run; the
/// templates only lay them out. Strings that come from data (ids, file names) are escaped
/// by Mustache's `{{…}}`; pre-built Markdown fragments are marked `md` and used with `{{{…}}}`.
extension Products {
    func context(figures: Set<String>) throws -> [String: Any] {
        let cfg = study.config
        var c: [String: Any] = [:]
        c["title"] = "Medical image multi-label classification — the study, rerun"
        c["profile"] = cfg.profile.rawValue
        c["quick"] = cfg.profile == .quick
        c["trainLimit"] = cfg.trainLimit.map(grouped) ?? "all"
        c["valLimit"] = grouped(study.prep.validation.count)
        c["epochs"] = cfg.epochs
        c["epochsText"] = plural(cfg.epochs, "epoch")
        c["experimentEpochs"] = cfg.experimentEpochs
        c["experimentEpochsText"] = plural(cfg.experimentEpochs, "epoch")
        c["experimentModel"] = cfg.experimentModel.rawValue
        c["gridHeadPerLabel"] = cfg.gridHead == .perLabel
        c["dataSource"] = study.options.dataDirectory == nil ? "the embedded default dataset (generated phantom scans in the competition's layout)" : "the data in \(dataset.root.path)"
        c["defaultData"] = study.options.dataDirectory == nil
        c["fingerprint"] = dataset.fingerprint
        c["figure"] = figures.reduce(into: [String: String]()) { $0[$1.replacingOccurrences(of: "-", with: "_")] = "figures/\($1).png" }

        c["dataset"] = datasetContext()
        c["models"] = modelsContext()
        c["augmentation"] = augmentationContext()
        c["results"] = resultsContext()
        c["experiments"] = experimentsContext()
        c["submission"] = submissionContext()
        c["appendix"] = try appendixContext()
        c["conclusion"] = conclusion()
        return c
    }

    // MARK: - Models

    func modelsContext() -> [[String: Any]] {
        Architecture.allCases.map { arch in
            let model = ArchitectureInfo.of(arch)
            return [
                "name": arch.rawValue,
                "studyLabel": arch.studyLabel,
                "params": grouped(model.parameterCount),
                "input": Study.shapeText(model.inputShape),
                "layers": model.summary.map { s in
                    ["name": s.name, "type": s.type, "input": Study.shapeText(s.input),
                     "output": Study.shapeText(s.output), "params": grouped(s.params)] as [String: Any]
                },
                "diagram": "figures/architecture-\(arch.rawValue).png",
            ]
        }
    }

    func augmentationContext() -> [String: Any] {
        ["kinds": Products.galleryKinds.map { ["name": $0.0] }, "gallery": "figures/augmentation-gallery.png"]
    }

    // MARK: - Results

    func scoreRow(_ s: LabelScore) -> [String: Any] {
        ["label": "label\(s.label + 1)", "precision": fmt(s.precision), "recall": fmt(s.recall), "f1": fmt(s.f1),
         "accuracy": fmt(s.accuracy), "ap": fmt(s.ap), "threshold": fmt(Double(s.threshold), 2)]
    }

    func resultsContext() -> [String: Any] {
        let grid = plan[0].rows
        let ranked = grid.sorted { evaluations[$0.variant]!.meanF1 > evaluations[$1.variant]!.meanF1 }
        let rows: [[String: Any]] = ranked.enumerated().map { (rank, row) in
            let r = results[row.variant]!, e = evaluations[row.variant]!
            var row: [String: Any] = [
                "rank": rank + 1, "name": r.name, "architecture": row.variant.architecture.rawValue,
                "studyLabel": row.variant.architecture.studyLabel,
                "f1": e.atHalf.map { fmt($0.f1) }, "f1_1": fmt(e.atHalf[0].f1), "f1_2": fmt(e.atHalf[1].f1), "f1_3": fmt(e.atHalf[2].f1),
                "meanF1": fmt(e.meanF1), "meanF1Tuned": fmt(e.meanF1Tuned), "meanF1NonBlack": fmt(e.meanF1NonBlack),
                "meanAP": fmt(e.meanAP), "params": grouped(r.parameterCount),
                "seconds": fmt(r.seconds, 0), "imagesPerSecond": fmt(r.networks.map(\.history.imagesPerSecond).reduce(0, +) / Double(r.networks.count), 0),
                "epochsRun": r.networks.map { "\($0.history.epochs.count)" }.joined(separator: "/"),
                "curves": "figures/curves-\(r.name).png",
                "scores": e.atHalf.map(scoreRow),
            ]
            if !r.diverged.isEmpty { row["diverged"] = r.diverged.joined(separator: "; ") }
            return row
        }
        let b = results[best]!, e = evaluations[best]!
        return [
            "rows": rows,
            "best": [
                "name": b.name, "architecture": best.architecture.rawValue, "studyLabel": best.architecture.studyLabel,
                "meanF1": fmt(e.meanF1), "meanF1Tuned": fmt(e.meanF1Tuned), "meanF1NonBlack": fmt(e.meanF1NonBlack),
                "scores": e.atHalf.map(scoreRow), "tuned": e.tuned.map(scoreRow), "nonBlack": e.nonBlack.map(scoreRow),
                "thresholds": e.tunedThresholds.enumerated().map { ["label": "label\($0.offset + 1)", "threshold": fmt(Double($0.element), 3)] },
                "confusion": (1...3).map { "figures/confusion-\(b.name)-label\($0).png" },
                "pr": "figures/pr-\(b.name).png", "roc": "figures/roc-\(b.name).png",
                "misclassified": "figures/misclassified-\(b.name).png",
            ] as [String: Any],
            "baselineF1": fmt(scoredBaseline),
            "aboveBaseline": fmt(e.meanF1 - scoredBaseline),
            "thresholdRows": grid.map { row -> [String: Any] in
                let ev = evaluations[row.variant]!
                return ["name": results[row.variant]!.name, "meanF1": fmt(ev.meanF1), "meanF1Tuned": fmt(ev.meanF1Tuned),
                        "gain": fmt(ev.meanF1Tuned - ev.meanF1),
                        "thresholds": ev.tunedThresholds.map { fmt(Double($0), 2) }.joined(separator: " / ")]
            },
            "figure": "figures/results-f1-by-model.png",
        ]
    }

    func experimentsContext() -> [[String: Any]] {
        let findings = Findings(plan: plan, evaluations: evaluations, results: results).all()
        return plan.dropFirst().map { e -> [String: Any] in
            var c: [String: Any] = [
                "id": e.id, "title": e.title, "question": e.question,
                "finding": findings[e.id] ?? "",
                "figure": "figures/experiment-\(e.id).png",
                "rows": e.rows.map { row -> [String: Any] in
                    let r = results[row.variant]!, ev = evaluations[row.variant]!
                    var d: [String: Any] = ["label": row.label, "name": r.name, "f1_1": fmt(ev.atHalf[0].f1), "f1_2": fmt(ev.atHalf[1].f1),
                                            "f1_3": fmt(ev.atHalf[2].f1), "meanF1": fmt(ev.meanF1), "meanAP": fmt(ev.meanAP),
                                            "seconds": fmt(r.seconds, 0)]
                    if !r.diverged.isEmpty { d["diverged"] = r.diverged.joined(separator: "; ") }
                    return d
                },
            ]
            if e.id == "epochs" { c["curves"] = "figures/experiment-epochs-curves.png" }
            return c
        }
    }

    func architectureFinding() -> String {
        Findings(plan: plan, evaluations: evaluations, results: results).all()["architectures"] ?? ""
    }

    // MARK: - Submission

    func submissionContext() -> [String: Any] {
        let n = submission.ids.count
        var c: [String: Any] = [
            "model": submission.model, "count": grouped(n), "black": grouped(submission.blackCount),
            "positives": (0..<3).map { l in ["label": "label\(l + 1)", "count": grouped(submission.predictions.filter { $0[l] == 1 }.count),
                                             "rate": percent(submission.predictions.filter { $0[l] == 1 }.count, n)] },
            "head": submission.csv.split(separator: "\n").prefix(6).joined(separator: "\n"),
        ]
        if let t = testScore {
            c["test"] = ["scores": t.map(scoreRow), "meanF1": fmt(t.map(\.f1).reduce(0, +) / 3)] as [String: Any]
        }
        return c
    }

    // MARK: - Appendix

    func appendixContext() throws -> [String: Any] {
        let yaml = (try? YAMLEncoder().encode(study.config)) ?? "\(study.config)"
        let timings = study.cache.timings
        return [
            "config": yaml,
            "seed": "\(study.config.seed)",
            "fingerprint": dataset.fingerprint,
            "versions": Versions.all().map { ["name": $0.0, "version": $0.1] },
            "commit": Versions.gitCommit() ?? "not a git checkout",
            "cells": timings.map { ["cell": $0.cell, "key": $0.key, "status": $0.cached ? "cached" : "computed", "seconds": fmt($0.seconds, 1)] },
            "computed": timings.filter { !$0.cached }.count,
            "cached": timings.filter(\.cached).count,
            "totalSeconds": fmt(Date().timeIntervalSince(study.started), 1),
            "command": CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " "),
        ]
    }

    /// Mean F1 of predicting 1 for every label on the validation images this run scores
    /// (all of them, or the quick profile's subset): F1 = 2p / (1 + p) with p the positive rate.
    var scoredBaseline: Double {
        let labels = study.prep.validation.labels ?? []
        guard !labels.isEmpty else { return 0 }
        return (0..<3).map { l -> Double in
            let p = Double(labels.filter { $0[l] == 1 }.count) / Double(labels.count)
            return p > 0 ? 2 * p / (1 + p) : 0
        }.reduce(0, +) / 3
    }

    func conclusion() -> [String: Any] {
        let e = evaluations[best]!
        var s = "On \(study.options.dataDirectory == nil ? "the embedded default dataset" : "this data"), the best model of this run is \(results[best]!.name) "
        s += "with mean validation F1 \(fmt(e.meanF1)) at threshold 0.5 (\(fmt(e.meanF1NonBlack)) on the non-black images), "
        s += "against \(fmt(scoredBaseline)) for the all-ones baseline on the same images."
        if e.meanF1Tuned - e.meanF1 >= Findings.tie {
            s += " Per-label thresholds tuned on validation (cross-fitted) raise it to \(fmt(e.meanF1Tuned))."
        }
        return ["summary": s, "architectures": architectureFinding()]
    }
}

extension Products {
    func render(figures: Set<String>) throws -> URL {
        let lib = try Renderer.library(study.options.templatesDirectory)
        let ctx = try context(figures: figures)
        let md = Renderer.markdown(ctx, library: lib)
        try AtomicFile.write(md, to: out.appendingPathComponent("report.md"))
        let html = try Renderer.html(markdown: md, context: ctx, library: lib, outputDirectory: out)
        let url = out.appendingPathComponent("report.html")
        try AtomicFile.write(html, to: url)
        try AtomicFile.write(try StableJSON.encode(study.cache.timings, pretty: true), to: out.appendingPathComponent("run.json"))
        return url
    }
}
