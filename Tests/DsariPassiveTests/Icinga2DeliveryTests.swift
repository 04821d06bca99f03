import DsariCore
import DsariTestSupport
import Foundation
import Testing

@testable import DsariPassive

/// Results sent to Debian's real Icinga 2 through its API over TLS (the
/// test CA), with an ApiUser's password or a client certificate; what
/// Icinga holds afterwards is read back from its own API.
@Suite("Icinga 2 API (real Icinga 2)", .serialized)
struct Icinga2DeliveryTests {
    static func result(service: String, code: Int, output: String, long: String = "", perf: String = "") -> PassiveResult {
        let now = Date().timeIntervalSince1970
        return PassiveResult(
            runID: UUID().uuidString, jobName: service, host: "web-01", service: service, returnCode: code, pluginOutput: output,
            longPluginOutput: long, performanceData: perf, startTime: now - 0.5, endTime: now, checkSource: "agent-7", ttl: 300)
    }

    static func deliver(
        _ results: [PassiveResult], to endpoint: PassiveDestination.Icinga2Endpoint, until done: (PassiveQueueSnapshot) -> Bool
    ) throws -> PassiveQueueSnapshot {
        let data = try TemporaryDirectory()
        defer { data.remove() }
        let passive = PassiveResults(
            dataDirectory: data.path, destinations: [PassiveDestination(kind: .icinga2(endpoint))], log: { _, _, _ in })
        defer { passive.stop() }
        for result in results { passive.submit(result) }
        var last: PassiveQueueSnapshot?
        _ = eventually(timeout: 30) {
            last = PassiveQueueSnapshot.all(dataDirectory: data.path).first
            return last.map(done) ?? false
        }
        return try #require(last)
    }

    @Test func anApiUserDeliversWithThePerformanceDataApartAndRefusalsAreDropped() throws {
        let icinga = try Icinga2Server(host: "web-01", services: ["disk", "load"])
        defer { icinga.stop() }
        let endpoint = PassiveDestination.Icinga2Endpoint(
            url: icinga.url, caFile: icinga.certificates.caFile, user: Icinga2Server.user, password: Icinga2Server.password)
        let results = [
            Self.result(
                service: "disk", code: 1, output: "DISK WARNING - 81%", long: "/ 81%\n/var 12%", perf: "/=81%;80;90 /var=12%;80;90"),
            // No such service in Icinga: refused for good, dropped, and the next one still goes.
            Self.result(service: "nosuch", code: 0, output: "OK"),
            Self.result(service: "load", code: 2, output: "LOAD CRITICAL", perf: "load1=9.1;4;8;0"),
        ]
        let snapshot = try Self.deliver(results, to: endpoint) { $0.pending == 0 && $0.state.sent == 2 }
        #expect(snapshot.state.sent == 2 && snapshot.state.droppedRejected == 1 && snapshot.pending == 0, "\(snapshot)")
        #expect(snapshot.state.lastError?.contains("has no service web-01!nosuch") == true, "\(snapshot.state.lastError ?? "")")
        let disk = try #require(icinga.lastCheckResult(host: "web-01", service: "disk"))
        #expect(disk["output"] as? String == "DISK WARNING - 81%\n/ 81%\n/var 12%")
        #expect(disk["performance_data"] as? [String] == ["/=81%;80;90", "/var=12%;80;90"])
        #expect(disk["state"] as? Double == 1 && disk["check_source"] as? String == "agent-7" && disk["ttl"] as? Double == 300)
        let load = try #require(icinga.lastCheckResult(host: "web-01", service: "load"))
        #expect(load["state"] as? Double == 2 && load["output"] as? String == "LOAD CRITICAL")
    }

    @Test func aClientCertificateAuthenticates() throws {
        let icinga = try Icinga2Server(host: "web-01", services: ["disk"])
        defer { icinga.stop() }
        let endpoint = PassiveDestination.Icinga2Endpoint(
            url: icinga.url, caFile: icinga.certificates.caFile, certFile: icinga.certificates.clientCertFile(Icinga2Server.clientName),
            keyFile: icinga.certificates.clientKeyFile(Icinga2Server.clientName))
        let snapshot = try Self.deliver([Self.result(service: "disk", code: 0, output: "DISK OK")], to: endpoint) { $0.state.sent == 1 }
        #expect(snapshot.state.sent == 1, "\(snapshot)")
        #expect(icinga.lastCheckResult(host: "web-01", service: "disk")?["output"] as? String == "DISK OK")
    }

    @Test func wrongCredentialsOrAnUnknownCAKeepTheResultWaiting() throws {
        let icinga = try Icinga2Server(host: "web-01", services: ["disk"])
        defer { icinga.stop() }
        let stranger = try TestCertificates(directory: icinga.directory.url("stranger"), clients: [])
        for endpoint in [
            PassiveDestination.Icinga2Endpoint(
                url: icinga.url, caFile: icinga.certificates.caFile, user: Icinga2Server.user, password: "wrong"),
            PassiveDestination.Icinga2Endpoint(
                url: icinga.url, caFile: stranger.caFile, user: Icinga2Server.user, password: Icinga2Server.password),
        ] {
            let snapshot = try Self.deliver([Self.result(service: "disk", code: 0, output: "DISK OK")], to: endpoint) {
                $0.state.failed >= 1
            }
            #expect(snapshot.pending == 1 && snapshot.state.sent == 0 && snapshot.state.failed >= 1, "\(snapshot)")
        }
        #expect(icinga.lastCheckResult(host: "web-01", service: "disk")?["output"] == nil)
    }
}
