import Foundation
import PackagePlugin

/// Compiles the report's templates (`report-templates/*.mustache` at the package root) into
/// the `Report` module as string constants, so the `report` executable carries its default
/// templates and runs from any folder. Rebuilt whenever a template changes.
@main
struct EmbedTemplates: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "report-templates")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let inputs = names.filter { $0.hasSuffix(".mustache") }.sorted().map { folder.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedTemplates.swift")
        return [.buildCommand(
            displayName: "Embedding \(inputs.count) report templates",
            executable: try context.tool(named: "embed-templates").url,
            arguments: [output.path] + inputs.map(\.path),
            inputFiles: inputs,
            outputFiles: [output])]
    }
}
