/// One job as configured: what to run, when, and under which limits.
///
/// Durations are seconds. Defaults are dsari's.
public struct Job: Sendable, Hashable {
    public var name: String
    /// The program and its arguments; never empty. A `command` written as a
    /// string in the configuration is already split (see `ShellWords`).
    public var command: [String]
    /// When true, the job name and run id are passed as two more arguments
    /// at run time; `command` itself does not contain them.
    public var commandAppendRun: Bool
    /// The schedule text (cron, hashed cron or RRULE); nil runs the job on
    /// triggers only.
    public var schedule: String?
    /// IANA time zone the schedule is computed in; nil means the daemon's
    /// local zone.
    public var scheduleTimezone: String?
    /// `schedule` parsed for this job in `scheduleTimezone` (set by the
    /// loader; nil for trigger-only jobs).
    public var parsedSchedule: Schedule?
    /// Variables added to the run's environment (numbers already turned
    /// into text the way dsari's Python does).
    public var environment: [String: String]
    /// After this many seconds a run gets SIGTERM; nil lets it run forever.
    public var maxExecution: Double?
    /// Seconds between the SIGTERM of `maxExecution` and the SIGKILL.
    public var maxExecutionGrace: Double
    /// Names of the concurrency groups the job belongs to, in configuration
    /// order, without duplicates.
    public var concurrencyGroups: [String]
    /// False hides the job and its runs from `dsari-render`.
    public var renderReports: Bool
    /// True adds Jenkins-style variables (`BUILD_NUMBER`, `WORKSPACE`, …).
    public var jenkinsEnvironment: Bool
    /// The job group the job was expanded from (or set by hand); becomes
    /// `JOB_GROUP` in the run's environment.
    public var jobGroup: String?
    /// True lets runs of this job overlap.
    public var concurrentRuns: Bool
    /// This job's output limit in bytes; nil takes the global `max_output_bytes`.
    public var maxOutputBytes: Int?
    /// `kill_leftover_processes` of this job; nil takes the global one.
    public var killLeftoverProcesses: Bool?
    /// True when runs are Nagios plugin results (`nagios_check`; every job
    /// made by `dsari-nrpe-import` has it): exit code 0–3 is the check state
    /// and the output carries status text and performance data.
    public var nagiosCheck: Bool
    /// For Nagios checks: attempts, retry interval, out-of-range exit codes, flapping.
    public var check: CheckOptions
    /// The NRPE command this job answers for on dsari-daemon's NRPE listener
    /// (`nrpe_command`; set on every job `dsari-nrpe-import` makes).
    public var nrpeCommand: String?
    /// Where the `$ARGn$` of an NRPE command come from (`nrpe_arguments`);
    /// nil for commands without them and for every job not made from an nrpe.cfg.
    public var nrpeArguments: NRPEArguments?
    /// For checks with `passive_results`: the service and host names the
    /// result is submitted under (`passive_service`, `passive_host`); nil:
    /// the job's name and the configuration's `host_name`.
    public var passiveService: String?
    public var passiveHost: String?

    public static let defaultMaxExecutionGrace: Double = 60

    public init(
        name: String,
        command: [String],
        commandAppendRun: Bool = false,
        schedule: String? = nil,
        scheduleTimezone: String? = nil,
        environment: [String: String] = [:],
        maxExecution: Double? = nil,
        maxExecutionGrace: Double = Job.defaultMaxExecutionGrace,
        concurrencyGroups: [String] = [],
        renderReports: Bool = true,
        jenkinsEnvironment: Bool = false,
        jobGroup: String? = nil,
        concurrentRuns: Bool = false,
        nagiosCheck: Bool = false,
        check: CheckOptions = CheckOptions(),
        nrpeCommand: String? = nil,
        nrpeArguments: NRPEArguments? = nil
    ) {
        self.name = name
        self.command = command
        self.commandAppendRun = commandAppendRun
        self.schedule = schedule
        self.scheduleTimezone = scheduleTimezone
        self.environment = environment
        self.maxExecution = maxExecution
        self.maxExecutionGrace = maxExecutionGrace
        self.concurrencyGroups = concurrencyGroups
        self.renderReports = renderReports
        self.jenkinsEnvironment = jenkinsEnvironment
        self.jobGroup = jobGroup
        self.concurrentRuns = concurrentRuns
        self.nagiosCheck = nagiosCheck
        self.check = check
        self.nrpeCommand = nrpeCommand
        self.nrpeArguments = nrpeArguments
    }
}

/// `nrpe_arguments`: the values of an NRPE command's `$ARGn$` macros.
public enum NRPEArguments: Sendable, Hashable {
    /// `nrpe_arguments: query`: the command still holds its macros; each
    /// run fills them the way NRPE does (`NRPEMacroExpander`) from the
    /// arguments of the query that asked for it (`check_nrpe -a`, kept in
    /// the run's `trigger_data.nrpe_arguments`), empty for runs no query
    /// asked for. Every query runs the job, as NRPE runs the command.
    case fromQuery
    /// `nrpe_arguments: [ARG1, ARG2, …]`: the values the command was made
    /// with (`dsari-nrpe-import --args`). Its recorded result answers a
    /// query with arguments only when they are these.
    case fixed([String])

    /// The key of `trigger_data` holding a query's arguments.
    public static let triggerDataKey = "nrpe_arguments"
}
