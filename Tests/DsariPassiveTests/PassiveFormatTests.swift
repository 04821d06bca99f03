import DsariCore
import Foundation
import Testing

@testable import DsariPassive

/// The bytes each destination gets, checked against the formats' rules
/// (the real servers' tests read them back end to end).
@Suite struct PassiveFormatTests {
    static let result = PassiveResult(
        runID: "r1", jobName: "disk", host: "web-01", service: "Disk /", returnCode: 1,
        pluginOutput: "DISK WARNING - 81% used \\ C:", longPluginOutput: "line two\nline three",
        performanceData: "used=81%;80;90;0;100 'free space'=19%", startTime: 1_700_000_000.25, endTime: 1_700_000_001.5,
        checkSource: "web-01", ttl: 120)

    @Test func nagiosOutputEscapesNewlinesAndBackslashes() {
        #expect(
            Self.result.nagiosOutput
                == "DISK WARNING - 81% used \\\\ C:|used=81%;80;90;0;100 'free space'=19%\\nline two\\nline three")
    }

    @Test func theCommandFileLineIsNagiosExternalCommandAndFitsItsBuffer() {
        #expect(
            CommandFileTransport.line(Self.result, now: 1_700_000_002)
                == "[1700000002] PROCESS_SERVICE_CHECK_RESULT;web-01;Disk /;1;" + Self.result.nagiosOutput + "\n")
        var long = Self.result
        long.pluginOutput = String(repeating: "é", count: 6000) + "\\"
        let line = CommandFileTransport.line(long, now: 1)
        #expect(line.utf8.count <= CommandFileTransport.lineLimit && line.hasSuffix("é\n"))
    }

    @Test func theNSCAPacketHasNSCAsLayoutAndChecksum() {
        let packet = NSCATransport.packet(Self.result, timestamp: 0x0102_0304) { $0 = [UInt8](repeating: 0xAA, count: $0.count) }
        #expect(packet.count == 4304)
        #expect(Array(packet[0..<2]) == [0, 3])
        #expect(Array(packet[8..<12]) == [1, 2, 3, 4])
        #expect(Array(packet[12..<14]) == [0, 1])
        #expect(Array(packet[14..<20]) == Array("web-01".utf8) && packet[20] == 0 && packet[21] == 0xAA)
        #expect(Array(packet[78..<84]) == Array("Disk /".utf8) && packet[84] == 0)
        let output = Array(Self.result.nagiosText.utf8)
        #expect(Array(packet[206..<206 + output.count]) == output && packet[206 + output.count] == 0)
        var zeroed = packet
        zeroed.replaceSubrange(4..<8, with: [0, 0, 0, 0])
        let crc = CRC32.checksum(zeroed)
        #expect(Array(packet[4..<8]) == [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        // XOR (method 1): the IV, then the password; applying it twice gives the packet back.
        let iv = (0..<128).map { UInt8($0) }
        var encrypted = packet
        NSCATransport.encrypt(&encrypted, iv: iv, method: .xor, password: "pw")
        #expect(encrypted[0] == packet[0] ^ 0 ^ UInt8(ascii: "p") && encrypted[129] == packet[129] ^ 1 ^ UInt8(ascii: "w"))
        NSCATransport.encrypt(&encrypted, iv: iv, method: .xor, password: "pw")
        #expect(encrypted == packet)
    }

    @Test func anOverlongOutputIsCutAtACharacterInsideTheField() {
        var long = Self.result
        long.pluginOutput = String(repeating: "ü", count: 3000)
        let packet = NSCATransport.packet(long, timestamp: 0) { $0 = [UInt8](repeating: 1, count: $0.count) }
        let field = Array(packet[206..<4302])
        let end = field.firstIndex(of: 0)!
        #expect(end == 4094 && String(decoding: field[0..<end], as: UTF8.self) == String(repeating: "ü", count: 2047))
    }

    @Test func theIcinga2BodyKeepsPerformanceDataApart() throws {
        let body = try #require(
            try JSONSerialization.jsonObject(with: Data(Icinga2Transport.body(Self.result).utf8)) as? [String: Any])
        #expect(body["type"] as? String == "Service")
        #expect(body["filter_vars"] as? [String: String] == ["host_name": "web-01", "service_name": "Disk /"])
        #expect(body["exit_status"] as? Int == 1)
        #expect(body["plugin_output"] as? String == "DISK WARNING - 81% used \\ C:\nline two\nline three")
        #expect(body["performance_data"] as? [String] == ["used=81%;80;90;0;100", "'free space'=19%"])
        #expect(body["execution_start"] as? Double == 1_700_000_000.25 && body["ttl"] as? Int == 120)
        #expect(body["check_source"] as? String == "web-01")
    }

    @Test func theSpoolFileIsNagiosCheckResultFormat() {
        let text = CheckResultSpoolTransport.fileText(Self.result, now: 1_700_000_003)
        #expect(text.hasPrefix("### Passive Check Result File ###\nfile_time=1700000003\n"))
        for line in [
            "host_name=web-01", "service_description=Disk /", "return_code=1", "start_time=1700000000.250000",
            "finish_time=1700000001.500000", "output=" + Self.result.nagiosOutput,
        ] {
            #expect(text.contains("\n" + line + "\n"), "\(line)")
        }
    }
}
