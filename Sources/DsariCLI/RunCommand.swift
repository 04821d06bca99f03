import ArgumentParser

/// `dsari-info run list|output|tail|trigger`: the recorded runs, and asking for a new one.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Recorded runs: list them, print or follow their output, trigger a run.",
        subcommands: [RunListCommand.self, RunOutputCommand.self, RunTailCommand.self, RunTriggerCommand.self])
}
