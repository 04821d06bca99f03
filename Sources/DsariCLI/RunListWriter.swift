import DsariCore
import DsariStore
import Foundation

/// Writes `run list` in the json, yaml and tabular formats one run at a
/// time, so that the memory used does not grow with the history.
///
/// json is built as bytes (`JSONBytes`), in the layout of
/// `ConfigValue.jsonString(pretty: true, sortedKeys: true)`: a run's own keys
/// sorted, its stored `trigger_data`/`run_data` copied in their stored key
/// order. yaml goes through `ConfigValue.yamlString` a batch of runs at a time.
struct RunListWriter {
    let format: ListFormat
    let output: PagedOutput
    /// With `--host`/`--all-hosts`: each run's `host_name` (json, yaml), a
    /// last column (tabular).
    let showsHosts: Bool
    private let timestamps = ISO8601TimestampWriter(timeZone: .current)
    private var count = 0

    init(format: ListFormat, output: PagedOutput, showsHosts: Bool = false) {
        precondition(format != .pretty, "pretty output needs every row for the column widths")
        self.format = format
        self.output = output
        self.showsHosts = showsHosts
    }

    /// The order the runs come in: json and yaml are mappings keyed by run id,
    /// which dsari writes with sorted keys; tabular lines go by start time.
    var order: RunOrder { format == .tabular ? .startTime : .runID }

    mutating func begin() {
        if format == .json { output.write("{") }
    }

    mutating func write(_ row: StoredRunRow) {
        count += 1
        switch format {
        case .json: writeJSON(row, first: count == 1)
        case .yaml: writeYAML(row)
        case .tabular: writeTabular(row)
        case .pretty: break
        }
    }

    mutating func end() {
        switch format {
        case .json: output.write(count == 0 ? "}\n" : "\n}\n")
        case .yaml:
            flushYAML()
            if count == 0 { output.write("{}\n") }
        default: break
        }
    }

    /// The fixed parts of a run's JSON, between the variable ones, as bytes.
    private enum JSONPieces {
        static let firstEntry = Array("\n    ".utf8)
        static let nextEntry = Array(",\n    ".utf8)
        static let exitCode = Array(": {\n        \"exit_code\": ".utf8)
        static let hostName = Array(",\n        \"host_name\": ".utf8)
        static let jobName = Array(",\n        \"job_name\": ".utf8)
        static let runData = Array(",\n        \"run_data\": ".utf8)
        static let scheduleTime = Array(",\n        \"schedule_time\": \"".utf8)
        static let startTime = Array("\",\n        \"start_time\": \"".utf8)
        static let stopTime = Array("\",\n        \"stop_time\": ".utf8)
        static let triggerData = Array(",\n        \"trigger_data\": ".utf8)
        static let triggerType = Array(",\n        \"trigger_type\": ".utf8)
        static let entryEnd = Array("\n    }".utf8)
        static let null = Array("null".utf8)
    }

    private func writeJSON(_ row: StoredRunRow, first: Bool) {
        let timestamps = timestamps
        output.write { out in
            out.append(contentsOf: first ? JSONPieces.firstEntry : JSONPieces.nextEntry)
            row.withUTF8(.runID) { JSONBytes.appendString($0, to: &out) }
            out.append(contentsOf: JSONPieces.exitCode)
            let stop = row.stopTime
            if stop != nil, let code = row.exitCode {
                out.append(contentsOf: String(code).utf8)
            } else {
                out.append(contentsOf: JSONPieces.null)
            }
            if showsHosts {
                out.append(contentsOf: JSONPieces.hostName)
                JSONBytes.appendString(row.hostName, to: &out)
            }
            out.append(contentsOf: JSONPieces.jobName)
            row.withUTF8(.jobName) { JSONBytes.appendString($0, to: &out) }
            out.append(contentsOf: JSONPieces.runData)
            row.withUTF8(.runData) { JSONBytes.appendStoredJSON($0, depth: 2, to: &out) }
            out.append(contentsOf: JSONPieces.scheduleTime)
            timestamps.append(Instant(epochSeconds: row.scheduleTime), to: &out)
            out.append(contentsOf: JSONPieces.startTime)
            timestamps.append(Instant(epochSeconds: row.startTime), to: &out)
            out.append(contentsOf: JSONPieces.stopTime)
            if let stop {
                out.append(UInt8(ascii: "\""))
                timestamps.append(Instant(epochSeconds: stop), to: &out)
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: JSONPieces.null)
            }
            out.append(contentsOf: JSONPieces.triggerData)
            row.withUTF8(.triggerData) { JSONBytes.appendStoredJSON($0, depth: 2, to: &out) }
            out.append(contentsOf: JSONPieces.triggerType)
            row.withUTF8(.triggerType) { JSONBytes.appendString($0, to: &out) }
            out.append(contentsOf: JSONPieces.entryEnd)
        }
    }

    /// Runs waiting to be written as yaml: Yams costs far more per call
    /// than per run, so runs are serialized in batches of this many.
    static let yamlBatchSize = 500
    private var yamlBatch: [ConfigValue.Entry] = []

    private mutating func writeYAML(_ row: StoredRunRow) {
        let record = row.record
        func time(_ seconds: Double?) -> ConfigValue {
            seconds.map { .string(timestamps.string(Instant(epochSeconds: $0))) } ?? .null
        }
        // In sorted key order, as the json has them; the batch keeps the runs in run id order.
        let fields: [(String, ConfigValue)] =
            [
                ("exit_code", record.stopTime == nil ? .null : record.exitCode.map { .int(Int64($0)) } ?? .null)
            ] + (showsHosts ? [("host_name", .string(row.hostName))] : []) + [
                ("job_name", .string(record.jobName)),
                ("run_data", record.runData),
                ("schedule_time", time(record.scheduleTime)),
                ("start_time", time(record.startTime)),
                ("stop_time", time(record.stopTime)),
                ("trigger_data", record.triggerData),
                ("trigger_type", .string(record.triggerType)),
            ]
        let value = ConfigValue.mapping(fields.map { ConfigValue.Entry(key: $0.0, value: ConfigNode($0.1)) })
        yamlBatch.append(ConfigValue.Entry(key: record.runID, value: ConfigNode(value)))
        if yamlBatch.count >= Self.yamlBatchSize { flushYAML() }
    }

    private mutating func flushYAML() {
        guard !yamlBatch.isEmpty else { return }
        output.write(ConfigValue.mapping(yamlBatch).yamlString(sortedKeys: false))
        yamlBatch.removeAll(keepingCapacity: true)
    }

    private func writeTabular(_ row: StoredRunRow) {
        let timestamps = timestamps
        output.write { out in
            let tab = UInt8(ascii: "\t")
            row.withUTF8(.runID) { out.append(contentsOf: $0) }
            out.append(tab)
            row.withUTF8(.jobName) { out.append(contentsOf: $0) }
            out.append(tab)
            let stop = row.stopTime
            if stop != nil, let code = row.exitCode { out.append(contentsOf: String(code).utf8) }
            out.append(tab)
            row.withUTF8(.triggerType) { out.append(contentsOf: $0) }
            out.append(tab)
            timestamps.append(Instant(epochSeconds: row.scheduleTime), to: &out)
            out.append(tab)
            timestamps.append(Instant(epochSeconds: row.startTime), to: &out)
            out.append(tab)
            if let stop { timestamps.append(Instant(epochSeconds: stop), to: &out) }
            if showsHosts {
                out.append(tab)
                out.append(contentsOf: row.hostName.utf8)
            }
            out.append(0x0A)
        }
    }
}
