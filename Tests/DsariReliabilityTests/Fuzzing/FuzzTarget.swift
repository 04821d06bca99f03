import DsariCore
import DsariNagios
import DsariTestSupport
import Foundation

@testable import DsariEngine

/// A parser under fuzzing: how one input is tried, and what counts as a
/// clear rejection (the parser's own error, whose description names the
/// place: the file, the schedule). A trap is a crash; anything else thrown,
/// or a description that does not say where, is an unclear rejection.
struct FuzzTarget: Sendable, CustomStringConvertible {
    /// Thrown by a target for a result that is wrong even though nothing trapped.
    struct WrongResult: Error, CustomStringConvertible {
        let description: String
    }

    let name: String
    /// Syntax the mutator inserts.
    let tokens: [String]
    /// Tries one input in `workspace` (a scratch directory). Returns false
    /// for an input it skips (one that would reach outside the workspace).
    let run: @Sendable (_ input: [UInt8], _ workspace: String) throws -> Bool
    /// nil for a clear rejection, else what is wrong with it.
    let judge: @Sendable (_ error: any Error, _ workspace: String) -> String?

    var description: String { name }

    /// The corpus directory of the targets: `Tests/Fuzz/corpus/NAME/`.
    static let corpusRoot = OracleScript.packageRoot.appendingPathComponent("Tests/Fuzz/corpus").path

    var corpusDirectory: String { Self.corpusRoot + "/" + name }

    /// The inputs kept in the repository (seeds, and inputs that once found a bug).
    func corpus() -> [(name: String, bytes: [UInt8])] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: corpusDirectory)) ?? []).sorted()
        return names.compactMap { name in FileManager.default.contents(atPath: corpusDirectory + "/" + name).map { (name, Array($0)) } }
    }

    /// Tries `input`: nil when it was accepted, skipped or rejected clearly.
    func verdict(_ input: [UInt8], workspace: String) -> (accepted: Bool, skipped: Bool, problem: String?) {
        do {
            let tried = try run(input, workspace)
            return (tried, !tried, nil)
        } catch let wrong as WrongResult {
            return (false, false, "wrong result: \(wrong)")
        } catch {
            return (false, false, judge(error, workspace).map { "unclear rejection: \($0)" })
        }
    }

    static let all: [FuzzTarget] = [config(.yaml), config(.json), trigger, nrpe, pluginOutput, perfData, schedule]

    // MARK: Configuration

    static let configTokens = [
        "jobs:", "job_groups:", "concurrency_groups:", "command:", "schedule:", "environment:", "max_execution:",
        "schedule_timezone:", "job_names:", "nagios_check: true", "max_check_attempts:", "retry_interval:", "http_listen:",
        "nrpe_config:", "config_d:", "data_dir:", "database:", "max_output_bytes:", "kill_leftover_processes:", "metrics_duration_buckets:",
        "concurrent_runs:", "{", "}", "[", "]", ",", ": ", "- ", "\n  ", "&a ", "*a", "<<: ", "!!str ", "!!int ", "!!binary ", "? ",
        "|", ">", "'", "\"", "#", "---\n", "...\n", "%YAML 1.1\n", "~", "null", "true", "yes", "\\u0000", "\\ud800", "\"\\uDFFF\"",
        "H/5", "RRULE:FREQ=DAILY", "Europe/Berlin", "@hourly", "\t",
    ]

    static func config(_ format: ConfigFileReader.Format) -> FuzzTarget {
        let file = format == .yaml ? "dsari.yaml" : "dsari.json"
        return FuzzTarget(
            name: format == .yaml ? "config-yaml" : "config-json", tokens: configTokens,
            run: { input, workspace in
                try Data(input).write(to: URL(fileURLWithPath: workspace + "/etc/" + file))
                let config = try ConfigLoader.standard(environment: ["DSARI_HOME": workspace]).load(configDirectory: workspace + "/etc")
                for job in config.jobs.values {
                    _ = job.parsedSchedule?.nextTimes(after: Instant(seconds: 1_700_000_000), count: 2)
                }
                return true
            },
            judge: { error, workspace in
                guard let configError = error as? ConfigError else { return "\(type(of: error)), not a ConfigError: \(error)" }
                let text = configError.description
                return text.contains(workspace) || text.contains(file) ? nil : "does not name the file: \(text)"
            })
    }

    // MARK: Triggers

    static let trigger = FuzzTarget(
        name: "trigger",
        tokens: [
            "environment", "schedule_time", "schedule_timezone", "type", "description", "{", "}", "[", "]", ":", ",", "\"",
            "2024-03-10T02:30:00", "Z", "+05:30", "-00:00", ".123456", "T", "America/Los_Angeles", "Etc/GMT+14", "1e400", "\n",
        ],
        run: { input, workspace in
            let json = input.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 } == UInt8(ascii: "{")
            let path = workspace + "/trigger/job/" + (json ? "trigger.json" : "trigger.yaml")
            try Data(input).write(to: URL(fileURLWithPath: path))
            _ = try TriggerFile.read(path: path, defaultTimeZone: TimeZone(identifier: "Europe/Berlin")!)
            return true
        },
        judge: { error, workspace in
            guard let rejection = error as? TriggerFile.Rejection else { return "\(type(of: error)), not a rejection: \(error)" }
            return rejection.description.contains(workspace + "/trigger/job/trigger.") ? nil : "does not name the file: \(rejection)"
        })

    // MARK: nrpe.cfg

    static let nrpe = FuzzTarget(
        name: "nrpe-cfg",
        tokens: [
            "command[", "]=", "command_timeout=", "include=", "include_file=", "include_dir=", "conf.d", "x.cfg", "$ARG1$",
            "$ARG99$", "$$", "!", "=", "\n", "\r\n", "#", "dont_blame_nrpe=1", "command_prefix=/usr/bin/sudo", "server_port = 5666",
            "/usr/lib/nagios/plugins/check_load -w 1,2,3", "'", "\"", "\\",
        ],
        run: { input, workspace in
            // Includes stay inside the workspace: no absolute paths, no "..".
            for line in input.split(separator: 0x0A) where line.contains(UInt8(ascii: "=")) && line.first != UInt8(ascii: "#") {
                let text = String(decoding: line, as: UTF8.self)
                if text.contains("include"), text.contains("..") || text.contains("=/") || text.contains("= /") { return false }
            }
            try Data(input).write(to: URL(fileURLWithPath: workspace + "/nrpe-etc/nrpe.cfg"))
            let config = try NRPEConfigReader(workingDirectory: workspace + "/nrpe-etc").read(workspace + "/nrpe-etc/nrpe.cfg")
            for warning in config.warnings where warning.location == nil && !"\(warning)".contains(workspace) {
                throw WrongResult(description: "a warning that does not say where: \(warning)")
            }
            _ = NRPEImporter(prefix: "nrpe_", arguments: ["check_users": ["5", "10"]]).importJobs(from: config).configuration.jsonString()
            let imported = NRPEImporter().importJobs(from: config)
            // What the importer makes must load as jobs (through nrpe_config, as the daemon does).
            let loaded = try ConfigLoader.standard(environment: ["DSARI_HOME": workspace]).load(configDirectory: workspace + "/nrpe-etc")
            if loaded.jobs.count != imported.jobNames.count {
                throw WrongResult(description: "imported \(imported.jobNames.count) jobs, loaded \(loaded.jobs.count)")
            }
            return true
        },
        judge: { error, _ in "\(type(of: error)): \(error)" })

    // MARK: Plugin output and performance data

    static let pluginTokens = [
        "|", "\n", "=", ";", ":", "@", "~", "'", "''", "%", "s", "ms", "us", "B", "KB", "MB", "GB", "TB", "KiB", "c", "U", "OK - ",
        "CRITICAL: ", " ", "\t", "e", "E+", ".", "-", "1.5e3",
    ]

    static let pluginOutput = FuzzTarget(
        name: "plugin-output", tokens: pluginTokens,
        run: { input, _ in
            let exit = Int(input.count % 300) - 2
            let result = CheckResult(exitCode: exit, standardOutput: String(decoding: input, as: UTF8.self), timedOutAfter: nil)
            _ = result.runData.jsonString()
            let status = CheckStatus().recording(result.state, at: 1_700_000_000, options: CheckOptions())
            _ = status.runDataEntries
            return true
        },
        judge: { error, _ in "\(type(of: error)): \(error)" })

    static let perfData = FuzzTarget(
        name: "perfdata", tokens: pluginTokens,
        run: { input, _ in
            let (data, malformed) = PerfDataParser.parse(String(decoding: input, as: UTF8.self))
            for datum in data { _ = datum.baseValue }
            for item in malformed where item.reason.isEmpty { throw WrongResult(description: "a malformed item without a reason") }
            return true
        },
        judge: { error, _ in "\(type(of: error)): \(error)" })

    // MARK: Schedules

    static let zones = ["UTC", "America/Los_Angeles", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham"]

    static let schedule = FuzzTarget(
        name: "schedule",
        tokens: [
            "*", "/", "-", ",", " ", "H", "H(", ")", "R", "@", "@hourly", "@midnight", "MON", "jan", "L", "W", "#", "?", "RRULE:",
            "FREQ=", "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "INTERVAL=", "UNTIL=", "COUNT=",
            "WKST=", "BYDAY=", "BYMONTHDAY=", "BYYEARDAY=", "BYWEEKNO=", "BYMONTH=", "BYHOUR=", "BYMINUTE=", "BYSECOND=",
            "BYSETPOS=", ";", "=", "MO", "-1SU", "+53MO", "20240310T023000", "Z", "T",
        ],
        run: { input, _ in
            let text = String(decoding: input, as: UTF8.self)
            let pick = input.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF }
            let zone = TimeZone(identifier: zones[pick % zones.count])!
            let start = Instant(seconds: 946_684_800 + Int64(pick) * 48_271 % 3_155_760_000)
            let schedule = try Schedule(text, jobName: "job\(pick % 7)", timeZone: zone)
            var previous = start
            for time in schedule.nextTimes(after: start, count: 3) {
                guard previous < time else { throw WrongResult(description: "\(text.debugDescription): \(time) is not after \(previous)") }
                previous = time
            }
            return true
        },
        judge: { error, _ in
            guard let scheduleError = error as? ScheduleError else { return "\(type(of: error)), not a ScheduleError: \(error)" }
            return scheduleError.description.utf8.starts(with: "invalid schedule \"".utf8) && !scheduleError.reason.isEmpty
                ? nil : "no reason: \(scheduleError)"
        })
}
