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

    /// A job's keys with their effective values (`ConfigKeys`), and its next scheduled run.
    func jobValue(_ job: Job) -> ConfigValue {
        var entries: [ConfigValue.Entry] = []
        for key in ConfigKeys.all {
            guard case .job(let dump) = key.dump, let value = dump(config, job) else { continue }
            entries.append(ConfigValue.Entry(key: key.name, value: ConfigNode(value)))
            if key.name == "schedule_timezone" {
                let next = nextRun(job).map { ISO8601Timestamp.format($0.0, timeZone: $0.1) }
                entries.append(ConfigValue.Entry(key: "next_scheduled_run", value: ConfigNode(next.map(ConfigValue.string) ?? .null)))
            }
        }
        return .mapping(entries)
    }

    func jobsValue(_ jobs: [Job]) -> ConfigValue {
        .mapping(jobs.map { ConfigValue.Entry(key: $0.name, value: ConfigNode(jobValue($0))) })
    }

    /// dsari's `dump-config`: every top-level option with its effective value
    /// (`ConfigKeys`), the jobs with their groups expanded.
    func compiledConfig() -> ConfigValue {
        let jobs = config.jobs.values.sorted { $0.name < $1.name }
        let groups = config.concurrencyGroups.values.sorted { $0.name < $1.name }
        var entries: [ConfigValue.Entry] = [
            ConfigValue.Entry(key: "jobs", value: ConfigNode(jobsValue(jobs))),
            ConfigValue.Entry(
                key: "concurrency_groups",
                value: ConfigNode(.mapping(groups.map { ConfigValue.Entry(key: $0.name, value: ConfigNode(["max": .int(Int64($0.max))])) }))
            ),
        ]
        for key in ConfigKeys.all {
            guard case .topLevel(let dump) = key.dump, let value = dump(config) else { continue }
            entries.append(ConfigValue.Entry(key: key.name, value: ConfigNode(value)))
        }
        return .mapping(entries)
    }
}
