import DsariCore
import DsariTestSupport
import Foundation
import Synchronization
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
                  chk: {command: [/bin/sh, -c, 'echo "WARN <script>alert(1)</script> <b>disk</b> | t=5ms;;;"; exit 1'], schedule: '* * * * * *', nagios_check: true}
                """)
        try daemon.start()
        let filled = eventually(timeout: 30) {
            let dump = try? BinaryRunner("dsari-prometheus-exporter").run(
                ["-c", daemon.configDirectory, "--dump"], environment: ["DSARI_HOME": daemon.home.path])
            let text = dump?.standardOutput ?? ""
            // At least twice: a count read once a second may pass any exact value.
            return ["ok", "bad"].allSatisfy { (metricSample(text, "dsari_run_count", job: $0) ?? 0) >= 2 }
        }
        daemon.stop(keepHome: true)
        #expect(filled, "\(daemon.log)")
        return daemon.home
    }

    /// SIGHUP reloads the configuration; SIGINT and SIGTERM stop the
    /// exporter cleanly, exit 0 (decided in its main, not in a signal handler).
    @Test(arguments: [SIGINT, SIGTERM])
    func signalsReloadAndStop(stop: Int32) throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        // An unknown key: its warning is a log line too.
        try home.write("etc/dsari.yaml", "jobs:\n  a: {command: [/bin/true]}\ncolour: teal\n")
        let exporter = try ExporterProcess(home: home)
        defer { exporter.stop() }
        #expect(exporter.log.contains(" WARNING ") && exporter.log.contains("colour"), "\(exporter.log)")
        kill(exporter.process.processIdentifier, SIGHUP)
        #expect(eventually(timeout: 30) { exporter.log.contains("configuration reloaded") }, "\(exporter.log)")
        kill(exporter.process.processIdentifier, stop)
        #expect(eventually(timeout: 30) { !exporter.process.isRunning })
        exporter.process.waitUntilExit()
        #expect(exporter.process.terminationReason == .exit && exporter.process.terminationStatus == 0)
        // Its stderr holds log lines in the daemon's format only (one logger, #17).
        let lines = exporter.log.split(separator: "\n")
        let format = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|NOTICE|WARNING|ERROR|CRITICAL) \S.*$/
        #expect(lines.count >= 2 && lines.allSatisfy { $0.wholeMatch(of: format) != nil }, "\(exporter.log)")
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
        let exporter = try ExporterProcess(home: home, arguments: ["--metrics-path", "/m"])
        defer { exporter.stop() }
        let port = exporter.port
        var reply = ""
        #expect(
            eventually(timeout: 30) {
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
        #expect(jobs["chk"]?["plugin_output"] as? String == "WARN <script>alert(1)</script> <b>disk</b>")
        #expect(jobs["chk"]?["state_type"] as? Int == 1 && jobs["chk"]?["max_attempts"] as? Int == 1)
        #expect(jobs["chk"]?["performance_data"] as? String == "t=5ms;;;")
        #expect(jobs["chk"]?["last_check"] is Double && jobs["chk"]?["check_execution_time"] is Double)
        #expect(jobs["ok"]?["last_run_exit_code"] as? Int == 0 && jobs["ok"]?["next_check"] is Double)
        #expect(jobs["idle"]?["last_run_exit_code"] is NSNull)
        // A job that is not a check: OK after exit 0, CRITICAL otherwise.
        #expect(jobs["ok"]?["state_name"] as? String == "OK" && jobs["bad"]?["current_state"] as? Int == 2)
        let page = try httpExchange(port: port, path: "/status")
        #expect(page.contains("Content-Type: text/html"))
        #expect(page.contains("<meta http-equiv=\"refresh\""))
        #expect(page.contains("WARN &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;disk&lt;/b&gt;"))
        #expect(!page.contains("<b>disk</b>") && !page.contains("<script>alert"))
        #expect(
            page.contains(
                "<tr class=\"warning\" data-host=\"\" data-job=\"chk\" data-state=\"WARNING\"><td class=\"name\">chk</td>"
                    + "<td class=\"state\" data-sort=\"2\">WARNING</td><td>HARD</td>"), "\(page)")
        #expect(page.contains("1/1"))
        // Times to the second with their age, not microsecond stamps; no host column for one host.
        #expect(page.contains(" ago</small>") && page.contains("<time data-epoch=\""))
        #expect(page.range(of: #"\d\d:\d\d:\d\d\.\d{6}"#, options: .regularExpression) == nil, "\(page)")
        #expect(!page.contains("<th>Host</th>"))
        // Problems first: CRITICAL, WARNING, no run yet, OK.
        let order = ["data-job=\"bad\"", "data-job=\"chk\"", "data-job=\"idle\"", "data-job=\"ok\""].compactMap {
            page.range(of: $0)?.lowerBound
        }
        #expect(order.count == 4 && order == order.sorted(), "\(page)")
        #expect(page.contains("1 CRITICAL, 1 WARNING, 1 PENDING, 1 OK"))
        // The check's metrics: perfdata in seconds.
        #expect(reply.contains("dsari_check_perfdata_value{job_name=\"chk\",label=\"t\",unit=\"s\"} 0.005\n"))
    }

    /// 16 clients scraping at once, 10 times each: every answer whole and alike.
    @Test func concurrentScrapesAllSucceed() throws {
        let home = try home()
        defer { home.remove() }
        let exporter = try ExporterProcess(home: home)
        defer { exporter.stop() }
        let port = exporter.port
        let results = Mutex<[String]>([])
        let threads = (0..<16).map { _ in
            Thread {
                for _ in 0..<10 {
                    let reply = (try? httpExchange(port: port, path: "/metrics")) ?? "failed"
                    results.withLock { $0.append(reply) }
                }
            }
        }
        threads.forEach { $0.start() }
        #expect(eventually(timeout: 60) { results.withLock { $0.count } == 160 })
        let replies = results.withLock { $0 }
        #expect(replies.allSatisfy { $0.hasPrefix("HTTP/1.1 200 OK\r\n") }, "\(replies.first { !$0.hasPrefix("HTTP/1.1 200") } ?? "")")
        // The same families in every answer (values such as dsari_time differ).
        func families(_ reply: String) -> [Substring] {
            reply.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }
        }
        let first = families(replies[0])
        #expect(first.count > 10)
        #expect(replies.allSatisfy { families($0) == first })
    }

    /// A real Prometheus (Debian's package) scrapes the exporter, and its
    /// query API returns dsari_run_count.
    @Test func aRealPrometheusScrapesTheExporter() throws {
        let prometheus = "/usr/bin/prometheus"
        try #require(FileManager.default.isExecutableFile(atPath: prometheus), "script/test installs Debian's prometheus")
        let home = try home()
        defer { home.remove() }
        let exporter = try ExporterProcess(home: home)
        defer { exporter.stop() }
        let port = exporter.port
        // Prometheus's own port: any free one on 127.0.0.1.
        let webPort = try freeLoopbackPort()
        try home.write(
            "prometheus.yml",
            """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: dsari
                static_configs: [{targets: ["127.0.0.1:\(port)"]}]
            """)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: prometheus)
        server.arguments = [
            "--config.file=\(home.url("prometheus.yml"))", "--storage.tsdb.path=\(home.url("tsdb"))",
            "--web.listen-address=127.0.0.1:\(webPort)",
        ]
        let log = home.url("prometheus.log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        var answer = ""
        let found = eventually(timeout: 60) {
            answer = (try? httpBody(port: webPort, path: "/api/v1/query?query=dsari_run_count%7Bjob_name%3D%22bad%22%7D")) ?? ""
            return answer.contains("\"job_name\":\"bad\"")
        }
        #expect(found, "\(answer)\n\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let reply = try #require(try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])
        #expect(reply["status"] as? String == "success")
        let data = try #require(reply["data"] as? [String: Any])
        let result = try #require((data["result"] as? [[String: Any]])?.first)
        #expect((result["metric"] as? [String: String])?["job"] == "dsari")
        let value = try #require((result["value"] as? [Any])?.last as? String)
        #expect((Int(value) ?? 0) >= 2)
        // The scrape itself is healthy.
        let up = try httpBody(port: webPort, path: "/api/v1/query?query=up%7Bjob%3D%22dsari%22%7D")
        #expect(up.contains("\"1\"]"), "\(up)")
    }

    @Test func badFlagsAreRefused() throws {
        let result = try BinaryRunner("dsari-prometheus-exporter").run(["--quantiles", "0.5,2", "--dump"])
        #expect(result.status == 64)
        #expect(result.standardError.contains("--quantiles"))
    }
}
