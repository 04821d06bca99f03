import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

/// End-to-end: the built `dsari-render` on a real run database and data directory.
@Suite("dsari-render (built binary)")
struct RenderCommandTests {
    typealias Fixture = RenderFixture

    @Test func indexListsEveryRenderedJobAndEveryFinishedRunGetsAPage() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        let result = try fixture.render()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(
            result.standardError.contains("4 run pages, 4 job pages, the index and the stylesheet written"), "\(result.standardError)")

        let expected =
            ["index.html", "dsari.css"] + ["build", "check", "db backup", "idle"].map { "\($0)/index.html" }
            + Fixture.finished.map(Fixture.runPage)
        #expect(fixture.files() == expected.sorted())

        let index = try fixture.page("index.html")
        for (job, link) in [("build", "build"), ("check", "check"), ("db backup", "db%20backup"), ("idle", "idle")] {
            #expect(index.contains("<a href=\"\(link)/index.html\">\(job)</a>"), "\(job) in the index")
        }
        #expect(!index.contains("hidden"), "a job with render_reports: false is not listed")
        // The build job's last run failed (exit 1): its row says so and links the run.
        let buildRow = try #require(index.range(of: "<a href=\"build/index.html\">build</a>").map { index[$0.lowerBound...] })
        #expect(buildRow.prefix(700).contains("FAILED"))
        #expect(buildRow.prefix(700).contains("href=\"build/\(Fixture.buildFailed.runID)/index.html\""))
        #expect(index.contains("<link rel=\"stylesheet\" href=\"dsari.css\">"))
        // No third-party stylesheet or script anywhere.
        for file in fixture.files() { #expect(!(try fixture.page(file)).contains("http"), "\(file) refers to nothing outside") }
    }

    @Test func hiddenJobsAndRunningRunsGetNoPage() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        #expect(try fixture.render().status == 0)
        #expect(!fixture.exists("hidden"))
        #expect(!fixture.exists(Fixture.runPage(Fixture.buildRunning)))
        #expect(!(try fixture.page("build/index.html")).contains(Fixture.buildRunning.runID))
    }

    @Test func jobPageListsRunsNewestFirstWithFailuresMarked() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        #expect(try fixture.render().status == 0)
        let page = try fixture.page("build/index.html")
        let failed = try #require(page.range(of: Fixture.buildFailed.runID))
        let passed = try #require(page.range(of: Fixture.buildPassed.runID))
        #expect(failed.lowerBound < passed.lowerBound, "newest first")
        #expect(page.contains("<tr class=\"failed\">\n  <td><a href=\"../build/\(Fixture.buildFailed.runID)/index.html\">"))
        #expect(page.contains("<tr class=\"ok\">\n  <td><a href=\"../build/\(Fixture.buildPassed.runID)/index.html\">"))
        #expect(page.contains("<td class=\"number\">1m 02s</td>"), "the passed run's duration (62.5 s)")
        #expect(page.contains("<code>make all</code>"))
        #expect(page.contains("<code>H * * * *</code>"))
    }

    @Test func runPageShowsTheRunWithEveryTextEscaped() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        #expect(try fixture.render().status == 0)
        let page = try fixture.page(Fixture.runPage(Fixture.buildPassed))
        #expect(page.contains("hello &lt;script&gt;alert(1)&lt;/script&gt;\n</pre>"))
        #expect(!page.contains("<script"))
        #expect(!page.contains("<i>"))
        #expect(page.contains("<tr><th>Description</th><td>&lt;i&gt;deploy&lt;/i&gt; now</td></tr>"))
        #expect(page.contains("<tr><th>Trigger</th><td>file (manual)</td></tr>"))
        #expect(page.contains("&quot;K&quot;: &quot;&lt;v&gt;&quot;"), "trigger data as JSON, escaped")
        #expect(page.contains("<time datetime=\"2024-03-09T16:00:01.500000+00:00\">2024-03-09 16:00:01 +00:00</time>"))
        #expect(page.contains("<tr><th>Duration</th><td>1m 02s (62.500 s)</td></tr>"))
        #expect(page.contains("<tr><th>Exit code</th><td class=\"ok\">0</td></tr>"))
        #expect(page.contains("<a href=\"../../build/index.html\">build</a>"))
        #expect(page.contains("href=\"../../dsari.css\""))
    }

    @Test func checkRunPageShowsTheNagiosResult() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        #expect(try fixture.render().status == 0)
        let page = try fixture.page(Fixture.runPage(Fixture.checkWarning))
        #expect(page.contains("<span class=\"badge warning\">WARNING</span>"))
        #expect(page.contains("<tr><th>Plugin output</th><td>DISK WARNING - &lt;b&gt;90%&lt;/b&gt; used</td></tr>"))
        #expect(
            page.contains(
                "<tr><td>/ used</td><td class=\"number\">90.0</td><td>%</td><td>80</td><td>95</td><td>0.0</td><td>100.0</td></tr>"))
        #expect(page.contains("<code>&#39;/ used&#39;=90%;80;95;0;100</code>"))
        let job = try fixture.page("check/index.html")
        #expect(job.contains("<tr class=\"warning\">"))
        #expect(job.contains("WARNING <span class=\"output\">DISK WARNING - &lt;b&gt;90%&lt;/b&gt; used</span>"))
    }

    /// `report_run_output_start` / `_end`: the first and last bytes, and a marker saying how many are not shown.
    @Test(arguments: [(10, 8), (10, 0), (0, 8)])
    func outputLimitsKeepTheStartAndEnd(start: Int, end: Int) throws {
        let fixture = try Fixture(settings: "report_run_output_start: \(start)\nreport_run_output_end: \(end)")
        defer { fixture.home.remove() }
        let output = "BEGIN<&>->" + String(repeating: "middle line\n", count: 200) + "<-THE-END\n"
        try fixture.writeOutput(Fixture.buildFailed, output)
        try fixture.writeOutput(Fixture.buildPassed, "ok <b>\n")
        #expect(try fixture.render().status == 0)
        let bytes = Array(output.utf8)
        let head = String(decoding: bytes.prefix(start), as: UTF8.self)
        let tail = String(decoding: bytes.suffix(end), as: UTF8.self)
        let hidden = bytes.count - start - end
        let page = try fixture.page(Fixture.runPage(Fixture.buildFailed))
        #expect(
            page.contains(
                "<pre class=\"output\">\(head.htmlEscaped)\n<span class=\"elided\">[… \(hidden) bytes not shown …]</span>\n\(tail.htmlEscaped)</pre>"
            ))
        #expect(page.contains("output.txt: \(bytes.count) bytes, of which \(hidden) are not shown"))
        #expect(!page.contains("middle line"))
        // Output within the limits (7 bytes) is shown whole.
        let short = try fixture.page(Fixture.runPage(Fixture.buildPassed))
        #expect(short.contains("<pre class=\"output\">ok &lt;b&gt;\n</pre>"))
    }

    /// As dsari: with `report_html_gz` each page is `index.html.gz` instead of
    /// `index.html`; they decompress (with gzip itself) to the same pages.
    @Test func gzipPagesHoldTheSameHTML() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        #expect(try fixture.render().status == 0)
        let pages = fixture.files().filter { $0.hasSuffix(".html") }
        #expect(pages.count == 9)
        let plain = try Dictionary(uniqueKeysWithValues: pages.map { ($0, try fixture.page($0)) })

        try fixture.writeConfig(settings: "report_html_gz: true")
        let result = try fixture.render()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(fixture.files() == (pages.map { $0 + ".gz" } + ["dsari.css"]).sorted(), "the plain pages are replaced")
        for page in pages {
            #expect(try Fixture.gunzip(fixture.html(page + ".gz")) == plain[page], "\(page).gz")
        }
        #expect(try fixture.render().standardError.contains("nothing new to write"), "unchanged .gz pages are recognised")
    }

    @Test func aSecondRenderWritesNothingUntilANewRunAndRegenerateWritesAll() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        #expect(try fixture.render().status == 0)
        let first = try fixture.inodes()
        #expect(first.count == 10)

        let again = try fixture.render()
        #expect(again.status == 0)
        #expect(again.standardError.contains("nothing new to write; 4 run pages and 4 job pages unchanged"), "\(again.standardError)")
        #expect(try fixture.inodes() == first)

        let newRun = RunRecord(
            jobName: "build", runID: "11111111-aaaa-4aaa-8aaa-000000000009", scheduleTime: 1_710_001_000,
            startTime: 1_710_001_000, stopTime: 1_710_001_005, exitCode: 0)
        try fixture.store.recordFinished([newRun])
        let third = try fixture.render(["--debug"])
        #expect(third.standardError.contains("1 run page, 1 job page and the index written"), "\(third.standardError)")
        let after = try fixture.inodes()
        #expect(after[Fixture.runPage(newRun)] != nil)
        for file in ["index.html", "build/index.html"] { #expect(after[file] != first[file], "\(file) rewritten") }
        for (file, inode) in first where !["index.html", "build/index.html"].contains(file) {
            #expect(after[file] == inode, "\(file) left alone")
        }
        #expect(third.standardError.contains("DEBUG wrote \(fixture.html(Fixture.runPage(newRun)))"))
        // Its stderr holds log lines in the daemon's format only (one logger, #17), --debug's too.
        let lines = third.standardError.split(separator: "\n")
        let format = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) \S.*$/
        #expect(lines.count >= 3 && lines.allSatisfy { $0.wholeMatch(of: format) != nil }, "\(third.standardError)")
        let summary =
            "INFO reports rendered: 1 run page, 1 job page and the index written; 4 run pages and 3 job pages unchanged"
            + " output_dir=\(fixture.home.url("var/html"))"
        #expect(third.standardError.contains(summary), "\(third.standardError)")
        #expect(try fixture.page("build/index.html").contains(newRun.runID))

        let regenerated = try fixture.render(["-r"])
        #expect(regenerated.standardError.contains("5 run pages, 4 job pages, the index and the stylesheet written"))
        let last = try fixture.inodes()
        for (file, inode) in after { #expect(last[file] != inode, "\(file) written again by -r") }
    }

    @Test func aPageWrittenHalfwayIsNeverSeen() throws {
        let fixture = try Fixture()
        defer { fixture.home.remove() }
        #expect(try fixture.render().status == 0)
        // No temporary file (".NAME.XXXXXX") is left behind, and every page is whole and readable by a web server.
        #expect(fixture.files().allSatisfy { !($0 as NSString).lastPathComponent.hasPrefix(".") }, "\(fixture.files())")
        for file in fixture.files() where file.hasSuffix(".html") {
            #expect(try fixture.page(file).hasSuffix("</html>\n"), "\(file) is complete")
            let mode = try FileManager.default.attributesOfItem(atPath: fixture.html(file))[.posixPermissions] as? Int
            #expect(mode == Int(DurableFile.creationMode(0o644)), "\(file): \(String(mode ?? 0, radix: 8))")
        }
    }

    @Test func templateDirOverridesOnlyTheFilesItHas() throws {
        let fixture = try Fixture(settings: "template_dir: templates")
        defer { fixture.home.remove() }
        try fixture.home.write(
            "etc/templates/job.html",
            """
            <h1>{{job_name}}</h1>
            {{#runs}}
            <p class="{{status_class}}">{{run_id}} {{{exit_code}}}</p>
            {{/runs}}

            """)
        try fixture.home.write("etc/templates/dsari.css", "body { color: teal; }\n")
        let result = try fixture.render(["--debug"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("template job.html ← \(fixture.home.url("etc/templates/job.html"))"))
        #expect(result.standardError.contains("template run.html ← built-in"))
        let expected =
            "<h1>build</h1>\n<p class=\"failed\">\(Fixture.buildFailed.runID) 1</p>\n<p class=\"ok\">\(Fixture.buildPassed.runID) 0</p>\n"
        #expect(try fixture.page("build/index.html") == expected)
        #expect(try fixture.page("dsari.css") == "body { color: teal; }\n")
        #expect(try fixture.page("index.html").contains("<h2>Latest runs</h2>"), "the built-in index")
    }

    @Test func aTemplateSyntaxErrorNamesTheFileAndLineAndWritesNothing() throws {
        let fixture = try Fixture(settings: "template_dir: templates")
        defer { fixture.home.remove() }
        let file = try fixture.home.write("etc/templates/run.html", "<html>\n<body>\n  {{#output}}<pre>{{head}}</pre>\n</body>\n")
        let result = try fixture.render()
        #expect(result.status == 1)
        #expect(
            result.standardError.contains("ERROR template \(file):3:3: {{#output}} is never closed (no {{/output}} follows)."),
            "\(result.standardError)")
        #expect(!fixture.exists(""), "nothing written")
    }

    @Test func aMisspeltVariableIsFoundBeforeAnyPageIsWritten() throws {
        let fixture = try Fixture(settings: "template_dir: templates")
        defer { fixture.home.remove() }
        // The index is made last: without the preflight, run and job pages would be written before the error.
        let file = try fixture.home.write(
            "etc/templates/index.html", "<ul>\n{{#jobs}}{{#last_run}}<li>{{exit_cod}}</li>{{/last_run}}{{/jobs}}\n")
        let result = try fixture.render()
        #expect(result.status == 1)
        #expect(
            result.standardError.contains("ERROR template \(file):2:27: there is no variable \"exit_cod\" here"), "\(result.standardError)"
        )
        #expect(!fixture.exists(""))
    }

    @Test func withoutARunDatabaseTheJobsAreListedWithoutRuns() throws {
        let fixture = try Fixture(database: false)
        defer { fixture.home.remove() }
        let result = try fixture.render()
        #expect(result.status == 0, "\(result.standardError)")
        #expect(
            fixture.files() == [
                "build/index.html", "check/index.html", "db backup/index.html", "dsari.css", "idle/index.html", "index.html",
            ])
        #expect(try fixture.page("build/index.html").contains("No finished run yet."))
    }

    @Test func aBadConfigurationIsRefused() throws {
        let fixture = try Fixture(settings: "report_html_gz: maybe")
        defer { fixture.home.remove() }
        let result = try fixture.render()
        #expect(result.status == 1)
        #expect(result.standardError.contains("report_html_gz"))
        #expect(!fixture.exists(""))
    }

    /// The printed built-in templates are the ones in use: copied into
    /// template_dir, they give the very same pages.
    @Test func printedBuiltInTemplatesRenderTheSamePages() throws {
        let builtIn = try Fixture()
        defer { builtIn.home.remove() }
        #expect(try builtIn.render().status == 0)
        let custom = try Fixture(settings: "template_dir: templates")
        defer { custom.home.remove() }
        for name in ["index.html", "job.html", "run.html", "dsari.css"] {
            let printed = try custom.render(["--print-template", name])
            #expect(printed.status == 0)
            #expect(printed.standardOutput.count > 100)
            try custom.home.write("etc/templates/\(name)", printed.standardOutput)
        }
        let result = try custom.render(["--debug"])
        #expect(!result.standardError.contains("built-in"), "\(result.standardError)")
        #expect(custom.files() == builtIn.files())
        for file in builtIn.files() { #expect(try custom.page(file) == builtIn.page(file), "\(file)") }

        let unknown = try custom.render(["--print-template", "nope.html"])
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("expected one of index.html, job.html, run.html, dsari.css"))
    }

    /// A real daemon runs a job and a Nagios check; their pages show what they printed.
    @Test func rendersWhatARealDaemonRecorded() throws {
        let daemon = try DaemonProcess(
            config: """
                jobs:
                  shout: {command: [/bin/sh, -c, 'echo "<script>x()</script>"; exit 3'], schedule: '* * * * * *'}
                  chk: {command: [/bin/sh, -c, 'echo "OK - fine | t=5ms;;;"'], schedule: '* * * * * *', nagios_check: true}
                """)
        defer { daemon.stop() }
        try daemon.start()
        let recorded = eventually(timeout: 30) {
            guard let store = try? SQLiteRunStore(path: daemon.databasePath, readOnly: true) else { return false }
            let runs = (try? store.runs(jobNames: [], runIDs: [], finished: true, running: false)) ?? []
            return Set(runs.map(\.jobName)) == ["shout", "chk"]
        }
        daemon.stop(keepHome: true)
        #expect(recorded, "\(daemon.log)")
        let runs = try SQLiteRunStore(path: daemon.databasePath, readOnly: true).runs(jobNames: [], runIDs: [], running: false)

        let result = try BinaryRunner("dsari-render").run(
            ["-c", daemon.configDirectory], environment: ["DSARI_HOME": daemon.home.path], timeout: 60)
        #expect(result.status == 0, "\(result.standardError)")
        for run in runs {
            let page = try String(
                contentsOfFile: daemon.home.url("var/html/\(run.jobName)/\(run.runID)/index.html"), encoding: .utf8)
            if run.jobName == "shout" {
                #expect(page.contains("&lt;script&gt;x()&lt;/script&gt;"))
                #expect(page.contains("<td class=\"failed\">3</td>"))
            } else {
                #expect(page.contains("<span class=\"badge ok\">OK</span>"))
                #expect(page.contains("<tr><td>t</td><td class=\"number\">5.0</td><td>ms</td>"))
            }
        }
        let index = try String(contentsOfFile: daemon.home.url("var/html/index.html"), encoding: .utf8)
        #expect(index.contains("<td class=\"number\">\(runs.filter { $0.jobName == "shout" }.count)</td>"))
    }
}
