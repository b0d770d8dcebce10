import Foundation
import PackagePlugin

/// Build-tool plugin: generates `SourceFingerprints.swift` into the target it is applied to,
/// declaring the SHA-256 of the sources of that target and of every target of this package
/// it depends on, directly or not (source modules with all their files — Swift, C, headers,
/// resources — and system-library targets with their modulemap and shim).
///
/// Every hashed file is an input of the build command, so SwiftPM reruns `fingerprint-tool`
/// exactly when one of them changes; adding or removing a file changes the command line,
/// which reruns it as well. Targets of other packages are not hashed: their version is
/// pinned by Package.resolved.
@main
struct SourceFingerprints: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "SourceFingerprints.swift")
        let local = Set(context.package.targets.map(\.id))
        let hashed = ([target] + target.recursiveTargetDependencies).filter { local.contains($0.id) }

        var arguments = ["--output", output.path]
        var inputs: [URL] = []
        for t in hashed {
            let files = try sourceFiles(of: t).filter { $0.standardizedFileURL != output.standardizedFileURL }
            let depends = directDependencies(of: t).filter { local.contains($0.id) }.map(\.name)
            arguments += ["--target", t.name, "--root", t.directoryURL.path,
                          "--depends", Set(depends).sorted().joined(separator: ",")]
            for f in files { arguments += ["--file", f.path] }
            inputs += files
        }
        return [.buildCommand(
            displayName: "Fingerprinting the sources of \(hashed.map(\.name).sorted().joined(separator: ", "))",
            executable: try context.tool(named: "fingerprint-tool").url,
            arguments: arguments,
            inputFiles: inputs,
            outputFiles: [output])]
    }

    /// The files whose contents make up `target`'s code.
    private func sourceFiles(of target: Target) throws -> [URL] {
        if let module = target as? SourceModuleTarget {
            // Sources, headers, resources and other files SwiftPM assigns to the target
            // (files excluded in the manifest are already left out).
            return module.sourceFiles.map(\.url)
        }
        // A system-library target: its modulemap and shim header.
        return try regularFiles(under: target.directoryURL)
    }

    private func directDependencies(of target: Target) -> [Target] {
        target.dependencies.flatMap { dependency -> [Target] in
            switch dependency {
            case .target(let t): return [t]
            case .product(let p): return p.targets
            @unknown default: return []
            }
        }
    }

    /// Every non-hidden regular file under `root`, recursively.
    private func regularFiles(under root: URL) throws -> [URL] {
        let keys: [URLResourceKey] = [.isRegularFileKey]
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys,
                                                          options: [.skipsHiddenFiles]) else {
            throw PluginError("cannot list the folder \(root.path)")
        }
        var out: [URL] = []
        for case let url as URL in walker where try url.resourceValues(forKeys: Set(keys)).isRegularFile == true {
            out.append(url)
        }
        return out.sorted { $0.path < $1.path }
    }
}

struct PluginError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
