import Foundation
import XCTest
import Yams

/// Syntax and consistency of contrib/kubernetes/indexed-job.yaml: every document is a
/// Kubernetes object of a known kind; the shard Job is Indexed, takes its shard index from
/// JOB_COMPLETION_INDEX, and runs as many shards as it has completions (all in parallel).
final class KubernetesManifestTests: XCTestCase {
    let file = "contrib/kubernetes/indexed-job.yaml"

    /// apiVersion of every kind the manifest may hold.
    let knownKinds = [
        "PersistentVolumeClaim": "v1", "ConfigMap": "v1", "ServiceAccount": "v1",
        "Job": "batch/v1", "Role": "rbac.authorization.k8s.io/v1", "RoleBinding": "rbac.authorization.k8s.io/v1",
    ]

    func documents() throws -> [Node] {
        // `---` before the first object gives no empty document in Yams, but a trailing one
        // would; skip nulls so only objects are checked.
        try yamlDocuments(file).filter { $0.mapping != nil }
    }

    func jobs() throws -> [Node] { try documents().filter { $0[key: "kind"]?.text == "Job" } }

    func testEveryDocumentIsAKnownKubernetesObject() throws {
        let docs = try documents()
        XCTAssertGreaterThanOrEqual(docs.count, 3, "expected at least the volume claim and two Jobs")
        for doc in docs {
            let kind = try require(doc, in: file, "kind").text ?? ""
            let apiVersion = try require(doc, in: file, "apiVersion").text ?? ""
            XCTAssertEqual(knownKinds[kind], apiVersion, "\(kind): apiVersion \(apiVersion)")
            let name = try require(doc, in: file, "metadata", "name").text ?? ""
            // DNS-1123 label: what Kubernetes accepts as an object name.
            XCTAssertNotNil(name.range(of: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", options: .regularExpression),
                            "\(kind) name '\(name)' is not a valid object name")
        }
        let claims = docs.filter { $0[key: "kind"]?.text == "PersistentVolumeClaim" }.compactMap { $0[key: "metadata"]?[key: "name"]?.text }
        XCTAssertFalse(claims.isEmpty, "no PersistentVolumeClaim for the shared cache")
        // Every Job mounts a claim the manifest declares.
        for job in try jobs() {
            let volumes = try require(job, in: file, "spec", "template", "spec", "volumes").sequence.map(Array.init) ?? []
            let used = volumes.compactMap { $0[key: "persistentVolumeClaim"]?[key: "claimName"]?.text }
            XCTAssertFalse(used.isEmpty, "\(job[key: "metadata"]?[key: "name"]?.text ?? "?") mounts no shared volume")
            for claim in used { XCTAssertTrue(claims.contains(claim), "claim \(claim) is not declared") }
        }
    }

    func testShardJobIsIndexedAndPassesTheCompletionIndexAsShard() throws {
        let indexed = try jobs().filter { $0[key: "spec"]?[key: "completionMode"]?.text == "Indexed" }
        XCTAssertEqual(indexed.count, 1, "expected exactly one Job with completionMode: Indexed")
        guard let job = indexed.first else { return }
        let spec = try require(job, in: file, "spec")
        let completions = try XCTUnwrap(try require(spec, in: file, "completions").plainInt, "completions is not an integer")
        let parallelism = try XCTUnwrap(try require(spec, in: file, "parallelism").plainInt, "parallelism is not an integer")
        XCTAssertGreaterThan(completions, 0)
        XCTAssertEqual(completions, parallelism, "completions and parallelism differ")
        XCTAssertEqual(try require(spec, in: file, "template", "spec", "restartPolicy").text, "Never")

        let container = try require(spec, in: file, "template", "spec", "containers", "0")
        let command = (container[key: "command"]?.strings ?? []) + (container[key: "args"]?.strings ?? [])
        let line = command.joined(separator: " ")
        XCTAssertTrue(line.contains("report run"), "the container does not run `report run`: \(line)")
        // --shard "<index>/<count>": the index is JOB_COMPLETION_INDEX, the count a literal
        // or an environment variable of the container; either way it must equal completions.
        let pattern = #"--shard[ =]"?\$[{(]?JOB_COMPLETION_INDEX[})]?/(\$[{(]?([A-Z_][A-Z0-9_]*)[})]?|([0-9]+))"?"#
        let regex = try NSRegularExpression(pattern: pattern)
        let match = try XCTUnwrap(regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
                                  "no --shard \"$JOB_COMPLETION_INDEX/N\" in: \(line)")
        let count: Int?
        if let r = Range(match.range(at: 3), in: line) {
            count = Int(line[r])
        } else {
            let name = String(line[Range(match.range(at: 2), in: line)!])
            let env = container[key: "env"]?.sequence.map(Array.init) ?? []
            count = env.first { $0[key: "name"]?.text == name }?[key: "value"]?.text.flatMap { Int($0) }
            XCTAssertNotNil(count, "--shard uses $\(name), which the container's env does not set to a number")
        }
        XCTAssertEqual(count, completions, "--shard divides into \(count.map(String.init) ?? "?") shards, the Job has \(completions) completions")
    }

    func testAssemblyJobRunsPlainReportRunOnTheSameCacheAndConfig() throws {
        let plain = try jobs().filter { $0[key: "spec"]?[key: "completionMode"]?.text != "Indexed" }
        XCTAssertEqual(plain.count, 1, "expected one assembly Job beside the Indexed one")
        guard let assembly = plain.first, let shards = try jobs().first(where: { $0[key: "spec"]?[key: "completionMode"]?.text == "Indexed" })
        else { return }
        func runLine(_ job: Node) throws -> String {
            let c = try require(job, in: file, "spec", "template", "spec", "containers", "0")
            return ((c[key: "command"]?.strings ?? []) + (c[key: "args"]?.strings ?? [])).joined(separator: " ")
        }
        let assemble = try runLine(assembly), shard = try runLine(shards)
        XCTAssertFalse(assemble.contains("--shard"), "the assembly must not be a shard: \(assemble)")
        // Same cache, output and configuration, or the assembly would retrain.
        for option in ["--cache", "--out", "--config"] {
            func value(_ s: String) -> String? {
                guard let r = s.range(of: option + " ") else { return nil }
                return s[r.upperBound...].split(separator: " ").first.map(String.init)
            }
            XCTAssertNotNil(value(shard), "the shards do not pass \(option)")
            XCTAssertEqual(value(shard), value(assemble), "\(option) differs between shards and assembly")
        }
        // It waits for the shard Job by name.
        let shardName = try require(shards, in: file, "metadata", "name").text ?? ""
        let initCommands = (assembly[key: "spec"]?[key: "template"]?[key: "spec"]?[key: "initContainers"]?.sequence.map(Array.init) ?? [])
            .map { ($0[key: "command"]?.strings ?? []).joined(separator: " ") }
        XCTAssertTrue(initCommands.contains { $0.contains("job/\(shardName)") && $0.contains("condition=complete") },
                      "the assembly does not wait for job/\(shardName): \(initCommands)")
    }
}
