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
    /// Written by the readers in the extensions (one file per topic).
    var warnings: [ConfigWarning] = []
    /// `nrpe_out_of_range_exit`, read before the jobs that take it.
    var nrpeOutOfRangeExit: OutOfRangeExitPolicy = .unknown

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
            case "passive_results":
                config.passiveResults = try passiveResults(node)
            case "http_web_config":
                if !node.value.isNull {
                    let webConfig = try path(node, key: key, subject: nil)
                    // Checked now, so that `config check` and a reload find its mistakes.
                    _ = try WebConfig.read(path: webConfig)
                    config.httpWebConfig = webConfig
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
}
