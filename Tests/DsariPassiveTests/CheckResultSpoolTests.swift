import DsariCore
import DsariTestSupport
import Foundation
import Testing

@testable import DsariPassive

/// `command_file` with `check_result_path`: result files with `.ok` markers
/// in Nagios 4's check result directory, which the real Nagios reads (and
/// deletes) within a second; its status.dat shows the results.
@Suite("Nagios check result directory (real Nagios 4)", .serialized)
struct CheckResultSpoolTests {
    @Test func nagiosTakesTheResultFiles() throws {
        let nagios = try NagiosServer(host: "web-01", services: ["disk", "load"])
        defer { nagios.stop() }
        let data = try TemporaryDirectory()
        defer { data.remove() }
        let passive = PassiveResults(
            dataDirectory: data.path, destinations: [PassiveDestination(kind: .checkResultSpool(directory: nagios.checkResultPath))],
            log: { _, _, _ in })
        defer { passive.stop() }
        let now = Date().timeIntervalSince1970
        func result(_ service: String, _ code: Int, _ output: String, long: String = "", perf: String = "") -> PassiveResult {
            PassiveResult(
                runID: UUID().uuidString, jobName: service, host: "web-01", service: service, returnCode: code, pluginOutput: output,
                longPluginOutput: long, performanceData: perf, startTime: now - 1, endTime: now, checkSource: "web-01")
        }
        passive.submit(result("disk", 2, "DISK CRITICAL - 97% used \\ /", long: "/ 97%\n/var 40%", perf: "/=97%;80;90"))
        passive.submit(result("load", 1, "LOAD WARNING", perf: "load1=5.5;4;8"))
        #expect(
            eventually(timeout: 30) {
                nagios.serviceStatus["disk"]?["current_state"] == "2" && nagios.serviceStatus["load"]?["current_state"] == "1"
            },
            "\(nagios.log)")
        let disk = try #require(nagios.serviceStatus["disk"])
        #expect(disk["plugin_output"] == "DISK CRITICAL - 97% used \\ /")
        // status.dat writes the long output's newlines as \n.
        #expect(disk["long_plugin_output"] == "/ 97%\\n/var 40%")
        #expect(disk["performance_data"] == "/=97%;80;90")
        #expect(nagios.serviceStatus["load"]?["performance_data"] == "load1=5.5;4;8")
        // Nagios deleted what it read: nothing is left behind in its directory.
        #expect(
            eventually(timeout: 30) { ((try? FileManager.default.contentsOfDirectory(atPath: nagios.checkResultPath)) ?? ["?"]).isEmpty })
        #expect(PassiveQueueSnapshot.all(dataDirectory: data.path).first?.state.sent == 2)
    }
}
