import ArgumentParser
import DsariCore
import DsariMetrics
import Foundation

/// `dsari-info check status [--job J]... [--format pretty|json]`: each check's
/// Nagios state from the recorded runs — what the exporter's /status shows.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Nagios checks (jobs with nagios_check).", subcommands: [CheckStatusCommand.self])
}

struct CheckStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "The current state of each check, from the recorded runs.")

    @OptionGroup var options: ConfigDirectoryOptions
    @Option(name: .customLong("job"), help: "Check (job) to show (repeatable).") var jobNames: [String] = []
    @Option(help: "Output format: pretty or json.") var format: Format = .pretty
    @Flag(help: "Show every job, not only Nagios checks.") var all = false

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case pretty, json
    }

    func run() throws {
        let config = try options.loadConfig()
        let status: ConfigValue
        do {
            status = try MetricsCollector(config: config).status()
        } catch {
            StandardError.print("error: cannot read the run history: \(error)")
            throw ExitCode(1)
        }
        guard case .mapping(let entries)? = status["jobs"]?.value else { return }
        let shown = entries.filter { entry in
            (jobNames.isEmpty || jobNames.contains(entry.key))
                && (all || entry.value.value["nagios_check"]?.value == .bool(true))
        }
        switch format {
        case .json:
            OutputPager.write([ConfigValue.mapping(shown).jsonString(pretty: true, sortedKeys: false)])
        case .pretty:
            let style = TerminalStyle.standardOutput
            let colors = ["OK": "32", "WARNING": "33", "CRITICAL": "31;1", "UNKNOWN": "35"]
            TablePrinter(headers: ["Check", "State", "Output", "Last Check"]).print(
                cells: shown.map { entry in
                    let job = entry.value.value
                    let state = job["state_name"]?.value.stringValue ?? "PENDING"
                    var last = ""
                    if case .double(let seconds)? = job["last_check"]?.value {
                        last = ISO8601Timestamp.format(Instant(epochSeconds: seconds), timeZone: .current)
                    }
                    return [
                        TablePrinter.Cell(styled: style.hashColored(entry.key), plain: entry.key),
                        TablePrinter.Cell(styled: style.colored(state, code: colors[state] ?? "2"), plain: state),
                        TablePrinter.Cell(job["plugin_output"]?.value.stringValue ?? ""),
                        TablePrinter.Cell(last),
                    ]
                })
        }
    }
}
