import DsariCore
import Foundation

/// A destination's results waiting on disk, in order
/// (`DATA_DIR/passive/QUEUE/`, see `DataLayout`): one synced file per result
/// (`NNNNNNNNNNNNNNNN.json`, numbered in the order they came), a file naming
/// the destination, and its counters (`state.json`). A daemon that stops or
/// dies finds them there and goes on where it was; the exporter and
/// `dsari-info check status` read the same directory.
final class PassiveQueue {
    let directory: String
    let destination: String
    /// Waiting results' numbers, oldest first.
    private var numbers: [UInt64]
    private(set) var state: PassiveDeliveryState

    static let destinationFileName = "destination"
    static let stateFileName = "state.json"

    struct Entry {
        let number: UInt64
        let path: String
        /// nil when the file cannot be read as a result (dropped as rejected).
        let result: PassiveResult?
    }

    /// Opens (creating) the queue of the destination named `destination`.
    init(dataDirectory: String, destination: String) throws {
        self.destination = destination
        directory = DataLayout(dataDirectory: dataDirectory).passiveQueueDirectory(destination: destination)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // A temporary file a crash left behind (`DurableFile`: ".NAME.XXXXXX") is never a result.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(".") {
            unlink(DsariPaths.join(directory, name))
        }
        let namePath = DsariPaths.join(directory, Self.destinationFileName)
        if (try? String(contentsOfFile: namePath, encoding: .utf8)) != destination + "\n" {
            try DurableFile.write(Array((destination + "\n").utf8), to: namePath)
        }
        numbers = Self.waitingNumbers(in: directory)
        state = Self.readState(directory)
    }

    var count: Int { numbers.count }

    /// Appends a result; it is on disk when this returns.
    func append(_ result: PassiveResult) throws {
        let number = (numbers.last ?? state.lastNumber) + 1
        try DurableFile.write(Array(result.json.jsonString(pretty: false, sortedKeys: false).utf8), to: path(number))
        numbers.append(number)
        state.lastNumber = number
        saveState()
    }

    /// The oldest waiting result.
    func oldest() -> Entry? {
        guard let number = numbers.first else { return nil }
        let path = path(number)
        let result = (try? ConfigFileReader.read(path: path, format: .json)).flatMap { PassiveResult(json: $0.value) }
        return Entry(number: number, path: path, result: result)
    }

    /// Removes a result that was delivered or dropped, and records why.
    func remove(_ entry: Entry, outcome: PassiveDeliveryState.Outcome, at time: Double) {
        unlink(entry.path)
        DurableFile.syncDirectory(directory)
        numbers.removeAll { $0 == entry.number }
        state.record(outcome, at: time)
        saveState()
    }

    /// Records a failed attempt (the result stays first in line).
    func recordFailure(_ reason: String, at time: Double) {
        state.record(.failed(reason), at: time)
        saveState()
    }

    private func path(_ number: UInt64) -> String {
        DsariPaths.join(directory, Self.fileName(number))
    }

    /// A waiting result's file name: its number, zero-padded so names sort as numbers.
    static func fileName(_ number: UInt64) -> String { String(format: "%016llu.json", number) }

    /// Counters may lag behind after a crash (not synced); the results never do.
    private func saveState() {
        try? DurableFile.write(
            Array(state.json.jsonString(pretty: false, sortedKeys: true).utf8), to: DsariPaths.join(directory, Self.stateFileName),
            sync: false)
    }

    static func waitingNumbers(in directory: String) -> [UInt64] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name in name.hasSuffix(".json") && name != stateFileName ? UInt64(name.dropLast(5)) : nil }.sorted()
    }

    static func readState(_ directory: String) -> PassiveDeliveryState {
        let path = DsariPaths.join(directory, stateFileName)
        return (try? ConfigFileReader.read(path: path, format: .json)).map { PassiveDeliveryState(json: $0.value) }
            ?? PassiveDeliveryState()
    }
}

/// A destination's counters since its queue was made.
public struct PassiveDeliveryState: Sendable, Hashable {
    public var sent: Int64 = 0
    public var failed: Int64 = 0
    /// Results dropped because they waited longer than `max_age`.
    public var droppedExpired: Int64 = 0
    /// Results the destination refused for good (e.g. Icinga 2 knows no such
    /// service), and queue files that could not be read.
    public var droppedRejected: Int64 = 0
    /// Epoch seconds of the last delivery; nil before the first.
    public var lastSuccess: Double?
    public var lastError: String?
    public var lastErrorTime: Double?
    /// The number of the last result queued (numbers keep growing).
    var lastNumber: UInt64 = 0

    enum Outcome {
        case sent
        case failed(String)
        case expired
        case rejected(String)
    }

    mutating func record(_ outcome: Outcome, at time: Double) {
        switch outcome {
        case .sent:
            sent += 1
            lastSuccess = time
        case .failed(let reason):
            failed += 1
            lastError = reason
            lastErrorTime = time
        case .expired:
            droppedExpired += 1
        case .rejected(let reason):
            droppedRejected += 1
            lastError = reason
            lastErrorTime = time
        }
    }

    var json: ConfigValue {
        var entries: [(String, ConfigValue)] = [
            ("sent", .int(sent)), ("failed", .int(failed)), ("dropped_expired", .int(droppedExpired)),
            ("dropped_rejected", .int(droppedRejected)), ("last_number", .int(Int64(lastNumber))),
        ]
        if let lastSuccess { entries.append(("last_success", .double(lastSuccess))) }
        if let lastError { entries.append(("last_error", .string(lastError))) }
        if let lastErrorTime { entries.append(("last_error_time", .double(lastErrorTime))) }
        return .mapping(entries.map { ConfigValue.Entry(key: $0.0, value: ConfigNode($0.1)) })
    }

    init() {}

    init(json: ConfigValue) {
        func integer(_ key: String) -> Int64 { if case .int(let value)? = json[key]?.value { value } else { 0 } }
        func number(_ key: String) -> Double? {
            switch json[key]?.value {
            case .int(let value)?: Double(value)
            case .double(let value)?: value
            default: nil
            }
        }
        sent = integer("sent")
        failed = integer("failed")
        droppedExpired = integer("dropped_expired")
        droppedRejected = integer("dropped_rejected")
        lastNumber = UInt64(max(0, integer("last_number")))
        lastSuccess = number("last_success")
        lastError = json["last_error"]?.value.stringValue
        lastErrorTime = number("last_error_time")
    }
}

/// What a queue directory shows a reader (the exporter, `check status`,
/// `/status`): the destination, what waits, the counters.
public struct PassiveQueueSnapshot: Sendable, Hashable {
    public var destination: String
    public var pending: Int
    /// Epoch seconds at which the oldest waiting result's check ended.
    public var oldestPendingEndTime: Double?
    public var state: PassiveDeliveryState

    /// Every queue under the data directory, by destination name. With
    /// `oldest` the oldest waiting result is read for its age (status pages);
    /// a scrape of the metrics does without that file read.
    public static func all(dataDirectory: String, oldest readOldest: Bool = true) -> [PassiveQueueSnapshot] {
        let root = DataLayout(dataDirectory: dataDirectory).passiveRoot
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.compactMap { name -> PassiveQueueSnapshot? in
            let directory = DsariPaths.join(root, name)
            guard
                let destination = try? String(contentsOfFile: DsariPaths.join(directory, PassiveQueue.destinationFileName), encoding: .utf8)
            else { return nil }
            let numbers = PassiveQueue.waitingNumbers(in: directory)
            let oldest = numbers.first.flatMap { number -> Double? in
                guard readOldest else { return nil }
                return
                    (try? ConfigFileReader.read(path: DsariPaths.join(directory, PassiveQueue.fileName(number)), format: .json))
                    .flatMap { PassiveResult(json: $0.value)?.endTime }
            }
            return PassiveQueueSnapshot(
                destination: String(destination.dropLast(destination.hasSuffix("\n") ? 1 : 0)), pending: numbers.count,
                oldestPendingEndTime: oldest, state: PassiveQueue.readState(directory))
        }.sorted { $0.destination < $1.destination }
    }
}
