/// One run of a job as dsari records it: the columns of its `runs` and
/// `runs_running` tables. Times are epoch seconds with a fraction.
public struct RunRecord: Sendable, Hashable {
    public var jobName: String
    public var runID: String
    public var scheduleTime: Double
    public var startTime: Double
    /// nil while the run is running.
    public var stopTime: Double?
    /// As a shell reports it (128 + signal number when killed); nil while running.
    public var exitCode: Int?
    /// `schedule` or `file` (a trigger file), as in dsari.
    public var triggerType: String
    /// The trigger file's contents for triggered runs, else an empty mapping.
    public var triggerData: ConfigValue
    /// What dsari-swift learned about the run (`return_data`, interruption marker…).
    public var runData: ConfigValue

    public init(
        jobName: String, runID: String, scheduleTime: Double, startTime: Double, stopTime: Double? = nil,
        exitCode: Int? = nil, triggerType: String = "schedule", triggerData: ConfigValue = .mapping([]),
        runData: ConfigValue = .mapping([])
    ) {
        self.jobName = jobName
        self.runID = runID
        self.scheduleTime = scheduleTime
        self.startTime = startTime
        self.stopTime = stopTime
        self.exitCode = exitCode
        self.triggerType = triggerType
        self.triggerData = triggerData
        self.runData = runData
    }

    public var isRunning: Bool { stopTime == nil }
}
