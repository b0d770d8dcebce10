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
        subcommands: [Run.self, GenerateData.self, Architectures.self, Stats.self, Bench.self, Export.self],
        defaultSubcommand: Run.self)
}

/// Prints a one-line error and exits non-zero, instead of a stack trace.
func fail(_ error: Error) -> Never {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    Foundation.exit(1)
}
