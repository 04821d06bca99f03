import DsariCore
import DsariTestSupport
import Foundation
import Testing

@testable import DsariPassive

/// Results sent to Debian's real nsca daemon, read back from the command
/// file it writes: host, service, code and output each as sent, with XOR
/// and without encryption, a 4 KB output included.
@Suite("NSCA (real nsca daemon)", .serialized)
struct NSCADeliveryTests {
    static func result(_ index: Int, output: String) -> PassiveResult {
        PassiveResult(
            runID: "run-\(index)", jobName: "job", host: "web-01", service: "service \(index % 3)", returnCode: index % 4,
            pluginOutput: output, longPluginOutput: index % 2 == 0 ? "" : "second line\nthird line", performanceData: "t=\(index)ms;;;",
            startTime: Date().timeIntervalSince1970 - 1, endTime: Date().timeIntervalSince1970, checkSource: "web-01")
    }

    @Test(arguments: [(1, "s3cret pass"), (0, "")])
    func everyResultArrivesAsSent(encryption: Int, password: String) throws {
        let server = try NSCAServer(encryption: encryption, password: password)
        defer { server.stop() }
        let data = try TemporaryDirectory()
        defer { data.remove() }
        let destination = PassiveDestination(
            kind: .nsca(
                host: "127.0.0.1", port: server.port, encryption: PassiveDestination.NSCAEncryption(rawValue: encryption)!,
                password: password))
        let passive = PassiveResults(dataDirectory: data.path, destinations: [destination], log: { _, _, _ in })
        defer { passive.stop() }
        // 4,000 bytes of text: with the performance data it still fits NSCA's 4,096-byte field.
        let results = (0..<12).map {
            Self.result($0, output: $0 == 5 ? "OK - " + String(repeating: "x", count: 3995) : "OK ünïcode ; semi \\ back \($0)")
        }
        for result in results { passive.submit(result) }
        #expect(
            eventually(timeout: 30) { server.results.count == results.count },
            "\(server.results.count) of \(results.count); \(server.server.log)")
        let received = server.results
        #expect(received.count == results.count)
        for (sent, got) in zip(results, received) {
            #expect(got.host == sent.host && got.service == sent.service && got.code == sent.returnCode)
            #expect(got.output == sent.nagiosOutput, "\(got.output.prefix(80))")
        }
        #expect(received[5].output.utf8.count > 4000)
        let snapshot = try #require(PassiveQueueSnapshot.all(dataDirectory: data.path).first)
        #expect(snapshot.destination == destination.name && snapshot.pending == 0 && snapshot.state.sent == Int64(results.count))
    }
}
