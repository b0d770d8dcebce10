import Foundation
import NN
import Plots
import StudyData

extension Study {
    /// `report figures`: every figure that needs no training — the dataset analysis, label
    /// charts, augmentation gallery and architecture diagrams (PNG, SVG, PDF, DOT) — drawn
    /// into `out/figures` and `out/architectures`, published as one unit. Takes seconds.
    public static func figures(data: URL?, out: URL, seed: UInt64, quiet: Bool, defaultDataDirectory: URL) throws -> URL {
        let log = Log(quiet: quiet)
        let output = try OutputFolder(out, data: data)
        if FileManager.default.fileExists(atPath: output.url.appendingPathComponent("report.md").path) {
            throw ReportError("--out \(out.path) holds a full report from `report run`; choose another folder for the figures")
        }
        let lock = try output.lock()
        defer { lock.release() }
        var config = StudyConfig.defaults(for: .quick)
        config.seed = seed
        let options = StudyOptions(dataDirectory: data, outputDirectory: out, config: config, quiet: quiet,
                                   defaultDataDirectory: defaultDataDirectory)
        let dir = try resolveData(options, output: output, log: log)
        let cache = CellCache(root: options.cacheRoot, code: options.code)
        let loaded = try LoadedData.load(dir, options: options, cache: cache, log: log)
        let analysis = try Stages.analyse(loaded, cache: cache, log: log)
        let drawn = try Stages.draw(FigureSet(analysis: analysis, data: loaded, seed: seed), cache: cache, log: log)
        try output.publish(FigureProducts(drawn: drawn), log: log)
        log.info("wrote \(drawn.count) figures to \(output.url.appendingPathComponent("figures").path)")
        return output.url.appendingPathComponent("figures")
    }
}

/// What `report figures` publishes.
struct FigureProducts: ProductWriter {
    let drawn: [FigureID: URL]
    func write(into dir: URL) throws { try writeFigures(drawn, into: dir) }
}
