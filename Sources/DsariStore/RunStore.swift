import DsariCore

/// The run history — dsari's `runs` and `runs_running` tables and our
/// additions — whatever database holds it: `SQLiteRunStore` (the default,
/// one host) or `PostgresRunStore` (a fleet sharing one database).
/// `RunStores.open` picks one from the `database` configuration.
///
/// Every run is some host's (`hostName`: the host the store was opened
/// for). The daemon's reads — previous runs, running runs, the latest
/// check result, its plan — are this host's; listings take a `HostFilter`.
/// Errors are `RunStoreError`s. Calls may come from any thread.
public protocol RunStore: AnyObject, Sendable {
    /// The host whose runs this store records and reads by default.
    var hostName: String { get }

    /// Applies changes in order, in one transaction. `lockWaitMilliseconds`:
    /// how long to wait for another writer's lock this time (nil: the
    /// backend's default).
    func apply(_ changes: [RunChange], lockWaitMilliseconds: Int32?) throws

    /// Writes this host's daemon plan over `previous` (what was last
    /// written; nil: rewritten whole).
    func write(plan: DaemonPlan, over previous: DaemonPlan?, lockWaitMilliseconds: Int32?) throws

    /// This host's latest finished run of `jobName`, latest with exit code 0
    /// and latest with another: `PREVIOUS_*`, `PREVIOUS_GOOD_*`, `PREVIOUS_BAD_*`.
    func previousRuns(jobName: String) throws -> PreviousRuns

    /// `run_data.nagios` of this host's latest finished run of `jobName`
    /// that carries a check result, or nil.
    func latestCheckResult(jobName: String) throws -> ConfigValue?

    /// Calls `body` with every run `query` selects, one row at a time, so
    /// that a listing of a large history is never held in memory. The row is
    /// valid only inside `body`, which must not use the store.
    func forEachRun(_ query: RunQuery, _ body: (StoredRunRow) throws -> Void) throws

    /// Calls `body` with each finished run of `hosts` recorded after
    /// `position` (a key that only grows: SQLite's rowid, PostgreSQL's
    /// `dsari_seq`), in that order; the exporter reads each run once.
    /// Returns the number of rows.
    @discardableResult
    func forEachFinishedRun(after position: Int64, hosts: HostFilter, _ body: (FinishedRunTimes) throws -> Void) throws -> Int

    /// The plans the daemons of `hosts` last wrote, by host name.
    func daemonPlans(hosts: HostFilter) throws -> [String: DaemonPlan]

    /// The `run_data` of the finished run at `position` (an empty mapping when absent).
    func runData(at position: Int64) throws -> ConfigValue

    /// The largest position in `runs` (0 when empty). A reader whose cursor
    /// is beyond it must read again from 0 (SQLite renumbers rows on VACUUM).
    func maximumPosition() throws -> Int64
}

extension RunStore {
    public func apply(_ changes: [RunChange]) throws {
        try apply(changes, lockWaitMilliseconds: nil)
    }

    public func write(plan: DaemonPlan, over previous: DaemonPlan?) throws {
        try write(plan: plan, over: previous, lockWaitMilliseconds: nil)
    }

    /// Records a run that has started.
    public func recordStart(_ run: RunRecord) throws {
        try apply([.started(run)])
    }

    /// Records finished runs, in one transaction.
    public func recordFinished(_ runs: [RunRecord]) throws {
        try apply(runs.map { .finished($0) })
    }

    /// This host's finished runs recorded after `position`.
    @discardableResult
    public func forEachFinishedRun(after position: Int64, _ body: (FinishedRunTimes) throws -> Void) throws -> Int {
        try forEachFinishedRun(after: position, hosts: .this, body)
    }

    /// The plan this host's daemon last wrote, or nil when none has.
    public func daemonPlan() throws -> DaemonPlan? {
        try daemonPlans(hosts: .this)[hostName]
    }

    /// This host's runs in `runs_running`, oldest start first.
    public func runningRuns() throws -> [RunRecord] {
        try runs(RunQuery(finished: false, running: true))
    }

    /// The runs `query` selects, in memory (for small selections).
    public func runs(_ query: RunQuery) throws -> [RunRecord] {
        var records: [RunRecord] = []
        try forEachRun(query) { records.append($0.record) }
        return records
    }

    /// This host's runs filtered by job names and/or run ids (empty = no
    /// filter), finished ones and/or running ones, oldest start first.
    public func runs(jobNames: [String], runIDs: [String], finished: Bool = true, running: Bool = true) throws -> [RunRecord] {
        try runs(RunQuery(jobNames: jobNames, runIDs: runIDs, finished: finished, running: running))
    }
}

/// A change to the history: a run started (into `runs_running`), its
/// process spawned (its `run_data`, with the pid, replaces the start's), or
/// finished (moved from `runs_running` to `runs`). Applying a change twice
/// changes nothing more (by run id).
public enum RunChange: Sendable {
    case started(RunRecord)
    case spawned(runID: String, runData: ConfigValue)
    case finished(RunRecord)
}

/// The times of a finished run, what the exporter aggregates.
public struct FinishedRunTimes: Sendable, Equatable {
    /// Where the run is in recording order (see `RunStore.forEachFinishedRun`).
    public var position: Int64
    /// The host that ran it ("" when no host claims it).
    public var hostName: String
    public var jobName: String
    public var scheduleTime: Double
    public var startTime: Double
    public var stopTime: Double
    public var exitCode: Int?
    /// True when `run_data` carries a check result (`NagiosField.runDataKey`); its text is
    /// not copied out of the database here (see `runData(at:)`).
    public var hasCheckResult: Bool

    public init(
        position: Int64, hostName: String, jobName: String, scheduleTime: Double, startTime: Double, stopTime: Double, exitCode: Int?,
        hasCheckResult: Bool
    ) {
        self.position = position
        self.hostName = hostName
        self.jobName = jobName
        self.scheduleTime = scheduleTime
        self.startTime = startTime
        self.stopTime = stopTime
        self.exitCode = exitCode
        self.hasCheckResult = hasCheckResult
    }
}

/// The order `forEachRun` delivers runs in.
public enum RunOrder: Sendable {
    /// Oldest start first.
    case startTime
    /// Newest start first.
    case startTimeDescending
    /// By run id (byte order of the UTF-8, which is code point order:
    /// dsari's `json.dumps(sort_keys=True)`), read along the run id indexes.
    case runID
}

/// Whose runs a listing shows.
public enum HostFilter: Sendable, Equatable {
    /// The store's own host.
    case this
    /// These hosts.
    case only([String])
    /// Every host in the database (and runs no host claims: dsari 2.0's).
    case all
}

/// Which runs `forEachRun` reads: empty name lists are no filter.
public struct RunQuery: Sendable {
    public var jobNames: [String]
    public var runIDs: [String]
    public var finished: Bool
    public var running: Bool
    public var order: RunOrder
    public var hosts: HostFilter

    public init(
        jobNames: [String] = [], runIDs: [String] = [], finished: Bool = true, running: Bool = true, order: RunOrder = .startTime,
        hosts: HostFilter = .this
    ) {
        self.jobNames = jobNames
        self.runIDs = runIDs
        self.finished = finished
        self.running = running
        self.order = order
        self.hosts = hosts
    }
}
