import DsariCore
import DsariStore
import DsariTestSupport
import Foundation
import Testing

/// A DSARI_HOME with five jobs and a run database filled through `RunStore`
/// (as the daemon fills it), with run output files; `render` runs the built
/// `dsari-render` on it. Times print in UTC (`TZ`).
struct RenderFixture {
    let home: TemporaryDirectory
    let store: SQLiteRunStore
    var environment: [String: String] { ["DSARI_HOME": home.path, "TZ": "UTC"] }

    static let buildPassed = RunRecord(
        jobName: "build", runID: "11111111-aaaa-4aaa-8aaa-000000000001", scheduleTime: 1_710_000_000,
        startTime: 1_710_000_001.5, stopTime: 1_710_000_064, exitCode: 0, triggerType: "file",
        triggerData: ["type": "manual", "description": "<i>deploy</i> now", "environment": ["K": "<v>"]],
        runData: ["pid": 12])
    static let buildFailed = RunRecord(
        jobName: "build", runID: "11111111-aaaa-4aaa-8aaa-000000000002", scheduleTime: 1_710_000_100,
        startTime: 1_710_000_100, stopTime: 1_710_000_110, exitCode: 1)
    static let checkWarning = RunRecord(
        jobName: "check", runID: "22222222-bbbb-4bbb-8bbb-000000000001", scheduleTime: 1_710_000_200,
        startTime: 1_710_000_200, stopTime: 1_710_000_201, exitCode: 1,
        runData: [
            "nagios": [
                "current_state": 1, "state_name": "WARNING", "plugin_output": "DISK WARNING - <b>90%</b> used",
                "long_plugin_output": "", "performance_data": "'/ used'=90%;80;95;0;100",
                "perfdata": [["label": "/ used", "value": 90.0, "uom": "%", "warn": "80", "crit": "95", "min": 0.0, "max": 100.0]],
            ]
        ])
    static let hiddenRun = RunRecord(
        jobName: "hidden", runID: "33333333-cccc-4ccc-8ccc-000000000001", scheduleTime: 1_710_000_300,
        startTime: 1_710_000_300, stopTime: 1_710_000_301, exitCode: 0)
    static let backupRun = RunRecord(
        jobName: "db backup", runID: "44444444-dddd-4ddd-8ddd-000000000001", scheduleTime: 1_710_000_400,
        startTime: 1_710_000_400, stopTime: 1_710_000_402, exitCode: 0)
    static let buildRunning = RunRecord(
        jobName: "build", runID: "11111111-aaaa-4aaa-8aaa-000000000003", scheduleTime: 1_710_000_500, startTime: 1_710_000_500)

    static let finished = [buildPassed, buildFailed, checkWarning, backupRun]

    /// `settings`: more top-level YAML for dsari.yaml (e.g. `report_html_gz: true`).
    init(settings: String = "", database: Bool = true) throws {
        home = try TemporaryDirectory(prefix: "dsari-render-cli")
        try FileManager.default.createDirectory(atPath: home.url("var"), withIntermediateDirectories: true)
        store = try SQLiteRunStore(path: home.url(database ? "var/dsari.sqlite3" : "elsewhere.sqlite3"))
        try writeConfig(settings: settings)
        guard database else { return }
        try store.recordStart(Self.buildRunning)
        try store.recordFinished([Self.buildPassed, Self.buildFailed, Self.checkWarning, Self.hiddenRun, Self.backupRun])
        try writeOutput(Self.buildPassed, "hello <script>alert(1)</script>\n")
        try writeOutput(Self.buildFailed, "make: *** [all] Error 1\n")
        try writeOutput(Self.checkWarning, "DISK WARNING - <b>90%</b> used | '/ used'=90%;80;95;0;100\n")
        try writeOutput(Self.hiddenRun, "secret\n")
        try writeOutput(Self.buildRunning, "still going\n")
    }

    func writeConfig(settings: String) throws {
        try home.write(
            "etc/dsari.yaml",
            """
            \(settings)
            jobs:
              build:
                command: [make, all]
                schedule: "H * * * *"
              check:
                command: [/usr/lib/nagios/plugins/check_disk, -w, "20%"]
                nagios_check: true
              hidden:
                command: ["true"]
                render_reports: false
              db backup:
                command: [backup]
              idle:
                command: ["true"]
            """)
    }

    func writeOutput(_ run: RunRecord, _ text: String) throws {
        try home.write("var/runs/\(run.jobName)/\(run.runID)/output.txt", text)
    }

    /// `var/html/relative`.
    func html(_ relative: String) -> String { home.url("var/html/\(relative)") }

    func page(_ relative: String) throws -> String { try String(contentsOfFile: html(relative), encoding: .utf8) }

    static func runPage(_ run: RunRecord) -> String { "\(run.jobName)/\(run.runID)/index.html" }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: html(relative)) }

    /// Every file under `var/html`, relative to it, sorted.
    func files() -> [String] {
        let root = html("")
        let all = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return all.filter { path in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent(path), isDirectory: &isDirectory)
            return !isDirectory.boolValue
        }.sorted()
    }

    /// Inode numbers of every file: a page written again is a new file (written aside, then renamed).
    func inodes() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for file in files() {
            let attributes = try FileManager.default.attributesOfItem(atPath: html(file))
            result[file] = (attributes[.systemFileNumber] as? NSNumber)?.intValue
        }
        return result
    }

    /// What `gzip -dc` makes of `path`: gzip itself checks our files.
    static func gunzip(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "gzip -dc \(path)")
        return String(decoding: data, as: UTF8.self)
    }

    func render(_ arguments: [String] = []) throws -> BinaryRunner.Result {
        let result = try BinaryRunner("dsari-render").run(["-c", home.url("etc")] + arguments, environment: environment, timeout: 60)
        #expect(!result.timedOut, "dsari-render \(arguments) did not end within 60 s")
        return result
    }
}
