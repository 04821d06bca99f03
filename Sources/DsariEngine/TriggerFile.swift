import DsariCore
import Foundation

/// A trigger: `DATA_DIR/trigger/JOB/trigger.json` (preferred) or
/// `trigger.yaml`, asking for a run of JOB. Contents: a mapping with optional
/// `environment` (strings or numbers), `type`, `description`, `schedule_time`
/// (epoch seconds, or ISO 8601 with an optional `schedule_timezone`).
/// Without `schedule_time` the run is scheduled at the file's mtime.
struct TriggerFile: Sendable {
    var path: String
    /// The file's contents, stored with the run as `trigger_data`.
    var data: ConfigValue
    var environment: [String: String]
    var scheduleTime: Instant

    struct Rejection: Error, CustomStringConvertible {
        let path: String
        let reason: String
        var description: String { "\(path): \(reason)" }
    }

    static let names = ["trigger.json", "trigger.yaml"]

    /// Epoch seconds a trigger may ask for: 1970 to the end of year 9999.
    /// (A larger number, e.g. 1e300, does not fit an `Instant`: it trapped
    /// and took the daemon down.)
    static let scheduleTimeRange: ClosedRange<Double> = 0...253_402_300_799

    static func outOfRange(_ path: String, _ written: String) -> Rejection {
        Rejection(
            path: path,
            reason: "\"schedule_time\" \(written) is out of range (epoch seconds from 0 to 253402300799, i.e. 1970 to 9999)")
    }

    /// The trigger file of a job's trigger directory, if one is there.
    static func find(in directory: String) -> String? {
        names.map { (directory as NSString).appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    static func read(path: String, defaultTimeZone: TimeZone) throws(Rejection) -> TriggerFile {
        let node: ConfigNode
        do {
            node = try ConfigFileReader.read(path: path, format: path.hasSuffix(".json") ? .json : .yaml)
        } catch {
            throw Rejection(path: path, reason: "cannot be read: \(error)")
        }
        guard case .mapping = node.value else {
            throw Rejection(path: path, reason: "must be a mapping (e.g. {\"environment\": {\"K\": \"V\"}}), not \(node.value.kind)")
        }
        var environment: [String: String] = [:]
        if let env = node["environment"] {
            guard case .mapping(let variables) = env.value else {
                throw Rejection(
                    path: path, reason: "\"environment\" must be a mapping of names to strings or numbers, not \(env.value.kind)")
            }
            for variable in variables {
                switch variable.value.value {
                case .string(let text): environment[variable.key] = text
                case .int(let number): environment[variable.key] = String(number)
                case .double(let number): environment[variable.key] = number.pythonRepr
                default:
                    throw Rejection(
                        path: path,
                        reason: "environment variable \"\(variable.key)\" must be a string or a number, not \(variable.value.value.kind)")
                }
            }
        }
        for key in ["type", "description", "schedule_timezone"] {
            if let value = node[key], value.value.kind != .string, value.value.kind != .null {
                throw Rejection(path: path, reason: "\"\(key)\" must be a string, not \(value.value.kind)")
            }
        }
        var zone = defaultTimeZone
        if case .string(let name)? = node["schedule_timezone"]?.value {
            guard let named = TimeZone(identifier: name) else {
                throw Rejection(path: path, reason: "\"schedule_timezone\" \"\(name)\" is not an IANA time zone name")
            }
            zone = named
        }
        let scheduleTime: Instant
        switch node["schedule_time"]?.value {
        case nil, .null?:
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? Date()
            scheduleTime = Instant(epochSeconds: modified.timeIntervalSince1970)
        case .int(let seconds)? where Self.scheduleTimeRange.contains(Double(seconds)): scheduleTime = Instant(seconds: seconds)
        case .double(let seconds)? where Self.scheduleTimeRange.contains(seconds): scheduleTime = Instant(epochSeconds: seconds)
        case .int(let seconds)?: throw Self.outOfRange(path, "\(seconds)")
        case .double(let seconds)?: throw Self.outOfRange(path, seconds.pythonRepr)
        case .string(let text)?:
            do {
                scheduleTime = try ISO8601Timestamp.parse(text, timeZone: zone)
            } catch {
                throw Rejection(path: path, reason: "\"schedule_time\": \(error)")
            }
            guard Self.scheduleTimeRange.contains(scheduleTime.epochSeconds) else { throw Self.outOfRange(path, text) }
        case let other?:
            throw Rejection(path: path, reason: "\"schedule_time\" must be epoch seconds or an ISO 8601 string, not \(other.kind)")
        }
        return TriggerFile(path: path, data: node.value, environment: environment, scheduleTime: scheduleTime)
    }
}
