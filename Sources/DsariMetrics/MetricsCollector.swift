import DsariCore
import DsariNagios
import DsariStore
import Foundation
import Synchronization

/// Builds the exporter's metrics from the store: dsari 2.0's families,
/// exactly, plus our duration histograms. Finished runs are read once each
/// (by rowid) into per-job aggregates, so a scrape costs the same at any
/// history size; running runs are read from the small `runs_running` table.
public final class MetricsCollector: Sendable {
    public struct Options: Sendable {
        public var quantiles: [Double] = [0.01, 0.1, 0.5, 0.9, 0.99]
        public var includeRunning = true
        /// Upper bounds of `dsari_job_run_duration_seconds_bucket`, seconds.
        public var buckets: [Double] = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 10800, 43200]
        /// dsari's `--job-cache-time`: finished runs are read into the
        /// aggregates at most this often (seconds); running runs are always
        /// read. 0 (the default here; the exporter's flag defaults to dsari's
        /// 120) reads new runs at every scrape, which costs little.
        public var jobCacheTime: Double = 0
        /// `--all-hosts`: every (host, job) the database holds, each series
        /// with a `host` label (a fleet sharing one PostgreSQL database);
        /// otherwise this host's configured jobs, without it.
        public var allHosts = false

        public init() {}
    }

    /// A job on a host: what the aggregates are kept by.
    struct JobKey: Hashable, Comparable {
        var host: String
        var job: String

        static func < (left: JobKey, right: JobKey) -> Bool { (left.host, left.job) < (right.host, right.job) }
    }

    struct State {
        var config: Config
        var store: (any RunStore)?
        var lastRowID: Int64 = 0
        var jobs: [JobKey: JobAggregate] = [:]
        /// When new runs were last read (monotonic seconds), for `jobCacheTime`.
        var lastCatchUp: Double?

        var thisHost: String { store?.hostName ?? config.hostName }

        /// This host's configured jobs, and with `allHosts` every job of every host that has runs.
        func shownJobs(allHosts: Bool) -> [JobKey] {
            var keys = Set(config.jobs.keys.map { JobKey(host: thisHost, job: $0) })
            if allHosts { keys.formUnion(jobs.keys) }
            return keys.sorted()
        }
    }

    /// The labels that name a job's series: `job_name`, and `host` with `allHosts`.
    func labels(_ key: JobKey) -> [(String, String)] {
        options.allHosts ? [("host", key.host), ("job_name", key.job)] : [("job_name", key.job)]
    }

    var hostFilter: HostFilter { options.allHosts ? .all : .this }

    private let state: Mutex<State>
    public let options: Options

    /// `options.buckets` gives way to the configuration's `metrics_duration_buckets`.
    public init(config: Config, options: Options = Options()) {
        var options = options
        if let buckets = config.metricsDurationBuckets { options.buckets = buckets }
        self.options = options
        self.state = Mutex(State(config: config))
    }

    /// A new configuration (SIGHUP): the aggregates stay; only which jobs appear changes.
    public func reload(config: Config) {
        state.withLock { $0.config = config }
    }

    /// The exposition text of one scrape.
    public func collect(now: () -> Double = { Date().timeIntervalSince1970 }) throws -> String {
        let began = DispatchTime.now()
        return try state.withLock { state in
            var writer = ExpositionWriter()
            try catchUpUnlessCached(&state)
            let shown = state.shownJobs(allHosts: options.allHosts)
            for key in shown {
                let job = state.jobs[key] ?? JobAggregate()
                let label = labels(key)
                writer.add(
                    "dsari_run_count", help: "Number of runs performed for a job", type: "counter", .init(label, .integer(job.count)))
                writer.add(
                    "dsari_run_success_count", help: "Number of successful runs performed for a job", type: "counter",
                    .init(label, .integer(job.successes)))
                writer.add(
                    "dsari_run_failure_count", help: "Number of failed runs performed for a job", type: "counter",
                    .init(label, .integer(job.failures)))
                guard let last = job.last else { continue }
                for quantile in options.quantiles {
                    let labels = label + [("quantile", quantile.pythonRepr)]
                    if let value = JobAggregate.quantile(job.durations, quantile) {
                        writer.add(
                            "dsari_run_duration_seconds", help: "Length of time spent in a run", type: "summary",
                            .init(labels, .float(value)))
                    }
                    if let value = JobAggregate.quantile(job.latencies, quantile) {
                        writer.add(
                            "dsari_run_latency_seconds", help: "Length of time spent between scheduled start and actual start",
                            type: "summary", .init(labels, .float(value)))
                    }
                }
                writer.add("dsari_run_duration_seconds_sum", help: nil, type: nil, .init(label, .float(job.durationSum)))
                writer.add("dsari_run_duration_seconds_count", help: nil, type: nil, .init(label, .integer(job.count)))
                writer.add("dsari_run_latency_seconds_sum", help: nil, type: nil, .init(label, .float(job.latencySum)))
                writer.add("dsari_run_latency_seconds_count", help: nil, type: nil, .init(label, .integer(job.count)))
                if let code = last.exitCode {
                    writer.add(
                        "dsari_last_run_exit_code", help: "Numeric exit code of the last run for a job", type: "gauge",
                        .init(label, .integer(code)))
                }
                writer.add(
                    "dsari_last_run_schedule_time", help: "Schedule time of the last run for a job, seconds since epoch", type: "gauge",
                    .init(label, .float(last.scheduleTime)))
                writer.add(
                    "dsari_last_run_start_time", help: "Start time of the last run for a job, seconds since epoch", type: "gauge",
                    .init(label, .float(last.startTime)))
                writer.add(
                    "dsari_last_run_stop_time", help: "Stop time of the last run for a job, seconds since epoch", type: "gauge",
                    .init(label, .float(last.stopTime)))
                if let check = job.check {
                    addCheckMetrics(check, label: label, to: &writer)
                }
                // Ours: a histogram Prometheus can aggregate across jobs and hosts.
                let histogram = "dsari_job_run_duration_seconds"
                let help = "Run duration per job, as a histogram (aggregatable, unlike the summary)"
                var samples = options.buckets.map { bound in
                    ExpositionWriter.Sample(label + [("le", bound.pythonRepr)], .integer(job.count(atMost: bound)), suffix: "_bucket")
                }
                samples.append(.init(label + [("le", "+Inf")], .integer(job.count), suffix: "_bucket"))
                samples.append(.init(label, .float(job.durationSum), suffix: "_sum"))
                samples.append(.init(label, .integer(job.count), suffix: "_count"))
                writer.add(histogram, help: help, type: "histogram", samples)
            }
            if let plans = try state.store?.daemonPlans(hosts: hostFilter) {
                addPlanMetrics(plans, jobs: shown, to: &writer)
            }
            if options.includeRunning, let store = state.store {
                let configured = state.config.jobs
                try store.forEachRun(RunQuery(finished: false, running: true, hosts: hostFilter)) { run in
                    guard options.allHosts || configured[run.jobName] != nil else { return }
                    let labels = labels(JobKey(host: run.hostName, job: run.jobName)) + [("run_id", run.runID)]
                    writer.add(
                        "dsari_running_run_schedule_time", help: "Schedule time of a currently running job, seconds since epoch",
                        type: "gauge", .init(labels, .float(Double(JobAggregate.microseconds(run.scheduleTime)) / 1_000_000)))
                    writer.add(
                        "dsari_running_run_start_time", help: "Start time of a currently running job, seconds since epoch",
                        type: "gauge", .init(labels, .float(Double(JobAggregate.microseconds(run.startTime)) / 1_000_000)))
                }
            }
            addPassiveMetrics(passiveSnapshots(config: state.config, oldest: false), to: &writer)
            writer.add("dsari_time", help: "Current time, seconds since epoch", type: "gauge", .init([], .float(now())))
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e9
            writer.add("dsari_exporter_collect_seconds", help: "Time spent collecting metrics", type: "gauge", .init([], .float(elapsed)))
            writer.add(
                "dsari_version_info", help: "dsari version information, constant value 1", type: "gauge",
                .init([("version", DsariVersion.string)], .integer(1)))
            return writer.render()
        }
    }

    static let stateNames = ["ok", "warning", "critical", "unknown"]

    /// Ours, from what the daemon wrote of its intentions: when each job runs
    /// next (absent when nothing is pending, e.g. a job run by triggers
    /// only), and whether the daemon is draining at shutdown.
    private func addPlanMetrics(_ plans: [String: DaemonPlan], jobs: [JobKey], to writer: inout ExpositionWriter) {
        for key in jobs {
            guard let next = plans[key.host]?.nextRuns[key.job] else { continue }
            writer.add(
                "dsari_job_next_run_timestamp_seconds",
                help: "When the daemon starts the job's next pending run (scheduled, retry or trigger), seconds since epoch",
                type: "gauge", .init(labels(key), .float(next)))
        }
        for (host, plan) in plans.sorted(by: { $0.key < $1.key }) {
            let label = options.allHosts ? [("host", host)] : []
            writer.add(
                "dsari_daemon_shutting_down", help: "1 while dsari-daemon is stopping: running runs drain, no new run starts",
                type: "gauge", .init(label, .integer(plan.isShuttingDown ? 1 : 0)))
            writer.add(
                "dsari_daemon_start_timestamp_seconds",
                help: "When the dsari-daemon recording into this database started, seconds since epoch",
                type: "gauge", .init(label, .float(plan.startTime)))
        }
    }

    /// Ours, for Nagios checks: the state (and a one-hot form), attempt and
    /// state type, last check time, and each performance datum in base units.
    private func addCheckMetrics(_ check: CheckSnapshot, label: [(String, String)], to writer: inout ExpositionWriter) {
        writer.add(
            "dsari_check_state", help: "Current Nagios state of a check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN", type: "gauge",
            .init(label, .integer(check.state)))
        writer.add(
            "dsari_check_state_info", help: "Current Nagios state of a check, one-hot by the state label", type: "gauge",
            Self.stateNames.enumerated().map { .init(label + [("state", $1)], .integer($0 == check.state ? 1 : 0)) })
        let status = check.status
        writer.add(
            "dsari_check_state_type", help: "Nagios state type of a check: 1 HARD, 0 SOFT", type: "gauge",
            .init(label, .integer(status.stateType.rawValue)))
        writer.add(
            "dsari_check_current_attempt", help: "Current check attempt (max_check_attempts reached: HARD)", type: "gauge",
            .init(label, .integer(status.currentAttempt)))
        writer.add(
            "dsari_check_max_attempts", help: "Attempts a non-OK result needs to become HARD (max_check_attempts)", type: "gauge",
            .init(label, .integer(status.maxAttempts)))
        writer.add(
            "dsari_check_last_check_timestamp_seconds", help: "When the check last ran, seconds since epoch", type: "gauge",
            .init(label, .float(check.lastCheck)))
        writer.add(
            "dsari_check_last_state_change_timestamp_seconds", help: "When the check's state last changed, seconds since epoch",
            type: "gauge", .init(label, .float(status.lastStateChange ?? check.lastCheck)))
        writer.add(
            "dsari_check_last_hard_state_change_timestamp_seconds",
            help: "When the check's HARD state last changed, seconds since epoch", type: "gauge",
            .init(label, .float(status.lastHardStateChange ?? check.lastCheck)))
        writer.add(
            "dsari_check_flapping", help: "1 while the check is flapping (Nagios percent state change)", type: "gauge",
            .init(label, .integer(status.isFlapping ? 1 : 0)))
        writer.add(
            "dsari_check_percent_state_change", help: "Nagios' weighted percent state change over the last 21 HARD results",
            type: "gauge", .init(label, .float(status.percentStateChange)))
        for item in check.perfdata {
            let datum = item.value
            guard let name = datum["label"]?.value.stringValue else { continue }
            let labels = label + [("label", name), ("unit", datum["base_uom"]?.value.stringValue ?? "")]
            func number(_ key: String) -> Double? {
                switch datum[key]?.value {
                case .double(let value)?: value
                case .int(let value)?: Double(value)
                default: nil
                }
            }
            let factor = (number("base_value") ?? 0) != 0 && (number("value") ?? 0) != 0 ? number("base_value")! / number("value")! : 1
            if let value = number("base_value") {
                writer.add(
                    "dsari_check_perfdata_value", help: "Performance data value of a check, in base units (seconds, bytes)", type: "gauge",
                    .init(labels, .float(value)))
            }
            for (key, family, help) in [
                ("min", "dsari_check_perfdata_min", "Performance data minimum, in base units"),
                ("max", "dsari_check_perfdata_max", "Performance data maximum, in base units"),
            ] {
                if let value = number(key) { writer.add(family, help: help, type: "gauge", .init(labels, .float(value * factor))) }
            }
            for (key, level) in [("warn", "warning"), ("crit", "critical")] {
                guard let text = datum[key]?.value.stringValue, let range = try? NagiosRange(text) else { continue }
                if range.start.isFinite {
                    writer.add(
                        "dsari_check_perfdata_\(level)_low", help: "Lower bound of the \(level) range, in base units", type: "gauge",
                        .init(labels, .float(range.start * factor)))
                }
                if range.end.isFinite {
                    writer.add(
                        "dsari_check_perfdata_\(level)_high", help: "Upper bound of the \(level) range, in base units", type: "gauge",
                        .init(labels, .float(range.end * factor)))
                }
            }
        }
    }

    /// Runs `body` on the aggregates, brought up to date first (unless
    /// `jobCacheTime` says the last catch-up is recent enough and not `force`).
    func withCaughtUpState<T>(force: Bool = false, _ body: (State) throws -> T) throws -> T {
        try state.withLock { state in
            if force { try catchUp(&state) } else { try catchUpUnlessCached(&state) }
            return try body(state)
        }
    }

    /// Without a database yet (the daemon has not made it), every scrape
    /// looks again: the cache is for runs read, not for an absent file.
    private func catchUpUnlessCached(_ state: inout State) throws {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        if let last = state.lastCatchUp, now - last < options.jobCacheTime, state.store != nil { return }
        try catchUp(&state)
        state.lastCatchUp = now
    }

    /// Reads the runs recorded since the last scrape into the aggregates.
    private func catchUp(_ state: inout State) throws {
        if state.store == nil {
            // No database yet (nil): nothing has run; look again next scrape.
            state.store = try RunStores.open(state.config, access: .read, applicationName: "dsari-prometheus-exporter")
        }
        guard let store = state.store else { return }
        // A table whose rows were renumbered (runs pruned, then VACUUM)
        // cannot be followed by rowid: read it all again.
        if state.lastRowID > 0, try store.maximumPosition() < state.lastRowID {
            state.jobs = [:]
            state.lastRowID = 0
        }
        // Each check run stores the check's whole status, so only the latest
        // one per job needs parsing.
        var latestCheckRun: [JobKey: FinishedRunTimes] = [:]
        defer {
            // Also after an error part-way: the runs read so far are counted.
            for key in Array(state.jobs.keys) { state.jobs[key]?.settle() }
            for (key, run) in latestCheckRun {
                if let runData = try? store.runData(at: run.position),
                    let next = CheckSnapshot.next(
                        after: state.jobs[key]?.check, runData: runData, schedule: run.scheduleTime, start: run.startTime,
                        stop: run.stopTime)
                {
                    state.jobs[key]?.check = next
                }
            }
        }
        try store.forEachFinishedRun(after: state.lastRowID, hosts: hostFilter) { run in
            let key = JobKey(host: run.hostName, job: run.jobName)
            // Mutated in place: a copy would duplicate the job's arrays at every run.
            state.jobs[key, default: JobAggregate()].add(
                schedule: run.scheduleTime, start: run.startTime, stop: run.stopTime, exitCode: run.exitCode)
            if run.hasCheckResult { latestCheckRun[key] = run }
            state.lastRowID = run.position
        }
    }
}
