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
            var jobs: [ConfigNode] = []
            for name in state.config.jobs.keys.sorted() {
                guard let job = state.config.jobs[name] else { continue }
                let aggregate = state.jobs[name]
                var fields: [ConfigValue.Entry] = []
                func add(_ key: String, _ value: ConfigValue) { fields.append(.init(key: key, value: ConfigNode(value))) }
                add("job_name", .string(name))
                func time(_ value: Double?) -> ConfigValue { value.map(ConfigValue.double) ?? .null }
                let next = job.parsedSchedule?.nextTime(after: Instant(epochSeconds: now))
                add("schedule", job.schedule.map(ConfigValue.string) ?? .null)
                add("next_check", time(next?.epochSeconds))
                add("run_count", .int(Int64(aggregate?.count ?? 0)))
                add("last_run_exit_code", aggregate?.last?.exitCode.map { .int(Int64($0)) } ?? .null)
                add("last_run_start_time", time(aggregate?.last?.startTime))
                add("last_run_stop_time", time(aggregate?.last?.stopTime))
                add("last_run_duration", time(aggregate?.last.map { $0.stopTime - $0.startTime }))
                add("nagios_check", .bool(job.nagiosCheck))
                if let check = aggregate?.check {
                    add("current_state", .int(Int64(check.state)))
                    add("state_name", .string(CheckState(rawValue: check.state)?.name ?? "UNKNOWN"))
                    add("plugin_output", .string(check.pluginOutput))
                    add("long_plugin_output", .string(check.longPluginOutput))
                    add("performance_data", .string(check.performanceData))
                    add("last_check", .double(check.lastCheck))
                    add("last_state_change", .double(check.lastStateChange))
                    add("last_hard_state_change", .double(check.lastStateChange))
                    add("current_attempt", .int(1))
                    add("max_attempts", .int(1))
                    add("state_type", .int(1))
                    add("check_execution_time", .double(check.executionTime))
                    add("check_latency", .double(check.latency))
                } else if let last = aggregate?.last {
                    let state: CheckState = last.exitCode == 0 ? .ok : .critical
                    add("current_state", .int(Int64(state.rawValue)))
                    add("state_name", .string(state.name))
                    add("plugin_output", .string("exit code \(last.exitCode.map(String.init) ?? "unknown")"))
                    add("last_check", .double(last.startTime))
                    add("state_type", .int(1))
                    add("current_attempt", .int(1))
                    add("max_attempts", .int(1))
                    add("check_execution_time", .double(last.stopTime - last.startTime))
                    add("check_latency", .double(last.startTime - last.scheduleTime))
                }
                jobs.append(ConfigNode(.mapping(fields)))
            }
            return [
                "generated": .double(now),
                "version": .string(DsariVersion.string),
                "jobs": .array(jobs),
            ]
        }
    }

    /// Whether the run history can be read now (`/-/healthy`).
    public func isHealthy() -> Bool {
        (try? withCaughtUpState { _ in true }) ?? false
    }

    /// `/status`: the same data as a page a person reads; refreshes itself every 30 s.
    public func statusPage(now: Double = Date().timeIntervalSince1970) throws -> String {
        let status = try status(now: now)
        func when(_ value: ConfigValue?) -> String {
            guard case .double(let seconds)? = value else { return "" }
            return ISO8601Timestamp.format(Instant(epochSeconds: seconds), timeZone: .current)
        }
        var rows = ""
        if case .array(let jobs)? = status["jobs"]?.value {
            for entry in jobs {
                let job = entry.value
                let name = job["job_name"]?.value.stringValue ?? ""
                let state: String
                let css: String
                if let name = job["state_name"]?.value.stringValue {
                    state = name
                    css = name.lowercased()
                } else if case .int(let code)? = job["last_run_exit_code"]?.value {
                    state = "exit \(code)"
                    css = code == 0 ? "ok" : "critical"
                } else {
                    state = "no run yet"
                    css = "pending"
                }
                var duration = ""
                if case .double(let seconds)? = job["last_run_duration"]?.value { duration = String(format: "%.3f s", seconds) }
                let output = job["plugin_output"]?.value.stringValue ?? ""
                rows += """
                    <tr class="\(css)"><td>\(name.htmlEscaped)</td><td class="state">\(state.htmlEscaped)</td>\
                    <td>\(output.htmlEscaped)</td><td>\(when(job["last_run_stop_time"]?.value))</td>\
                    <td>\(when(job["next_check"]?.value))</td><td>\(duration)</td></tr>

                    """
            }
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30">
            <title>dsari status</title>
            <style>
            body { font-family: sans-serif; margin: 1.5em; color: #222; }
            table { border-collapse: collapse; width: 100%; }
            th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
            td.state { font-weight: bold; }
            tr.ok td.state { color: #1b7f2a; } tr.warning td.state { color: #a66b00; }
            tr.critical td.state { color: #b3001b; } tr.unknown td.state { color: #6a3d9a; } tr.pending td.state { color: #777; }
            </style></head><body>
            <h1>dsari status</h1>
            <p>Generated \(when(status["generated"]?.value)) by dsari-swift \(DsariVersion.string).</p>
            <table><thead><tr><th>Job</th><th>State</th><th>Output</th><th>Last run</th><th>Next run</th><th>Duration</th></tr></thead>
            <tbody>
            \(rows)</tbody></table></body></html>

            """
    }
}
