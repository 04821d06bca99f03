import DsariCore
import DsariNagios
import Foundation

extension MetricsCollector {
    /// The status of every configured job, from the same aggregates as the
    /// metrics: `/status.json`, `{"generated": EPOCH, "version": …, "jobs": [{"job_name": …}, …]}`.
    /// Fields follow Nagios `status.dat` (SPEC §7); a job that is not a check
    /// is OK after exit 0 and CRITICAL otherwise. Every job also has its last
    /// run and next scheduled run.
    public func status(now: Double = Date().timeIntervalSince1970) throws -> ConfigValue {
        try withCaughtUpState { state in
            let plans = try state.store?.daemonPlans(hosts: hostFilter) ?? [:]
            let thisHost = state.thisHost
            var jobs: [ConfigNode] = []
            for key in state.shownJobs(allHosts: options.allHosts) {
                let name = key.job
                // Another host's job: its configuration is there, not here.
                let job = key.host == thisHost ? state.config.jobs[name] : nil
                let aggregate = state.jobs[key]
                let plan = plans[key.host]
                var fields: [ConfigValue.Entry] = []
                func add(_ key: String, _ value: ConfigValue) { fields.append(.init(key: key, value: ConfigNode(value))) }
                func add(_ field: NagiosField, _ value: ConfigValue) { add(field.rawValue, value) }
                func add(_ field: StatusField, _ value: ConfigValue) { add(field.rawValue, value) }
                if options.allHosts { add(.hostName, .string(key.host)) }
                add(.jobName, .string(name))
                func time(_ value: Double?) -> ConfigValue { value.map(ConfigValue.double) ?? .null }
                // What the daemon has planned; without a daemon's plan (none
                // has run on this database yet), what the schedule says.
                var next = plan.map { $0.nextRuns[name] } ?? job?.parsedSchedule?.nextTime(after: Instant(epochSeconds: now))?.epochSeconds
                if plan == nil, let job, job.nagiosCheck, let status = aggregate?.check?.status, status.awaitsRetry,
                    let retry = job.check.retryInterval, let last = status.lastCheck
                {
                    // The daemon tries a SOFT problem again after retry_interval.
                    next = last + retry
                }
                add(.schedule, job?.schedule.map(ConfigValue.string) ?? .null)
                add(.nextCheck, time(next))
                add(.runCount, .int(Int64(aggregate?.count ?? 0)))
                add(.lastRunExitCode, aggregate?.last?.exitCode.map { .int(Int64($0)) } ?? .null)
                add(.lastRunStartTime, time(aggregate?.last?.startTime))
                add(.lastRunStopTime, time(aggregate?.last?.stopTime))
                add(.lastRunDuration, time(aggregate?.last.map { $0.stopTime - $0.startTime }))
                add(.nagiosCheck, .bool(job?.nagiosCheck ?? (aggregate?.check != nil)))
                if let check = aggregate?.check {
                    add(.currentState, .int(Int64(check.state)))
                    add(.stateName, .string(CheckState(rawValue: check.state)?.name ?? "UNKNOWN"))
                    add(.pluginOutput, .string(check.pluginOutput))
                    add(.longPluginOutput, .string(check.longPluginOutput))
                    add(.performanceData, .string(check.performanceData))
                    if case .mapping(let entries) = ConfigValue.mapping(check.status.runDataEntries) {
                        fields += entries.filter { $0.key != NagiosField.stateHistory.rawValue }
                    }
                    add(.stateTypeName, .string(check.status.stateType.name))
                    add(.checkExecutionTime, .double(check.executionTime))
                    add(.checkLatency, .double(check.latency))
                } else if let last = aggregate?.last {
                    let state: CheckState = last.exitCode == 0 ? .ok : .critical
                    add(.currentState, .int(Int64(state.rawValue)))
                    add(.stateName, .string(state.name))
                    add(.pluginOutput, .string("exit code \(last.exitCode.map(String.init) ?? "unknown")"))
                    add(.lastCheck, .double(last.startTime))
                    add(.stateType, .int(1))
                    add(.stateTypeName, .string("HARD"))
                    add(.currentAttempt, .int(1))
                    add(.maxAttempts, .int(1))
                    add(.checkExecutionTime, .double(last.stopTime - last.startTime))
                    add(.checkLatency, .double(last.startTime - last.scheduleTime))
                }
                jobs.append(ConfigNode(.mapping(fields)))
            }
            let document: [(StatusField, ConfigValue)] = [
                (.generated, .double(now)),
                (.version, .string(DsariVersion.string)),
                (.daemonShuttingDown, plans[thisHost].map { .bool($0.isShuttingDown) } ?? .null),
                (.jobs, .array(jobs)),
                (.passiveResults, passiveStatus(passiveSnapshots(config: state.config), now: now)),
            ]
            return .mapping(document.map { ConfigValue.Entry(key: $0.0.rawValue, value: ConfigNode($0.1)) })
        }
    }

    /// Whether the run history can be read now (`/-/healthy`).
    public func isHealthy() -> Bool {
        (try? withCaughtUpState(force: true) { _ in true }) ?? false
    }
}
