import Foundation

/// A trigger: `DATA_DIR/trigger/JOB/trigger.json` (preferred) or
/// `trigger.yaml`, asking for a run of JOB. Contents: a mapping with optional
/// `environment` (strings or numbers), `type`, `description`, `schedule_time`
/// (epoch seconds, or ISO 8601 with an optional `schedule_timezone`).
/// Without `schedule_time` the run is scheduled at the file's mtime.
///
/// The one owner of the format: the daemon reads triggers with `read`,
/// `dsari-info run trigger` writes them with `write`.
public struct TriggerFile: Sendable {
    public var path: String
    /// The file's contents, stored with the run as `trigger_data`.
    public var data: ConfigValue
    public var environment: [String: String]
    public var scheduleTime: Instant

    public struct Rejection: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// The names the daemon reads, in its order of preference.
    public static let names = ["trigger.json", "trigger.yaml"]

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
    public static func find(in directory: String) -> String? {
        pendingFiles(in: directory).first
    }

    /// The trigger files waiting in a job's trigger directory, preferred first.
    static func pendingFiles(in directory: String) -> [String] {
        names.map { DsariPaths.join(directory, $0) }.filter { FileManager.default.fileExists(atPath: $0) }
    }

    public static func read(path: String, defaultTimeZone: TimeZone) throws(Rejection) -> TriggerFile {
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

// MARK: Writing

extension TriggerFile {
    /// A trigger file the daemon has not consumed yet.
    public struct PendingTrigger: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "a trigger is already waiting in \(path)" }
    }

    /// A trigger file that could not be written, with the system's reason.
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let step: String
        public let reason: String
        public var description: String { "the trigger file \(path) cannot be written (\(step)): \(reason)" }
    }

    /// Writes `text` as the trigger of the job whose trigger directory is
    /// `directory` (`DataLayout.triggerDirectory`), so that the daemon never
    /// reads half a file: the text goes to a temporary file in the same
    /// directory (a name the daemon ignores), is synced to disk, and is then
    /// moved into place in one step. Without `replace`, refuses when a
    /// trigger is waiting (the final step cannot overwrite one that appears
    /// meanwhile); with it, also removes a waiting `trigger.yaml`, which
    /// would otherwise start a second run.
    /// Returns the path written.
    @discardableResult
    public static func write(_ text: String, toDirectory directory: String, replace: Bool) throws -> String {
        let path = DsariPaths.join(directory, names[0])
        func systemError(_ step: String) -> WriteError {
            WriteError(path: path, step: step, reason: String(cString: strerror(errno)))
        }
        if !replace, let pending = pendingFiles(in: directory).first {
            throw PendingTrigger(path: pending)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: path, step: "creating \(directory)", reason: "\(error.localizedDescription)")
        }
        do {
            // mkstemp creates 0600; a trigger gets the permissions any new file would.
            try DurableFile.stage(Array(text.utf8), for: path, mode: DurableFile.creationMode(0o666)) { temporary in
                if replace {
                    guard rename(temporary, path) == 0 else { throw systemError("moving into place") }
                    for stale in pendingFiles(in: directory) where stale != path {
                        unlink(stale)
                    }
                    return .renamed
                }
                if link(temporary, path) != 0 {
                    // link() fails when the name exists, so a trigger that appeared since the check is never overwritten.
                    if errno == EEXIST { throw PendingTrigger(path: path) }
                    // File systems without hard links: check and rename (a narrow race, as with any writer).
                    guard errno == EPERM || errno == EOPNOTSUPP, !FileManager.default.fileExists(atPath: path),
                        rename(temporary, path) == 0
                    else { throw systemError("moving into place") }
                    return .renamed
                }
                return .linked
            }
        } catch let error as DurableFile.WriteError {
            throw WriteError(path: error.path, step: error.step, reason: error.reason)
        }
        // The rename or link itself survives a crash only once the directory is synced.
        DurableFile.syncDirectory(directory)
        return path
    }
}
