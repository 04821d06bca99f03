import ArgumentParser
import DsariCore

/// `dsari-info config check`: exit 0 for a valid configuration, 1 otherwise,
/// with the reason (file, line, job, key, what was expected) on standard error.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate the configuration (exit 0 valid, 1 invalid).")

    @OptionGroup var options: ConfigDirectoryOptions

    func run() throws {
        let config = try options.loadConfig()
        let files = config.files.isEmpty ? "no configuration files" : config.files.joined(separator: ", ")
        print("Config OK: \(config.jobs.count) job(s), \(config.concurrencyGroups.count) concurrency group(s) from \(files)")
    }
}

/// `dsari-info config dump [--raw] [--format json|yaml]`.
struct ConfigDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump", abstract: "Print the configuration as loaded (defaults filled in), or --raw as merged.")

    @OptionGroup var options: ConfigDirectoryOptions
    @Flag(help: "Print the merged files as written instead of the compiled configuration.") var raw = false
    @Option(help: "Output format.") var format: DumpFormat = .json

    func run() throws {
        let config = try options.loadConfig()
        let value = raw ? config.raw.value : ConfigReport(config: config).compiledConfig()
        switch format {
        case .json: OutputPager.write([value.jsonString(pretty: true, sortedKeys: true)])
        case .yaml: OutputPager.write([value.yamlString(sortedKeys: true).trailingNewlineTrimmed])
        }
    }
}

/// `dsari-info config reference`: every configuration key (docs/configuration.md).
struct ConfigReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference", abstract: "Print every configuration key with its default and meaning (Markdown).")

    func run() throws {
        OutputPager.write([ConfigKeys.referenceMarkdown().trailingNewlineTrimmed])
    }
}

/// `dsari-info job list [--job J]... [--format pretty|tabular|json|yaml]`.
struct JobListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List configured jobs with their next scheduled run.")

    @OptionGroup var options: ConfigDirectoryOptions
    @Option(name: .customLong("job"), help: "Job name to show (repeatable).") var jobNames: [String] = []
    @Option(help: "Output format.") var format: ListFormat = .pretty

    func run() throws {
        let config = try options.loadConfig()
        let unknown = jobNames.filter { config.jobs[$0] == nil }
        for name in unknown {
            StandardError.print("warning: no job named \"\(name)\" is configured")
        }
        let report = ConfigReport(config: config)
        let jobs = config.jobs.values
            .filter { jobNames.isEmpty || jobNames.contains($0.name) }
            .sorted { $0.name < $1.name }
        switch format {
        case .json:
            OutputPager.write([report.jobsValue(jobs).jsonString(pretty: true, sortedKeys: true)])
        case .yaml:
            OutputPager.write([report.jobsValue(jobs).yamlString(sortedKeys: true).trailingNewlineTrimmed])
        case .tabular:
            OutputPager.write(
                jobs.map { job in
                    [job.name, job.schedule ?? "", report.nextRunText(job), ShellWords.quote(job.command)]
                        .joined(separator: "\t")
                })
        case .pretty:
            let style = TerminalStyle.standardOutput
            TablePrinter(headers: ["Job Name", "Schedule", "Next Scheduled Run", "Command"]).print(
                cells: jobs.map { job in
                    [
                        TablePrinter.Cell(styled: style.hashColored(job.name), plain: job.name),
                        TablePrinter.Cell(job.schedule ?? ""),
                        TablePrinter.Cell(report.nextRunText(job)),
                        TablePrinter.Cell(ShellWords.quote(job.command)),
                    ]
                })
        }
    }
}

extension String {
    var trailingNewlineTrimmed: String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
