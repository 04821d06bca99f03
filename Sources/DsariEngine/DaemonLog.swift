import DsariCore
import Logging

/// The daemon's log: a swift-log `Logger` writing dsari's lines
/// (`LineLogHandler`: time, level, message, `key=value`, one event per
/// line on standard error; debug lines only with `--debug`), with the
/// short calls the engine makes. Environment values are never logged (they
/// may be secrets).
public struct DaemonLog: Sendable {
    public let logger: Logger

    public init(debug: Bool) {
        logger = LineLogHandler.logger(label: "dsari-daemon", debug: debug)
    }

    public func debug(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) { write(.debug, message, metadata) }
    public func info(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) { write(.info, message, metadata) }
    public func warning(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) { write(.warning, message, metadata) }
    public func error(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) { write(.error, message, metadata) }

    /// A line from another part of the process (the NRPE listener, the HTTP server).
    public func write(_ level: Logger.Level, _ message: String, fields: [String: String]) {
        logger.log(level: level, "\(message)", metadata: fields.mapValues { .string($0) })
    }

    private func write(_ level: Logger.Level, _ message: String, _ metadata: KeyValuePairs<String, String>) {
        guard level >= logger.logLevel else { return }
        var fields: Logger.Metadata = [:]
        for (key, value) in metadata { fields[key] = .string(value) }
        logger.log(level: level, "\(message)", metadata: fields)
    }
}
