import ArgumentParser
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report")
    func run() throws { print("report: work in progress") }
}
ReportCommand.main()
