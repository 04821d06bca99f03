/// One configuration key: where it may appear, how it is read, its
/// default, what it does, and how `config dump` shows its effective value.
public struct ConfigKey: Sendable {
    /// Where a key may appear.
    public enum Place: String, Sendable, CaseIterable {
        case topLevel = "Top level"
        case job = "Jobs and job groups"
        case jobGroup = "Job groups only"
        case concurrencyGroup = "Concurrency groups"
        case database = "database"
        case mysqlConnection = "database.connection (type: mysql)"
        case passiveResult = "passive_results entries"
    }

    /// How `config dump` shows the key.
    public enum Dump: Sendable {
        /// A top-level value; nil leaves it out.
        case topLevel(@Sendable (Config) -> ConfigValue?)
        /// A job's value; nil leaves it out (check options of jobs that are not checks).
        case job(@Sendable (Config, Job) -> ConfigValue?)
        /// Shown inside another key's value (database, concurrency groups), or
        /// expanded into the jobs (job groups): not on its own.
        case within(String)
    }

    /// How the interpreter reads the key (the interpreter's business, so internal).
    enum Reader: Sendable {
        /// A top-level key, into the configuration being read.
        case topLevel(ConfigInterpreter.TopLevelReader)
        /// A job key, into the job being read (a job group's jobs too).
        case job(ConfigInterpreter.JobReader)
        /// A key of `database`, into the database settings being read.
        case database(ConfigInterpreter.DatabaseReader)
        /// A key of `database.connection` (MySQL).
        case mysqlConnection(ConfigInterpreter.MySQLConnectionReader)
        /// A concurrency group's option.
        case concurrencyGroup(ConfigInterpreter.ConcurrencyGroupReader)
        /// Read by the reader of the section it is in, which checks the
        /// whole entry: a `passive_results` entry (by type, see
        /// `passiveTypes`); `job_names` by the job groups' expansion.
        case section

        // The readers' arguments are named `i` (the interpreter, with the
        // value readers), `r` (what is being filled in), `node` and `key`.

        /// `jobs`, `job_groups`, `concurrency_groups` (a mapping or null):
        /// read after every other top-level key.
        /// A `database.connection` string option, into `field`.
        static func mysqlText(_ field: WritableKeyPath<MySQLConnectionOptions, String?> & Sendable) -> Reader {
            .mysqlConnection { i, options, node, key in options[keyPath: field] = try i.mysqlText(node, key: key) }
        }

        static let sectionReadLast = Reader.topLevel { i, r, node, key in
            try i.requireSection(node, key: key)
            r.sections[key] = node
        }

        /// Read by the loader before interpretation (`config_d`).
        static let loader = Reader.topLevel { _, _, _, _ in }
        /// Read by the NRPE job source before interpretation (`nrpe_config`,
        /// `nrpe_prefix`, `nrpe_schedule`); only its type is checked here.
        static let loaderChecked = Reader.topLevel { interpreter, _, node, key in
            _ = try interpreter.optionalString(node, key: key, subject: nil, expected: "a string")
        }
    }

    public let name: String
    public let place: Place
    /// The default, as the reference writes it ("" when there is none to speak of).
    let defaultValue: String
    /// One line for the reference.
    public let summary: String
    public let dump: Dump
    /// True for dsari 2.0's own keys.
    let fromDsari: Bool
    let read: Reader
    /// A `passive_results` entry's key: the destination types that take it
    /// (empty: every type).
    let passiveTypes: [String]

    init(
        _ name: String, _ place: Place, _ defaultValue: String, _ summary: String, dsari: Bool = false, read: Reader = .section,
        passiveTypes: [String] = [], dump: Dump
    ) {
        self.name = name
        self.place = place
        self.defaultValue = defaultValue
        self.summary = summary
        self.dump = dump
        self.fromDsari = dsari
        self.read = read
        self.passiveTypes = passiveTypes
    }
}

/// Every configuration key in one table: the interpreter's known keys (and
/// its "did you mean" hints) and readers, `config dump` and the generated
/// reference (docs/configuration.md, `dsari-info config reference`) come
/// from it. Adding a key is one entry here (and its field). A test checks
/// that every key here is read and dumped, and that the reference is current.
public enum ConfigKeys {
    public static let all: [ConfigKey] = topLevel + job + other

    /// `nrpe_schedule`'s default: every five minutes, at a minute hashed from the job name.
    public static let defaultNRPESchedule = "H/5 * * * *"

    /// The names allowed in `place`.
    public static func names(in place: ConfigKey.Place) -> [String] {
        switch place {
        case .jobGroup: all.filter { $0.place == .job || $0.place == .jobGroup }.map(\.name)
        default: all.filter { $0.place == place }.map(\.name)
        }
    }

    private static func text(_ value: String?) -> ConfigValue { value.map(ConfigValue.string) ?? .null }
    /// A check option's value, shown for Nagios checks only (dsari has none).
    private static func checkOnly(_ job: Job, _ value: @autoclosure () -> ConfigValue) -> ConfigValue? {
        job.nagiosCheck ? value() : Optional.none
    }
    private static func seconds(_ value: Double?) -> ConfigValue { value.map(ConfigValue.double) ?? .null }

    static let topLevel: [ConfigKey] = [
        ConfigKey(
            "jobs", .topLevel, "{}", "Jobs by name (the keys below).", dsari: true,
            read: .sectionReadLast,
            dump: .within("each job's keys, job groups expanded")),
        ConfigKey(
            "job_groups", .topLevel, "{}", "Groups of jobs sharing their keys, one job per `job_names` entry.", dsari: true,
            read: .sectionReadLast,
            dump: .within("jobs")),
        ConfigKey(
            "concurrency_groups", .topLevel, "{}", "Groups by name, each with `max` runs at once (1 for a group only named).",
            dsari: true,
            read: .sectionReadLast,
            dump: .within("concurrency_groups, with each group's max")),
        ConfigKey(
            "config_d", .topLevel, "CONFIG_DIR/config.d", "Drop-in directory read after dsari.yaml (null or \"\": none).", dsari: true,
            read: .loader,
            dump: .topLevel { config in text(config.configD) }),
        ConfigKey(
            "data_dir", .topLevel, "DSARI_HOME/var or ~/.dsari/var", "Where runs' output and triggers are kept.", dsari: true,
            read: .topLevel { i, r, node, key in r.config.dataDir = try i.path(node, key: key, subject: nil) },
            dump: .topLevel { .string($0.dataDir) }),
        ConfigKey(
            "database", .topLevel, "{type: sqlite3}", "Where runs are recorded (below; docs/backends.md).", dsari: true,
            read: .topLevel { i, r, node, key in r.config.database = try i.database(node) },
            dump: .topLevel { $0.database.dumpValue(databaseFile: $0.databaseFile) }),
        ConfigKey(
            "environment", .topLevel, "{}", "Variables added to every run's environment.", dsari: true,
            read: .topLevel { i, r, node, key in r.config.environment = try i.environment(node, subject: nil) },
            dump: .topLevel { .sortedMapping($0.environment) }),
        ConfigKey(
            "shutdown_kill_runs", .topLevel, "false", "On SIGINT/SIGTERM, SIGTERM running runs instead of waiting for them.",
            dsari: true, read: .topLevel { i, r, node, key in r.config.shutdownKillRuns = try i.bool(node, key: key, subject: nil) },
            dump: .topLevel { .bool($0.shutdownKillRuns) }),
        ConfigKey(
            "shutdown_kill_grace", .topLevel, "null", "Seconds after that SIGTERM before SIGKILL (null: never).", dsari: true,
            read: .topLevel { i, r, node, key in
                r.config.shutdownKillGrace = try i.optionalSeconds(node, key: key, subject: nil, allowZero: true)
            },
            dump: .topLevel { seconds($0.shutdownKillGrace) }),
        ConfigKey(
            "template_dir", .topLevel, "null", "Templates that override dsari-render's own.", dsari: true,
            read: .topLevel { i, r, node, key in r.config.templateDir = node.value.isNull ? nil : try i.path(node, key: key, subject: nil)
            },
            dump: .topLevel { text($0.templateDir) }),
        ConfigKey(
            "report_html_gz", .topLevel, "false", "dsari-render writes gzipped pages.", dsari: true,
            read: .topLevel { i, r, node, key in r.config.reportHTMLGz = try i.bool(node, key: key, subject: nil) },
            dump: .topLevel { .bool($0.reportHTMLGz) }),
        ConfigKey(
            "report_run_output_start", .topLevel, "0", "Bytes of a run's output a report shows from the start (0: all).",
            dsari: true, read: .topLevel { i, r, node, key in r.config.reportRunOutputStart = try i.outputLimit(node, key: key) },
            dump: .topLevel { .int(Int64($0.reportRunOutputStart)) }),
        ConfigKey(
            "report_run_output_end", .topLevel, "0", "Bytes of a run's output a report shows from the end (0: all).", dsari: true,
            read: .topLevel { i, r, node, key in r.config.reportRunOutputEnd = try i.outputLimit(node, key: key) },
            dump: .topLevel { .int(Int64($0.reportRunOutputEnd)) }),
        ConfigKey(
            "host_name", .topLevel, "the machine's host name", "Recorded with every run; whose runs this host reads in a fleet.",
            read: .topLevel { i, r, node, key in r.config.hostName = try i.hostName(node, key: key) },
            dump: .topLevel { .string($0.hostName) }),
        ConfigKey(
            "max_output_bytes", .topLevel, "16777216", "Output kept per run; beyond it the output is cut with a marker line.",
            read: .topLevel { i, r, node, key in
                r.config.maxOutputBytes = try i.integer(
                    node, key: key, subject: nil, minimum: 1, expected: "a number of bytes (a whole number, 1 or more)")
            },
            dump: .topLevel { .int(Int64($0.maxOutputBytes)) }),
        ConfigKey(
            "kill_leftover_processes", .topLevel, "false", "End what a run leaves behind when its main process ends.",
            read: .topLevel { i, r, node, key in r.config.killLeftoverProcesses = try i.bool(node, key: key, subject: nil) },
            dump: .topLevel { .bool($0.killLeftoverProcesses) }),
        ConfigKey(
            "http_listen", .topLevel, "null", "\"HOST:PORT\": dsari-daemon serves /metrics, /status and /status.json itself.",
            read: .topLevel { i, r, node, key in
                r.config.httpListen = try i.listenAddress(
                    node, key: key, purpose: "to serve metrics and status on", example: "\"127.0.0.1:50575\", \"[::1]:50575\"")
            },
            dump: .topLevel { text($0.httpListen?.description) }),
        ConfigKey(
            "passive_results", .topLevel, "[]", "Destinations (NSCA, Nagios command file, Icinga 2 API) each check result is submitted to.",
            read: .topLevel { i, r, node, key in r.config.passiveResults = try i.passiveResults(node) },
            dump: .topLevel { .array($0.passiveResults.map { ConfigNode($0.dumped) }) }),
        ConfigKey(
            "http_web_config", .topLevel, "null",
            "A web configuration file (exporter-toolkit's format: TLS, basic auth) for the endpoints of http_listen.",
            read: .topLevel { i, r, node, key in r.config.httpWebConfig = try i.webConfigPath(node, key: key) },
            dump: .topLevel { text($0.httpWebConfig) }),
        ConfigKey(
            "metrics_duration_buckets", .topLevel, "the exporter's", "Bucket bounds (seconds) of dsari_job_run_duration_seconds.",
            read: .topLevel { i, r, node, key in r.config.metricsDurationBuckets = try i.durationBuckets(node, key: key) },
            dump: .topLevel { config in config.metricsDurationBuckets.map { .array($0.map { ConfigNode(.double($0)) }) } ?? .null }),
        ConfigKey(
            "nrpe_config", .topLevel, "null", "An nrpe.cfg whose commands become jobs at every load.",
            read: .loaderChecked,
            dump: .topLevel { $0.raw.value["nrpe_config"]?.value ?? .null }),
        ConfigKey(
            "nrpe_prefix", .topLevel, "\"\"", "Put before each imported command's name to make its job name.",
            read: .loaderChecked,
            dump: .topLevel { $0.raw.value["nrpe_prefix"]?.value ?? .string("") }),
        ConfigKey(
            "nrpe_schedule", .topLevel, "\"\(defaultNRPESchedule)\"", "The schedule of every imported command.",
            read: .loaderChecked,
            dump: .topLevel { $0.raw.value["nrpe_schedule"]?.value ?? .string(defaultNRPESchedule) }),
        ConfigKey(
            "nrpe_out_of_range_exit", .topLevel, "unknown", "`out_of_range_exit` of imported jobs that set none (unknown as NRPE).",
            read: .topLevel { i, r, node, key in
                r.config.nrpeOutOfRangeExit = try i.choice(
                    node, key: key, subject: nil, expected: "\"unknown\" (NRPE, the default) or \"critical\" (Nagios Core)")
            },
            dump: .topLevel { .string($0.nrpeOutOfRangeExit.rawValue) }),
        ConfigKey(
            "nrpe_listen", .topLevel, "null", "\"HOST:PORT\": dsari-daemon answers check_nrpe there.",
            read: .topLevel { i, r, node, key in
                r.config.nrpeListener.address = try i.listenAddress(
                    node, key: key, purpose: "for the NRPE listener", example: "\"0.0.0.0:5666\", \"[::]:5666\"")
            },
            dump: .topLevel { text($0.nrpeListener.address?.description) }),
        ConfigKey(
            "nrpe_allowed_hosts", .topLevel, "[127.0.0.1, \"::1\"]", "NRPE's allowed_hosts: addresses, networks, host names.",
            read: .topLevel { i, r, node, key in r.config.nrpeListener.allowedHosts = try i.allowedHosts(node, key: key) },
            dump: .topLevel { .array($0.nrpeListener.allowedHosts.map { ConfigNode(.string($0)) }) }),
        ConfigKey(
            "nrpe_allow_arguments", .topLevel, "false", "Answer check_nrpe -a (NRPE's dont_blame_nrpe).",
            read: .topLevel { i, r, node, key in r.config.nrpeListener.allowArguments = try i.bool(node, key: key, subject: nil) },
            dump: .topLevel { .bool($0.nrpeListener.allowArguments) }),
        ConfigKey(
            "nrpe_no_result", .topLevel, "unknown", "A check without a result: answer UNKNOWN, or `run` it now.",
            read: .topLevel { i, r, node, key in
                r.config.nrpeListener.noResult = try i.choice(
                    node, key: key, subject: nil, expected: "\"unknown\" (answer UNKNOWN) or \"run\" (run the check and answer its result)")
            },
            dump: .topLevel { .string($0.nrpeListener.noResult.rawValue) }),
        ConfigKey(
            "nrpe_ssl", .topLevel, "true", "TLS as NRPE (false: plain TCP, check_nrpe -n).",
            read: .topLevel { i, r, node, key in r.config.nrpeListener.ssl = try i.bool(node, key: key, subject: nil) },
            dump: .topLevel { .bool($0.nrpeListener.ssl) }),
        ConfigKey(
            "nrpe_ssl_cert_file", .topLevel, "null", "The listener's certificate (PEM).",
            read: .topLevel { i, r, node, key in
                r.config.nrpeListener.sslCertificateFile = try i.path(node, key: key, subject: nil)
                r.tlsFileNodes[key] = node
            },
            dump: .topLevel { text($0.nrpeListener.sslCertificateFile) }),
        ConfigKey(
            "nrpe_ssl_privatekey_file", .topLevel, "null", "Its private key (PEM).",
            read: .topLevel { i, r, node, key in
                r.config.nrpeListener.sslPrivateKeyFile = try i.path(node, key: key, subject: nil)
                r.tlsFileNodes[key] = node
            },
            dump: .topLevel { text($0.nrpeListener.sslPrivateKeyFile) }),
        ConfigKey(
            "nrpe_ssl_cacert_file", .topLevel, "null", "CA for client certificates (set: every client must present one).",
            read: .topLevel { i, r, node, key in r.config.nrpeListener.sslCACertificateFile = try i.path(node, key: key, subject: nil) },
            dump: .topLevel { text($0.nrpeListener.sslCACertificateFile) }),
        ConfigKey(
            "nrpe_connection_timeout", .topLevel, "10", "Seconds from connect to answer.",
            read: .topLevel { i, r, node, key in
                r.config.nrpeListener.connectionTimeout = try i.seconds(node, key: key, subject: nil, allowZero: false)
            },
            dump: .topLevel { .double($0.nrpeListener.connectionTimeout) }),
    ]

    static let job: [ConfigKey] = [
        ConfigKey(
            "command", .job, "(required)", "The program and its arguments (a list, or one command line).", dsari: true,
            read: .job { i, r, node, key in r.job.command = try i.command(node, subject: r.subject) },
            dump: .job { _, job in .array(job.command.map { ConfigNode(.string($0)) }) }),
        ConfigKey(
            "command_append_run", .job, "false", "Pass the job name and run id as two more arguments.", dsari: true,
            read: .job { i, r, node, key in r.job.commandAppendRun = try i.bool(node, key: key, subject: r.subject) },
            dump: .job { _, job in .bool(job.commandAppendRun) }),
        ConfigKey(
            "schedule", .job, "null", "Cron, hashed cron (H) or RRULE; null runs the job on triggers only.", dsari: true,
            read: .job { i, r, node, key in
                r.job.schedule = try i.optionalString(node, key: key, subject: r.subject, expected: "a schedule (a string) or null")
                r.scheduleNode = node
            },
            dump: .job { _, job in text(job.schedule) }),
        ConfigKey(
            "schedule_timezone", .job, "the local zone", "IANA time zone the schedule is computed in.", dsari: true,
            read: .job { i, r, node, key in r.job.scheduleTimezone = try i.timeZone(node, subject: r.subject) },
            dump: .job { _, job in text(job.scheduleTimezone) }),
        ConfigKey(
            "environment", .job, "{}", "Variables added to the job's runs.", dsari: true,
            read: .job { i, r, node, key in r.job.environment = try i.environment(node, subject: r.subject) },
            dump: .job { _, job in .sortedMapping(job.environment) }),
        ConfigKey(
            "max_execution", .job, "null", "Seconds before SIGTERM (null: no limit).", dsari: true,
            read: .job { i, r, node, key in r.job.maxExecution = try i.optionalSeconds(node, key: key, subject: r.subject, allowZero: false)
            },
            dump: .job { _, job in seconds(job.maxExecution) }),
        ConfigKey(
            "max_execution_grace", .job, "60", "Seconds between that SIGTERM and SIGKILL.", dsari: true,
            read: .job { i, r, node, key in r.job.maxExecutionGrace = try i.seconds(node, key: key, subject: r.subject, allowZero: true) },
            dump: .job { _, job in .double(job.maxExecutionGrace) }),
        ConfigKey(
            "concurrency_groups", .job, "[]", "Groups whose `max` limits the job's runs at once.", dsari: true,
            read: .job { i, r, node, key in
                var seen: Set<String> = []
                r.job.concurrencyGroups = try i.nameList(node, key: key, what: "concurrency group", subject: r.subject).filter {
                    seen.insert($0).inserted
                }
            },
            dump: .job { _, job in .array(job.concurrencyGroups.sorted().map { ConfigNode(.string($0)) }) }),
        ConfigKey(
            "render_reports", .job, "true", "false hides the job from dsari-render.", dsari: true,
            read: .job { i, r, node, key in r.job.renderReports = try i.bool(node, key: key, subject: r.subject) },
            dump: .job { _, job in .bool(job.renderReports) }),
        ConfigKey(
            "jenkins_environment", .job, "false", "Add Jenkins-style variables (BUILD_NUMBER, WORKSPACE, …).", dsari: true,
            read: .job { i, r, node, key in r.job.jenkinsEnvironment = try i.bool(node, key: key, subject: r.subject) },
            dump: .job { _, job in .bool(job.jenkinsEnvironment) }),
        ConfigKey(
            "job_group", .job, "the group's name", "JOB_GROUP in the run's environment.", dsari: true,
            read: .job { i, r, node, key in
                r.job.jobGroup = try i.optionalString(node, key: key, subject: r.subject, expected: "a job group name (a string) or null")
            },
            dump: .job { _, job in text(job.jobGroup) }),
        ConfigKey(
            "concurrent_runs", .job, "false", "Let runs of the job overlap.", dsari: true,
            read: .job { i, r, node, key in r.job.concurrentRuns = try i.bool(node, key: key, subject: r.subject) },
            dump: .job { _, job in .bool(job.concurrentRuns) }),
        ConfigKey(
            "kill_leftover_processes", .job, "the top-level value", "This job's `kill_leftover_processes`.",
            read: .job { i, r, node, key in r.job.killLeftoverProcesses = try i.bool(node, key: key, subject: r.subject) },
            dump: .job { config, job in .bool(config.killLeftoverProcesses(for: job)) }),
        ConfigKey(
            "max_output_bytes", .job, "the top-level value", "This job's output limit.",
            read: .job { i, r, node, key in
                r.job.maxOutputBytes =
                    node.value.isNull
                    ? nil
                    : try i.integer(
                        node, key: key, subject: r.subject, minimum: 1, expected: "a number of bytes (a whole number, 1 or more) or null")
            },
            dump: .job { config, job in .int(Int64(config.maxOutputBytes(for: job))) }),
        ConfigKey(
            "nagios_check", .job, "false", "Runs are Nagios plugin results (exit code 0–3, output, performance data).",
            read: .job { i, r, node, key in r.job.nagiosCheck = try i.bool(node, key: key, subject: r.subject) },
            dump: .job { _, job in .bool(job.nagiosCheck) }),
        ConfigKey(
            "max_check_attempts", .job, "1", "Checks: attempts before a problem is HARD.",
            read: .job { i, r, node, key in
                r.job.check.maxCheckAttempts = try i.integer(
                    node, key: key, subject: r.subject, minimum: 1, expected: "a number of attempts (a whole number, 1 or more)")
            },
            dump: .job { _, job in checkOnly(job, .int(Int64(job.check.maxCheckAttempts))) }),
        ConfigKey(
            "retry_interval", .job, "null", "Checks: seconds between attempts of a SOFT problem.",
            read: .job { i, r, node, key in
                r.job.check.retryInterval = try i.optionalSeconds(node, key: key, subject: r.subject, allowZero: false)
            },
            dump: .job { _, job in checkOnly(job, seconds(job.check.retryInterval)) }),
        ConfigKey(
            "out_of_range_exit", .job, "critical (unknown for NRPE jobs)", "Checks: the state of an exit code outside 0–3.",
            read: .job { i, r, node, key in
                r.job.check.outOfRangeExit = try i.choice(
                    node, key: key, subject: r.subject, expected: "\"critical\" (Nagios Core) or \"unknown\" (NRPE)")
                r.outOfRangeGiven = true
            },
            dump: .job { _, job in checkOnly(job, .string(job.check.outOfRangeExit.rawValue)) }),
        ConfigKey(
            "flap_detection", .job, "false", "Checks: detect flapping as Nagios does.",
            read: .job { i, r, node, key in r.job.check.flapDetection = try i.bool(node, key: key, subject: r.subject) },
            dump: .job { _, job in checkOnly(job, .bool(job.check.flapDetection)) }),
        ConfigKey(
            "low_flap_threshold", .job, "20", "Checks: percent state change below which flapping stops.",
            read: .job { i, r, node, key in
                r.job.check.lowFlapThreshold = try i.percent(node, key: key, subject: r.subject)
                r.lowFlapNode = node
            },
            dump: .job { _, job in checkOnly(job, .double(job.check.lowFlapThreshold)) }),
        ConfigKey(
            "high_flap_threshold", .job, "30", "Checks: percent state change above which flapping starts.",
            read: .job { i, r, node, key in
                r.job.check.highFlapThreshold = try i.percent(node, key: key, subject: r.subject)
                r.lowFlapNode = r.lowFlapNode ?? node
            },
            dump: .job { _, job in checkOnly(job, .double(job.check.highFlapThreshold)) }),
        ConfigKey(
            "nrpe_command", .job, "null", "The NRPE command this check answers for on the NRPE listener.",
            read: .job { i, r, node, key in
                r.job.nrpeCommand = try i.optionalString(
                    node, key: key, subject: r.subject, expected: "an NRPE command name (a string) or null")
                if r.job.nrpeCommand != nil { r.nrpeNodes.append((key, node)) }
            },
            dump: .job { _, job in checkOnly(job, text(job.nrpeCommand)) }),
        ConfigKey(
            "nrpe_arguments", .job, "null", "`query` ($ARGn$ from each check_nrpe -a) or the values the command was made with.",
            read: .job { i, r, node, key in
                r.job.nrpeArguments = try i.nrpeArguments(node, subject: r.subject)
                if r.job.nrpeArguments != nil { r.nrpeNodes.append((key, node)) }
            },
            dump: .job { _, job in
                let value: ConfigValue =
                    switch job.nrpeArguments {
                    case nil: .null
                    case .fromQuery?: .string("query")
                    case .fixed(let values)?: .array(values.map { ConfigNode(.string($0)) })
                    }
                return checkOnly(job, value)
            }),
        ConfigKey(
            "passive_service", .job, "the job name", "The service description a passive result is submitted under.",
            read: .job { i, r, node, key in
                r.job.passiveService = try i.passiveName(
                    node, key: key, subject: r.subject, expected: "a Nagios service name (a string) or null")
            },
            dump: .job { _, job in checkOnly(job, .string(job.passiveService ?? job.name)) }),
        ConfigKey(
            "passive_host", .job, "host_name", "The host name a passive result is submitted under.",
            read: .job { i, r, node, key in
                r.job.passiveHost = try i.passiveName(node, key: key, subject: r.subject, expected: "a Nagios host name (a string) or null")
            },
            dump: .job { config, job in checkOnly(job, .string(job.passiveHost ?? config.hostName)) }),
        ConfigKey(
            "job_names", .jobGroup, "(required)", "The jobs a job group makes.", dsari: true, dump: .within("jobs")),
    ]

    static let other: [ConfigKey] =
        [
            ConfigKey(
                "max", .concurrencyGroup, "1", "Runs of the group's jobs at once.", dsari: true,
                read: .concurrencyGroup { i, group, node, key in
                    group.max = try i.integer(
                        node, key: key, subject: .concurrencyGroup(group.name), minimum: 1, expected: "a whole number of at least 1")
                },
                dump: .within("concurrency_groups")),
            ConfigKey(
                "type", .database, "sqlite3", "sqlite3, postgresql or mysql.", dsari: true,
                read: .database { i, r, node, key in
                    r.database.type = try i.databaseType(node, key: key)
                    r.typeNode = node
                },
                dump: .within("database")),
            ConfigKey(
                "file", .database, "DATA_DIR/dsari.sqlite3", "sqlite3: the database file.", dsari: true,
                read: .database { i, r, node, key in
                    r.database.file = node.value.isNull ? nil : try i.path(node, key: key, subject: nil, inside: "database")
                },
                dump: .within("database")),
            ConfigKey(
                "dsn", .database, "(required)", "postgresql: a libpq connection string or URI.", dsari: true,
                read: .database { i, r, node, key in r.database.dsn = try i.databaseDSN(node, key: key) }, dump: .within("database")),
            ConfigKey(
                "connection", .database, "{}", "mysql: MySQLdb.connect's arguments (below).", dsari: true,
                read: .database { i, r, node, _ in r.database.mysql = try i.mysqlConnection(node) }, dump: .within("database")),
            ConfigKey(
                "connect_timeout", .database, "30", "Seconds the daemon waits for a database server at start.",
                read: .database { i, r, node, key in r.database.connectTimeout = try i.databaseConnectTimeout(node, key: key) },
                dump: .within("database")),
        ]
        // MySQLdb.connect's keyword arguments (`passwd`/`password` and `db`/`database` are synonyms, as in mysqlclient).
        + [
            ConfigKey(
                "host", .mysqlConnection, "", "The server (default: the local socket).", dsari: true,
                read: .mysqlText(\.host), dump: .within("database")),
            ConfigKey(
                "port", .mysqlConnection, "", "Its TCP port (default 3306).", dsari: true,
                read: .mysqlConnection { i, o, node, key in
                    o.port = try i.mysqlWhole(node, key: key, 1...65535, "a port number (1 to 65535)")
                },
                dump: .within("database")),
            ConfigKey(
                "user", .mysqlConnection, "", "The account (default: the user running the program).", dsari: true,
                read: .mysqlText(\.user), dump: .within("database")),
            ConfigKey(
                "passwd", .mysqlConnection, "", "Its password (never shown).", dsari: true,
                read: .mysqlText(\.password), dump: .within("database")),
            ConfigKey(
                "password", .mysqlConnection, "", "The same as passwd.", dsari: true,
                read: .mysqlText(\.password), dump: .within("database")),
            ConfigKey(
                "db", .mysqlConnection, "", "The database.", dsari: true,
                read: .mysqlText(\.database), dump: .within("database")),
            ConfigKey(
                "database", .mysqlConnection, "", "The same as db.", dsari: true,
                read: .mysqlText(\.database), dump: .within("database")),
            ConfigKey(
                "unix_socket", .mysqlConnection, "", "The server's socket file.", dsari: true,
                read: .mysqlConnection { i, o, node, key in o.unixSocket = try i.mysqlPath(node, key: key) }, dump: .within("database")),
            ConfigKey(
                "read_default_file", .mysqlConnection, "", "An option file (~/.my.cnf) for unset values.", dsari: true,
                read: .mysqlConnection { i, o, node, key in o.readDefaultFile = try i.mysqlOptionFile(node, key: key) },
                dump: .within("database")),
            ConfigKey(
                "read_default_group", .mysqlConnection, "", "Its group (default client).", dsari: true,
                read: .mysqlText(\.readDefaultGroup),
                dump: .within("database")),
            ConfigKey(
                "connect_timeout", .mysqlConnection, "", "Seconds per connection attempt (default 5).", dsari: true,
                read: .mysqlConnection { i, o, node, key in
                    o.connectTimeout = try i.mysqlWhole(node, key: key, 1...3600, "seconds per attempt (a whole number, 1 to 3600)")
                },
                dump: .within("database")),
            ConfigKey(
                "ssl", .mysqlConnection, "", "TLS: {ca, cert, key, capath, cipher}; with ca the server's certificate is verified.",
                dsari: true,
                read: .mysqlConnection { i, o, node, key in o.tls = try i.mysqlTLS(node, key: key) }, dump: .within("database")),
            ConfigKey(
                "charset", .mysqlConnection, "", "Only utf8mb4 (always used).", dsari: true,
                read: .mysqlConnection { i, _, node, key in try i.mysqlCharset(node, key: key) }, dump: .within("database")),
        ]
        + [
            ConfigKey("type", .passiveResult, "(required)", "nsca, command_file or icinga2.", dump: .within("passive_results")),
            ConfigKey(
                "name", .passiveResult, "type and address", "The destination's label in metrics and status.",
                dump: .within("passive_results")),
            ConfigKey(
                "max_age", .passiveResult, "3600", "Seconds a result may wait for delivery; older ones are dropped and counted.",
                dump: .within("passive_results")),
            ConfigKey("timeout", .passiveResult, "10", "Seconds one delivery attempt may take.", dump: .within("passive_results")),
            ConfigKey(
                "address", .passiveResult, "(required)", "nsca: \"HOST:PORT\" of the nsca daemon.", passiveTypes: ["nsca"],
                dump: .within("passive_results")),
            ConfigKey(
                "encryption", .passiveResult, "1", "nsca: 0 (none) or 1 (XOR with password), as nsca.cfg's decryption_method.",
                passiveTypes: ["nsca"], dump: .within("passive_results")),
            ConfigKey(
                "password", .passiveResult, "\"\"", "nsca: the shared password; icinga2: the ApiUser's password.",
                passiveTypes: ["nsca", "icinga2"], dump: .within("passive_results")),
            ConfigKey(
                "path", .passiveResult, "", "command_file: Nagios' external command file (command_file in nagios.cfg).",
                passiveTypes: ["command_file"], dump: .within("passive_results")),
            ConfigKey(
                "check_result_path", .passiveResult, "", "command_file: Nagios' check result directory, instead of path.",
                passiveTypes: ["command_file"], dump: .within("passive_results")),
            ConfigKey(
                "url", .passiveResult, "(required)", "icinga2: the API, \"https://HOST:5665\".", passiveTypes: ["icinga2"],
                dump: .within("passive_results")),
            ConfigKey(
                "ca_file", .passiveResult, "the system's CAs", "icinga2: the CA of the API's certificate.", passiveTypes: ["icinga2"],
                dump: .within("passive_results")
            ),
            ConfigKey(
                "cert_file", .passiveResult, "null", "icinga2: a client certificate (with key_file).", passiveTypes: ["icinga2"],
                dump: .within("passive_results")),
            ConfigKey(
                "key_file", .passiveResult, "null", "icinga2: the client certificate's key.", passiveTypes: ["icinga2"],
                dump: .within("passive_results")),
            ConfigKey(
                "user", .passiveResult, "null", "icinga2: an ApiUser with the actions/process-check-result permission.",
                passiveTypes: ["icinga2"], dump: .within("passive_results")),
        ]

    /// The reference (docs/configuration.md), generated from this table.
    public static func referenceMarkdown() -> String {
        var text = """
            # Configuration reference

            Generated from the key table in `Sources/DsariCore/Config/ConfigKeys.swift`
            (`dsari-info config reference`); a test fails when this file is not current.
            Keys marked dsari are dsari 2.0's, with its meaning; the others are
            dsari-swift's. `dsari-info config dump` shows every key's effective value.

            """
        for place in ConfigKey.Place.allCases {
            let keys = all.filter { $0.place == place }
            guard !keys.isEmpty else { continue }
            text += "\n## \(place.rawValue)\n\n| key | default | | meaning |\n|---|---|---|---|\n"
            for key in keys {
                // A value as written in code type; a default in words ("the machine's host name") as prose.
                let literal =
                    (!key.defaultValue.contains(" ") && !key.defaultValue.hasPrefix("(")) || "{[\"".contains(key.defaultValue.first ?? " ")
                let shown = key.defaultValue.isEmpty ? "" : literal ? "`\(key.defaultValue)`" : key.defaultValue
                let cells = ["`\(key.name)`", shown, key.fromDsari ? "dsari" : "", key.summary]
                text += "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
            }
        }
        return text
    }
}

extension ConfigValue {
    /// A mapping of strings, sorted by key.
    public static func sortedMapping(_ dictionary: [String: String]) -> ConfigValue {
        .mapping(dictionary.sorted { $0.key < $1.key }.map { ConfigValue.Entry(key: $0.key, value: ConfigNode(.string($0.value))) })
    }
}
