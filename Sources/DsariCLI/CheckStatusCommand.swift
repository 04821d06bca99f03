import ArgumentParser
import DsariCore
import DsariMetrics
import DsariNagios
import Foundation

/// `dsari-info check status [--job J]... [--format pretty|json]`: each check's
/// Nagios state from the recorded runs — what the exporter's /status shows.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Nagios checks (jobs with nagios_check).", subcommands: [CheckStatusCommand.self])
}

struct CheckStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "The current state of each check, from the recorded runs.",
        discussion: "Exits with the worst state shown (0 OK … 3 UNKNOWN), so it can itself serve as a check.")

    @OptionGroup var options: ConfigDirectoryOptions
    @Option(name: .customLong("job"), help: "Check (job) to show (repeatable).") var jobNames: [String] = []
    @Option(help: "Output format: pretty or json.") var format: Format = .pretty
    @Flag(help: "Show every job, not only Nagios checks.") var all = false
    @OptionGroup var hostOptions: HostOptions

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case pretty, json
    }

    func run() throws {
        let config = try options.loadConfig()
        let status: ConfigValue
        do {
            var collectorOptions = MetricsCollector.Options()
            collectorOptions.allHosts = hostOptions.showsHosts
            status = try MetricsCollector(config: config, options: collectorOptions).status()
        } catch {
            StandardError.print("error: cannot read the run history: \(error)")
            throw ExitCode(1)
        }
        guard case .array(let entries)? = status[.jobs]?.value else { return }
        let hosts = hostOptions.hosts
        let shown = entries.map(\.value).filter { job in
            (hosts.isEmpty || hosts.contains(job[.hostName]?.value.stringValue ?? ""))
                && (jobNames.isEmpty || jobNames.contains(job[.jobName]?.value.stringValue ?? ""))
                && (all || job[.nagiosCheck]?.value == .bool(true))
        }
        let worst =
            shown.compactMap { job -> Int? in
                if case .int(let state)? = job[.currentState]?.value { return Int(state) }
                return nil
            }.max() ?? 0
        switch format {
        case .json:
            OutputPager.write([ConfigValue.array(shown.map { ConfigNode($0) }).jsonString(pretty: true, sortedKeys: false)])
        case .pretty:
            let style = TerminalStyle.standardOutput
            let colors = ["OK": "32", "WARNING": "33", "CRITICAL": "31;1", "UNKNOWN": "35"]
            func when(_ key: String, in job: ConfigValue) -> String {
                guard case .double(let seconds)? = job[key]?.value else { return "" }
                return ISO8601Timestamp.format(Instant(epochSeconds: seconds), timeZone: .current)
            }
            let hostColumn = hostOptions.showsHosts
            // The output column is cut to the terminal's width, or to 1000
            // characters into a file or pipe (a plugin may print 64 KiB).
            TablePrinter(
                headers: (hostColumn ? ["Host"] : []) + ["Check", "State", "Type", "Attempt", "Last Check", "Next Check", "Output"],
                lineWidth: TerminalStyle.width, lastColumnMaximum: 1000
            ).print(
                cells: shown.map { job in
                    let name = job[.jobName]?.value.stringValue ?? ""
                    let state = job[.stateName]?.value.stringValue ?? "PENDING"
                    var attempt = ""
                    if case .int(let current)? = job[.currentAttempt]?.value, case .int(let most)? = job[.maxAttempts]?.value {
                        attempt = "\(current)/\(most)"
                    }
                    let host = job[.hostName]?.value.stringValue ?? ""
                    return (hostColumn ? [TablePrinter.Cell(host.isEmpty ? "-" : host)] : []) + [
                        TablePrinter.Cell(styled: style.hashColored(name), plain: name),
                        TablePrinter.Cell(styled: style.colored(state, code: colors[state] ?? "2"), plain: state),
                        TablePrinter.Cell(job[.stateTypeName]?.value.stringValue ?? ""),
                        TablePrinter.Cell(attempt + (job[.isFlapping]?.value == .bool(true) ? " flapping" : "")),
                        TablePrinter.Cell(when(NagiosField.lastCheck.rawValue, in: job)),
                        TablePrinter.Cell(when(StatusField.nextCheck.rawValue, in: job)),
                        TablePrinter.Cell(job[.pluginOutput]?.value.stringValue ?? ""),
                    ]
                })
            // Deliveries to passive_results destinations, waiting or done.
            for destination in PassiveDestinationStatus.all(in: status) {
                print("passive results to " + destination.summary(age: { "\(Int($0)) s" }, when: nil))
            }
        }
        if worst != 0 { throw ExitCode(Int32(worst)) }
    }
}
