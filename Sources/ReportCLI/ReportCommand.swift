import ArgumentParser
import Foundation
import NN
import Report
import StudyData

@main
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reruns the medical-image study end to end and writes its report.",
        discussion: """
        With no --data, `report run` uses the embedded default: a deterministic generated dataset in the competition's layout, written once to ./data/phantom. Point --data at the real competition folder (train_images/, val_images/, test_images/, train_labels.csv, val_labels.csv, sample_submission.csv) to rerun the study on it.

        Exit codes: 0 success; 1 bad input or a failed step (the message names the file, line or id); 64 bad command-line usage.
        """,
        subcommands: [Run.self, PlanCommand.self, Figures.self, GenerateData.self, Architectures.self, Export.self, Stats.self, Bench.self],
        defaultSubcommand: Run.self)

    /// One line on standard error and exit 1 for errors a user or the environment causes;
    /// argument-parser's own handling (usage, help, exit 64) for the rest.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as ReportError {
            FileHandle.standardError.write(Data("error: \(e.message)\n".utf8))
            Foundation.exit(1)
        } catch let e as DataError {
            FileHandle.standardError.write(Data("error: \(e)\n".utf8))
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}

/// Prints a one-line error and exits 1 (for commands that handle their own errors).
func fail(_ error: Error) -> Never {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    Foundation.exit(1)
}
