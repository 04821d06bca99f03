import Foundation

/// Turns the merged configuration tree into a `Config`.
///
/// Types are checked as strictly as dsari checks them (Python `type()`: a
/// boolean is not a number, an integer is not a string), and a little more
/// where dsari would fail later or misbehave: list elements, ranges (no
/// negative seconds), names of implicit concurrency groups, time zones.
/// Differences in what is accepted, all deliberate:
/// - options whose default is "none" (`schedule`, `schedule_timezone`,
///   `max_execution`, `job_group`, `shutdown_kill_grace`, `template_dir`,
///   `database.file`) also accept an explicit null;
/// - the sections `jobs`, `job_groups` and `concurrency_groups`, and a
///   concurrency group's options, may be null (a YAML key left empty): dsari
///   crashed on those, here they mean "none" / "defaults".
struct ConfigInterpreter {
    let configDirectory: String
    let defaultDataDirectory: String
    /// Unknown keys and other oddities met so far.
    private(set) var warnings: [ConfigWarning] = []
    /// `nrpe_out_of_range_exit`, read before the jobs that take it.
    private var nrpeOutOfRangeExit: OutOfRangeExitPolicy = .unknown

    // The keys each place allows, from the one table (`ConfigKeys`).
    static let topLevelKeys = ConfigKeys.names(in: .topLevel)
    static let jobKeys = ConfigKeys.names(in: .job)
    static let jobGroupKeys = ConfigKeys.names(in: .jobGroup)
    static let concurrencyGroupKeys = ConfigKeys.names(in: .concurrencyGroup)
    static let databaseKeys = ConfigKeys.names(in: .database)

    init(configDirectory: String, defaultDataDirectory: String) {
        self.configDirectory = configDirectory
        self.defaultDataDirectory = defaultDataDirectory
    }

    /// The checked configuration; `configD`, `files` and the loader's own
    /// warnings are the loader's to fill in.
    mutating func interpret(_ tree: ConfigNode) throws -> Config {
        var config = Config(configDirectory: configDirectory, dataDir: defaultDataDirectory, raw: tree)
        var sections: [String: ConfigValue.Entry] = [:]
        var tlsFileNodes: [String: ConfigNode] = [:]
        for entry in tree.value.mappingEntries ?? [] {
            let node = entry.value
            let key = entry.key
            switch key {
            case "jobs", "job_groups", "concurrency_groups":
                try requireSection(entry)
                sections[key] = entry
            case "config_d":
                break  // Used by the loader to find the drop-in files.
            case "data_dir":
                config.dataDir = try path(node, key: key, subject: nil)
            case "database":
                config.database = try database(node)
            case "host_name":
                guard case .string(let name) = node.value, !name.isEmpty, name.count <= 255,
                    !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
                else {
                    throw typeError(node, key: key, expected: "a host name (a non-empty string without spaces)", subject: nil)
                }
                config.hostName = name
            case "environment":
                config.environment = try environment(node, subject: nil)
            case "shutdown_kill_runs":
                config.shutdownKillRuns = try bool(node, key: key, subject: nil)
            case "shutdown_kill_grace":
                config.shutdownKillGrace = try optionalSeconds(node, key: key, subject: nil, allowZero: true)
            case "template_dir":
                config.templateDir = node.value.isNull ? nil : try path(node, key: key, subject: nil)
            case "report_html_gz":
                config.reportHTMLGz = try bool(node, key: key, subject: nil)
            case "report_run_output_start":
                config.reportRunOutputStart = try outputLimit(node, key: key)
            case "report_run_output_end":
                config.reportRunOutputEnd = try outputLimit(node, key: key)
            case "nrpe_config", "nrpe_prefix", "nrpe_schedule":
                // Read by the NRPE job source before interpretation; only the type is checked here.
                _ = try optionalString(node, key: key, subject: nil, expected: "a string")
            case "metrics_duration_buckets":
                let expected = "a list of increasing positive numbers of seconds (histogram bucket bounds)"
                guard case .array(let items) = node.value else { throw typeError(node, key: key, expected: expected, subject: nil) }
                var bounds: [Double] = []
                for item in items {
                    let bound: Double
                    switch item.value {
                    case .int(let number): bound = Double(number)
                    case .double(let number): bound = number
                    default: throw typeError(item, key: key, expected: expected, subject: nil)
                    }
                    guard bound.isFinite, bound > 0, bound > (bounds.last ?? 0) else {
                        throw typeError(item, key: key, expected: expected, subject: nil)
                    }
                    bounds.append(bound)
                }
                guard !bounds.isEmpty else { throw typeError(node, key: key, expected: expected, subject: nil) }
                config.metricsDurationBuckets = bounds
            case "http_listen":
                let expected =
                    "an address to serve metrics and status on, \"HOST:PORT\" (e.g. \"127.0.0.1:50575\", \"[::1]:50575\"), or null"
                if let text = try optionalString(node, key: key, subject: nil, expected: expected) {
                    guard let address = ListenAddress(text) else {
                        throw ConfigError(
                            "\"http_listen\" \(text.quotedForMessage) is not HOST:PORT with an IP address as HOST", location: node.location,
                            key: key, expected: expected)
                    }
                    config.httpListen = address
                }
            case "nrpe_listen":
                let expected = "an address for the NRPE listener, \"HOST:PORT\" (e.g. \"0.0.0.0:5666\", \"[::]:5666\"), or null"
                if let text = try optionalString(node, key: key, subject: nil, expected: expected) {
                    guard let address = ListenAddress(text) else {
                        throw ConfigError(
                            "\"nrpe_listen\" \(text.quotedForMessage) is not HOST:PORT with an IP address as HOST", location: node.location,
                            key: key, expected: expected)
                    }
                    config.nrpeListener.address = address
                }
            case "nrpe_allowed_hosts":
                let expected = "a list of addresses, CIDR networks and host names, or one string of them separated by commas"
                switch node.value {
                case .string(let text):
                    config.nrpeListener.allowedHosts = text.split(separator: ",", omittingEmptySubsequences: false).map {
                        $0.trimmingCharacters(in: .whitespaces)
                    }
                case .array(let items):
                    config.nrpeListener.allowedHosts = try items.map { item in
                        guard case .string(let text) = item.value else { throw typeError(item, key: key, expected: expected, subject: nil) }
                        return text
                    }
                default:
                    throw typeError(node, key: key, expected: expected, subject: nil)
                }
                for host in config.nrpeListener.allowedHosts {
                    if let problem = Self.allowedHostProblem(host) {
                        throw ConfigError(
                            "\"nrpe_allowed_hosts\" entry \(host.quotedForMessage) \(problem)", location: node.location, key: key,
                            expected: expected)
                    }
                }
            case "nrpe_allow_arguments":
                config.nrpeListener.allowArguments = try bool(node, key: key, subject: nil)
            case "nrpe_out_of_range_exit":
                let expected = "\"unknown\" (NRPE, the default) or \"critical\" (Nagios Core)"
                guard case .string(let text) = node.value, let policy = OutOfRangeExitPolicy(rawValue: text) else {
                    throw typeError(node, key: key, expected: expected, subject: nil)
                }
                nrpeOutOfRangeExit = policy
                config.nrpeOutOfRangeExit = policy
            case "nrpe_no_result":
                let expected = "\"unknown\" (answer UNKNOWN) or \"run\" (run the check and answer its result)"
                guard case .string(let text) = node.value, let choice = NRPEListenerConfig.NoResult(rawValue: text) else {
                    throw typeError(node, key: key, expected: expected, subject: nil)
                }
                config.nrpeListener.noResult = choice
            case "nrpe_ssl":
                config.nrpeListener.ssl = try bool(node, key: key, subject: nil)
            case "nrpe_ssl_cert_file":
                config.nrpeListener.sslCertificateFile = try path(node, key: key, subject: nil)
                tlsFileNodes[key] = node
            case "nrpe_ssl_privatekey_file":
                config.nrpeListener.sslPrivateKeyFile = try path(node, key: key, subject: nil)
                tlsFileNodes[key] = node
            case "nrpe_ssl_cacert_file":
                config.nrpeListener.sslCACertificateFile = try path(node, key: key, subject: nil)
            case "nrpe_connection_timeout":
                config.nrpeListener.connectionTimeout = try seconds(node, key: key, subject: nil, allowZero: false)
            case "kill_leftover_processes":
                config.killLeftoverProcesses = try bool(node, key: key, subject: nil)
            case "max_output_bytes":
                config.maxOutputBytes = try integer(
                    node, key: key, subject: nil, minimum: 1, expected: "a number of bytes (a whole number, 1 or more)")
            default:
                warnUnknown(entry, known: Self.topLevelKeys, subject: nil)
            }
        }

        // A certificate without its key (or the reverse) cannot start TLS: said now, not at the daemon's start.
        if tlsFileNodes.count == 1, let (given, node) = tlsFileNodes.first {
            let missing = given == "nrpe_ssl_cert_file" ? "nrpe_ssl_privatekey_file" : "nrpe_ssl_cert_file"
            throw ConfigError(
                "\"\(given)\" needs \"\(missing)\" too (a certificate and its private key go together)", location: node.location,
                key: given, expected: "both nrpe_ssl_cert_file and nrpe_ssl_privatekey_file, or neither")
        }
        config.concurrencyGroups = try concurrencyGroups(sections["concurrency_groups"]?.value)
        let sources = try jobSources(jobs: sections["jobs"]?.value, groups: sections["job_groups"]?.value)
        for source in sources {
            let job = try job(from: source)
            config.jobs[job.name] = job
            // A group named by a job but not defined exists with max 1.
            for group in job.concurrencyGroups where config.concurrencyGroups[group] == nil {
                config.concurrencyGroups[group] = ConcurrencyGroup(name: group)
            }
        }
        return config
    }

    // MARK: Sections

    private func requireSection(_ entry: ConfigValue.Entry) throws {
        switch entry.value.value {
        case .mapping, .null:
            return
        default:
            let what =
                switch entry.key {
                case "jobs": "a mapping of job names to their options"
                case "job_groups": "a mapping of job group names to their options"
                default: "a mapping of concurrency group names to their options"
                }
            throw typeError(entry.value, key: entry.key, expected: what, subject: nil)
        }
    }

    private mutating func concurrencyGroups(_ section: ConfigNode?) throws -> [String: ConcurrencyGroup] {
        var groups: [String: ConcurrencyGroup] = [:]
        for entry in section?.value.mappingEntries ?? [] {
            let name = try checkedName(entry, what: "concurrency group")
            let subject = ConfigError.Subject.concurrencyGroup(name)
            var group = ConcurrencyGroup(name: name)
            switch entry.value.value {
            case .null:
                break
            case .mapping(let options):
                for option in options {
                    switch option.key {
                    case "max":
                        group.max = try integer(
                            option.value, key: "max", subject: subject, minimum: 1,
                            expected: "a whole number of at least 1")
                    default:
                        warnUnknown(option, known: Self.concurrencyGroupKeys, subject: subject)
                    }
                }
            default:
                throw ConfigError(
                    "must be a mapping of options (such as \"max\"), not \(entry.value.value.briefDescription)",
                    location: entry.value.location ?? entry.keyLocation, subject: subject,
                    expected: "a mapping of options")
            }
            groups[name] = group
        }
        return groups
    }

    // MARK: Jobs

    /// The options of one job to build, from `jobs` or expanded from a job
    /// group.
    private struct JobSource {
        var name: String
        /// Where the job (or its group) is named: errors about a missing
        /// option point here.
        var nameLocation: SourceLocation?
        var options: [ConfigValue.Entry]
        var group: String?
    }

    /// The jobs to build in order: those of `jobs`, then those of each job
    /// group. As in dsari, a job expanded from a group replaces a job of the
    /// same name (in place); that is warned about, as it is rarely meant.
    private mutating func jobSources(jobs: ConfigNode?, groups: ConfigNode?) throws -> [JobSource] {
        var sources: [JobSource] = []
        var indexByName: [String: Int] = [:]
        for entry in jobs?.value.mappingEntries ?? [] {
            let name = try checkedName(entry, what: "job")
            let options: [ConfigValue.Entry]
            switch entry.value.value {
            case .mapping(let entries): options = entries
            case .null: options = []
            default:
                throw ConfigError(
                    "must be a mapping of job options (such as \"command\"), not \(entry.value.value.briefDescription)",
                    location: entry.value.location ?? entry.keyLocation, subject: .job(name, group: nil),
                    expected: "a mapping of job options")
            }
            indexByName[name] = sources.count
            sources.append(JobSource(name: name, nameLocation: entry.keyLocation, options: options, group: nil))
        }

        for entry in groups?.value.mappingEntries ?? [] {
            let groupName = try checkedName(entry, what: "job group")
            let subject = ConfigError.Subject.jobGroup(groupName)
            let groupLocation = entry.keyLocation ?? entry.value.location
            let options: [ConfigValue.Entry]
            switch entry.value.value {
            case .mapping(let entries): options = entries
            case .null: options = []
            default:
                throw ConfigError(
                    "must be a mapping of job options and \"job_names\", not \(entry.value.value.briefDescription)",
                    location: entry.value.location ?? entry.keyLocation, subject: subject,
                    expected: "a mapping of job options")
            }
            for option in options where !Self.jobGroupKeys.contains(option.key) {
                warnUnknown(option, known: Self.jobGroupKeys, subject: subject)
            }
            guard let namesEntry = options.first(where: { $0.key == "job_names" }) else {
                throw ConfigError(
                    "\"job_names\" is required (a list of job names)", location: groupLocation, subject: subject,
                    key: "job_names", expected: "a list of job names")
            }
            let names = try nameList(namesEntry.value, key: "job_names", what: "job", subject: subject)
            // The group sets `job_group` itself, as dsari does.
            let jobOptions = options.filter { $0.key != "job_names" && $0.key != "job_group" }
            for name in names {
                let source = JobSource(name: name, nameLocation: groupLocation, options: jobOptions, group: groupName)
                if let index = indexByName[name] {
                    let previous = sources[index]
                    let replaced =
                        previous.group.map { "the job of the same name from job group \($0.quotedForMessage)" }
                        ?? "the job of the same name defined in \"jobs\""
                    warnings.append(
                        ConfigWarning(
                            "job \(name.quotedForMessage) replaces \(replaced)",
                            location: namesEntry.value.location, subject: subject, key: "job_names"))
                    sources[index] = source
                } else {
                    indexByName[name] = sources.count
                    sources.append(source)
                }
            }
        }
        return sources
    }

    private mutating func job(from source: JobSource) throws -> Job {
        let subject = ConfigError.Subject.job(source.name, group: source.group)
        guard source.options.contains(where: { $0.key == "command" }) else {
            throw ConfigError(
                "\"command\" is required (a list of strings, or a command line as one string)",
                location: source.nameLocation, subject: subject, key: "command",
                expected: "a list of strings or a string")
        }
        var job = Job(name: source.name, command: [], jobGroup: source.group)
        var scheduleNode: ConfigNode?
        var lowFlapNode: ConfigNode?
        var nrpeCommandNode: ConfigNode?
        var outOfRangeGiven = false
        for option in source.options {
            let node = option.value
            let key = option.key
            switch key {
            case "command":
                job.command = try command(node, subject: subject)
            case "command_append_run":
                job.commandAppendRun = try bool(node, key: key, subject: subject)
            case "schedule":
                job.schedule = try optionalString(
                    node, key: key, subject: subject, expected: "a schedule (a string) or null")
                scheduleNode = node
            case "schedule_timezone":
                job.scheduleTimezone = try timeZone(node, subject: subject)
            case "environment":
                job.environment = try environment(node, subject: subject)
            case "max_execution":
                job.maxExecution = try optionalSeconds(node, key: key, subject: subject, allowZero: false)
            case "max_execution_grace":
                job.maxExecutionGrace = try seconds(node, key: key, subject: subject, allowZero: true)
            case "concurrency_groups":
                var seen: Set<String> = []
                job.concurrencyGroups = try nameList(
                    node, key: key, what: "concurrency group", subject: subject
                ).filter { seen.insert($0).inserted }
            case "render_reports":
                job.renderReports = try bool(node, key: key, subject: subject)
            case "jenkins_environment":
                job.jenkinsEnvironment = try bool(node, key: key, subject: subject)
            case "job_group":
                job.jobGroup = try optionalString(
                    node, key: key, subject: subject, expected: "a job group name (a string) or null")
            case "concurrent_runs":
                job.concurrentRuns = try bool(node, key: key, subject: subject)
            case "nagios_check":
                job.nagiosCheck = try bool(node, key: key, subject: subject)
            case "max_check_attempts":
                job.check.maxCheckAttempts = try integer(
                    node, key: key, subject: subject, minimum: 1, expected: "a number of attempts (a whole number, 1 or more)")
            case "retry_interval":
                job.check.retryInterval = try optionalSeconds(node, key: key, subject: subject, allowZero: false)
            case "out_of_range_exit":
                let expected = "\"critical\" (Nagios Core) or \"unknown\" (NRPE)"
                guard case .string(let text) = node.value, let policy = OutOfRangeExitPolicy(rawValue: text) else {
                    throw typeError(node, key: key, expected: expected, subject: subject)
                }
                job.check.outOfRangeExit = policy
                outOfRangeGiven = true
            case "nrpe_command":
                job.nrpeCommand = try optionalString(node, key: key, subject: subject, expected: "an NRPE command name (a string) or null")
                nrpeCommandNode = node
            case "nrpe_arguments":
                job.nrpeArguments = try nrpeArguments(node, subject: subject)
            case "flap_detection":
                job.check.flapDetection = try bool(node, key: key, subject: subject)
            case "low_flap_threshold":
                job.check.lowFlapThreshold = try percent(node, key: key, subject: subject)
                lowFlapNode = node
            case "high_flap_threshold":
                job.check.highFlapThreshold = try percent(node, key: key, subject: subject)
                lowFlapNode = lowFlapNode ?? node
            case "kill_leftover_processes":
                job.killLeftoverProcesses = try bool(node, key: key, subject: subject)
            case "max_output_bytes":
                job.maxOutputBytes =
                    node.value.isNull
                    ? nil
                    : try integer(
                        node, key: key, subject: subject, minimum: 1,
                        expected: "a number of bytes (a whole number, 1 or more) or null")
            default:
                // A group's unknown keys were warned about once, for the group.
                if source.group == nil {
                    warnUnknown(option, known: Self.jobKeys, subject: subject)
                }
            }
        }
        // A command from an nrpe.cfg keeps NRPE's meaning: an exit code
        // outside 0–3 is UNKNOWN (hand-written checks keep Nagios Core's CRITICAL).
        if job.nrpeCommand != nil, !outOfRangeGiven {
            job.check.outOfRangeExit = nrpeOutOfRangeExit
        }
        if let node = nrpeCommandNode, job.nrpeCommand != nil, !job.nagiosCheck {
            warnings.append(
                ConfigWarning(
                    "\"nrpe_command\" needs \"nagios_check: true\": without it the job records no check result and the NRPE listener does not answer for it",
                    location: node.location, subject: subject, key: "nrpe_command"))
        }
        if let node = lowFlapNode, job.check.lowFlapThreshold > job.check.highFlapThreshold {
            throw ConfigError(
                "\"low_flap_threshold\" (\(job.check.lowFlapThreshold.pythonRepr)) must not be above "
                    + "\"high_flap_threshold\" (\(job.check.highFlapThreshold.pythonRepr))",
                location: node.location, subject: subject, key: "low_flap_threshold",
                expected: "a low threshold at or below the high one")
        }
        if let schedule = job.schedule {
            // Parsed once per load: `R` items are drawn here, and the engine
            // and dsari-info use this very value.
            let zone = job.scheduleTimezone.flatMap(TimeZone.init(identifier:)) ?? TimeZone.current
            do {
                job.parsedSchedule = try Schedule(schedule, jobName: job.name, timeZone: zone)
            } catch {
                throw ConfigError(
                    "\"schedule\" \(schedule.quotedForMessage) is not valid: \(error.reason)",
                    location: scheduleNode?.location, subject: subject, key: "schedule",
                    expected: "a valid schedule")
            }
        }
        return job
    }

    private func command(_ node: ConfigNode, subject: ConfigError.Subject) throws -> [String] {
        let expected = "a list of strings or a command line (a string)"
        let words: [String]
        switch node.value {
        case .string(let line):
            do {
                words = try ShellWords.split(line)
            } catch {
                throw ConfigError(
                    "\"command\" cannot be split into words like a shell command line: \(error)",
                    location: node.location, subject: subject, key: "command", expected: expected)
            }
        case .array(let elements):
            words = try elements.enumerated().map { index, element in
                guard case .string(let word) = element.value else {
                    // YAML reads `[true]` or `[sleep, 5]` as a boolean or a number;
                    // dsari would fail at run time, so say how to fix it now.
                    let hint =
                        [.bool, .int, .double, .null].contains(element.value.kind)
                        ? " (write it in quotes)" : ""
                    throw ConfigError(
                        "\"command\" must be a list of strings, but element \(index + 1) is "
                            + element.value.briefDescription + hint,
                        location: element.location ?? node.location, subject: subject, key: "command",
                        expected: expected)
                }
                return word
            }
        default:
            throw typeError(node, key: "command", expected: expected, subject: subject)
        }
        guard let program = words.first else {
            throw ConfigError(
                "\"command\" must not be empty", location: node.location, subject: subject, key: "command",
                expected: expected)
        }
        if program.isEmpty {
            throw ConfigError(
                "\"command\" must start with a program name, not an empty string", location: node.location,
                subject: subject, key: "command", expected: expected)
        }
        return words
    }

    private func timeZone(_ node: ConfigNode, subject: ConfigError.Subject) throws -> String? {
        let key = "schedule_timezone"
        let expected = "an IANA time zone name (a string) or null"
        switch node.value {
        case .null:
            return nil
        case .string(let name):
            guard TimeZone(identifier: name) != nil else {
                throw ConfigError(
                    "\"schedule_timezone\" \(name.quotedForMessage) is not a known time zone "
                        + "(expected an IANA name such as \"Europe/Berlin\")",
                    location: node.location, subject: subject, key: key, expected: expected)
            }
            return name
        default:
            throw typeError(node, key: key, expected: expected, subject: subject)
        }
    }

    // MARK: Shared option types

    private mutating func database(_ node: ConfigNode) throws -> DatabaseConfig {
        guard case .mapping(let entries) = node.value else {
            throw typeError(
                node, key: "database", expected: "a mapping with \"type\" and \"file\"", subject: nil)
        }
        var database = DatabaseConfig()
        var typeNode: ConfigNode?
        var unknown: [ConfigValue.Entry] = []
        for entry in entries {
            switch entry.key {
            case "type":
                guard case .string(let type) = entry.value.value else {
                    throw typeError(
                        entry.value, key: "type", expected: "a database type (a string)", subject: nil,
                        inside: "database")
                }
                database.type = type
                typeNode = entry.value
            case "file":
                database.file =
                    entry.value.value.isNull
                    ? nil : try path(entry.value, key: "file", subject: nil, inside: "database")
            case "dsn":
                // Never quoted back in an error: it may hold a password.
                guard case .string(let dsn) = entry.value.value else {
                    throw typeError(
                        entry.value, key: "dsn", expected: "a libpq connection string or URI (a string)", subject: nil, secret: true,
                        inside: "database")
                }
                database.dsn = dsn
            case "connection":
                database.mysql = try mysqlConnection(entry.value)
            case "connect_timeout":
                let seconds = try number(entry.value, key: "connect_timeout", subject: nil, expected: "seconds (a number, 0 or more)")
                guard seconds >= 0, seconds.isFinite else {
                    throw typeError(
                        entry.value, key: "connect_timeout", expected: "seconds (a number, 0 or more)", subject: nil, inside: "database")
                }
                database.connectTimeout = seconds
            default:
                // Reported below, once the type is known to be supported.
                unknown.append(entry)
            }
        }
        guard DatabaseConfig.supportedTypes.contains(database.type) else {
            throw ConfigError(
                "database type \(database.type.quotedForMessage) is not supported; supported: "
                    + DatabaseConfig.supportedTypes.joined(separator: ", "),
                location: typeNode?.location ?? node.location, key: "type",
                expected: DatabaseConfig.supportedTypes.joined(separator: " or "))
        }
        if database.type == DatabaseConfig.postgresql, (database.dsn ?? "").isEmpty {
            throw ConfigError(
                "database type \"postgresql\" needs \"dsn\" (a libpq connection string, e.g. \"host=db1 dbname=dsari user=dsari\")",
                location: node.location, key: "dsn", expected: "a libpq connection string or URI")
        }
        for entry in unknown {
            warnUnknown(entry, known: Self.databaseKeys, subject: nil, inside: "database")
        }
        return database
    }

    /// `database.connection` (MySQL): `MySQLdb.connect`'s keyword arguments.
    /// Values are never quoted back in errors (a password may be among them).
    private mutating func mysqlConnection(_ node: ConfigNode) throws -> MySQLConnectionOptions {
        let parent = "database.connection"
        guard case .mapping(let entries) = node.value else {
            throw typeError(
                node, key: "connection", expected: "a mapping of MySQLdb.connect's arguments (host, port, user, passwd, db, …)",
                subject: nil, secret: true, inside: "database")
        }
        var options = MySQLConnectionOptions()
        func text(_ entry: ConfigValue.Entry) throws -> String {
            guard case .string(let value) = entry.value.value else {
                throw typeError(entry.value, key: entry.key, expected: "a string", subject: nil, secret: true, inside: parent)
            }
            return value
        }
        func whole(_ entry: ConfigValue.Entry, _ range: ClosedRange<Int64>, _ expected: String) throws -> Int {
            guard case .int(let value) = entry.value.value, range.contains(value) else {
                throw typeError(entry.value, key: entry.key, expected: expected, subject: nil, inside: parent)
            }
            return Int(value)
        }
        for entry in entries {
            switch entry.key {
            case "host": options.host = try text(entry)
            case "port": options.port = try whole(entry, 1...65535, "a port number (1 to 65535)")
            case "user": options.user = try text(entry)
            case "passwd", "password": options.password = try text(entry)
            case "db", "database": options.database = try text(entry)
            case "unix_socket": options.unixSocket = try path(entry.value, key: entry.key, subject: nil, inside: parent)
            case "read_default_file":
                // "~/.my.cnf", as the MySQL tools write it, is kept for the store to expand (the running user's HOME).
                let written = try text(entry)
                options.readDefaultFile =
                    written.hasPrefix("~/") ? written : try path(entry.value, key: entry.key, subject: nil, inside: parent)
            case "read_default_group": options.readDefaultGroup = try text(entry)
            case "connect_timeout": options.connectTimeout = try whole(entry, 1...3600, "seconds per attempt (a whole number, 1 to 3600)")
            case "charset":
                // Job names, output and JSON must keep every character (emoji included).
                guard case .string(let charset) = entry.value.value, charset.lowercased() == "utf8mb4" else {
                    throw typeError(
                        entry.value, key: entry.key, expected: "\"utf8mb4\" (dsari-swift always uses it)", subject: nil, inside: parent)
                }
            case "ssl":
                guard case .mapping(let items) = entry.value.value else {
                    throw typeError(
                        entry.value, key: "ssl", expected: "a mapping with ca, cert, key, capath, cipher", subject: nil, inside: parent)
                }
                var tls = MySQLConnectionOptions.TLS()
                for item in items {
                    switch item.key {
                    case "ca": tls.ca = try path(item.value, key: "ca", subject: nil, inside: parent + ".ssl")
                    case "capath": tls.capath = try path(item.value, key: "capath", subject: nil, inside: parent + ".ssl")
                    case "cert": tls.cert = try path(item.value, key: "cert", subject: nil, inside: parent + ".ssl")
                    case "key": tls.key = try path(item.value, key: "key", subject: nil, inside: parent + ".ssl")
                    case "cipher": tls.cipher = try text(item)
                    default: warnUnknown(item, known: MySQLConnectionOptions.TLS.keys, subject: nil, inside: parent + ".ssl")
                    }
                }
                options.tls = tls
            default:
                warnUnknown(entry, known: ConfigKeys.names(in: .mysqlConnection), subject: nil, inside: parent)
            }
        }
        return options
    }

    /// `environment` of the configuration or of a job: names to strings,
    /// with numbers turned into text as Python's `str()` does (5 → "5",
    /// 2.5 → "2.5", 1.0 → "1.0"). Values never appear in errors: they may
    /// be secrets.
    private func environment(_ node: ConfigNode, subject: ConfigError.Subject?) throws -> [String: String] {
        let expected = "a mapping of variable names to strings or numbers"
        guard case .mapping(let entries) = node.value else {
            throw typeError(node, key: "environment", expected: expected, subject: subject, secret: true)
        }
        var environment: [String: String] = [:]
        for entry in entries {
            let location = entry.keyLocation ?? entry.value.location
            guard entry.keyKind == .string else {
                throw ConfigError(
                    "environment variable name \(entry.key) must be a string, not \(entry.keyKind) "
                        + "(write it in quotes)",
                    location: location, subject: subject, key: "environment", expected: expected)
            }
            if entry.key.isEmpty || entry.key.contains("=") || entry.key.unicodeScalars.contains("\0") {
                throw ConfigError(
                    "environment variable name \(entry.key.quotedForMessage) must not be empty "
                        + "nor contain \"=\" or a NUL character",
                    location: location, subject: subject, key: "environment", expected: expected)
            }
            let value = entry.value
            switch value.value {
            case .string(let text):
                if text.unicodeScalars.contains("\0") {
                    throw ConfigError(
                        "environment variable \(entry.key.quotedForMessage) must not contain a NUL character",
                        location: value.location, subject: subject, key: "environment", expected: expected)
                }
                environment[entry.key] = text
            case .int(let number):
                environment[entry.key] = String(number)
            case .double(let number):
                environment[entry.key] = number.pythonRepr
            default:
                throw ConfigError(
                    "environment variable \(entry.key.quotedForMessage) must be a string or a number, "
                        + "not \(value.value.kind)",
                    location: value.location, subject: subject, key: "environment", expected: expected)
            }
        }
        return environment
    }

    private func nrpeArguments(_ node: ConfigNode, subject: ConfigError.Subject?) throws -> NRPEArguments? {
        let expected = "\"query\" (the arguments of each check_nrpe query) or a list of at most 16 strings, or null"
        switch node.value {
        case .null:
            return nil
        case .string("query"):
            return .fromQuery
        case .array(let items) where items.count <= 16:
            return .fixed(
                try items.map { item in
                    guard case .string(let text) = item.value else {
                        throw typeError(item, key: "nrpe_arguments", expected: expected, subject: subject)
                    }
                    return text
                })
        default:
            throw typeError(node, key: "nrpe_arguments", expected: expected, subject: subject)
        }
    }

    private func bool(_ node: ConfigNode, key: String, subject: ConfigError.Subject?) throws -> Bool {
        guard case .bool(let flag) = node.value else {
            throw typeError(node, key: key, expected: "true or false", subject: subject)
        }
        return flag
    }

    private func optionalString(
        _ node: ConfigNode, key: String, subject: ConfigError.Subject?, expected: String
    ) throws -> String? {
        switch node.value {
        case .null: return nil
        case .string(let text): return text
        default: throw typeError(node, key: key, expected: expected, subject: subject)
        }
    }

    /// A path option, made absolute against the configuration directory.
    private func path(
        _ node: ConfigNode, key: String, subject: ConfigError.Subject?, inside parent: String? = nil
    ) throws -> String {
        guard case .string(let path) = node.value else {
            throw typeError(node, key: key, expected: "a path (a string)", subject: subject, inside: parent)
        }
        if path.isEmpty {
            throw ConfigError(
                "\(Self.keyName(key, inside: parent)) must be a path, not an empty string",
                location: node.location, subject: subject, key: key, expected: "a path (a string)")
        }
        return DsariPaths.resolve(path, relativeTo: configDirectory)
    }

    private func optionalSeconds(
        _ node: ConfigNode, key: String, subject: ConfigError.Subject?, allowZero: Bool
    ) throws -> Double? {
        if node.value.isNull { return nil }
        return try seconds(node, key: key, subject: subject, allowZero: allowZero)
    }

    /// A duration in seconds: an integer or a float (not a boolean), finite,
    /// not negative, and more than zero unless `allowZero`.
    private func seconds(
        _ node: ConfigNode, key: String, subject: ConfigError.Subject?, allowZero: Bool
    ) throws -> Double {
        let expected = "a number of seconds"
        let seconds = try number(node, key: key, subject: subject, expected: expected)
        let problem: String? =
            if !seconds.isFinite {
                "must be a finite number of seconds"
            } else if allowZero, seconds < 0 {
                "must be 0 or more seconds"
            } else if !allowZero, seconds <= 0 {
                "must be more than 0 seconds"
            } else {
                nil
            }
        if let problem {
            throw ConfigError(
                "\"\(key)\" \(problem), not \(node.value.briefDescription)", location: node.location,
                subject: subject, key: key, expected: expected)
        }
        return seconds
    }

    /// An integer or a float (not a boolean).
    private func number(_ node: ConfigNode, key: String, subject: ConfigError.Subject?, expected: String) throws -> Double {
        switch node.value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: throw typeError(node, key: key, expected: expected, subject: subject)
        }
    }

    /// Why an `nrpe_allowed_hosts` entry cannot be used, or nil: empty, or
    /// `ADDRESS/BITS` that is not an IP network. Host names are resolved by
    /// the daemon when it starts.
    static func allowedHostProblem(_ entry: String) -> String? {
        if entry.isEmpty { return "is empty" }
        // A host name is resolved by the listener at start; an address or network must be one.
        guard entry.contains("/") else { return nil }
        return IPNetwork.problem(with: entry)
    }

    /// A percentage, 0 to 100 (an integer or a float).
    private func percent(_ node: ConfigNode, key: String, subject: ConfigError.Subject?) throws -> Double {
        let expected = "a percentage from 0 to 100"
        let value = try number(node, key: key, subject: subject, expected: expected)
        guard value >= 0, value <= 100 else { throw typeError(node, key: key, expected: expected, subject: subject) }
        return value
    }

    private func outputLimit(_ node: ConfigNode, key: String) throws -> Int {
        try integer(node, key: key, subject: nil, minimum: 0, expected: "a whole number, 0 or more (0 means no limit)")
    }

    private func integer(
        _ node: ConfigNode, key: String, subject: ConfigError.Subject?, minimum: Int64, expected: String
    ) throws -> Int {
        guard case .int(let number) = node.value, number >= minimum, let result = Int(exactly: number) else {
            throw typeError(node, key: key, expected: expected, subject: subject)
        }
        return result
    }

    /// A list of job or group names, each checked.
    private func nameList(
        _ node: ConfigNode, key: String, what: String, subject: ConfigError.Subject
    ) throws -> [String] {
        let expected = "a list of \(what) names"
        guard case .array(let elements) = node.value else {
            throw typeError(node, key: key, expected: expected, subject: subject)
        }
        return try elements.map { element in
            guard case .string(let name) = element.value else {
                throw ConfigError(
                    "\"\(key)\" must be \(expected), but it holds \(element.value.briefDescription)",
                    location: element.location ?? node.location, subject: subject, key: key, expected: expected)
            }
            if let problem = ConfigName.problem(with: name) {
                throw ConfigError(
                    "the \(what) name \(name.quotedForMessage) in \"\(key)\" \(problem)",
                    location: element.location ?? node.location, subject: subject, key: key,
                    expected: "a valid \(what) name")
            }
            return name
        }
    }

    /// The key of a mapping entry as a job or group name, checked.
    private func checkedName(_ entry: ConfigValue.Entry, what: String) throws -> String {
        let location = entry.keyLocation ?? entry.value.location
        guard entry.keyKind == .string else {
            throw ConfigError(
                "the \(what) name \(entry.key) is read as \(entry.keyKind), not as a name (write it in quotes)",
                location: location, key: entry.key, expected: "a valid \(what) name")
        }
        if let problem = ConfigName.problem(with: entry.key) {
            throw ConfigError(
                "the \(what) name \(entry.key.quotedForMessage) \(problem)", location: location, key: entry.key,
                expected: "a valid \(what) name")
        }
        return entry.key
    }

    // MARK: Messages

    /// "\"key\" must be EXPECTED, not the string \"x\"" at the value; only
    /// the type is shown when the value may be a secret.
    private func typeError(
        _ node: ConfigNode, key: String, expected: String, subject: ConfigError.Subject?, secret: Bool = false,
        inside parent: String? = nil
    ) -> ConfigError {
        let shown = secret ? node.value.kind.description : node.value.briefDescription
        return ConfigError(
            "\(Self.keyName(key, inside: parent)) must be \(expected), not \(shown)", location: node.location,
            subject: subject, key: key, expected: expected)
    }

    private static func keyName(_ key: String, inside parent: String?) -> String {
        parent.map { "\"\($0).\(key)\"" } ?? "\"\(key)\""
    }

    private mutating func warnUnknown(
        _ entry: ConfigValue.Entry, known: [String], subject: ConfigError.Subject?, inside parent: String? = nil
    ) {
        var message = "unknown option \(Self.keyName(entry.key, inside: parent)) is ignored"
        if let suggestion = Self.closest(to: entry.key, among: known) {
            message += " (did you mean \(Self.keyName(suggestion, inside: parent))?)"
        }
        warnings.append(
            ConfigWarning(message, location: entry.keyLocation ?? entry.value.location, subject: subject, key: entry.key))
    }

    /// The known key a misspelt one most likely meant: at most a third of
    /// its letters (and at least one) away.
    static func closest(to key: String, among known: [String]) -> String? {
        let limit = max(1, key.count / 3)
        let scored = known.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= limit }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ left: String, _ right: String) -> Int {
        let left = Array(left)
        let right = Array(right)
        var previous = Array(0...right.count)
        for (i, leftCharacter) in left.enumerated() {
            var current = [i + 1]
            for (j, rightCharacter) in right.enumerated() {
                let substitution = previous[j] + (leftCharacter == rightCharacter ? 0 : 1)
                current.append(min(substitution, previous[j + 1] + 1, current[j] + 1))
            }
            previous = current
        }
        return previous[right.count]
    }
}
