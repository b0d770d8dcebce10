import Foundation
import NN
import Plots
import StudyData

/// Everything a run writes beside the cache: tables, predictions, models, figures, the
/// submission and the report. Built from the cells' values; reads no other cell's files
/// except the model weights it publishes.
struct Products {
    let study: Study
    let analysis: DatasetAnalysis
    let plan: [Experiment]
    let results: [Variant: VariantResult]
    let evaluations: [Variant: VariantEvaluation]
    let order: [Variant]
    let best: Variant
    let submission: Submission
    let testScore: [LabelScore]?
    let valBlack: [Bool]
    let blackRule: [UInt8]

    var out: URL { study.out }
    var dataset: Dataset { study.dataset }

    // MARK: - Tables and files

    /// `tables/metrics.csv`: every variant × label × threshold choice, and `predictions/<run>.csv`.
    func writeTables() throws {
        var csv = "model,head,label,split,threshold,precision,recall,f1,accuracy,ap\n"
        func row(_ r: VariantResult, _ split: String, _ s: LabelScore) {
            csv += "\(r.name),\(r.variant.head.rawValue),label\(s.label + 1),\(split),\(fmt(Double(s.threshold), 4)),"
            csv += "\(fmt(s.precision, 6)),\(fmt(s.recall, 6)),\(fmt(s.f1, 6)),\(fmt(s.accuracy, 6)),\(fmt(s.ap, 6))\n"
        }
        for v in order {
            let r = results[v]!, e = evaluations[v]!
            for s in e.atHalf { row(r, "val", s) }
            for s in e.tuned { row(r, "val-tuned", s) }
            for s in e.nonBlack { row(r, "val-nonblack", s) }
        }
        if let t = testScore { for s in t { row(results[best]!, "test", s) } }
        try AtomicFile.write(csv, to: out.appendingPathComponent("tables/metrics.csv"))

        let ids = study.prep.validation.ids
        for v in order {
            let r = results[v]!
            let s = r.valScores
            var p = "id,p1,p2,p3\n"
            for i in ids.indices { p += "\(ids[i]),\(fmt(Double(s[0][i]), 6)),\(fmt(Double(s[1][i]), 6)),\(fmt(Double(s[2][i]), 6))\n" }
            try AtomicFile.write(p, to: out.appendingPathComponent("predictions/\(r.name).csv"))
        }
    }

    func writeSubmission() throws {
        try AtomicFile.write(submission.csv, to: out.appendingPathComponent("submission.csv"))
    }

    /// `models/<run>.safetensors` (one file per network; `-label1` … for per-label variants).
    func copyModels() throws {
        for v in order {
            let r = results[v]!
            for (net, dir) in zip(r.networks, r.cellDirectories) {
                let name = r.name + (net.label.map { "-label\($0 + 1)" } ?? "")
                let dest = out.appendingPathComponent("models/\(name).safetensors")
                let src = URL(fileURLWithPath: dir).appendingPathComponent(net.weightsFile)
                if let a = try? FileManager.default.attributesOfItem(atPath: dest.path)[.size] as? Int,
                   let b = try? FileManager.default.attributesOfItem(atPath: src.path)[.size] as? Int, a == b,
                   FileManager.default.contentsEqual(atPath: src.path, andPath: dest.path) { continue }
                try AtomicFile.copy(src, to: dest)
            }
        }
    }
}

func fmt(_ x: Double, _ digits: Int = 3) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    return String(format: "%.\(digits)f", x)
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
func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

func percent(_ a: Int, _ b: Int) -> String { b == 0 ? "–" : String(format: "%.1f %%", 100 * Double(a) / Double(b)) }
