import ArgumentParser
import DsariCore
import Foundation

/// `dsari-info run tail [RUN_ID...]`, dsari-info's `tail-run-output`: the
/// output of the given runs (default: every running run), followed while
/// they run; it ends when all of them have ended. With several runs each
/// line starts with its job's name.
struct RunTailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail", abstract: "Print the output of runs and follow it until they end (default: all running runs).")

    @OptionGroup var options: ConfigDirectoryOptions
    @Argument(help: ArgumentHelp("Run ids (default: every running run).", valueName: "run-id")) var runIDs: [String] = []

    func run() throws {
        let config = try options.loadConfig()
        let history = try RunHistory(config: config)
        var runs: [RunRecord] = []
        if runIDs.isEmpty {
            runs = try history.runningRuns()
            if runs.isEmpty {
                StandardError.print("No run is running.")
                return
            }
        } else {
            var unknown = false
            for id in runIDs {
                if let run = try history.run(id: id) {
                    if !runs.contains(where: { $0.runID == run.runID }) { runs.append(run) }
                } else {
                    StandardError.print(history.unknownRunMessage(id))
                    unknown = true
                }
            }
            if unknown { throw ExitCode(1) }
        }
        var follower = RunOutputFollower(runs: runs, history: history)
        try follower.follow()
        if !follower.missingOutputs.isEmpty {
            for run in follower.missingOutputs {
                StandardError.print(
                    "error: run \(run.runID) (job \(run.jobName.quotedForMessage)) ended without an output file at \(history.outputPath(of: run))"
                )
            }
            throw ExitCode(1)
        }
    }
}
