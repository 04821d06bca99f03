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

    /// What the top-level readers (`ConfigKey.Reader.topLevel`) fill in.
    struct TopLevelReading {
        var config: Config
        /// `jobs`, `job_groups` and `concurrency_groups`: read after every other key.
        var sections: [String: ConfigNode] = [:]
        /// The NRPE listener's certificate and key files given: they go together.
        var tlsFileNodes: [String: ConfigNode] = [:]
    }

    /// What a job's readers (`ConfigKey.Reader.job`) fill in, and what the
    /// checks across its keys need afterwards.
    struct JobReading {
        var job: Job
        let subject: ConfigError.Subject
        var scheduleNode: ConfigNode?
        var lowFlapNode: ConfigNode?
        /// `nrpe_command` / `nrpe_arguments` as written: they need `nagios_check`.
        var nrpeNodes: [(String, ConfigNode)] = []
        var outOfRangeGiven = false
    }

    /// What `database`'s readers fill in.
    struct DatabaseReading {
        var database = DatabaseConfig()
        var typeNode: ConfigNode?
    }

    typealias TopLevelReader = @Sendable (inout ConfigInterpreter, inout TopLevelReading, ConfigNode, String) throws -> Void
    typealias JobReader = @Sendable (inout ConfigInterpreter, inout JobReading, ConfigNode, String) throws -> Void
    typealias DatabaseReader = @Sendable (inout ConfigInterpreter, inout DatabaseReading, ConfigNode, String) throws -> Void
    typealias MySQLConnectionReader = @Sendable (inout ConfigInterpreter, inout MySQLConnectionOptions, ConfigNode, String) throws -> Void
    typealias ConcurrencyGroupReader = @Sendable (inout ConfigInterpreter, inout ConcurrencyGroup, ConfigNode, String) throws -> Void

    // Each key's reader, from the one table (`ConfigKeys`).
    static let topLevelReaders: [String: TopLevelReader] = readers { if case .topLevel(let read) = $0 { read } else { nil } }
    static let jobReaders: [String: JobReader] = readers { if case .job(let read) = $0 { read } else { nil } }
    static let databaseReaders: [String: DatabaseReader] = readers { if case .database(let read) = $0 { read } else { nil } }
    static let mysqlConnectionReaders: [String: MySQLConnectionReader] = readers {
        if case .mysqlConnection(let read) = $0 { read } else { nil }
    }
    static let concurrencyGroupReaders: [String: ConcurrencyGroupReader] = readers {
        if case .concurrencyGroup(let read) = $0 { read } else { nil }
    }

    /// The readers of one kind in the table, by key name.
    private static func readers<Reader>(_ kind: (ConfigKey.Reader) -> Reader?) -> [String: Reader] {
        Dictionary(uniqueKeysWithValues: ConfigKeys.all.compactMap { key in kind(key.read).map { (key.name, $0) } })
    }

    /// The checked configuration; `configD`, `files` and the loader's own
    /// warnings are the loader's to fill in.
    mutating func interpret(_ tree: ConfigNode) throws -> Config {
        var reading = TopLevelReading(config: Config(configDirectory: configDirectory, dataDir: defaultDataDirectory, raw: tree))
        for entry in tree.value.mappingEntries ?? [] {
            if let read = Self.topLevelReaders[entry.key] {
                try read(&self, &reading, entry.value, entry.key)
            } else {
                warnUnknown(entry, known: Self.topLevelKeys, subject: nil)
            }
        }
        var config = reading.config
        // A certificate without its key (or the reverse) cannot start TLS: said now, not at the daemon's start.
        if reading.tlsFileNodes.count == 1, let (given, node) = reading.tlsFileNodes.first {
            let missing = given == "nrpe_ssl_cert_file" ? "nrpe_ssl_privatekey_file" : "nrpe_ssl_cert_file"
            throw ConfigError(
                "\"\(given)\" needs \"\(missing)\" too (a certificate and its private key go together)", location: node.location,
                key: given, expected: "both nrpe_ssl_cert_file and nrpe_ssl_privatekey_file, or neither")
        }
        config.concurrencyGroups = try concurrencyGroups(reading.sections["concurrency_groups"])
        let sources = try jobSources(jobs: reading.sections["jobs"], groups: reading.sections["job_groups"])
        for source in sources {
            let job = try job(from: source, nrpeOutOfRangeExit: config.nrpeOutOfRangeExit)
            config.jobs[job.name] = job
            // A group named by a job but not defined exists with max 1.
            for group in job.concurrencyGroups where config.concurrencyGroups[group] == nil {
                config.concurrencyGroups[group] = ConcurrencyGroup(name: group)
            }
        }
        return config
    }
}
