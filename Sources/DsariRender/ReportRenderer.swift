import DsariCore
import DsariStore
import Foundation

/// `dsari-render`'s work: static HTML reports of the finished runs in
/// `DATA_DIR/html/` — `index.html`, `JOB/index.html` per job,
/// `JOB/RUN_ID/index.html` per run, and `dsari.css`.
///
/// Incremental, as dsari: a run's page is written once, when it does not
/// exist yet (finished runs do not change); the index, the job pages and
/// the stylesheet are made every time and written only when their content
/// differs from the file's, so a render with nothing new writes nothing.
/// `regenerate` writes every page. Jobs with `render_reports: false` and
/// their runs get no page and no link.
public struct ReportRenderer {
    public struct Options: Sendable {
        /// Write every page, even those that exist and are unchanged.
        public var regenerate = false
        public init(regenerate: Bool = false) { self.regenerate = regenerate }
    }

    /// What a render did, for the summary line and `--debug`.
    public struct Summary: Sendable {
        public var runPagesWritten = 0
        /// Run pages that existed and were left alone.
        public var runPagesKept = 0
        public var jobPagesWritten = 0
        public var jobPagesUnchanged = 0
        public var indexWritten = false
        public var stylesheetWritten = false
        /// Every file written, in order.
        public var writtenFiles: [String] = []
        /// Runs that got no page, with the reason (an id that is no safe directory name).
        public var skippedRuns: [String] = []
        public var templateOrigins: [String] = []
        public var warnings: [String] = []
    }

    let config: Config
    let options: Options

    public init(config: Config, options: Options = Options()) {
        self.config = config
        self.options = options
    }

    /// `DATA_DIR/html`.
    public var outputDirectory: String { DsariPaths.join(config.dataDir, "html") }

    /// Renders from `store` (nil: there is no run database yet, so no runs).
    /// Throws `TemplateError` for a broken template (before anything is
    /// written) and `ReportError` for a file that cannot be read or written.
    public func render(store: (any RunStore)?) throws -> Summary {
        let templates = try ReportTemplates.load(templateDirectory: config.templateDir)
        let builder = ReportContextBuilder(formatter: ReportTimeFormatter())
        try TemplatePreflight(builder: builder).check(templates)
        var summary = Summary()
        summary.templateOrigins = templates.origins
        summary.warnings = templates.warnings
        let writer = PageWriter(root: outputDirectory, compress: config.reportHTMLGz)

        var reports: [String: JobReport] = [:]
        for job in config.jobs.values where job.renderReports {
            reports[job.name] = JobReport(job: job)
        }
        if let store, !reports.isEmpty {
            do {
                try store.forEachRun(RunQuery(finished: true, running: false)) { row in
                    let jobName = row.jobName
                    guard reports[jobName] != nil else { return }
                    let runID = row.runID
                    guard ReportRun.isSafePathComponent(runID) else {
                        summary.skippedRuns.append("\(jobName) \(runID.quotedForMessage): not usable as a directory name")
                        return
                    }
                    let record = row.record
                    reports[jobName]?.add(ReportRun(record))
                    let page = "\(jobName)/\(runID)/index.html"
                    if !options.regenerate && writer.pageExists(page) {
                        summary.runPagesKept += 1
                        return
                    }
                    try writeRunPage(record, page: page, templates: templates, builder: builder, writer: writer)
                    summary.runPagesWritten += 1
                    summary.writtenFiles.append(writer.file(forPage: page))
                }
            } catch let error as RunStoreError {
                throw ReportError("cannot read the run history: \(error)")
            }
        }

        let jobs = reports.values.sorted { $0.job.name < $1.job.name }
        for report in jobs {
            let page = "\(report.job.name)/index.html"
            let html = try templates.job.render(builder.jobContext(report))
            if try writer.writePage(page, html: html, onlyIfChanged: !options.regenerate) {
                summary.jobPagesWritten += 1
                summary.writtenFiles.append(writer.file(forPage: page))
            } else {
                summary.jobPagesUnchanged += 1
            }
        }
        let index = try templates.index.render(builder.indexContext(jobs: jobs))
        if try writer.writePage("index.html", html: index, onlyIfChanged: !options.regenerate) {
            summary.indexWritten = true
            summary.writtenFiles.append(writer.file(forPage: "index.html"))
        }
        if try writer.writeFile("dsari.css", bytes: Array(templates.stylesheet.utf8), onlyIfChanged: !options.regenerate) {
            summary.stylesheetWritten = true
            summary.writtenFiles.append(DsariPaths.join(outputDirectory, "dsari.css"))
        }
        return summary
    }

    private func writeRunPage(
        _ record: RunRecord, page: String, templates: ReportTemplates, builder: ReportContextBuilder, writer: PageWriter
    ) throws {
        let runDirectory = DataLayout(dataDirectory: config.dataDir).runDirectory(job: record.jobName, runID: record.runID)
        let output: RunOutputExcerpt?
        do {
            output = try RunOutputExcerpt.read(
                runDirectory: runDirectory, startLimit: config.reportRunOutputStart, endLimit: config.reportRunOutputEnd)
        } catch {
            throw ReportError("cannot read the output of run \(record.runID) in \(runDirectory): \(error)")
        }
        guard let job = config.jobs[record.jobName] else { return }
        let html = try templates.run.render(builder.runContext(record, job: job, output: output))
        try writer.writePage(page, html: html, onlyIfChanged: false)
    }
}
