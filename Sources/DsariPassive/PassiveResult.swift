import DsariCore
import DsariNagios
import Foundation

/// One check result on its way to a Nagios or Icinga: what a passive check
/// result carries, as queued on disk (JSON) and sent by every transport.
public struct PassiveResult: Sendable, Hashable {
    public var runID: String
    public var jobName: String
    public var host: String
    public var service: String
    /// 0–3: the check's state.
    public var returnCode: Int
    /// The first line's text (without performance data).
    public var pluginOutput: String
    /// The lines after the first.
    public var longPluginOutput: String
    /// The performance data as printed (every item, first line's and later ones').
    public var performanceData: String
    /// Epoch seconds.
    public var startTime: Double
    public var endTime: Double
    /// The machine that ran the check (`host_name`): Icinga's `check_source`.
    public var checkSource: String
    /// Seconds until a next result should come (twice the time to the job's
    /// next scheduled run); Icinga's `ttl`. nil for jobs without a schedule.
    public var ttl: Double?

    public init(
        runID: String, jobName: String, host: String, service: String, returnCode: Int, pluginOutput: String, longPluginOutput: String,
        performanceData: String, startTime: Double, endTime: Double, checkSource: String, ttl: Double? = nil
    ) {
        self.runID = runID
        self.jobName = jobName
        self.host = host
        self.service = service
        self.returnCode = returnCode
        self.pluginOutput = pluginOutput
        self.longPluginOutput = longPluginOutput
        self.performanceData = performanceData
        self.startTime = startTime
        self.endTime = endTime
        self.checkSource = checkSource
        self.ttl = ttl
    }

    /// The result of a finished check run of `job`, or nil when the run
    /// recorded no check result. Host and service: the job's
    /// `passive_host`/`passive_service`, else `hostName` and the job's name.
    public init?(job: Job, record: RunRecord, hostName: String) {
        guard let check = RecordedCheck(runData: record.runData) else { return nil }
        let end = record.stopTime ?? record.startTime
        let next = job.parsedSchedule?.nextTime(after: Instant(epochSeconds: end))?.epochSeconds
        self.init(
            runID: record.runID, jobName: job.name, host: job.passiveHost ?? hostName, service: job.passiveService ?? job.name,
            returnCode: Int(check.state.rawValue), pluginOutput: check.pluginOutput, longPluginOutput: check.longPluginOutput,
            performanceData: check.performanceData, startTime: record.startTime, endTime: end, checkSource: hostName,
            ttl: next.map { max(60, 2 * ($0 - end)) })
    }

    /// The output as a plugin prints it: `TEXT|PERFDATA`, then the long
    /// output on the next lines (what NSCA carries: nsca escapes it itself).
    public var nagiosText: String {
        var text = pluginOutput
        if !performanceData.isEmpty { text += "|" + performanceData }
        if !longPluginOutput.isEmpty { text += "\n" + longPluginOutput }
        return text
    }

    /// `nagiosText` as Nagios takes it on one line of its command file or
    /// check result file: every newline written `\n` and every backslash
    /// `\\` (Nagios' `unescape_newlines` reverses both).
    public var nagiosOutput: String { Self.escapingNewlines(nagiosText) }

    static func escapingNewlines(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": continue
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// `text` cut to at most `limit` UTF-8 bytes, at a character boundary,
    /// never in the middle of an escape (`\n`, `\\`).
    static func truncated(_ text: String, toBytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var result = ""
        var bytes = 0
        var characters = text.makeIterator()
        while let character = characters.next() {
            var piece = String(character)
            if character == "\\", let next = characters.next() { piece.append(next) }
            let size = piece.utf8.count
            guard bytes + size <= limit else { break }
            result += piece
            bytes += size
        }
        return result
    }

    // MARK: The queue's JSON (the check's fields under Nagios' names, as in run_data.nagios)

    var json: ConfigValue {
        .mapping(
            [
                ("run_id", .string(runID)), ("job_name", .string(jobName)), ("host", .string(host)), ("service", .string(service)),
                ("return_code", .int(Int64(returnCode))), (NagiosField.pluginOutput.rawValue, .string(pluginOutput)),
                (NagiosField.longPluginOutput.rawValue, .string(longPluginOutput)),
                (NagiosField.performanceData.rawValue, .string(performanceData)),
                ("start_time", .double(startTime)), ("end_time", .double(endTime)), ("check_source", .string(checkSource)),
                ("ttl", ttl.map(ConfigValue.double) ?? .null),
            ].map { ConfigValue.Entry(key: $0.0, value: ConfigNode($0.1)) })
    }

    init?(json: ConfigValue) {
        func text(_ key: String) -> String? { json[key]?.value.stringValue }
        func number(_ key: String) -> Double? {
            switch json[key]?.value {
            case .int(let value)?: Double(value)
            case .double(let value)?: value
            default: nil
            }
        }
        guard let runID = text("run_id"), let jobName = text("job_name"), let host = text("host"), let service = text("service"),
            let code = number("return_code"), let start = number("start_time"), let end = number("end_time")
        else { return nil }
        self.init(
            runID: runID, jobName: jobName, host: host, service: service, returnCode: Int(code),
            pluginOutput: text(NagiosField.pluginOutput.rawValue) ?? "",
            longPluginOutput: text(NagiosField.longPluginOutput.rawValue) ?? "",
            performanceData: text(NagiosField.performanceData.rawValue) ?? "", startTime: start,
            endTime: end, checkSource: text("check_source") ?? host, ttl: number("ttl"))
    }
}
