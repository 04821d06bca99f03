import ArgumentParser
import DsariCore
import DsariEngine
import DsariNagios
import Foundation

/// `-c/--config-dir`, shared by every command, with dsari's default
/// directories when it is not given.
public struct ConfigDirectoryOptions: ParsableArguments {
    @Option(
        name: [.customShort("c"), .customLong("config-dir")],
        help: ArgumentHelp(
            "Configuration directory (default: $DSARI_HOME/etc, ~/.dsari/etc, /usr/local/etc/dsari or /etc/dsari).", valueName: "dir"))
    public var configDirectory: String?

    public init() {}

    /// The directory to read: the option, or dsari's default for this environment.
    public var resolvedConfigDirectory: String {
        configDirectory ?? DsariPaths(environment: ProcessInfo.processInfo.environment).configDirectory
    }

    /// Loads the configuration, printing warnings to standard error.
    /// A configuration error is printed and becomes exit code 1.
    func loadConfig(printWarnings: Bool = true) throws -> Config {
        try loadConfig(
            warning: { if printWarnings { StandardError.print("warning: \($0)") } },
            refusal: { StandardError.print("error: \($0)") })
    }

    /// Loads the configuration for a command whose standard error is a log
    /// (dsari-prometheus-exporter, dsari-render): its warnings and a refusal
    /// are log lines; a refusal becomes exit code 1.
    func loadConfig(log: DaemonLog) throws -> Config {
        try loadConfig(warning: { log.warning($0) }, refusal: { log.error("configuration refused", ["reason": $0]) })
    }

    private func loadConfig(warning: (String) -> Void, refusal: (String) -> Void) throws -> Config {
        do {
            let config = try ConfigLoader.standard().load(configDirectory: resolvedConfigDirectory)
            for item in config.warnings { warning("\(item)") }
            return config
        } catch let error as ConfigError {
            refusal("\(error)")
            throw ExitCode(1)
        }
    }
}

/// Writes lines to standard error.
enum StandardError {
    static func print(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
