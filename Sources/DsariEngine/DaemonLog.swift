import DsariCore
import Foundation

/// The daemon's log: one line per event on standard error,
/// `2024-03-10T03:00:32.211Z LEVEL message key=value …`, debug lines only
/// with `--debug`. Values with spaces are quoted. Environment values are
/// never logged (they may be secrets).
public struct DaemonLog: Sendable {
    public enum Level: String, Sendable, Comparable {
        case debug = "DEBUG", info = "INFO", warning = "WARNING", error = "ERROR"
        var rank: Int { [.debug: 0, .info: 1, .warning: 2, .error: 3][self] ?? 1 }
        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
    }

    public var minimumLevel: Level

    public init(debug: Bool) {
        minimumLevel = debug ? .debug : .info
    }

    public func debug(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) { write(.debug, message, metadata) }
    public func info(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) { write(.info, message, metadata) }
    public func warning(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) { write(.warning, message, metadata) }
    public func error(_ message: String, _ metadata: KeyValuePairs<String, String> = [:]) { write(.error, message, metadata) }

    /// A line from another part of the process (the NRPE listener), its fields in name order.
    public func write(_ level: Level, _ message: String, fields: [String: String]) {
        write(level, message, fields.sorted { $0.key < $1.key })
    }

    private func write(_ level: Level, _ message: String, _ metadata: some Sequence<(key: String, value: String)>) {
        guard level >= minimumLevel else { return }
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let stamp = ISO8601Timestamp.utcMilliseconds(seconds: Int64(time.tv_sec), nanoseconds: Int64(time.tv_nsec))
        var line = "\(stamp) \(level.rawValue) \(message)"
        for (key, value) in metadata {
            let quoted = value.contains(" ") || value.isEmpty ? "\"\(value.replacingOccurrences(of: "\"", with: "\\\""))\"" : value
            line += " \(key)=\(quoted)"
        }
        line += "\n"
        _ = line.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
    }
}

extension ISO8601Timestamp {
    /// `2024-03-10T03:00:32.211Z`, for log lines.
    static func utcMilliseconds(seconds: Int64, nanoseconds: Int64) -> String {
        let civil = CivilDateTime(secondsSinceEpoch: seconds)
        let millis = String(nanoseconds / 1_000_000)
        return "\(civil).\(String(repeating: "0", count: 3 - millis.count))\(millis)Z"
    }
}
