/// A loaded, checked configuration: every top-level option typed and with
/// its default, the jobs with job groups expanded, and what was read.
///
/// Relative paths in the files (`config_d`, `data_dir`, `template_dir`,
/// `database.file`) have been made relative to the configuration directory,
/// so that the daemon's working directory does not matter (dsari resolved
/// them against its working directory).
public struct Config: Sendable {
    /// The directory the configuration was loaded from.
    public var configDirectory: String
    /// Jobs by name, job groups expanded.
    public var jobs: [String: Job]
    /// Concurrency groups by name, including those a job names without
    /// defining them (max 1).
    public var concurrencyGroups: [String: ConcurrencyGroup]
    /// The drop-in directory that was searched; nil when `config_d` turned
    /// it off (null or "").
    public var configD: String?
    public var dataDir: String
    public var database: DatabaseConfig
    /// Variables added to every run's environment (numbers already turned
    /// into text).
    public var environment: [String: String]
    /// On SIGINT/SIGTERM: true sends running runs SIGTERM, false waits.
    public var shutdownKillRuns: Bool
    /// Seconds between that SIGTERM and a SIGKILL; nil never sends SIGKILL.
    public var shutdownKillGrace: Double?
    /// Templates that override `dsari-render`'s own.
    public var templateDir: String?
    public var reportHTMLGz: Bool
    /// How much of a run's output the report shows from the start; 0 = all.
    public var reportRunOutputStart: Int
    /// How much of a run's output the report shows from the end; 0 = all.
    public var reportRunOutputEnd: Int
    /// Output kept per run (`output.txt`) unless a job sets its own; beyond
    /// it the output is cut with a marker line and the run goes on.
    public var maxOutputBytes: Int = Config.defaultMaxOutputBytes
    static let defaultMaxOutputBytes = 16 * 1024 * 1024
    /// When set, dsari-daemon serves the exporter's endpoints itself (one process suffices).
    public var httpListen: ListenAddress?
    /// `http_web_config`: TLS and basic auth for those endpoints (an absolute path, checked at load).
    public var httpWebConfig: String?
    /// `passive_results`: where check results are submitted (none by default).
    public var passiveResults: [PassiveDestination] = []
    /// dsari-daemon's NRPE listener (off unless `nrpe_listen` is set).
    public var nrpeListener = NRPEListenerConfig()
    /// Bounds of `dsari_job_run_duration_seconds`'s buckets; nil = the exporter's defaults.
    public var metricsDurationBuckets: [Double]?
    /// `nrpe_out_of_range_exit`: the `out_of_range_exit` of jobs made from
    /// an nrpe.cfg (they have `nrpe_command`) that do not set their own.
    var nrpeOutOfRangeExit: OutOfRangeExitPolicy = .unknown

    /// The output limit of `job`.
    public func maxOutputBytes(for job: Job) -> Int { job.maxOutputBytes ?? maxOutputBytes }
    /// True ends what a run leaves behind when its main process ends (SIGTERM
    /// to every process of the run, SIGKILL after `max_execution_grace`),
    /// unless a job sets its own; false (dsari's behaviour) lets it live on.
    public var killLeftoverProcesses = false
    /// `host_name`: the host recorded with every run, and whose runs this
    /// machine's daemon and tools read (a fleet shares one PostgreSQL
    /// database). Default: the machine's host name.
    public var hostName = DatabaseConfig.machineHostName()
    /// Whether `job`'s runs have their leftover processes killed.
    public func killLeftoverProcesses(for job: Job) -> Bool { job.killLeftoverProcesses ?? killLeftoverProcesses }
    /// The merged files as read, before job groups were expanded
    /// (`config dump --raw`).
    public var raw: ConfigNode
    /// Things accepted but probably not meant, such as unknown keys.
    public var warnings: [ConfigWarning]
    /// The files read, in the order they were merged.
    public var files: [String]

    public init(
        configDirectory: String,
        dataDir: String,
        jobs: [String: Job] = [:],
        concurrencyGroups: [String: ConcurrencyGroup] = [:],
        configD: String? = nil,
        database: DatabaseConfig = DatabaseConfig(),
        environment: [String: String] = [:],
        shutdownKillRuns: Bool = false,
        shutdownKillGrace: Double? = nil,
        templateDir: String? = nil,
        reportHTMLGz: Bool = false,
        reportRunOutputStart: Int = 0,
        reportRunOutputEnd: Int = 0,
        raw: ConfigNode = ConfigNode(.mapping([])),
        warnings: [ConfigWarning] = [],
        files: [String] = []
    ) {
        self.configDirectory = configDirectory
        self.dataDir = dataDir
        self.jobs = jobs
        self.concurrencyGroups = concurrencyGroups
        self.configD = configD
        self.database = database
        self.environment = environment
        self.shutdownKillRuns = shutdownKillRuns
        self.shutdownKillGrace = shutdownKillGrace
        self.templateDir = templateDir
        self.reportHTMLGz = reportHTMLGz
        self.reportRunOutputStart = reportRunOutputStart
        self.reportRunOutputEnd = reportRunOutputEnd
        self.raw = raw
        self.warnings = warnings
        self.files = files
    }

    /// The SQLite database file: `database.file`, or `DATA_DIR/dsari.sqlite3`.
    public var databaseFile: String {
        database.file ?? DsariPaths.join(dataDir, "dsari.sqlite3")
    }
}
