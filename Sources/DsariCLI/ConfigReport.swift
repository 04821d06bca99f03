import DsariCore
import Foundation

/// The configuration as `config dump` and `job list` show it: dsari's
/// compiled form (defaults filled in, durations in seconds) plus each job's
/// next scheduled run, computed from now.
struct ConfigReport {
    let config: Config
    var now = Instant(epochSeconds: Date().timeIntervalSince1970)

    /// The next run of a job, or nil for trigger-only jobs and finished rules.
    func nextRun(_ job: Job) -> (Instant, TimeZone)? {
        guard let schedule = job.parsedSchedule, let next = schedule.nextTime(after: now) else { return nil }
        return (next, schedule.timeZone)
    }

    func nextRunText(_ job: Job) -> String {
        nextRun(job).map { ISO8601Timestamp.format($0.0, timeZone: $0.1) } ?? ""
    }

    func jobValue(_ job: Job) -> ConfigValue {
        func optional(_ value: Double?) -> ConfigValue { value.map(ConfigValue.double) ?? .null }
        func optional(_ value: String?) -> ConfigValue { value.map(ConfigValue.string) ?? .null }
        let next = nextRun(job)
        var value: ConfigValue = [
            "command": .array(job.command.map { ConfigNode(.string($0)) }),
            "command_append_run": .bool(job.commandAppendRun),
            "schedule": optional(job.schedule),
            "schedule_timezone": optional(job.scheduleTimezone),
            "next_scheduled_run": optional(next.map { ISO8601Timestamp.format($0.0, timeZone: $0.1) }),
            "environment": Self.mapping(job.environment),
            "max_execution": optional(job.maxExecution),
            "max_execution_grace": .double(job.maxExecutionGrace),
            "concurrency_groups": .array(job.concurrencyGroups.sorted().map { ConfigNode(.string($0)) }),
            "render_reports": .bool(job.renderReports),
            "jenkins_environment": .bool(job.jenkinsEnvironment),
            "job_group": optional(job.jobGroup),
            "concurrent_runs": .bool(job.concurrentRuns),
            "kill_leftover_processes": .bool(config.killLeftoverProcesses(for: job)),
            "nagios_check": .bool(job.nagiosCheck),
        ]
        if job.nagiosCheck, case .mapping(var entries) = value {
            // Check options only where they mean something (dsari has none).
            let check: [(String, ConfigValue)] = [
                ("max_check_attempts", .int(Int64(job.check.maxCheckAttempts))),
                ("retry_interval", optional(job.check.retryInterval)),
                ("out_of_range_exit", .string(job.check.outOfRangeExit.rawValue)),
                ("flap_detection", .bool(job.check.flapDetection)),
                ("low_flap_threshold", .double(job.check.lowFlapThreshold)),
                ("high_flap_threshold", .double(job.check.highFlapThreshold)),
            ]
            entries += check.map { ConfigValue.Entry(key: $0.0, value: ConfigNode($0.1)) }
            value = .mapping(entries)
        }
        return value
    }

    func jobsValue(_ jobs: [Job]) -> ConfigValue {
        .mapping(jobs.map { ConfigValue.Entry(key: $0.name, value: ConfigNode(jobValue($0))) })
    }

    /// dsari's `dump-config`: every top-level option with its effective value.
    func compiledConfig() -> ConfigValue {
        let jobs = config.jobs.values.sorted { $0.name < $1.name }
        let groups = config.concurrencyGroups.values.sorted { $0.name < $1.name }
        return [
            "jobs": jobsValue(jobs),
            "concurrency_groups": .mapping(
                groups.map { ConfigValue.Entry(key: $0.name, value: ConfigNode(["max": .int(Int64($0.max))])) }),
            "config_d": config.configD.map(ConfigValue.string) ?? .null,
            "data_dir": .string(config.dataDir),
            "template_dir": config.templateDir.map(ConfigValue.string) ?? .null,
            "report_html_gz": .bool(config.reportHTMLGz),
            "report_run_output_start": .int(Int64(config.reportRunOutputStart)),
            "report_run_output_end": .int(Int64(config.reportRunOutputEnd)),
            "shutdown_kill_runs": .bool(config.shutdownKillRuns),
            "shutdown_kill_grace": config.shutdownKillGrace.map(ConfigValue.double) ?? .null,
            "kill_leftover_processes": .bool(config.killLeftoverProcesses),
            "environment": Self.mapping(config.environment),
            "host_name": .string(config.hostName),
            "database": Self.database(config),
        ]
    }

    /// `database` as dumped: what the backend uses, passwords as `***`.
    static func database(_ config: Config) -> ConfigValue {
        let database = config.database
        switch database.type {
        case DatabaseConfig.postgresql:
            return [
                "type": .string(database.type),
                "dsn": .string(DatabaseConfig.redactingPasswords(database.dsn ?? "")),
                "connect_timeout": .double(database.connectTimeout),
            ]
        case DatabaseConfig.mysql:
            let options = database.mysql
            var connection: [(String, ConfigValue)] = []
            func add(_ key: String, _ value: String?) { if let value { connection.append((key, .string(value))) } }
            add("host", options.host)
            if let port = options.port { connection.append(("port", .int(Int64(port)))) }
            add("user", options.user)
            add("passwd", options.password.map { _ in "***" })
            add("db", options.database)
            add("unix_socket", options.unixSocket)
            add("read_default_file", options.readDefaultFile)
            add("read_default_group", options.readDefaultGroup)
            if let seconds = options.connectTimeout { connection.append(("connect_timeout", .int(Int64(seconds)))) }
            if let tls = options.tls {
                let keys: [(String, String?)] = [
                    ("ca", tls.ca), ("capath", tls.capath), ("cert", tls.cert), ("key", tls.key), ("cipher", tls.cipher),
                ]
                connection.append(
                    (
                        "ssl",
                        .mapping(
                            keys.compactMap { key, value in value.map { ConfigValue.Entry(key: key, value: ConfigNode(.string($0))) } })
                    ))
            }
            return [
                "type": .string(database.type),
                "connection": .mapping(connection.map { ConfigValue.Entry(key: $0.0, value: ConfigNode($0.1)) }),
                "connect_timeout": .double(database.connectTimeout),
            ]
        default:
            return [
                "type": .string(database.type),
                "file": .string(config.databaseFile),
            ]
        }
    }

    static func mapping(_ dictionary: [String: String]) -> ConfigValue {
        .mapping(dictionary.sorted { $0.key < $1.key }.map { ConfigValue.Entry(key: $0.key, value: ConfigNode(.string($0.value))) })
    }
}
