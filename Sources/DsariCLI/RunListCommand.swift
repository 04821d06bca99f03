import ArgumentParser
import DsariCore
import DsariStore
import Foundation

/// `dsari-info run list [--job J]... [--run ID]... [--format pretty|tabular|json|yaml]`,
/// dsari-info's `list-runs`: finished and running runs.
///
/// json and yaml: a mapping run id → {job_name, schedule_time, start_time,
/// stop_time, exit_code, trigger_type, trigger_data, run_data}, times in ISO
/// 8601 in the local zone, stop_time and exit_code null while running.
/// json and yaml list the runs by run id, as dsari's sorted keys do; tabular:
/// one tab-separated line per run, oldest start first. All three stream row
/// by row. pretty: aligned columns, newest first, as dsari shows them.
struct RunListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List recorded runs, finished and running.")

    @OptionGroup var options: ConfigDirectoryOptions
    @Option(name: .customLong("job"), help: "Job name to show (repeatable).") var jobNames: [String] = []
    @Option(name: .customLong("run"), help: ArgumentHelp("Run id to show (repeatable).", valueName: "id"))
    var runIDs: [String] = []
    @Option(help: "Output format.") var format: ListFormat = .pretty
    @OptionGroup var hostOptions: HostOptions

    func run() throws {
        let config = try options.loadConfig()
        let history = try RunHistory(config: config)
        if format == .pretty {
            try printPretty(history)
            return
        }
        let output = PagedOutput()
        var writer = RunListWriter(format: format, output: output, showsHosts: hostOptions.showsHosts)
        writer.begin()
        try history.read { store in
            try store?.forEachRun(RunQuery(jobNames: jobNames, runIDs: runIDs, order: writer.order, hosts: hostOptions.filter)) {
                row in writer.write(row)
            }
        }
        writer.end()
        output.finish()
    }

    private func printPretty(_ history: RunHistory) throws {
        let style = TerminalStyle.standardOutput
        let timestamps = ISO8601TimestampWriter(timeZone: .current)
        let now = Date().timeIntervalSince1970
        var rows: [[TablePrinter.Cell]] = []
        try history.read { store in
            try store?.forEachRun(
                RunQuery(jobNames: jobNames, runIDs: runIDs, order: .startTimeDescending, hosts: hostOptions.filter)
            ) { row in
                let jobName = row.jobName
                let trigger = row.triggerType
                let exit: String
                let exitColor: String
                let duration: String
                if let stop = row.stopTime {
                    let code = row.exitCode ?? 0
                    exit = String(code)
                    exitColor = code == 0 ? "32" : "31"
                    duration = RunDuration.describe(stop - row.startTime)
                } else {
                    exit = "..."
                    exitColor = "34"
                    duration = RunDuration.describe(now - row.startTime)
                }
                let start = timestamps.string(Instant(epochSeconds: row.startTime))
                rows.append(
                    (hostOptions.showsHosts ? [TablePrinter.Cell(row.hostName.isEmpty ? "-" : row.hostName)] : []) + [
                        TablePrinter.Cell(row.runID),
                        TablePrinter.Cell(styled: style.hashColored(jobName), plain: jobName),
                        TablePrinter.Cell(styled: style.colored(exit, code: exitColor), plain: exit),
                        TablePrinter.Cell(styled: trigger == "file" ? style.colored(trigger, code: "34") : trigger, plain: trigger),
                        TablePrinter.Cell(start),
                        TablePrinter.Cell(styled: row.stopTime == nil ? style.colored(duration, code: "34") : duration, plain: duration),
                    ])
            }
        }
        if rows.isEmpty {
            let filtered = !jobNames.isEmpty || !runIDs.isEmpty
            StandardError.print(
                history.store == nil
                    ? "No runs recorded yet (no run database at \(history.databaseDescription))."
                    : filtered ? "No recorded run matches." : "No runs recorded yet.")
            return
        }
        TablePrinter(headers: (hostOptions.showsHosts ? ["Host"] : []) + ["Run ID", "Job", "Exit", "Trigger", "Start", "Duration"])
            .print(cells: rows)
    }
}
