import Foundation

/// The environment of a run, built from scratch as dsari does (nothing is
/// inherited from the daemon but `PATH`, which defaults to `/usr/bin:/bin`).
///
/// Precedence, lowest first: automatic variables, the global `environment`,
/// the job's `environment`, the trigger's `environment`.
public struct RunEnvironment: Sendable {
    public var job: Job
    public var dataDirectory: String
    public var run: RunRecord
    public var previous: PreviousRuns
    /// The concurrency group the run was admitted by, if any.
    public var concurrencyGroup: String?
    public var globalEnvironment: [String: String]
    public var triggerEnvironment: [String: String]
    /// The daemon's `PATH`, if it has one.
    public var daemonPath: String?
    /// The daemon user's login name and home directory (password database).
    public var user: (name: String, home: String)

    public init(
        job: Job, dataDirectory: String, run: RunRecord, previous: PreviousRuns, concurrencyGroup: String?,
        globalEnvironment: [String: String], triggerEnvironment: [String: String], daemonPath: String?,
        user: (name: String, home: String)
    ) {
        self.job = job
        self.dataDirectory = dataDirectory
        self.run = run
        self.previous = previous
        self.concurrencyGroup = concurrencyGroup
        self.globalEnvironment = globalEnvironment
        self.triggerEnvironment = triggerEnvironment
        self.daemonPath = daemonPath
        self.user = user
    }

    private var layout: DataLayout { DataLayout(dataDirectory: dataDirectory) }
    var jobDirectory: String { layout.jobDirectory(job.name) }
    public var runDirectory: String { layout.runDirectory(job: job.name, runID: run.runID) }

    /// Epoch seconds as dsari prints them in the environment (Python `str(float)`).
    static func epoch(_ seconds: Double) -> String { seconds.pythonRepr }

    /// The variables, with precedence applied.
    public var variables: [String: String] {
        var env: [String: String] = [
            "CI": "true",
            "DSARI": "true",
            "LOGNAME": user.name,
            "HOME": user.home,
            "PATH": daemonPath ?? "/usr/bin:/bin",
            "PWD": runDirectory,
            "DATA_DIR": dataDirectory,
            "JOB_NAME": job.name,
            "JOB_DIR": jobDirectory,
            "RUN_ID": run.runID,
            "RUN_DIR": runDirectory,
            "SCHEDULE_TIME": Self.epoch(run.scheduleTime),
            "START_TIME": Self.epoch(run.startTime),
            "TRIGGER_TYPE": run.triggerType,
            "TRIGGER_DIR": layout.triggerRoot,
        ]
        if let concurrencyGroup { env["CONCURRENCY_GROUP"] = concurrencyGroup }
        if let group = job.jobGroup { env["JOB_GROUP"] = group }
        for (prefix, record) in [("PREVIOUS_", previous.last), ("PREVIOUS_GOOD_", previous.good), ("PREVIOUS_BAD_", previous.bad)] {
            guard let record else { continue }
            env[prefix + "RUN_ID"] = record.runID
            env[prefix + "SCHEDULE_TIME"] = Self.epoch(record.scheduleTime)
            env[prefix + "START_TIME"] = Self.epoch(record.startTime)
            if let stop = record.stopTime { env[prefix + "STOP_TIME"] = Self.epoch(stop) }
            if let code = record.exitCode { env[prefix + "EXIT_CODE"] = String(code) }
        }
        if job.jenkinsEnvironment {
            env["BUILD_NUMBER"] = run.runID
            env["BUILD_ID"] = run.runID
            env["BUILD_URL"] = "file://\(runDirectory)/"
            env["NODE_NAME"] = "master"
            env["BUILD_TAG"] = "dsari-\(job.name)-\(run.runID)"
            env["JENKINS_URL"] = "file://\(dataDirectory)/"
            env["EXECUTOR_NUMBER"] = "0"
            env["WORKSPACE"] = runDirectory
        }
        env.merge(globalEnvironment) { $1 }
        env.merge(job.environment) { $1 }
        env.merge(triggerEnvironment) { $1 }
        return env
    }

    /// The working directory: the run directory, unless the environment sets
    /// `PWD` to a directory that exists.
    public func workingDirectory(exists: (String) -> Bool) -> String {
        let pwd = variables["PWD"] ?? runDirectory
        return pwd != runDirectory && exists(pwd) ? pwd : runDirectory
    }
}
