import DsariCore
import DsariPassive
import DsariTestSupport
import Foundation
import Testing

@testable import DsariMetrics

/// A destination that cannot be reached: its results wait on disk, are
/// tried again and again (failed attempts counted), and once older than
/// `max_age` are dropped as expired. The metrics, /status.json and /status
/// show each step from the queue directory, as the exporter reads it.
@Suite struct PassiveResultsStatusTests {
    @Test func waitingFailingAndExpiredResultsShowInMetricsAndStatus() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var config = Config(configDirectory: directory.path, dataDir: directory.path, raw: ConfigNode(.mapping([])))
        config.database = DatabaseConfig(type: "sqlite3", file: directory.url("dsari.sqlite3"))
        // A port nothing listens on: every attempt is refused.
        let port = try freeLoopbackPort()
        let destination = PassiveDestination(
            kind: .nsca(host: "127.0.0.1", port: port, encryption: .none, password: ""), name: "central <nsca>", maxAge: 10)
        let passive = PassiveResults(dataDirectory: directory.path, destinations: [destination], log: { _, _, _ in })
        defer { passive.stop() }
        let now = Date().timeIntervalSince1970
        for index in 0..<2 {
            passive.submit(
                PassiveResult(
                    runID: "r\(index)", jobName: "disk", host: "web-01", service: "disk", returnCode: 2, pluginOutput: "DISK CRITICAL",
                    longPluginOutput: "", performanceData: "", startTime: now - 1, endTime: now, checkSource: "web-01"))
        }
        let collector = MetricsCollector(config: config)
        // Both queued and tried (a failure counted); 10 s before they expire.
        #expect(
            eventually(timeout: 30) {
                let text = (try? collector.collect()) ?? ""
                return !text.contains("dsari_passive_results_failed_total{destination=\"central <nsca>\"} 0")
                    && text.contains("dsari_passive_results_queue_length{destination=\"central <nsca>\"} 2\n")
            })
        let waiting = try collector.collect()
        #expect(waiting.contains("dsari_passive_results_queue_length{destination=\"central <nsca>\"} 2\n"), "\(waiting)")
        #expect(waiting.contains("dsari_passive_results_sent_total{destination=\"central <nsca>\"} 0\n"))
        #expect(!waiting.contains("dsari_passive_results_last_success_timestamp_seconds"))
        let page = try collector.statusPage()
        #expect(page.contains("Passive results to central &lt;nsca&gt;: 2 waiting (oldest "), "\(page)")
        #expect(page.contains("; last error: cannot connect to 127.0.0.1:\(port): Connection refused."))
        let json = try collector.status().jsonString(pretty: false)
        #expect(json.contains("\"destination\":\"central <nsca>\",\"pending\":2"), "\(json)")

        // Past max_age (10 s), both are dropped, counted as expired.
        #expect(
            eventually(timeout: 30) {
                (try? collector.collect())?.contains(
                    "dsari_passive_results_dropped_total{destination=\"central <nsca>\",reason=\"expired\"} 2") == true
            })
        let dropped = try collector.collect()
        #expect(dropped.contains("dsari_passive_results_queue_length{destination=\"central <nsca>\"} 0\n"))
        #expect(dropped.contains("dsari_passive_results_dropped_total{destination=\"central <nsca>\",reason=\"rejected\"} 0\n"))
        #expect(try collector.statusPage().contains("Passive results to central &lt;nsca&gt;: 0 waiting, 0 sent, 2 dropped."))
    }
}
