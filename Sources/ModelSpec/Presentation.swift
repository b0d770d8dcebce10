import Foundation
import NN
import Plots

extension ModelSpec {
    /// The title the report gives a model's diagram: `conv2 (1.b) — 103,652 parameters`
    /// (no label part without a label).
    public func diagramTitle() throws(SpecError) -> String {
        let params = try parameterCount()
        return "\(name)\(label.map { " (\($0))" } ?? "") — \(ModelSpec.grouped(params)) parameters"
    }

    /// The nodes of the architecture diagram, as `Study.diagram` draws the study's models:
    /// an `input` InputLayer node, then one node per layer with its name, type, shapes as
    /// Keras prints them (`(None, 64, 64, 3)`), activation and trainability (every layer
    /// of the engine is trained).
    public func diagramNodes() throws(SpecError) -> [DiagramNode] {
        let rows = try summary()
        let input = ModelSpec.batchShapeText(inputShape)
        return [DiagramNode(name: "input", type: "InputLayer", input: input, output: input)]
            + rows.map { r in
                DiagramNode(name: r.name, type: r.type, input: ModelSpec.batchShapeText(r.input),
                            output: ModelSpec.batchShapeText(r.output), activation: r.activation, trainable: true)
            }
    }

    /// The architecture diagram with plot_model-like `options` (default: as the report draws).
    public func diagram(options: DiagramOptions = DiagramOptions()) throws(SpecError) -> ArchitectureDiagram {
        ArchitectureDiagram(title: try diagramTitle(), nodes: try diagramNodes(), options: options)
    }

    /// A Keras-like printed summary: one row per layer (name and type, output shape with the
    /// batch axis as None, parameter count), then the totals as Keras 3 prints them, with
    /// the float32 size: `Total params: 103,652 (404.89 KB)`.
    public func summaryText() throws(SpecError) -> String {
        let rows = try summary()
        let cells = rows.map { ("\($0.name) (\($0.type))", ModelSpec.batchShapeText($0.output), ModelSpec.grouped($0.params)) }
        var lines = summaryTableLines(name: name, rows: cells)
        let total = rows.reduce(0) { $0 + $1.params }, trainable = rows.reduce(0) { $0 + $1.trainableParams }
        lines.append(ModelSpec.totalLine("Total params", total))
        lines.append(ModelSpec.totalLine("Trainable params", trainable))
        lines.append(ModelSpec.totalLine("Non-trainable params", total - trainable))
        return lines.joined(separator: "\n") + "\n"
    }

    /// `Total params: 4,061 (15.86 KB)`: Keras 3's total line, float32 weights.
    public static func totalLine(_ what: String, _ count: Int) -> String {
        "\(what): \(grouped(count)) (\(readableSize(count * 4)))"
    }

    /// Keras's `readable_memory_size`: divide by 1024 while the value is at least 1024,
    /// two decimals, units B, KB, MB, GB, TB, PB.
    public static func readableSize(_ bytes: Int) -> String {
        var v = Double(bytes)
        for unit in ["B", "KB", "MB", "GB", "TB"] {
            if v / 1024 < 1 { return String(format: "%.2f", v) + " " + unit }
            v /= 1024
        }
        return String(format: "%.2f", v) + " PB"
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 && d != "-" && digits[i - 1] != "-" { out.append(",") }
            out.append(d)
        }
        return out
    }

    /// Keras's way of printing a shape with the batch axis: `(None, 64, 64, 3)`.
    public static func batchShapeText(_ s: [Int]) -> String { "(None, " + s.map(String.init).joined(separator: ", ") + ")" }
}

// MARK: - The study's eight

extension ModelSpec {
    /// The shipped spec of a study architecture (`architectures/<raw value>.yaml`, compiled
    /// in): builds the same layers, shapes, parameter counts and — for the same seed —
    /// weights as `arch.build(head:seed:)`.
    public static func builtin(_ arch: Architecture) -> ModelSpec {
        guard let text = builtinYAML.first(where: { $0.name == arch.rawValue })?.yaml else {
            preconditionFailure("ModelSpec.builtin: no embedded architectures/\(arch.rawValue).yaml")
        }
        do { return try parse(yaml: text, source: "architectures/\(arch.rawValue).yaml") } catch {
            preconditionFailure("ModelSpec.builtin: embedded \(arch.rawValue).yaml does not parse: \(error)")
        }
    }

    /// The eight shipped specs in `Architecture.allCases` order.
    public static var builtins: [ModelSpec] { Architecture.allCases.map(builtin) }
}
