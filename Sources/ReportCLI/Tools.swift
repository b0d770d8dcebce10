import ArgumentParser
import Foundation
import NN
import Plots
import Report
import StudyData

struct GenerateData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-data",
        abstract: "Write the embedded default dataset (phantom scans) in the competition's layout.")

    @Option(help: "Folder to create.")
    var out: String

    @Option(help: "Shrink all three splits by this factor (1 = 12,000 / 3,000 / 5,000).")
    var scale: Double = 1

    @Option(help: "Generator seed.")
    var seed: UInt64 = PhantomConfig().seed

    func validate() throws {
        guard scale > 0, scale <= 1 else { throw ValidationError("--scale must be in (0, 1], got \(scale)") }
    }

    func run() throws {
        let t = Date()
        let labels = try PhantomGenerator.write(to: URL(fileURLWithPath: out), config: PhantomConfig(scale: scale, seed: seed))
        print(String(format: "wrote %@ in %.1fs; test labels in %@", out, Date().timeIntervalSince(t), labels.path))
    }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read a dataset, check it and print its statistics.")

    @Option(help: "Competition data folder.")
    var data: String

    @Flag(help: "Resample images that are not 64×64 instead of refusing them.")
    var resize = false

    @Flag(help: "Print the full analysis as JSON.")
    var json = false

    func run() throws {
        do {
            let t = Date()
            let ds = try Study.loadDataset(URL(fileURLWithPath: data), resize: resize)
            let readSeconds = Date().timeIntervalSince(t)
            let a = DatasetAnalysis.analyze(ds)
            if json {
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try e.encode(a), as: UTF8.self))
                return
            }
            print(String(format: "read %d images in %.2fs; fingerprint %@", ds.train.count + ds.val.count + ds.test.count, readSeconds, ds.fingerprint))
            for s in a.splits {
                var line = "\(s.name): \(s.count) images, \(s.blackCount) entirely black, \(s.nearBlackCount) near-black"
                if s.labelled {
                    line += "; positives " + (0..<3).map { "label\($0 + 1) \(s.positives[$0])" }.joined(separator: ", ")
                }
                print(line)
            }
            print("exact duplicate groups (non-black): \(a.exactDuplicateGroupCount); near-duplicate pairs: \(a.nearDuplicatePairCount)")
            print("all-ones baseline mean F1 on \(a.baselineSplit): " + String(format: "%.3f", a.meanAllOnesF1))
        } catch { fail(error) }
    }
}
