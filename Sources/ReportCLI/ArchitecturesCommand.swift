import ArgumentParser
import Foundation
import ModelSpec
import NN
import Plots

struct Architectures: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print architectures (Keras-like summaries) or write their diagrams.",
        discussion: """
        Without --spec or --keras-json: the study's eight architectures (architectures/*.yaml, compiled in). \
        --spec FILE (repeatable) reads a model in the YAML/JSON format of docs/architectures-format.md; \
        --keras-json FILE reads what Keras's model.to_json() wrote (Keras 2 or 3), prints its summary and \
        draws its diagram in every format (into --diagrams DIR, else the current folder, named after the file).
        """)

    enum DiagramFormat: String, ExpressibleByArgument, CaseIterable {
        case png, svg, pdf, dot, all
    }

    enum RankDir: String, ExpressibleByArgument, CaseIterable {
        case TB, LR
        var direction: DiagramOptions.Direction { self == .TB ? .TB : .LR }
    }

    @Flag(help: "Print JSON: name, label, params and per-layer name, type, input, output, params, trainableParams, activation.")
    var json = false

    @Option(help: "Write one diagram per model into this folder.")
    var diagrams: String?

    @Option(help: "Diagram format (png writes name.png and name@2x.png, or one PNG at --dpi; all = every format). Default: png, or all with --keras-json.")
    var format: DiagramFormat?

    @Option(name: .customLong("keras-json"), help: "A Sequential model as Keras's model.to_json() wrote it.")
    var kerasJSON: String?

    @Option(name: .customLong("spec"), help: "A model file (YAML or JSON, docs/architectures-format.md); repeatable.")
    var specs: [String] = []

    @Option(help: "Diagram direction: TB (top to bottom) or LR (left to right).")
    var rankdir: RankDir = .TB

    @Flag(help: "Show each layer's activation in the diagram.")
    var showActivations = false

    @Flag(help: "Show whether each layer is trainable (Y/N) in the diagram.")
    var showTrainable = false

    @Option(help: "PNG resolution in dots per inch (72 = one pixel per point); also written into the DOT graph.")
    var dpi: Double?

    @Flag(help: "One line per layer: name, type, output shape.")
    var compact = false

    func validate() throws {
        if let dpi, !(dpi >= 10 && dpi <= 1200) { throw ValidationError("--dpi must be between 10 and 1200, got \(dpi)") }
    }

    var options: DiagramOptions {
        DiagramOptions(rankdir: rankdir.direction, showActivations: showActivations, showTrainable: showTrainable,
                       compact: compact, dpi: dpi)
    }

    /// The models to show with the base name of their diagram files.
    func models() throws -> [(spec: ModelSpec, file: String)] {
        var out: [(spec: ModelSpec, file: String)] = []
        if let kerasJSON {
            let url = URL(fileURLWithPath: kerasJSON)
            let text: String
            do { text = try String(contentsOf: url, encoding: .utf8) } catch {
                throw ValidationError("\(kerasJSON): cannot read the file (\(error.localizedDescription))")
            }
            out.append((try ModelSpec.parse(kerasJSON: text, source: url.path), url.deletingPathExtension().lastPathComponent))
        }
        for path in specs {
            let spec = try ModelSpec.load(URL(fileURLWithPath: path))
            _ = try spec.summary()  // a file that cannot build fails here, naming the layer
            out.append((spec, spec.name))
        }
        if out.isEmpty { out = ModelSpec.builtins.map { ($0, $0.name) } }
        var seen: Set<String> = []
        for m in out where !seen.insert(m.file).inserted {
            throw ValidationError("two models would write diagrams named '\(m.file)'; give the specs different names")
        }
        return out
    }

    func run() throws {
        let models = try models()
        if json {
            let all = try models.map { m in
                ModelJSON(name: m.spec.name, label: m.spec.label, params: try m.spec.parameterCount(), layers: try m.spec.summary())
            }
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try e.encode(all), as: UTF8.self))
            return
        }
        let folder = diagrams ?? (kerasJSON != nil ? "." : nil)
        if kerasJSON != nil || folder == nil {
            for m in models {
                if let label = m.spec.label, kerasJSON == nil { print("\(m.spec.name) (\(label))") }
                print(try m.spec.summaryText())
            }
        }
        guard let folder else { return }
        let base = URL(fileURLWithPath: folder)
        do { try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true) } catch {
            throw ValidationError("cannot create \(folder): \(error.localizedDescription)")
        }
        let chosen = format ?? (kerasJSON != nil ? .all : .png)
        let formats: [DiagramFormat] = chosen == .all ? [.png, .svg, .pdf, .dot] : [chosen]
        var written: [URL] = []
        for m in models {
            let d = try m.spec.diagram(options: options)
            written += try write(d, to: base.appendingPathComponent(m.file), formats: formats)
        }
        if kerasJSON != nil {
            for url in written { print("wrote \(url.path)") }
        } else {
            print("wrote \(models.count) diagram\(models.count == 1 ? "" : "s") to \(folder)")
        }
    }

    /// Writes `diagram` to `base` + each format's suffix; PNG at `--dpi` when given.
    func write(_ diagram: ArchitectureDiagram, to base: URL, formats: [DiagramFormat]) throws -> [URL] {
        var out: [URL] = []
        for f in formats {
            switch f {
            case .dot:
                let url = base.appendingPathExtension("dot")
                try FigureWriter.writeText(diagram.dot(), to: url)
                out.append(url)
            case .svg: out += try FigureWriter.write(diagram, to: base, formats: [.svg])
            case .pdf: out += try FigureWriter.write(diagram, to: base, formats: [.pdf])
            case .png:
                if let scale = options.pngScale {
                    let url = base.appendingPathExtension("png")
                    do { try Data(try FigureWriter.pngData(diagram, scale: scale)).write(to: url, options: .atomic) } catch {
                        throw ValidationError("cannot write \(url.path): \(error)")
                    }
                    out.append(url)
                } else {
                    out += try FigureWriter.write(diagram, to: base, formats: [.png, .png2x])
                }
            case .all: break
            }
        }
        return out
    }

    struct ModelJSON: Encodable {
        let name: String
        let label: String?
        let params: Int
        let layers: [LayerInfo]
    }
}
