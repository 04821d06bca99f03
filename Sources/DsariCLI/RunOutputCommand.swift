import ArgumentParser
import DsariCore
import Foundation

/// `dsari-info run output RUN_ID`, dsari-info's `get-run-output`: the
/// run's `output.txt` as it is now (a running run's output so far).
struct RunOutputCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "output", abstract: "Print the output of a run.")

    @OptionGroup var options: ConfigDirectoryOptions
    @Argument(help: ArgumentHelp("The run id (see `dsari-info run list`).", valueName: "run-id")) var runID: String

    func run() throws {
        let config = try options.loadConfig()
        let history = try RunHistory(config: config)
        guard let run = try history.run(id: runID) else {
            if let host = try history.otherHost(ofRun: runID) {
                // A fleet shares the history, not the output files.
                StandardError.print(
                    "error: run \(runID) ran on host \(host.isEmpty ? "(unknown: recorded by dsari 2.0)" : host.quotedForMessage), "
                        + "and its output is there (\(DataLayout(dataDirectory: "DATA_DIR").outputFile(job: "JOB", runID: runID))): "
                        + "run `dsari-info run output \(runID)` on that host"
                )
                throw ExitCode(1)
            }
            StandardError.print(history.unknownRunMessage(runID))
            throw ExitCode(1)
        }
        let path = history.outputPath(of: run)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "it does not exist" : String(cString: strerror(errno))
            StandardError.print(
                "error: the output of run \(runID) (job \(run.jobName.quotedForMessage)) cannot be read from \(path): \(reason)")
            throw ExitCode(1)
        }
        defer { close(descriptor) }
        let output = PagedOutput()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 {
                output.finish()
                StandardError.print("error: reading the output of run \(runID) from \(path) failed: \(String(cString: strerror(errno)))")
                throw ExitCode(1)
            }
            if count == 0 { break }
            output.write { $0.append(contentsOf: chunk[..<count]) }
        }
        output.finish()
    }
}
