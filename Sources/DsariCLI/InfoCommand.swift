import ArgumentParser
import DsariCore

/// `dsari-info`: what is configured, when it runs, and what ran.
public struct InfoCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dsari-info",
        abstract: "Do Something and Record It - job/run information.",
        version: DsariVersion.string,
        subcommands: [ConfigCommand.self, JobCommand.self, ScheduleCommand.self, RunCommand.self, CheckCommand.self])

    public init() {}
}

/// `dsari-info config check|dump`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Validate or print the configuration.",
        subcommands: [ConfigCheckCommand.self, ConfigDumpCommand.self, ConfigReferenceCommand.self])
}

/// `dsari-info job list`.
struct JobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Configured jobs.", subcommands: [JobListCommand.self])
}

/// Output formats of the listing commands, as in dsari.
enum ListFormat: String, ExpressibleByArgument, CaseIterable {
    case pretty, tabular, json, yaml
}

/// Output formats of `config dump`.
enum DumpFormat: String, ExpressibleByArgument, CaseIterable {
    case json, yaml
}
