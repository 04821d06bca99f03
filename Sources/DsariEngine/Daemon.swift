import DsariCore
import DsariNagios
import DsariStore
import Foundation
import Synchronization

/// dsari-daemon: loads the configuration, keeps one pending run per
/// scheduled job, starts runs when they are due (a wall-clock timer armed
/// for the earliest one — no polling), picks up trigger files, and reacts to
/// signals: SIGHUP reload, SIGINT/SIGTERM shutdown, SIGQUIT status, SIGUSR1
/// trigger scan.
///
/// All state lives on one serial queue (`queue`); timers, signal sources,
/// the child reaper and the output collectors report onto it. That makes the
/// class safe to share (`@unchecked Sendable`).
public final class Daemon: @unchecked Sendable {
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    let queue = DispatchQueue(label: "dsari.engine")
    let configDirectory: String
    /// The daemon's log, which the parts it runs beside (the NRPE listener) write to as well.
    public let log: DaemonLog
    let clock: @Sendable () -> Instant
    private(set) var config: Config
    let store: any RunStore
    let supervisor: RunSupervisor
    private var planner = RunPlanner()
    private var wakeTimer: DispatchSourceTimer?
    private var triggerTimer: DispatchSourceTimer?
    private var signals: SignalRouter?
    private var shuttingDown = false
    /// What this daemon intends (next runs, draining), published through the
    /// store writer for the exporter and the status pages.
    private var plan = DaemonPlan(pid: getpid(), startTime: 0)
    private var waitingForLeftovers = false
    /// New runs are held back while the store writer's backlog is full.
    private var holdingForBacklog = false
    private var backlogRecheckScheduled = false
    private var lockDescriptor: Int32 = -1
    /// How often trigger directories are scanned without SIGUSR1.
    private let triggerScanInterval: Double
    private var exitHandler: (@Sendable (Int32) -> Void)?
    private var stoppingHandler: (@Sendable () -> Void)?
    /// Called on the engine queue with each configuration a SIGHUP brought in.
    private let onReload: @Sendable (Config) -> Void
    private let onCheckResult: @Sendable (Job, RunRecord, Config) -> Void
    /// Who waits for the next run of a job to end (`runNow`), by job name.
    private var runWaiters: [String: [RunWaiter]] = [:]

    /// A `runNow` caller: any run of the job answers it, or for
    /// `nrpe_arguments: query` only a run with the same query arguments.
    private struct RunWaiter {
        var arguments: [String]?
        var completion: @Sendable (RunRecord?) -> Void

        func wants(_ triggerData: ConfigValue) -> Bool {
            arguments.map { $0 == Job.queryArguments(in: triggerData) } ?? true
        }
    }

    /// The configuration loaded at start (read before `start`).
    public var initialConfiguration: Config { config }

    public static let systemClock: @Sendable () -> Instant = {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Instant(microsecondsSinceEpoch: Int64(time.tv_sec) * 1_000_000 + Int64(time.tv_nsec) / 1000)
    }

    /// Loads the configuration and opens the store; nothing runs until `start`.
    /// Call `SignalRouter.hold(Daemon.handledSignals)` first, on the main
    /// thread, before any other thread exists (this calls it too, for the
    /// calling thread).
    /// `onReload` is called on the engine queue with each configuration a
    /// SIGHUP brought in (the listeners' and the metrics' reload);
    /// `onCheckResult` on the engine queue with each finished Nagios check
    /// run, its job and the configuration (passive results). Neither may block.
    public init(
        configDirectory: String, log: DaemonLog, clock: @escaping @Sendable () -> Instant = Daemon.systemClock,
        triggerScanInterval: Double = 2, onReload: @escaping @Sendable (Config) -> Void = { _ in },
        onCheckResult: @escaping @Sendable (Job, RunRecord, Config) -> Void = { _, _, _ in }
    ) throws {
        SignalRouter.hold(Self.handledSignals)
        self.configDirectory = configDirectory
        self.log = log
        self.triggerScanInterval = triggerScanInterval
        self.onReload = onReload
        self.onCheckResult = onCheckResult
        self.clock = clock
        do {
            config = try ConfigLoader.standard().load(configDirectory: configDirectory)
        } catch {
            throw StartError(description: "configuration refused: \(error)")
        }
        for warning in config.warnings { log.warning("\(warning)") }
        let dataDirectory = config.dataDir
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(
                atPath: DataLayout(dataDirectory: dataDirectory).triggerRoot, withIntermediateDirectories: true)
        } catch {
            throw StartError(description: "cannot create data directory \(dataDirectory): \(error)")
        }
        // One daemon per data directory: a second one would take the first
        // one's runs for orphans.
        let lockPath = (dataDirectory as NSString).appendingPathComponent("dsari-daemon.lock")
        lockDescriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockDescriptor >= 0, flock(lockDescriptor, LOCK_EX | LOCK_NB) == 0 else {
            throw StartError(description: "another dsari-daemon is using \(dataDirectory) (lock \(lockPath) is held)")
        }
        // The lock file names the daemon holding it (for `kill -HUP $(cat …)`).
        let pid = "\(getpid())\n"
        let lock = lockDescriptor
        _ = ftruncate(lock, 0)
        _ = pid.withCString { pwrite(lock, $0, strlen($0), 0) }
        do {
            let log = self.log
            guard
                let opened = try RunStores.open(
                    config, access: .write, applicationName: "dsari-daemon",
                    waiting: { log.warning("the database cannot be reached yet; retrying", ["error": "\($0)"]) })
            else { throw RunStoreError(.failed, operation: "open", message: "no store") }
            store = opened
        } catch {
            throw StartError(description: "cannot open the database \(RunStores.describe(config)): \(error)")
        }
        supervisor = RunSupervisor(queue: queue, store: store, clock: clock, log: log)
    }

    /// Starts (as `start(onExit:)`) and blocks the calling thread until the
    /// daemon has shut down; returns its exit status (1 when finished runs
    /// could not be recorded), for `main` to exit with. `onReady` is called
    /// once the daemon schedules and takes signals (systemd's `READY=1`),
    /// `onStopping` when a shutdown begins (`STOPPING=1`).
    public func run(onReady: () -> Void = {}, onStopping: @escaping @Sendable () -> Void = {}) -> Int32 {
        let finished = DispatchSemaphore(value: 0)
        let status = Mutex<Int32>(0)
        start(
            onExit: { code in
                status.withLock { $0 = code }
                finished.signal()
            }, onStopping: onStopping)
        // This thread takes the held signals from now on, while it waits.
        queue.sync { signals }?.release()
        onReady()
        finished.wait()
        return status.withLock { $0 }
    }

    /// Recovers runs a previous daemon left in flight, schedules every job,
    /// installs signal handlers and starts the timers. `onExit` is called with
    /// the exit status once a shutdown has finished.
    private func start(onExit: @escaping @Sendable (Int32) -> Void, onStopping: @escaping @Sendable () -> Void) {
        queue.sync {
            exitHandler = onExit
            stoppingHandler = onStopping
            plan.startTime = clock().epochSeconds
            recoverInterruptedRuns()
            supervisor.onFinish = { [unowned self] run in
                planner.runEnded(jobName: run.job.name, group: run.concurrencyGroup, now: clock())
                if let status = run.checkStatus, let job = config.jobs[run.job.name] {
                    scheduleRetry(job, status: status)
                }
                if run.checkStatus != nil { onCheckResult(run.job, run.record, config) }
                if let waiters = runWaiters.removeValue(forKey: run.job.name) {
                    let answered = waiters.filter { $0.wants(run.record.triggerData) }
                    let left = waiters.filter { !$0.wants(run.record.triggerData) }
                    if !left.isEmpty { runWaiters[run.job.name] = left }
                    for waiter in answered { waiter.completion(run.record) }
                }
                if shuttingDown {
                    finishShutdownIfIdle()
                } else {
                    tick()
                }
            }
            for job in config.jobs.values.sorted(by: { $0.name < $1.name }) {
                scheduleNext(job, after: clock())
                // A check left in a SOFT problem by the previous daemon retries on time.
                if job.nagiosCheck, job.check.retryInterval != nil {
                    scheduleRetry(job, status: supervisor.checkStatus(of: job))
                }
            }
            signals = SignalRouter(
                [
                    SIGHUP: { [unowned self] in reload() },
                    SIGINT: { [unowned self] in shutdown(reason: "SIGINT") },
                    SIGTERM: { [unowned self] in shutdown(reason: "SIGTERM") },
                    SIGQUIT: { [unowned self] in logStatus() },
                    SIGUSR1: { [unowned self] in scanTriggers() },
                ], queue: queue)
            let triggers = DispatchSource.makeTimerSource(queue: queue)
            triggers.schedule(deadline: .now(), repeating: triggerScanInterval, leeway: .milliseconds(200))
            triggers.setEventHandler { [unowned self] in scanTriggers() }
            triggerTimer = triggers
            triggers.resume()
            log.info("dsari-daemon started", ["jobs": "\(config.jobs.count)", "data_dir": config.dataDir, "version": DsariVersion.string])
            tick()
        }
    }

    // MARK: Scheduling

    private func scheduleNext(_ job: Job, after moment: Instant) {
        guard let schedule = job.parsedSchedule, !planner.hasScheduledRun(for: job.name) else { return }
        guard let next = schedule.nextTime(after: moment) else {
            log.info("schedule has no further run", ["job": job.name, "schedule": schedule.text])
            return
        }
        planner.add(jobName: job.name, scheduleTime: next)
        log.debug("next run scheduled", ["job": job.name, "at": ISO8601Timestamp.format(next, timeZone: schedule.timeZone)])
    }

    /// A check in a SOFT problem is tried again `retry_interval` seconds after
    /// the attempt started, instead of at its next scheduled time (Nagios'
    /// retry_interval); the scheduled run comes back once the state is HARD.
    private func scheduleRetry(_ job: Job, status: CheckStatus) {
        guard job.nagiosCheck, status.awaitsRetry, let interval = job.check.retryInterval, let last = status.lastCheck else { return }
        let due = Instant(epochSeconds: last + interval)
        planner.removePending { $0.jobName == job.name && $0.isScheduled }
        planner.add(jobName: job.name, scheduleTime: due, triggerType: "retry")
        log.debug(
            "check attempt \(status.currentAttempt)/\(status.maxAttempts) is SOFT; retry scheduled",
            ["job": job.name, "at": ISO8601Timestamp.format(due, timeZone: .current)])
    }

    /// Starts what is due, then arms the timer for the next due run.
    private func tick() {
        guard !shuttingDown, admitsRunsWithinBacklog() else { return }
        let now = clock()
        for admission in planner.admit(now: now, jobs: config.jobs, groups: config.concurrencyGroups) {
            guard let job = config.jobs[admission.run.jobName] else { continue }
            supervisor.start(job: job, pending: admission.run, concurrencyGroup: admission.concurrencyGroup, config: config)
            // The next scheduled run is computed from the moment a run starts.
            scheduleNext(job, after: now)
        }
        armWakeTimer()
        publishPlan()
    }

    /// Whether new runs may start: not while `StoreWriter.maximumBacklog`
    /// changes wait for a database that cannot take them (an outage).
    /// Runs then wait — they are late, never dropped — and the daemon's
    /// memory stays bounded; checked again every 5 s.
    private func admitsRunsWithinBacklog() -> Bool {
        let backlog = supervisor.writer.backlog
        guard backlog < StoreWriter.maximumBacklog else {
            if !holdingForBacklog {
                holdingForBacklog = true
                log.error(
                    "no new run starts until the database takes the run changes waiting for it",
                    ["waiting": "\(backlog)", "limit": "\(StoreWriter.maximumBacklog)"])
            }
            if !backlogRecheckScheduled {
                backlogRecheckScheduled = true
                queue.asyncAfter(deadline: .now() + 5) { [weak self] in
                    self?.backlogRecheckScheduled = false
                    self?.tick()
                }
            }
            return false
        }
        if holdingForBacklog {
            holdingForBacklog = false
            log.info("the database takes run changes again; runs start", ["waiting": "\(backlog)"])
        }
        return true
    }

    /// Each job's next pending run, for `dsari_job_next_run_timestamp_seconds`
    /// (an overdue job is one whose next run is well past): written by the
    /// store writer, which keeps only the newest plan.
    private func publishPlan() {
        var nextRuns: [String: Double] = [:]
        nextRuns.reserveCapacity(plan.nextRuns.count)
        for pending in planner.pending {
            let time = pending.scheduleTime.epochSeconds
            if let earlier = nextRuns[pending.jobName], earlier <= time { continue }
            nextRuns[pending.jobName] = time
        }
        plan.nextRuns = nextRuns
        supervisor.writer.publish(plan)
    }

    /// One timer for the daemon's life, re-armed for the next due run
    /// (creating and cancelling a source per run is needless churn).
    private func armWakeTimer() {
        let timer: DispatchSourceTimer
        if let existing = wakeTimer {
            timer = existing
        } else {
            timer = DispatchSource.makeTimerSource(flags: .strict, queue: queue)
            timer.setEventHandler { [unowned self] in tick() }
            wakeTimer = timer
            timer.resume()
        }
        guard let due = planner.nextDue else {
            timer.schedule(wallDeadline: .distantFuture, leeway: .never)
            return
        }
        let deadline = timespec(tv_sec: Int(due.wholeSeconds), tv_nsec: Int(due.microsecondsPart) * 1000)
        timer.schedule(wallDeadline: DispatchWallTime(timespec: deadline), leeway: .never)
    }

    /// Runs `jobName` now (trigger type `nrpe`) unless a run of it is in
    /// progress, and calls `completion` with the next run of it that ends
    /// (from the engine queue). Unknown jobs, or a daemon shutting down: nil at once.
    /// For `nrpe_arguments: query`, `arguments` fill the command's `$ARGn$`
    /// (kept in `trigger_data`), and only a run with the same ones answers.
    public func runNow(jobName: String, arguments: [String] = [], completion: @escaping @Sendable (RunRecord?) -> Void) {
        queue.async { [self] in
            guard !shuttingDown, let job = config.jobs[jobName] else {
                completion(nil)
                return
            }
            guard runWaiters[jobName, default: []].count < 1000 else {
                completion(nil)  // a job that never ends must not collect waiters without bound
                return
            }
            let waiter = RunWaiter(arguments: job.nrpeArguments == .fromQuery ? arguments : nil, completion: completion)
            runWaiters[jobName, default: []].append(waiter)
            // One run answers every query waiting for it: none is added while
            // one is running or already asked for (e.g. held by its concurrency group).
            let running = supervisor.active.values.contains { $0.job.name == jobName && waiter.wants($0.record.triggerData) }
            let asked = planner.pending.contains { $0.jobName == jobName && $0.triggerType == "nrpe" && waiter.wants($0.triggerData) }
            if !running && !asked {
                let data: ConfigValue =
                    waiter.arguments.map { [NRPEArguments.triggerDataKey: .array($0.map { ConfigNode(.string($0)) })] } ?? .mapping([])
                planner.addTrigger(for: job, scheduleTime: clock(), data: data, environment: [:], type: "nrpe")
                log.info("run asked for by an NRPE query", ["job": jobName])
                tick()
            }
        }
    }

    // MARK: Triggers

    private func scanTriggers() {
        guard !shuttingDown else { return }
        let layout = DataLayout(dataDirectory: config.dataDir)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: layout.triggerRoot) else { return }
        var found = false
        for name in entries {
            guard let path = TriggerFile.find(in: layout.triggerDirectory(name)) else { continue }
            guard let job = config.jobs[name] else {
                // Kept for inspection, not left to wait silently forever.
                reject(path, job: name, reason: "no job named \(name.quotedForMessage) is configured")
                continue
            }
            do {
                let trigger = try TriggerFile.read(path: path, defaultTimeZone: job.parsedSchedule?.timeZone ?? .current)
                try FileManager.default.removeItem(atPath: path)
                planner.addTrigger(for: job, scheduleTime: trigger.scheduleTime, data: trigger.data, environment: trigger.environment)
                log.info("trigger accepted", ["job": job.name, "file": path, "schedule_time": "\(trigger.scheduleTime)"])
                found = true
            } catch {
                reject(path, job: job.name, reason: "\(error)")
            }
        }
        if found { tick() }
    }

    /// Renames an unusable trigger to `….rejected`, with the reason beside it in `….rejected.reason`.
    private func reject(_ path: String, job: String, reason: String) {
        let aside = path + ".rejected"
        _ = rename(path, aside)
        try? "\(reason)\n".write(toFile: aside + ".reason", atomically: true, encoding: .utf8)
        log.error("trigger rejected and kept aside", ["job": job, "file": aside, "reason": reason])
    }

    // MARK: Signals

    /// SIGHUP reload, SIGINT/SIGTERM stop, SIGQUIT status, SIGUSR1 trigger
    /// scan: what `SignalRouter.hold` must hold from the first moment.
    public static let handledSignals: [Int32] = [SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGUSR1]

    /// SIGHUP: a new configuration at once; a bad one is refused and the old one kept.
    private func reload() {
        let fresh: Config
        do {
            fresh = try ConfigLoader.standard().load(configDirectory: configDirectory)
        } catch {
            log.error("reload refused; keeping the running configuration", ["reason": "\(error)"])
            return
        }
        // A directory that vanished (or lost its files) loads as an empty
        // configuration; taking it would silently stop every job.
        if fresh.files.isEmpty, !config.files.isEmpty {
            log.error(
                "reload refused; keeping the running configuration",
                ["reason": "no configuration file found in \(configDirectory) (the directory is gone or empty)"])
            return
        }
        for warning in fresh.warnings { log.warning("\(warning)") }
        let old = config
        if fresh.dataDir != old.dataDir || fresh.databaseFile != old.databaseFile {
            log.warning(
                "data_dir and database take effect at the next start; this daemon keeps using the old ones",
                ["data_dir": old.dataDir, "database": old.databaseFile])
        }
        config = fresh
        // Who waits for a run of a job that is gone gets no run.
        for name in runWaiters.keys where fresh.jobs[name] == nil {
            for waiter in runWaiters.removeValue(forKey: name) ?? [] { waiter.completion(nil) }
        }
        // The data directory and store in use do not change under a running daemon.
        config.dataDir = old.dataDir
        config.database = old.database
        planner.removePending { pending in
            guard let job = fresh.jobs[pending.jobName] else { return true }
            // A scheduled run of a job whose schedule changed is computed anew.
            let before = old.jobs[pending.jobName]
            return pending.isScheduled && (before?.schedule != job.schedule || before?.scheduleTimezone != job.scheduleTimezone)
        }
        for job in fresh.jobs.values.sorted(by: { $0.name < $1.name }) {
            scheduleNext(job, after: clock())
        }
        log.info("configuration reloaded", ["jobs": "\(fresh.jobs.count)"])
        onReload(config)
        tick()
    }

    /// SIGINT/SIGTERM: no new runs; wait for running ones, or end them with
    /// `shutdown_kill_runs` (SIGTERM, then SIGKILL after `shutdown_kill_grace`).
    public func shutdown(reason: String) {
        guard !shuttingDown else { return }
        shuttingDown = true
        stoppingHandler?()
        wakeTimer?.cancel()
        triggerTimer?.cancel()
        plan.shutdownStartTime = clock().epochSeconds
        supervisor.writer.publish(plan)
        log.info("shutting down", ["reason": reason, "running": "\(supervisor.active.count)", "kill_runs": "\(config.shutdownKillRuns)"])
        if config.shutdownKillRuns, !supervisor.active.isEmpty {
            supervisor.signalAll(SIGTERM)
            if let grace = config.shutdownKillGrace {
                queue.asyncAfter(deadline: .now() + grace) { [self] in
                    guard !supervisor.active.isEmpty else { return }
                    log.warning("runs still alive after shutdown_kill_grace; SIGKILL", ["running": "\(supervisor.active.count)"])
                    supervisor.signalAll(SIGKILL)
                }
            }
        }
        finishShutdownIfIdle()
    }

    private func finishShutdownIfIdle() {
        guard supervisor.active.isEmpty, !waitingForLeftovers else { return }
        // Leftover processes of finished runs get their SIGKILL before the daemon goes.
        if supervisor.leftoverKills.wait(timeout: .now()) == .timedOut {
            waitingForLeftovers = true
            log.info("waiting for leftover processes of finished runs (max_execution_grace)")
            supervisor.leftoverKills.notify(queue: queue) { [self] in
                waitingForLeftovers = false
                finishShutdownIfIdle()
            }
            return
        }
        for waiter in runWaiters.values.joined() { waiter.completion(nil) }
        runWaiters = [:]
        plan.stopTime = clock().epochSeconds
        supervisor.writer.publish(plan)
        let unrecorded = supervisor.writer.flush()
        if unrecorded > 0 {
            log.error("stopping with finished runs the database did not take", ["runs": "\(unrecorded)"])
        }
        log.info("dsari-daemon stopped")
        exitHandler?(unrecorded > 0 ? 1 : 0)
    }

    /// SIGQUIT: what is running and when each job runs next.
    private func logStatus() {
        for run in supervisor.active.values.sorted(by: { $0.record.startTime < $1.record.startTime }) {
            log.info(
                "running",
                [
                    "job": run.job.name, "run": run.record.runID, "pid": "\(run.pid)",
                    "since": ISO8601Timestamp.format(Instant(epochSeconds: run.record.startTime), timeZone: .current),
                    "group": run.concurrencyGroup ?? "-",
                ])
        }
        for pending in planner.pending.sorted(by: { $0.dueAt < $1.dueAt }) {
            log.info(
                "pending",
                ["job": pending.jobName, "type": pending.triggerType, "due": ISO8601Timestamp.format(pending.dueAt, timeZone: .current)])
        }
    }

    // MARK: Test and status access

    /// Runs `body` on the engine queue (status for tests and tools).
    func onQueue<T>(_ body: () -> T) -> T { queue.sync(execute: body) }
}
