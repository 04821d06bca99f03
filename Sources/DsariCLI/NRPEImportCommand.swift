import ArgumentParser
import DsariCore
import DsariNagios
import Foundation

/// `dsari-nrpe-import [--prefix P] [--schedule S] [--format yaml|json]
/// [--args NAME=ARG1!ARG2...]... [--output FILE] NRPE_CFG`: turns the
/// commands of an nrpe.cfg into dsari jobs, ready for `config.d/`.
public struct NRPEImportCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dsari-nrpe-import", abstract: "Convert an nrpe.cfg into dsari jobs for config.d/.",
        discussion: """
            Reads NRPE_CFG and its includes as NRPE 4.1 does. Each command[NAME] becomes a job \
            running its line through /bin/sh -c (as NRPE does), with command_prefix, max_execution \
            from command_timeout, the schedule and nagios_check: true. Commands using $ARGn$ get \
            their values from --args, or else become on-demand checks (nrpe_arguments: query, no \
            schedule) that dsari-daemon's NRPE listener runs with each query's arguments. The configuration goes to standard output \
            (or --output); a summary of what was imported, skipped and ignored goes to standard error.
            """,
        version: DsariVersion.string)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case yaml, json
    }

    @Option(help: "Put before each command name to make the job name (e.g. nrpe_).") var prefix = ""
    @Option(help: "The schedule of every job.") var schedule = NRPEImporter.defaultSchedule
    @Option(help: "Output format.") var format: Format = .yaml
    @Option(
        name: .customLong("args"),
        help: ArgumentHelp(
            "Values for the $ARGn$ of command NAME, separated by \"!\" (repeatable).", valueName: "name=arg1!arg2..."))
    var arguments: [String] = []
    @Option(help: ArgumentHelp("Write the configuration to this file instead of standard output.", valueName: "file"))
    var output: String?
    @Argument(help: ArgumentHelp("The nrpe.cfg to read.", valueName: "nrpe-cfg")) var nrpeConfig: String

    public init() {}

    /// `--args` as command name → values.
    var argumentsByCommand: [String: [String]] {
        var result: [String: [String]] = [:]
        for item in arguments {
            guard let separator = item.firstIndex(of: "=") else { continue }
            result[String(item[..<separator])] = item[item.index(after: separator)...]
                .split(separator: "!", omittingEmptySubsequences: false).map(String.init)
        }
        return result
    }

    public func validate() throws {
        var seen: Set<String> = []
        for item in arguments {
            guard let separator = item.firstIndex(of: "="), separator != item.startIndex else {
                throw ValidationError("--args \(item.quotedForMessage) has no command name before \"=\": expected NAME=ARG1!ARG2...")
            }
            let name = String(item[..<separator])
            guard seen.insert(name).inserted else {
                throw ValidationError("--args gives values for command \(name.quotedForMessage) twice.")
            }
        }
        if let problem = ConfigName.problem(with: prefix + "x"), !prefix.isEmpty {
            throw ValidationError("--prefix \(prefix.quotedForMessage) cannot start a job name: a job name \(problem).")
        }
        do {
            _ = try Schedule(schedule, jobName: "check", timeZone: .current)
        } catch {
            throw ValidationError("--schedule \(schedule.quotedForMessage) is not valid: \(error.reason)")
        }
    }

    public func run() throws {
        let config: NRPEConfig
        do {
            config = try NRPEConfigReader().read(nrpeConfig)
        } catch {
            StandardError.print("dsari-nrpe-import: error: \(error)")
            throw ExitCode(1)
        }
        let result = NRPEImporter(prefix: prefix, schedule: schedule, arguments: argumentsByCommand)
            .importJobs(from: config)
        let text =
            switch format {
            case .yaml: result.configuration.yamlString()
            case .json: result.configuration.jsonString(pretty: true) + "\n"
            }
        if let output {
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                StandardError.print("dsari-nrpe-import: error: cannot write \(output.quotedForMessage): \(error.localizedDescription)")
                throw ExitCode(1)
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        printSummary(config: config, result: result)
    }

    private func printSummary(config: NRPEConfig, result: NRPEImport) {
        func say(_ line: String) { StandardError.print("dsari-nrpe-import: \(line)") }
        for warning in config.warnings {
            say("warning: \(warning)")
        }
        for warning in result.warnings {
            say("warning: \(warning)")
        }
        if result.jobNames.isEmpty {
            say("imported no commands from \(nrpeConfig)")
        } else {
            say(
                "imported \(result.jobNames.count) command(s) from \(nrpeConfig) as jobs: "
                    + result.jobNames.joined(separator: ", "))
        }
        for skipped in result.skipped {
            say("skipped: \(skipped)")
        }
        var ignored: [String] = []
        for directive in config.ignoredDirectives where directive.isKnownToNRPE && !ignored.contains(directive.name) {
            ignored.append(directive.name)
        }
        if !ignored.isEmpty {
            say("directives ignored (they configure the NRPE daemon, not its commands): " + ignored.joined(separator: ", "))
        }
        if let output {
            say("wrote \(output)")
        }
    }
}
