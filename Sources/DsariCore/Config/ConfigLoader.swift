import Foundation

/// Loads dsari's configuration directory into a checked `Config`.
///
/// Files, each merged over the previous ones with dsari's recursive
/// `dict_merge`: `dsari.yaml`, then `dsari.json`, then in the drop-in
/// directory (`config.d/`, or the `config_d` option of those two files,
/// relative to the configuration directory) every `*.yaml` file in sorted
/// name order, then every `*.json` file in sorted name order. Drop-in
/// entries that are not readable regular files are skipped with a warning.
///
/// A configuration with an error is refused whole: `load` throws the first
/// `ConfigError` it finds (top-level options, then concurrency groups, job
/// groups and jobs, each in file order). A missing directory, or one without
/// any configuration file, loads as an empty configuration (as dsari does)
/// with a warning saying so, since a typo in `-c` would otherwise pass
/// unnoticed.
public struct ConfigLoader: Sendable {
    /// The process environment: `DSARI_HOME` and `HOME` choose the default
    /// data directory.
    public var environment: [String: String]

    /// Where jobs beyond the files come from (e.g. the NRPE importer for `nrpe_config`).
    public var jobSources: [any ConfigJobSource]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, jobSources: [any ConfigJobSource] = []) {
        self.environment = environment
        self.jobSources = jobSources
    }

    /// Reads, merges and checks the configuration in `configDirectory`.
    ///
    /// - Throws: `ConfigError`.
    public func load(configDirectory: String) throws -> Config {
        var warnings: [ConfigWarning] = []
        var files: [String] = []
        var tree = ConfigNode(.mapping([]))

        func merge(_ path: String) throws {
            if let node = try ConfigFileReader.readMapping(path: path, format: ConfigFileReader.Format(path: path)) {
                tree = tree.merging(node)
            } else {
                warnings.append(ConfigWarning("the file is empty", file: path))
            }
            files.append(path)
        }

        let directoryExists: Bool
        switch Self.fileType(configDirectory) {
        case .missing:
            directoryExists = false
            warnings.append(
                ConfigWarning(
                    "the configuration directory does not exist; the configuration is empty",
                    file: configDirectory))
        case .directory:
            directoryExists = true
        case .other, .regularFile:
            throw ConfigError("the configuration directory is not a directory", file: configDirectory)
        }

        if directoryExists {
            for name in ["dsari.yaml", "dsari.json"] {
                let path = DsariPaths.join(configDirectory, name)
                // Like dsari (`os.path.exists`): present means read, and a
                // file that cannot be read is an error, not skipped.
                if Self.fileType(path) != .missing {
                    try merge(path)
                }
            }
        }

        let dropIn = try dropInDirectory(tree: tree, configDirectory: configDirectory)
        let configDSetting = tree["config_d"]
        if let dropIn {
            switch Self.fileType(dropIn.path) {
            case .directory:
                for path in try dropInFiles(dropIn.path, warnings: &warnings) {
                    try merge(path)
                }
            case .missing where !dropIn.isExplicit:
                break
            case .missing:
                warnings.append(
                    ConfigWarning(
                        "the config_d directory \(dropIn.path.quotedForMessage) does not exist",
                        location: dropIn.location, key: "config_d"))
            case .regularFile, .other:
                warnings.append(
                    ConfigWarning(
                        "config_d \(dropIn.path.quotedForMessage) is not a directory; no drop-in files were read",
                        location: dropIn.location, key: "config_d"))
            }
        }

        if directoryExists && files.isEmpty {
            warnings.append(
                ConfigWarning(
                    "no configuration file found (dsari.yaml, dsari.json, config.d/*.yaml, config.d/*.json); "
                        + "the configuration is empty",
                    file: configDirectory))
        }

        for source in jobSources {
            if let (imported, importWarnings) = try source.configuration(for: tree, configDirectory: configDirectory) {
                tree = imported.merging(tree)
                warnings += importWarnings
            }
        }
        if tree["nrpe_config"] != nil && jobSources.isEmpty {
            warnings.append(
                ConfigWarning("nrpe_config is only read by dsari-daemon and the dsari tools", location: tree["nrpe_config"]?.location))
        }

        var interpreter = ConfigInterpreter(
            configDirectory: configDirectory,
            defaultDataDirectory: DsariPaths(environment: environment).dataDirectory)
        var config = try interpreter.interpret(tree)
        config.configD = dropIn?.path
        config.files = files
        config.warnings = warnings + interpreter.warnings
        if let setting = tree["config_d"], let location = setting.location,
            location != configDSetting?.location
        {
            config.warnings.append(
                ConfigWarning(
                    "config_d is read from dsari.yaml and dsari.json only; this setting has no effect",
                    location: location, key: "config_d"))
        }
        return config
    }

    /// The drop-in directory, from `config_d` as set by dsari.yaml and
    /// dsari.json (drop-in files cannot move it: they are read after it was
    /// chosen). nil when `config_d` is null or "".
    private func dropInDirectory(
        tree: ConfigNode, configDirectory: String
    ) throws -> (path: String, isExplicit: Bool, location: SourceLocation?)? {
        guard let setting = tree["config_d"] else {
            return (DsariPaths.join(configDirectory, "config.d"), false, nil)
        }
        switch setting.value {
        case .null:
            return nil
        case .string(let path):
            if path.isEmpty { return nil }
            return (DsariPaths.resolve(path, relativeTo: configDirectory), true, setting.location)
        default:
            throw ConfigError(
                "\"config_d\" must be a directory path (a string) or null, not \(setting.value.briefDescription)",
                location: setting.location, key: "config_d", expected: "a directory path (a string) or null")
        }
    }

    /// The drop-in files to read, YAML first then JSON, each in byte order
    /// of the name (Python's `sort()` of str).
    private func dropInFiles(_ directory: String, warnings: inout [ConfigWarning]) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw ConfigError("the config_d directory cannot be listed: \(error.localizedDescription)", file: directory)
        }
        var result: [String] = []
        for suffix in [".yaml", ".json"] {
            let matching = names.filter { $0.hasSuffix(suffix) }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for name in matching {
                let path = DsariPaths.join(directory, name)
                if Self.fileType(path) != .regularFile {
                    warnings.append(ConfigWarning("skipped: not a regular file", file: path))
                } else if access(path, R_OK) != 0 {
                    warnings.append(ConfigWarning("skipped: not readable", file: path))
                } else {
                    result.append(path)
                }
            }
        }
        return result
    }

    enum FileType {
        case missing, directory, regularFile, other
    }

    /// What is at `path`, following symbolic links (a dangling link is
    /// missing), as Python's `os.path` functions see it.
    static func fileType(_ path: String) -> FileType {
        var status = stat()
        guard stat(path, &status) == 0 else { return .missing }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regularFile
        default: return .other
        }
    }
}
