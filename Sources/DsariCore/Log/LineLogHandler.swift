import Foundation
import Logging

/// dsari's log line for swift-log: one event per line on standard error,
///
///     2024-03-10T03:00:32.211Z INFO run started job=build run_id=6c1f…
///
/// time (UTC, milliseconds), level, message, then the metadata as
/// `key=value` in key order. A value that is empty or holds a space, a
/// quote, an `=` or a control character is quoted, with `"`, `\` and
/// control characters escaped (`\n`, `\t`, `\u{1b}`), and so is a message's
/// line break: an event never spans two lines, whatever a plugin or an
/// error message put in it. Each line goes out in one `write(2)`, so lines
/// from several threads never interleave.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let descriptor: Int32

    public init(level: Logger.Level = .info, descriptor: Int32 = STDERR_FILENO) {
        self.logLevel = level
        self.descriptor = descriptor
    }

    /// A logger writing dsari's lines to standard error.
    public static func logger(label: String, debug: Bool) -> Logger {
        Logger(label: label) { _ in LineLogHandler(level: debug ? .debug : .info) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let line = Self.line(
            time: Date().timeIntervalSince1970, level: event.level, message: "\(event.message)", metadata: fields)
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// The level's name in the line.
    static func name(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .notice: "NOTICE"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    /// One whole line, newline included.
    public static func line(time: Double, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        let seconds = Int64(time.rounded(.down))
        let stamp = ISO8601Timestamp.utcMilliseconds(seconds: seconds, nanoseconds: Int64((time - Double(seconds)) * 1e9))
        var line = "\(stamp) \(name(level)) \(escaped(message, quoting: false))"
        for key in metadata.keys.sorted() {
            line += " \(key)=\(escaped("\(metadata[key]!)", quoting: true))"
        }
        return line + "\n"
    }

    /// `text` with control characters escaped; with `quoting`, quoted when
    /// it is empty or holds what would make `key=value` ambiguous.
    static func escaped(_ text: String, quoting: Bool) -> String {
        let needsQuotes =
            quoting
            && (text.isEmpty
                || text.unicodeScalars.contains { " \"=\\".unicodeScalars.contains($0) || $0.value < 0x20 || $0.value == 0x7F })
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\"" where needsQuotes: out += "\\\""
            case "\\" where needsQuotes: out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return needsQuotes ? "\"\(out)\"" : out
    }
}

extension ISO8601Timestamp {
    /// `2024-03-10T03:00:32.211Z`, for log lines.
    static func utcMilliseconds(seconds: Int64, nanoseconds: Int64) -> String {
        let civil = CivilDateTime(secondsSinceEpoch: seconds)
        let millis = String(min(999, max(0, nanoseconds / 1_000_000)))
        return "\(civil).\(String(repeating: "0", count: 3 - millis.count))\(millis)Z"
    }
}
