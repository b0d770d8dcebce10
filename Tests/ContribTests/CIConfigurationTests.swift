import Foundation
import XCTest
import Yams

/// Syntax and content of contrib/ci/: the GitHub Actions workflow and the GitLab CI file
/// parse, have the keys their CI systems require, and do what docs/cluster.md promises
/// (install the C libraries, build, `make test`, `report figures`, upload the figures; a
/// scheduled `make report` that uploads the report).
final class CIConfigurationTests: XCTestCase {
    /// The Debian packages the build needs (Makefile's APT_PACKAGES plus cmark-gfm).
    let aptPackages = ["libopenblas-dev", "libpng-dev", "libcairo2-dev", "pkg-config", "fonts-dejavu-core",
                       "libcmark-gfm-dev", "libcmark-gfm-extensions-dev"]

    func testGitHubWorkflowHasTriggersJobsAndSteps() throws {
        let file = "contrib/ci/github-actions.yml"
        let docs = try yamlDocuments(file)
        XCTAssertEqual(docs.count, 1)
        let workflow = try XCTUnwrap(docs.first)
        // `on` read as written: YAML 1.1 would turn the bare key into `true`.
        let on = try require(workflow, in: file, "on")
        for trigger in ["push", "pull_request", "schedule"] {
            XCTAssertTrue(on.keyNames.contains(trigger), "no `\(trigger)` trigger (have \(on.keyNames))")
        }
        let cron = try require(on, in: file, "schedule", "0", "cron").text ?? ""
        XCTAssertEqual(cron.split(separator: " ").count, 5, "cron '\(cron)' does not have five fields")

        let jobs = try require(workflow, in: file, "jobs")
        XCTAssertFalse(jobs.keyNames.isEmpty)
        var runs: [String: String] = [:]       // job → every `run:` of its steps, joined
        var uploads: [String: [String]] = [:]  // job → paths given to upload-artifact
        for (key, job) in jobs.mapping ?? [:] {
            let name = key.scalar?.string ?? "?"
            XCTAssertNotNil(job[key: "runs-on"], "job \(name) has no runs-on")
            let steps = try XCTUnwrap(job[key: "steps"]?.sequence, "job \(name) has no steps")
            XCTAssertFalse(steps.isEmpty, "job \(name) has no steps")
            for step in steps {
                // A step is either a command or an action.
                XCTAssertTrue((step[key: "run"] == nil) != (step[key: "uses"] == nil),
                              "job \(name): a step needs exactly one of run/uses: \(step.keyNames)")
                if let run = step[key: "run"]?.text { runs[name, default: ""] += run + "\n" }
                if let uses = step[key: "uses"]?.text, uses.hasPrefix("actions/upload-artifact@") {
                    let paths = step[key: "with"]?[key: "path"]?.text ?? ""
                    uploads[name, default: []] += paths.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                }
            }
        }
        let env = try require(workflow, in: file, "env", "APT_PACKAGES").text ?? ""
        for p in aptPackages { XCTAssertTrue(env.split(separator: " ").contains(Substring(p)), "APT_PACKAGES lacks \(p)") }

        let figuresJob = try XCTUnwrap(runs.first { $0.value.contains("make test") }?.key, "no job runs make test")
        XCTAssertTrue(runs[figuresJob]!.contains("report figures --out output"), "\(figuresJob) does not run report figures")
        XCTAssertTrue(runs[figuresJob]!.contains("apt-get install") && runs[figuresJob]!.contains("$APT_PACKAGES"))
        XCTAssertTrue(uploads[figuresJob, default: []].contains("output/figures"), "\(figuresJob) does not upload output/figures")
        XCTAssertTrue(uploads[figuresJob, default: []].contains("output/architectures"))

        let reportJob = try XCTUnwrap(runs.first { $0.value.contains("make report") }?.key, "no job runs make report")
        XCTAssertTrue(uploads[reportJob, default: []].contains("output/"), "\(reportJob) does not upload output/")
        let condition = try require(jobs, in: file, reportJob, "if").text ?? ""
        XCTAssertTrue(condition.contains("schedule"), "\(reportJob) is not the scheduled job: if \(condition)")
    }

    func testGitLabPipelineHasStagesScriptsAndArtifacts() throws {
        let file = "contrib/ci/gitlab-ci.yml"
        let docs = try yamlDocuments(file)
        XCTAssertEqual(docs.count, 1)
        let pipeline = try XCTUnwrap(docs.first)
        let stages = try require(pipeline, in: file, "stages").strings
        XCTAssertFalse(stages.isEmpty)
        // Keywords that are not jobs (https://docs.gitlab.com/ee/ci/yaml/).
        let globalKeys: Set = ["stages", "default", "variables", "include", "workflow", "image", "services",
                               "cache", "before_script", "after_script"]
        let jobs = (pipeline.mapping ?? [:]).filter { pair in
            let name = pair.key.scalar?.string ?? ""
            return !globalKeys.contains(name) && !name.hasPrefix(".")
        }
        XCTAssertGreaterThanOrEqual(jobs.count, 2)
        var scripts: [String: String] = [:]
        var artifacts: [String: [String]] = [:]
        for (key, job) in jobs {
            let name = key.scalar?.string ?? "?"
            let stage = try require(job, in: file, "stage").text ?? ""
            XCTAssertTrue(stages.contains(stage), "job \(name): stage \(stage) is not in stages \(stages)")
            let script = try require(job, in: file, "script").strings
            XCTAssertFalse(script.isEmpty, "job \(name) has an empty script")
            scripts[name] = script.joined(separator: "\n")
            artifacts[name] = try require(job, in: file, "artifacts", "paths").strings
        }
        let before = try require(pipeline, in: file, "default", "before_script").strings.joined(separator: "\n")
        XCTAssertTrue(before.contains("apt-get install") && before.contains("$APT_PACKAGES"))
        let packages = try require(pipeline, in: file, "variables", "APT_PACKAGES").text ?? ""
        for p in aptPackages { XCTAssertTrue(packages.split(separator: " ").contains(Substring(p)), "APT_PACKAGES lacks \(p)") }
        XCTAssertTrue((try require(pipeline, in: file, "default", "image").text ?? "").hasPrefix("swift:6"))

        let figuresJob = try XCTUnwrap(scripts.first { $0.value.contains("make test") }?.key, "no job runs make test")
        XCTAssertTrue(scripts[figuresJob]!.contains("report figures --out output"))
        XCTAssertEqual(Set(artifacts[figuresJob] ?? []), ["output/figures/", "output/architectures/"])
        let reportJob = try XCTUnwrap(scripts.first { $0.value.contains("make report") }?.key, "no job runs make report")
        XCTAssertEqual(artifacts[reportJob], ["output/"])
        let rules = try require(pipeline, in: file, reportJob, "rules").sequence.map(Array.init) ?? []
        XCTAssertTrue(rules.contains { ($0[key: "if"]?.text ?? "").contains("\"schedule\"") }, "\(reportJob) does not run on schedules")
    }
}
