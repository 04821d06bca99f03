import DsariCore
import DsariNagios

/// Renders each template on made-up pages before any real page is written:
/// one where every optional value is present (a Nagios check run with
/// performance data, trigger data, an interruption, cut output…) and one
/// where none is (no jobs, a bare run without output). Between them every
/// section and inverted section of a template is entered, so a misspelt
/// variable is reported with its file and line at once, not after half of
/// the pages were written.
struct TemplatePreflight {
    let builder: ReportContextBuilder

    func check(_ templates: ReportTemplates) throws(TemplateError) {
        let full = Self.fullRun
        let bare = Self.bareRun
        let job = Job(
            name: full.jobName, command: ["check", "--all"], schedule: "H * * * *", scheduleTimezone: "UTC", jobGroup: "group",
            nagiosCheck: true)
        var withRuns = JobReport(job: job)
        withRuns.add(ReportRun(full))
        withRuns.add(ReportRun(bare))
        let withoutRuns = JobReport(job: Job(name: "idle", command: ["true"]))
        let output = RunOutputExcerpt(head: "first", tail: "last", elidedBytes: 10, totalBytes: 19, fileName: DataLayout.outputFileName)

        _ = try templates.index.render(builder.indexContext(jobs: [withRuns, withoutRuns]))
        _ = try templates.index.render(builder.indexContext(jobs: []))
        _ = try templates.job.render(builder.jobContext(withRuns))
        _ = try templates.job.render(builder.jobContext(withoutRuns))
        _ = try templates.run.render(builder.runContext(full, job: job, output: output))
        _ = try templates.run.render(builder.runContext(bare, job: withoutRuns.job, output: nil))
    }

    private static let fullRun = RunRecord(
        jobName: "check", runID: "00000000-0000-4000-8000-000000000001", scheduleTime: 1_700_000_000, startTime: 1_700_000_001,
        stopTime: 1_700_000_002, exitCode: 2, triggerType: "file",
        triggerData: ["type": "manual", "description": "a test", "environment": ["K": "v"]],
        runData: [
            NagiosField.runDataKey: .mapping(
                ([
                    (.currentState, 2), (.stateName, "CRITICAL"), (.pluginOutput, "CRITICAL - down"), (.longPluginOutput, "more"),
                    (.performanceData, "t=1s;1;2;0;5"), (.note, "a note"),
                    (.perfdata, [["label": "t", "value": 1.0, "uom": "s", "warn": "1", "crit": "2", "min": 0.0, "max": 5.0]]),
                ] as [(NagiosField, ConfigValue)]).map { ConfigValue.Entry(key: $0.0.rawValue, value: ConfigNode($0.1)) }),
            "interrupted": ["reason": "the daemon stopped"], "timed_out": true, "start_error": "not found",
            "output_truncated": true,
        ])

    private static let bareRun = RunRecord(
        jobName: "check", runID: "00000000-0000-4000-8000-000000000002", scheduleTime: 1_700_000_100, startTime: 1_700_000_100,
        stopTime: 1_700_000_101, exitCode: 0)
}
