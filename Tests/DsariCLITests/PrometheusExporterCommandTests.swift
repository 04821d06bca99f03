import DsariCore
import DsariTestSupport
import Foundation
import Testing

/// End-to-end: the built `dsari-prometheus-exporter` on a home a real daemon filled.
@Suite("dsari-prometheus-exporter (built binary)")
struct PrometheusExporterCommandTests {
    /// A home whose store a real daemon filled: "ok" and "bad" ran twice or more, "idle" never.
    func home() throws -> TemporaryDirectory {
        let daemon = try DaemonProcess(
            config: """
                jobs:
                  ok: {command: [/bin/true], schedule: '* * * * * *'}
                  bad: {command: [/bin/false], schedule: '* * * * * *'}
                  idle: {command: [/bin/true]}
                  chk: {command: [/bin/sh, -c, 'echo "WARN <b>disk</b> | t=5ms;;;"; exit 1'], schedule: '* * * * * *', nagios_check: true}
                """)
        try daemon.start()
        let filled = eventually(timeout: 20) {
            let dump = try? BinaryRunner("dsari-prometheus-exporter").run(
                ["-c", daemon.configDirectory, "--dump"], environment: ["DSARI_HOME": daemon.home.path])
            return dump?.standardOutput.contains("dsari_run_count{job_name=\"bad\"} 2") ?? false
        }
        daemon.stop(keepHome: true)
        #expect(filled, "\(daemon.log)")
        return daemon.home
    }

    @Test func dumpPrintsDsarisFamilies() throws {
        let home = try home()
        defer { home.remove() }
        let result = try BinaryRunner("dsari-prometheus-exporter").run(
            ["-c", home.url("etc"), "--dump", "--quantiles", "0.5,1"], environment: ["DSARI_HOME": home.path])
        #expect(result.status == 0, "\(result.standardError)")
        let text = result.standardOutput
        #expect(text.contains("# TYPE dsari_run_count counter\n"))
        #expect(text.contains("dsari_last_run_exit_code{job_name=\"bad\"} 1\n"))
        #expect(text.contains("dsari_last_run_exit_code{job_name=\"ok\"} 0\n"))
        #expect(text.contains("dsari_run_count{job_name=\"idle\"} 0\n"))
        #expect(text.contains("dsari_run_duration_seconds{job_name=\"ok\",quantile=\"1.0\"} "))
        #expect(text.contains("dsari_run_latency_seconds{job_name=\"ok\",quantile=\"0.5\"} "))
        #expect(!text.contains("quantile=\"0.99\""))
    }

    @Test func servesMetricsOverHTTP() throws {
        let home = try home()
        defer { home.remove() }
        let port = UInt16.random(in: 20_000...60_000)
        let exporter = Process()
        exporter.executableURL = URL(fileURLWithPath: BinaryRunner("dsari-prometheus-exporter").executable)
        exporter.arguments = [
            "-c", home.url("etc"), "--listen-address", "127.0.0.1", "--listen-port", String(port), "--metrics-path", "/m",
        ]
        exporter.environment = ProcessInfo.processInfo.environment.merging(["DSARI_HOME": home.path]) { $1 }
        exporter.standardError = FileHandle.nullDevice
        try exporter.run()
        defer {
            exporter.terminate()
            exporter.waitUntilExit()
        }
        var reply = ""
        #expect(
            eventually(timeout: 10) {
                reply = (try? httpExchange(port: port, path: "/m")) ?? ""
                return !reply.isEmpty
            })
        #expect(reply.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(reply.contains("Content-Type: text/plain; version=0.0.4"))
        #expect(reply.contains("dsari_run_count{job_name=\"ok\"}"))
        #expect(try httpExchange(port: port, path: "/-/healthy").hasSuffix("\r\n\r\nOK\n"))
        #expect(try httpExchange(port: port, path: "/metrics").hasPrefix("HTTP/1.1 404"))
        #expect(try httpExchange(port: port, path: "/m", method: "POST").hasPrefix("HTTP/1.1 405"))
        // Nagios-style status: JSON with status.dat field names, and a page.
        let json = try httpExchange(port: port, path: "/status.json")
        #expect(json.contains("Content-Type: application/json"))
        let body = try #require(json.range(of: "\r\n\r\n").map { String(json[$0.upperBound...]) })
        let status = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(status["generated"] is Double)
        let list = try #require(status["jobs"] as? [[String: Any]])
        #expect(list.map { $0["job_name"] as? String } == ["bad", "chk", "idle", "ok"])
        let jobs = Dictionary(list.map { ($0["job_name"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        #expect(jobs["chk"]?["current_state"] as? Int == 1)
        #expect(jobs["chk"]?["state_name"] as? String == "WARNING")
        #expect(jobs["chk"]?["plugin_output"] as? String == "WARN <b>disk</b>")
        #expect(jobs["chk"]?["performance_data"] as? String == "t=5ms;;;")
        #expect(jobs["chk"]?["last_check"] is Double && jobs["chk"]?["check_execution_time"] is Double)
        #expect(jobs["ok"]?["last_run_exit_code"] as? Int == 0 && jobs["ok"]?["next_check"] is Double)
        #expect(jobs["idle"]?["last_run_exit_code"] is NSNull)
        // A job that is not a check: OK after exit 0, CRITICAL otherwise.
        #expect(jobs["ok"]?["state_name"] as? String == "OK" && jobs["bad"]?["current_state"] as? Int == 2)
        let page = try httpExchange(port: port, path: "/status")
        #expect(page.contains("Content-Type: text/html"))
        #expect(page.contains("<meta http-equiv=\"refresh\""))
        #expect(page.contains("WARN &lt;b&gt;disk&lt;/b&gt;"))
        #expect(!page.contains("<b>disk</b>"))
        #expect(page.contains("<tr class=\"warning\"><td>chk</td>"))
        // The check's metrics: perfdata in seconds.
        #expect(reply.contains("dsari_check_perfdata_value{job_name=\"chk\",label=\"t\",unit=\"s\"} 0.005\n"))
    }

    @Test func badFlagsAreRefused() throws {
        let result = try BinaryRunner("dsari-prometheus-exporter").run(["--quantiles", "0.5,2", "--dump"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--quantiles"))
    }
}
