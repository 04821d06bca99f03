import DsariCore

/// Turns the commands of an nrpe.cfg into dsari job definitions.
///
/// Each command becomes a job running `/bin/sh -c LINE`, as NRPE runs it
/// through `popen`, with `command_prefix` and a space in front of the line,
/// macros expanded as NRPE does (`$$` is `$`; `$ARGn$` from `arguments`),
/// `max_execution` from `command_timeout`, `schedule` and
/// `nagios_check: true`.
///
/// A command that uses `$ARGn$` and has values in `arguments` (`--args`)
/// becomes a scheduled job with them filled in (and `nrpe_arguments`
/// listing them). Without values it becomes an on-demand check
/// (`nrpe_arguments: query`, no schedule, `concurrent_runs`): the
/// daemon's NRPE listener runs it for each query, the macros filled from
/// the query's arguments as NRPE fills them — a job never runs a literal
/// `$ARG1$`, nor an empty argument nobody chose on a schedule.
public struct NRPEImporter: Sendable {
    /// Every five minutes, at a minute hashed from the job name.
    public static let defaultSchedule = ConfigKeys.defaultNRPESchedule

    /// Put in front of each command name to make the job name (e.g. `nrpe_`).
    public var prefix: String
    public var schedule: String
    /// The `$ARGn$` values per command name, `$ARG1$` first.
    public var arguments: [String: [String]]

    public init(prefix: String = "", schedule: String = NRPEImporter.defaultSchedule, arguments: [String: [String]] = [:]) {
        self.prefix = prefix
        self.schedule = schedule
        self.arguments = arguments
    }

    public func importJobs(from config: NRPEConfig) -> NRPEImport {
        var jobs: [ConfigValue.Entry] = []
        var result = NRPEImport(configuration: .null, jobNames: [], skipped: [], warnings: [])
        let names = Set(config.commands.map(\.name))
        for name in arguments.keys.sorted() where !names.contains(name) {
            result.warnings.append("--args names \(name.quotedForMessage), which the configuration does not define.")
        }
        for command in config.commands {
            func skip(_ reason: String) {
                result.skipped.append(NRPESkippedCommand(name: command.name, location: command.location, reason: reason))
            }
            let jobName = prefix + command.name
            if let problem = ConfigName.problem(with: jobName) {
                skip("\(jobName.quotedForMessage) cannot be a job name: it \(problem)")
                continue
            }
            let used = NRPEMacroExpander.argumentNumbers(in: command.line)
            let given = arguments[command.name]
            if let highest = used.last, let given, given.count < highest {
                let macros = used.map { "$ARG\($0)$" }.joined(separator: ", ")
                skip("it uses \(macros) but --args gives \(given.count) value(s)")
                continue
            }
            if NRPEMacroExpander.hasUnpairedDollar(command.line) {
                result.warnings.append(
                    "\(command.location): command \(command.name.quotedForMessage) has an unpaired \"$\"; "
                        + "NRPE closes it with a \"$\" at the end of the line and so does the job (write $$ for a literal $).")
            }
            // NRPE expands the macros after putting command_prefix in front.
            let raw = config.commandPrefix.map { $0 + " " + command.line } ?? command.line
            let onDemand = !used.isEmpty && given == nil
            var job: [(String, ConfigValue)] = [
                ("command", ["/bin/sh", "-c", .string(onDemand ? raw : NRPEMacroExpander.expand(raw, arguments: given ?? []))])
            ]
            if !onDemand { job.append(("schedule", .string(schedule))) }
            job += [
                ("max_execution", .int(Int64(config.commandTimeout))),
                ("nagios_check", true),
                // dsari-daemon's NRPE listener answers check_nrpe's queries for it with this job's results.
                ("nrpe_command", .string(command.name)),
            ]
            if onDemand {
                // Run for each query, with its arguments; queries may overlap, as with NRPE.
                job += [("nrpe_arguments", "query"), ("concurrent_runs", true)]
            } else if let given, !used.isEmpty {
                job.append(("nrpe_arguments", .array(given.prefix(NRPEMacroExpander.maximumArguments).map { ConfigNode(.string($0)) })))
            }
            jobs.append(
                ConfigValue.Entry(
                    key: jobName, value: ConfigNode(.mapping(job.map { ConfigValue.Entry(key: $0.0, value: ConfigNode($0.1)) }))))
            result.jobNames.append(jobName)
        }
        result.configuration = .mapping([ConfigValue.Entry(key: "jobs", value: ConfigNode(.mapping(jobs)))])
        return result
    }
}
