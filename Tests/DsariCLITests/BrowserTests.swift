import DsariStore
import DsariTestSupport
import Foundation
import Testing

/// The HTML surfaces in a real browser: dsari-render's pages and the live
/// `/status` page, loaded in headless Chromium (Debian's `chromium`),
/// screenshotted to PNG under `.build/screenshots/` (not in git), and
/// required to load without a single console message (no script error,
/// no missing stylesheet).
@Suite("Pages in headless Chromium")
struct BrowserTests {
    static let chromium = "/usr/bin/chromium"
    static let screenshots = OracleScript.packageRoot.appendingPathComponent(".build/screenshots").path

    /// Loads `url`, writes `name`.png, and returns the browser's console lines.
    static func screenshot(_ url: String, name: String, profile: TemporaryDirectory) throws -> (png: String, console: [String]) {
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let png = (screenshots as NSString).appendingPathComponent("\(name).png")
        try? FileManager.default.removeItem(atPath: png)
        let result = try BinaryRunner(path: chromium).run(
            [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                "--user-data-dir=\(profile.url("chromium-\(name)"))", "--window-size=1280,1000", "--screenshot=\(png)", url,
            ], timeout: 60)
        #expect(result.status == 0 && !result.timedOut, "chromium on \(url): \(result.standardError)")
        let console = result.standardError.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return (png, console)
    }

    @Test func renderedReportsAndTheStatusPageLoadCleanly() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.chromium), "script/test installs chromium")
        let daemon = try DaemonProcess(
            config: """
                jobs:
                  backup: {command: [/bin/sh, -c, 'echo "copied 3 files"'], schedule: "* * * * * *"}
                  broken: {command: [/bin/sh, -c, 'echo "<script>alert(1)</script> failed" >&2; exit 3'], schedule: "* * * * * *"}
                  disk: {command: [/bin/sh, -c, 'echo "DISK WARNING - 91% used <b>/</b> | used=91%;80;90;0;100"; exit 1'], schedule: "* * * * * *", nagios_check: true, max_check_attempts: 2}
                """)
        defer { daemon.stop() }
        try daemon.start()
        #expect(
            eventually(timeout: 30) {
                guard let runs = try? SQLiteRunStore(path: daemon.databasePath).runs(jobNames: [], runIDs: [], running: false) else {
                    return false
                }
                return Set(runs.map(\.jobName)) == ["backup", "broken", "disk"]
            }, "\(daemon.log)")
        let render = try BinaryRunner("dsari-render").run(["-c", daemon.configDirectory], environment: ["DSARI_HOME": daemon.home.path])
        #expect(render.status == 0, "\(render.standardError)")
        let html = daemon.dataDirectory + "/html"
        let run = try #require(try SQLiteRunStore(path: daemon.databasePath).runs(jobNames: ["disk"], runIDs: [], running: false).first)
        var pages = [
            ("report-index", "file://\(html)/index.html"), ("report-job", "file://\(html)/broken/index.html"),
            ("report-run", "file://\(html)/disk/\(run.runID)/index.html"),
        ]
        // The live status page, from the exporter on 127.0.0.1.
        let exporter = try ExporterProcess(home: daemon.home)
        defer { exporter.stop() }
        let port = exporter.port
        #expect(eventually(timeout: 30) { (try? httpBody(port: port, path: "/status"))?.contains("dsari status") ?? false })
        pages.append(("status", "http://127.0.0.1:\(port)/status"))
        for (name, url) in pages {
            let (png, console) = try Self.screenshot(url, name: name, profile: daemon.home)
            let size = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
            #expect(size > 5_000, "\(name): screenshot of \(size) bytes")
            #expect(console.isEmpty, "\(name) (\(url)) logged: \(console)")
            print("screenshot: \(png)")
        }
    }
}
