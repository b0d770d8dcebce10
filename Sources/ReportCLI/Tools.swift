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

struct Architectures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the eight architectures (Keras-like summaries), or write their diagrams.")

    @Flag(help: "Print JSON: name, params and per-layer name, type, input, output, params.")
    var json = false

    @Option(help: "Write one diagram per architecture into this folder.")
    var diagrams: String?

    @Option(help: "Diagram format: png, svg, pdf or dot.")
    var format: String = "png"

    func validate() throws {
        guard ["png", "svg", "pdf", "dot"].contains(format) else {
            throw ValidationError("--format must be png, svg, pdf or dot, got \(format)")
        }
    }

    func run() throws {
        do {
            if let dir = diagrams {
                let base = URL(fileURLWithPath: dir)
                do { try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true) } catch {
                    throw ReportError("cannot create \(dir): \(error.localizedDescription)")
                }
                for arch in Architecture.allCases {
                    let d = ArchitectureInfo.diagram(arch)
                    let url = base.appendingPathComponent(arch.rawValue)
                    switch format {
                    case "dot": try AtomicFile.write(d.dot(), to: url.appendingPathExtension("dot"))
                    case "svg": try FigureWriter.write(d, to: url, formats: [.svg])
                    case "pdf": try FigureWriter.write(d, to: url, formats: [.pdf])
                    default: try FigureWriter.write(d, to: url, formats: [.png, .png2x])
                    }
                }
                print("wrote \(Architecture.allCases.count) diagrams to \(dir)")
                return
            }
            if json {
                let all = try Architecture.allCases.map { a -> ArchitectureJSON in
                    let m = try a.build(head: .perLabel, seed: 0)
                    return ArchitectureJSON(name: a.rawValue, params: m.parameterCount, layers: m.summary)
                }
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted]
                print(String(decoding: try e.encode(all), as: UTF8.self))
                return
            }
            for a in Architecture.allCases {
                let m = try a.build(head: .perLabel, seed: 0)
                print("\(a.rawValue) (\(a.studyLabel))")
                print(summaryText(m))
            }
        } catch { fail(error) }
    }

    struct ArchitectureJSON: Encodable {
        let name: String
        let params: Int
        let layers: [LayerSummary]
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
