import CProcessSpawn
import DsariCore
import DsariNagios
import DsariStore
import Foundation

/// Starts runs and sees them to the end: run directory, environment, child
/// process in its own group, output capture, `max_execution` (SIGTERM to the
/// group, SIGKILL after the grace), exit code, `return_data`.
///
/// Lives on the daemon's engine queue; the reaper and the output collector
/// report back onto it.
final class RunSupervisor: @unchecked Sendable {
    // @unchecked: every property is used on `queue` only.

    /// A run in progress.
    final class ActiveRun: @unchecked Sendable {  // used on the engine queue only
        let job: Job
        var record: RunRecord
        let concurrencyGroup: String?
        var runDirectory = ""
        var pid: pid_t = 0
        var collector: OutputCollector?
        var timers: [DispatchSourceTimer] = []
        var timedOut = false
        var killedAtShutdown = false
        /// `kill_leftover_processes` for this run (fixed at its start).
        var killLeftovers = false
        /// For a Nagios check, its status after this run's result.
        var checkStatus: CheckStatus?
        init(job: Job, record: RunRecord, concurrencyGroup: String?) {
            self.job = job
            self.record = record
            self.concurrencyGroup = concurrencyGroup
        }
    }

    let queue: DispatchQueue
    let store: any RunStore
    let clock: @Sendable () -> Instant
    let log: DaemonLog
    /// Called on `queue` when a run has been recorded as finished.
    var onFinish: ((ActiveRun) -> Void)?
    private(set) var active: [String: ActiveRun] = [:]
    let writer: StoreWriter
    /// SIGKILLs of leftover processes waiting for their `max_execution_grace`
    /// (a stopping daemon waits for them).
    let leftoverKills = DispatchGroup()
    /// Each job's latest runs, kept up to date as runs end, so that starting
    /// a run reads the database only the first time a job runs.
    private var previousRuns: [String: PreviousRuns] = [:]
    /// Each Nagios check job's state over time, moved on as its runs end
    /// (read from its latest recorded result the first time it is needed).
    private var checkStatuses: [String: CheckStatus] = [:]

    init(queue: DispatchQueue, store: any RunStore, clock: @escaping @Sendable () -> Instant, log: DaemonLog) {
        self.queue = queue
        self.store = store
        self.clock = clock
        self.log = log
        self.writer = StoreWriter(store: store, log: log)
    }

    private static let user: (name: String, home: String) = {
        guard let entry = getpwuid(getuid()) else { return (String(getuid()), "/") }
        return (String(cString: entry.pointee.pw_name), String(cString: entry.pointee.pw_dir))
    }()

    /// The daemon's own `PATH`, the one variable runs inherit.
    private static let daemonPath = ProcessInfo.processInfo.environment["PATH"]

    /// Starts one run of `job`.
    func start(job: Job, pending: PendingRun, concurrencyGroup: String?, config: Config) {
        let now = clock()
        let record = RunRecord(
            jobName: job.name, runID: UUID().uuidString.lowercased(), scheduleTime: pending.scheduleTime.epochSeconds,
            startTime: now.epochSeconds, triggerType: pending.triggerType, triggerData: pending.triggerData)
        let previous: PreviousRuns
        if let cached = previousRuns[job.name] {
            previous = cached
        } else {
            do {
                previous = try store.previousRuns(jobName: job.name)
                previousRuns[job.name] = previous
            } catch {
                log.error("cannot read previous runs; PREVIOUS_* left out", ["job": job.name, "error": "\(error)"])
                previous = PreviousRuns()
            }
        }
        let environment = RunEnvironment(
            job: job, dataDirectory: config.dataDir, run: record, previous: previous, concurrencyGroup: concurrencyGroup,
            globalEnvironment: config.environment, triggerEnvironment: pending.triggerEnvironment,
            daemonPath: Self.daemonPath, user: Self.user)
        let variables = environment.variables
        let runDirectory = environment.runDirectory
        let run = ActiveRun(job: job, record: record, concurrencyGroup: concurrencyGroup)
        run.runDirectory = runDirectory
        run.killLeftovers = config.killLeftoverProcesses(for: job)
        active[record.runID] = run
        // In the database before its directory and process exist (see StoreWriter.writeNow).
        writer.writeNow(.started(run.record))

        let output: Int32
        do {
            try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
            output = open(DsariPaths.join(runDirectory, DataLayout.outputFileName), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard output >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            failToStart(run, message: "cannot create run directory \(runDirectory): \(error)", exitCode: 127, output: -1)
            return
        }
        let arguments = job.commandLine(runID: record.runID, triggerData: record.triggerData)
        var pipes: [Int32] = [-1, -1, -1, -1]
        guard dsari_pipe_cloexec(&pipes[0]) == 0, dsari_pipe_cloexec(&pipes[2]) == 0 else {
            failToStart(run, message: "cannot create pipes: \(String(cString: strerror(errno)))", exitCode: 127, output: output)
            return
        }
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let workingDirectory = environment.workingDirectory { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        let queue = self.queue
        let pid: pid_t?
        do {
            let executable = try ProcessLauncher.resolve(arguments[0], path: variables["PATH"] ?? "/usr/bin:/bin")
            pid = try ChildReaper.shared.spawn(
                { () throws(ProcessLauncher.LaunchError) -> pid_t? in
                    try ProcessLauncher.spawn(
                        executable: executable, arguments: arguments, environment: variables,
                        workingDirectory: workingDirectory, stdin: devNull, stdout: pipes[1], stderr: pipes[3])
                },
                onExit: { [self] status in
                    let stop = clock()
                    queue.async { self.exited(run, status: status, at: stop) }
                })
        } catch {
            [devNull, pipes[0], pipes[1], pipes[2], pipes[3]].forEach { close($0) }
            failToStart(run, message: error.message, exitCode: error.exitCode, output: output)
            return
        }
        [devNull, pipes[1], pipes[3]].forEach { close($0) }
        run.pid = pid ?? 0
        run.collector = OutputCollector(
            file: output, stdout: pipes[0], stderr: pipes[2], limit: config.maxOutputBytes(for: job), markStandardError: job.nagiosCheck)
        run.record.runData = ["pid": .int(Int64(run.pid))]
        writer.enqueue(.spawned(runID: record.runID, runData: run.record.runData))
        log.info("run started", ["job": job.name, "run": record.runID, "pid": "\(run.pid)", "group": concurrencyGroup ?? "-"])
        if let limit = job.maxExecution {
            armTimeout(run, after: limit, grace: job.maxExecutionGrace)
        }
    }

    private func armTimeout(_ run: ActiveRun, after seconds: Double, grace: Double) {
        let terminate = DispatchSource.makeTimerSource(queue: queue)
        terminate.schedule(deadline: .now() + seconds)
        terminate.setEventHandler { [self] in
            guard active[run.record.runID] != nil else { return }
            run.timedOut = true
            log.warning(
                "run exceeded max_execution; SIGTERM to its process group",
                ["job": run.job.name, "run": run.record.runID, "seconds": "\(seconds)"])
            kill(-run.pid, SIGTERM)
            let killer = DispatchSource.makeTimerSource(queue: queue)
            killer.schedule(deadline: .now() + grace)
            killer.setEventHandler { [self] in
                guard active[run.record.runID] != nil else { return }
                log.warning("run still alive after max_execution_grace; SIGKILL", ["job": run.job.name, "run": run.record.runID])
                kill(-run.pid, SIGKILL)
            }
            run.timers.append(killer)
            killer.resume()
        }
        run.timers.append(terminate)
        terminate.resume()
    }

    /// Signals every active run's process group (shutdown with `shutdown_kill_runs`).
    func signalAll(_ signal: Int32) {
        for run in active.values where run.pid > 0 {
            run.killedAtShutdown = true
            kill(-run.pid, signal)
        }
    }

    /// A command that could not start is still a run: recorded with the
    /// reason in its output and the exit code a shell would give.
    private func failToStart(_ run: ActiveRun, message: String, exitCode: Int, output: Int32) {
        log.error("run could not start", ["job": run.job.name, "run": run.record.runID, "reason": message])
        if output >= 0 {
            let text = "dsari: \(message)\n"
            _ = text.withCString { write(output, $0, strlen($0)) }
            close(output)
        }
        run.record.stopTime = clock().epochSeconds
        run.record.exitCode = exitCode
        var data: [ConfigValue.Entry] = [.init(key: "start_error", value: ConfigNode(.string(message)))]
        if run.job.nagiosCheck {
            let result = CheckResult(
                exitCode: exitCode, standardOutput: "", timedOutAfter: nil, policy: run.job.check.outOfRangeExit,
                asNRPE: run.job.nrpeCommand != nil)
            data.append(.init(key: NagiosField.runDataKey, value: ConfigNode(checkRunData(run, result))))
        }
        run.record.runData = .mapping(data)
        record(run)
    }

    private func exited(_ run: ActiveRun, status: Int32, at stop: Instant) {
        run.timers.forEach { $0.cancel() }
        run.record.stopTime = stop.epochSeconds
        run.record.exitCode = ChildReaper.exitCode(fromWaitStatus: status)
        guard let collector = run.collector else {
            record(run)
            return
        }
        collector.finish { [self] summary in
            terminateLeftovers(of: run) { [self] leftovers in
                var data: [ConfigValue.Entry] = [.init(key: "pid", value: ConfigNode(.int(Int64(run.pid))))]
                func add(_ key: String, _ value: ConfigValue) { data.append(.init(key: key, value: ConfigNode(value))) }
                add("output_bytes", .int(Int64(summary.bytesWritten)))
                if summary.truncated { add("output_truncated", .bool(true)) }
                if let error = summary.writeError { add("output_error", .string(error)) }
                if run.timedOut { add("timed_out", .bool(true)) }
                if run.killedAtShutdown { add("killed_at_shutdown", .bool(true)) }
                if let leftovers { add("leftover_processes_killed", .int(Int64(leftovers))) }
                if run.job.nagiosCheck {
                    let result = CheckResult(
                        exitCode: run.record.exitCode ?? 3, standardOutput: String(decoding: summary.standardOutputPrefix, as: UTF8.self),
                        timedOutAfter: run.timedOut ? run.job.maxExecution : nil, policy: run.job.check.outOfRangeExit,
                        asNRPE: run.job.nrpeCommand != nil)
                    add(NagiosField.runDataKey, checkRunData(run, result))
                }
                switch readReturnData(run) {
                case .success(let returned?): add("return_data", returned)
                case .success(nil): break
                case .failure(let error): add("return_data_error", .string("\(error)"))
                }
                run.record.runData = .mapping(data)
                record(run)
            }
        }
    }

    /// With `kill_leftover_processes`, once the run's main process has ended:
    /// SIGTERM to every process of the run still alive (its process group,
    /// and those that left it, by `RUN_ID`), and SIGKILL to what is left
    /// after `max_execution_grace`. `then` gets, on the engine queue, how
    /// many got SIGTERM (nil without the option).
    ///
    /// The run is recorded right after the SIGTERM, not after the grace: its
    /// result (exit code, stop time) is known, and holding it back for up to
    /// the grace would delay the job's next run, its check result and
    /// `PREVIOUS_*` by that much, and turn it into an interrupted run if the
    /// daemon died meanwhile. What needs the SIGKILL is logged, not recorded.
    /// Both passes read /proc off the engine queue, which never waits for them.
    private func terminateLeftovers(of run: ActiveRun, then: @escaping @Sendable (Int?) -> Void) {
        guard run.killLeftovers, run.pid > 0 else {
            queue.async { then(nil) }
            return
        }
        let target = RunProcesses.Target(runID: run.record.runID, leader: run.pid)
        let grace = run.job.maxExecutionGrace
        let (job, runID, log, queue) = (run.job.name, run.record.runID, log, queue)
        leftoverKills.enter()
        DispatchQueue.global().async { [leftoverKills] in
            let terminated = RunProcesses.signal(SIGTERM, [target])[runID]?.count ?? 0
            queue.async { then(terminated) }
            guard terminated > 0 else {
                leftoverKills.leave()
                return
            }
            log.info("leftover processes of a finished run sent SIGTERM", ["job": job, "run": runID, "processes": "\(terminated)"])
            DispatchQueue.global().asyncAfter(deadline: .now() + grace) {
                let killed = RunProcesses.killAll([target])[runID]?.count ?? 0
                if killed > 0 {
                    log.warning(
                        "leftover processes still alive after max_execution_grace; SIGKILL",
                        ["job": job, "run": runID, "processes": "\(killed)"])
                }
                leftoverKills.leave()
            }
        }
    }

    /// The check's status as it was before its next result: the one in
    /// memory, else the latest recorded (a restart goes on from there).
    func checkStatus(of job: Job) -> CheckStatus {
        if let known = checkStatuses[job.name] { return known }
        var status = CheckStatus()
        do {
            if let recorded = try store.latestCheckResult(jobName: job.name), let restored = CheckStatus(runData: recorded) {
                status = restored
            }
        } catch {
            log.error("cannot read the check's last state; starting from OK", ["job": job.name, "error": "\(error)"])
        }
        checkStatuses[job.name] = status
        return status
    }

    /// `run_data.nagios` for a check run: the result, and the check's state
    /// over time moved on by it (checked at the run's start, as Nagios does).
    private func checkRunData(_ run: ActiveRun, _ result: CheckResult) -> ConfigValue {
        let status = checkStatus(of: run.job).recording(result.state, at: run.record.startTime, options: run.job.check)
        checkStatuses[run.job.name] = status
        run.checkStatus = status
        guard case .mapping(let entries) = result.runData else { return result.runData }
        return .mapping(entries + status.runDataEntries)
    }

    /// `return_data.json` (preferred) or `return_data.yaml` left in the run directory.
    private func readReturnData(_ run: ActiveRun) -> Result<ConfigValue?, Error> {
        for name in ["return_data.json", "return_data.yaml"] {
            let path = (run.runDirectory as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                return .success(try ConfigFileReader.read(path: path).value)
            } catch {
                log.warning("return data not stored", ["job": run.job.name, "run": run.record.runID, "error": "\(error)"])
                return .failure(error)
            }
        }
        return .success(nil)
    }

    private func record(_ run: ActiveRun) {
        active[run.record.runID] = nil
        writer.enqueue(.finished(run.record))
        if previousRuns[run.job.name] != nil {
            previousRuns[run.job.name]?.last = run.record
            if run.record.exitCode == 0 {
                previousRuns[run.job.name]?.good = run.record
            } else if run.record.exitCode != nil {
                previousRuns[run.job.name]?.bad = run.record
            }
        }
        log.info("run finished", ["job": run.job.name, "run": run.record.runID, "exit": "\(run.record.exitCode ?? -1)"])
        onFinish?(run)
    }
}
