import ArgumentParser
import DsariCore
import DsariEngine
import DsariRender

/// `dsari-render [-r] [--debug]`: static HTML reports of the finished runs in `DATA_DIR/html/`.
public struct RenderCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dsari-render",
        abstract: "Do Something and Record It - static HTML reports.",
        discussion: """
            Writes DATA_DIR/html/index.html, JOB/index.html for each job with render_reports and \
            JOB/RUN_ID/index.html for each finished run. A run's page is written once; the index and the job \
            pages only when what they show changed. Honours template_dir, report_html_gz and \
            report_run_output_start/_end.
            """,
        version: DsariVersion.string)

    @OptionGroup var options: ConfigDirectoryOptions
    @Flag(name: [.short, .long], help: "Write every page again, even those that exist and are unchanged.")
    var regenerate = false
    @Flag(help: "List the templates used and every file written.") var debug = false
    @Option(
        help: ArgumentHelp(
            "Print a built-in template (\(BuiltInTemplates.fileNames.joined(separator: ", "))) to start your own from, and exit.",
            valueName: "name"))
    var printTemplate: String?

    public init() {}

    public func validate() throws {
        if let name = printTemplate, BuiltInTemplates.source(of: name) == nil {
            throw ValidationError(
                "--print-template \(name.quotedForMessage): expected one of \(BuiltInTemplates.fileNames.joined(separator: ", ")).")
        }
    }

    public func run() throws {
        if let name = printTemplate, let source = BuiltInTemplates.source(of: name) {
            print(source, terminator: "")
            return
        }
        // Every line on stderr is a log line in the daemon's format
        // (`LineLogHandler`): dsari-render runs from cron beside the daemon,
        // and its lines land in the same logs.
        let log = DaemonLog(debug: debug)
        let config = try options.loadConfig(log: log)
        let history = try RunHistory(config: config, applicationName: "dsari-render", report: { log.error($0) })
        let renderer = ReportRenderer(config: config, options: .init(regenerate: regenerate))
        let summary: ReportRenderer.Summary
        do {
            summary = try renderer.render(store: history.store)
        } catch let error as TemplateError {
            log.error("template \(error)")
            throw ExitCode(1)
        } catch {
            log.error("\(error)")
            throw ExitCode(1)
        }
        for warning in summary.warnings { log.warning("\(warning)") }
        for skipped in summary.skippedRuns { log.warning("run skipped: \(skipped)") }
        for origin in summary.templateOrigins { log.debug("template \(origin)") }
        for file in summary.writtenFiles { log.debug("wrote \(file)") }
        log.info("reports rendered: \(Self.describe(summary))", ["output_dir": renderer.outputDirectory])
    }

    /// `2 run pages, 1 job page and the index written; 40 run pages and 3 job pages unchanged`.
    static func describe(_ summary: ReportRenderer.Summary) -> String {
        func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
        var written: [String] = []
        if summary.runPagesWritten > 0 { written.append(count(summary.runPagesWritten, "run page")) }
        if summary.jobPagesWritten > 0 { written.append(count(summary.jobPagesWritten, "job page")) }
        if summary.indexWritten { written.append("the index") }
        if summary.stylesheetWritten { written.append("the stylesheet") }
        var text = written.isEmpty ? "nothing new to write" : sentence(written) + " written"
        var unchanged: [String] = []
        if summary.runPagesKept > 0 { unchanged.append(count(summary.runPagesKept, "run page")) }
        if summary.jobPagesUnchanged > 0 { unchanged.append(count(summary.jobPagesUnchanged, "job page")) }
        if !unchanged.isEmpty { text += "; " + sentence(unchanged) + " unchanged" }
        return text
    }

    /// `a`, `a and b`, `a, b and c`.
    private static func sentence(_ items: [String]) -> String {
        guard let last = items.last else { return "" }
        return items.count == 1 ? last : items.dropLast().joined(separator: ", ") + " and " + last
    }
}
