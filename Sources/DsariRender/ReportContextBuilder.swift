import DsariCore
import DsariNagios
import Foundation

/// The variables each page template gets (README, "dsari-render", lists
/// every one). Values are text formatted for people; the templates escape
/// them. Links are relative (`root` leads from a page to `html/`), and
/// name `index.html` files so that they work from `file://` and behind a
/// server that only has `index.html.gz`.
///
/// No page holds the time it was made: a page changes only when what it
/// shows changes, which is how an unchanged page is recognised and left alone.
struct ReportContextBuilder {
    let formatter: ReportTimeFormatter
    /// How many runs the index lists under "latest runs" and "latest failures".
    static let latestCount = 25

    /// `html/index.html`.
    func indexContext(jobs: [JobReport]) -> TemplateValue {
        var context = common(root: "", title: "dsari")
        context["jobs"] = .list(jobs.map { .object(jobFields($0, root: "")) })
        context["has_jobs"] = .bool(!jobs.isEmpty)
        let all = jobs.flatMap(\.runs).sorted { ($0.startTime, $0.runID) > ($1.startTime, $1.runID) }
        context["latest_runs"] = .list(all.prefix(Self.latestCount).map { .object(runFields($0, root: "")) })
        context["latest_failures"] = .list(all.lazy.filter(\.failed).prefix(Self.latestCount).map { .object(runFields($0, root: "")) })
        return .object(context)
    }

    /// `html/JOB/index.html`.
    func jobContext(_ report: JobReport) -> TemplateValue {
        var context = common(root: "../", title: report.job.name)
        context.merge(jobFields(report, root: "../")) { _, job in job }
        context["runs"] = .list(report.runs.reversed().map { .object(runFields($0, root: "../")) })
        return .object(context)
    }

    /// `html/JOB/RUN_ID/index.html`.
    func runContext(_ record: RunRecord, job: Job, output: RunOutputExcerpt?) -> TemplateValue {
        let run = ReportRun(record)
        var context = common(root: "../../", title: "\(job.name) \(record.runID)")
        context.merge(runFields(run, root: "../../")) { _, field in field }
        context["latency"] = .text(RunDuration.describe(run.startTime - run.scheduleTime))
        context["latency_seconds"] = .text(Self.seconds(run.startTime - run.scheduleTime))
        let trigger = record.triggerData
        context["trigger_kind"] = .text(trigger["type"]?.value.displayText.nonEmpty)
        context["trigger_description"] = .text(trigger["description"]?.value.displayText.nonEmpty)
        context["trigger_data"] = .text(Self.json(trigger))
        context["run_data"] = .text(Self.json(record.runData))
        context[NagiosField.runDataKey] = nagiosFields(RecordedCheck(runData: record.runData))
        if let interrupted = record.runData["interrupted"]?.value {
            context["interrupted"] = ["reason": .text(interrupted["reason"]?.value.displayText ?? "")]
        } else {
            context["interrupted"] = .null
        }
        context["timed_out"] = .bool(record.runData["timed_out"]?.value.boolValue ?? false)
        context["start_error"] = .text(record.runData["start_error"]?.value.stringValue)
        context["output_truncated"] = .bool(record.runData["output_truncated"]?.value.boolValue ?? false)
        if let output {
            context["output"] = [
                "head": .text(output.head),
                "tail": .text(output.tail),
                "elided": .bool(output.elidedBytes > 0),
                "elided_bytes": .text(String(output.elidedBytes)),
                "total_bytes": .text(String(output.totalBytes)),
                "file": .text(output.fileName),
            ]
        } else {
            context["output"] = .null
        }
        return .object(context)
    }

    /// What every page has.
    private func common(root: String, title: String) -> [String: TemplateValue] {
        [
            "title": .text(title),
            "generator": .text("dsari-swift \(DsariVersion.string)"),
            "version": .text(DsariVersion.string),
            "root": .text(root),
            "stylesheet": .text(root + "dsari.css"),
            "index_url": .text(root + "index.html"),
        ]
    }

    private func jobFields(_ report: JobReport, root: String) -> [String: TemplateValue] {
        let job = report.job
        let last = report.lastRun
        return [
            "job_name": .text(job.name),
            "job_url": .text(root + Self.urlPath([job.name])),
            "schedule": .text(job.schedule),
            "schedule_timezone": .text(job.scheduleTimezone),
            "job_group": .text(job.jobGroup),
            "nagios_check": .bool(job.nagiosCheck),
            "command": .text(ShellWords.quote(job.command)),
            "run_count": .text(String(report.runs.count)),
            "failure_count": .text(String(report.failureCount)),
            "success_count": .text(String(report.runs.count - report.failureCount)),
            "has_runs": .bool(last != nil),
            "status": .text(last?.status ?? "NO RUNS"),
            "status_class": .text(last?.statusClass ?? "none"),
            "last_run": last.map { .object(runFields($0, root: root)) } ?? .null,
            "last_success": report.lastSuccess.map { .object(runFields($0, root: root)) } ?? .null,
        ]
    }

    private func runFields(_ run: ReportRun, root: String) -> [String: TemplateValue] {
        [
            "job_name": .text(run.jobName),
            "job_url": .text(root + Self.urlPath([run.jobName])),
            "run_id": .text(run.runID),
            "url": .text(root + Self.urlPath([run.jobName, run.runID])),
            "schedule_time": .text(formatter.display(run.scheduleTime)),
            "start_time": .text(formatter.display(run.startTime)),
            "stop_time": .text(formatter.display(run.stopTime)),
            "schedule_time_iso": .text(formatter.iso(run.scheduleTime)),
            "start_time_iso": .text(formatter.iso(run.startTime)),
            "stop_time_iso": .text(formatter.iso(run.stopTime)),
            "duration": .text(RunDuration.describe(run.stopTime - run.startTime)),
            "duration_seconds": .text(Self.seconds(run.stopTime - run.startTime)),
            "exit_code": .text(String(run.exitCode)),
            "failed": .bool(run.failed),
            "status": .text(run.status),
            "status_class": .text(run.statusClass),
            "trigger_type": .text(run.triggerType),
            NagiosField.stateName.rawValue: .text(run.stateName),
            NagiosField.pluginOutput.rawValue: .text(run.pluginOutput),
        ]
    }

    /// The run's recorded check (`run_data.nagios`) for the run page, under its field names.
    private func nagiosFields(_ check: RecordedCheck?) -> TemplateValue {
        guard let check else { return .null }
        let perfdata: [TemplateValue] = check.perfdata.map { datum in
            var fields: [String: TemplateValue] = [:]
            for key in ["label", "value", "uom", "warn", "crit", "min", "max"] {
                fields[key] = .text(datum.value[key]?.value.displayText ?? "")
            }
            return .object(fields)
        }
        let fields: [(NagiosField, TemplateValue)] = [
            (.currentState, .text(String(check.state.rawValue))),
            (.stateName, .text(check.state.name)),
            (.pluginOutput, .text(check.pluginOutput.nonEmpty)),
            (.longPluginOutput, .text(check.longPluginOutput.nonEmpty)),
            (.performanceData, .text(check.performanceData.nonEmpty)),
            (.perfdata, .list(perfdata)),
            (.note, .text(check.note?.nonEmpty)),
        ]
        var object = Dictionary(uniqueKeysWithValues: fields.map { ($0.0.rawValue, $0.1) })
        object["state_class"] = .text(check.state.name.lowercased())
        object["has_perfdata"] = .bool(!perfdata.isEmpty)
        return .object(object)
    }

    /// Pretty JSON of a mapping, keys sorted; nil when it is empty.
    private static func json(_ value: ConfigValue) -> String? {
        if case .mapping(let entries) = value, entries.isEmpty { return nil }
        if value.isNull { return nil }
        return value.jsonString(pretty: true, sortedKeys: true)
    }

    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// Path components percent-encoded (all but `A-Z a-z 0-9 - . _ ~`), so
    /// that a job named `db:backup` or `nightly build` links right, then `/index.html`.
    static func urlPath(_ components: [String]) -> String {
        components.map { component in
            var encoded = ""
            for byte in component.utf8 {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                    UInt8(ascii: "~"):
                    encoded.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    encoded += String(format: "%%%02X", byte)
                }
            }
            return encoded + "/"
        }.joined() + "index.html"
    }
}

extension ConfigValue {
    /// A scalar as text for a page (numbers as Python prints them); a list or
    /// mapping as one-line JSON.
    var displayText: String {
        switch self {
        case .null: ""
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .double(let number): number.pythonRepr
        case .string(let text): text
        case .array, .mapping: jsonString(pretty: false, sortedKeys: true)
        }
    }
}

extension String {
    /// nil for the empty string.
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
