import DsariCore
import DsariTestSupport
import Foundation
import Synchronization
import Testing

@testable import DsariNRPE

/// The NRPE packet format and the listener on 127.0.0.1, over raw sockets.
@Suite("NRPE packets and listener")
struct NRPEListenerTests {
    /// A v4 query as Debian's check_nrpe 4.1 sent it (`-n -c check_load`),
    /// captured on this machine: 16-byte header, 1020-byte zero-padded buffer.
    static let capturedQuery: [UInt8] = {
        var bytes: [UInt8] = [0x00, 0x04, 0x00, 0x01, 0xDE, 0x6F, 0x9B, 0x4E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFC]
        bytes += Array("check_load".utf8)
        bytes += [UInt8](repeating: 0, count: 1036 - bytes.count)
        return bytes
    }()

    @Test func aQueryCapturedFromCheckNRPEDecodes() throws {
        #expect(try NRPEPacket.expectedSize(of: Self.capturedQuery[...]) == 1036)
        let packet = try NRPEPacket(decodingQuery: Self.capturedQuery[...])
        #expect(packet.version == 4 && packet.kind == .query)
        #expect(String(decoding: packet.text, as: UTF8.self) == "check_load")
        var damaged = Self.capturedQuery
        damaged[30] = 0x41
        #expect(throws: NRPEPacket.DecodeError.self) { try NRPEPacket(decodingQuery: damaged[...]) }
    }

    @Test func answersAreCutToWhatEachVersionCarries() throws {
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 70_000)
        let v2 = NRPEPacket(version: 2, kind: .response, resultCode: 1, text: long).encoded()
        #expect(v2.count == 1036)
        #expect(v2[10..<1033].allSatisfy { $0 == UInt8(ascii: "x") } && v2[1033] == 0)
        // As NRPE 4.1 cuts them: 65504 bytes in v4 (buffer_length 65505 with the NUL), 1023 in v3.
        let v4 = NRPEPacket(version: 4, kind: .response, resultCode: 2, text: long).encoded()
        #expect(v4.count == 16 + 65_505)
        #expect(v4[12..<16] == [0x00, 0x00, 0xFF, 0xE1][...])
        let v3 = NRPEPacket(version: 3, kind: .response, resultCode: 2, text: long).encoded()
        #expect(v3.count == 16 + 1024 + 3 && v3[12..<16] == [0x00, 0x00, 0x04, 0x00][...])
        let short = NRPEPacket(version: 4, kind: .response, resultCode: 0, text: Array("OK: all fine".utf8)).encoded()
        // As NRPE 4.1 answers: buffer_length = text + NUL (29 bytes in all).
        #expect(short.count == 29 && short[15] == 13)
        var zeroed = short
        zeroed.replaceSubrange(4..<8, with: [0, 0, 0, 0])
        let crc = UInt32(short[4]) << 24 | UInt32(short[5]) << 16 | UInt32(short[6]) << 8 | UInt32(short[7])
        #expect(crc == CRC32.checksum(zeroed))
    }

    /// As NRPE's `strtok`: empty pieces are skipped, at most 16 arguments are kept.
    @Test func queriesSplitCommandAndArgumentsAsNRPEDoes() {
        let query = NRPEQuery(text: Array("check_x!one!!t w o!".utf8), version: 2)
        #expect(query.command == "check_x" && query.arguments == ["one", "t w o"] && query.version == 2)
        let many = NRPEQuery(text: Array(("check_y" + (1...20).map { "!\($0)" }.joined()).utf8), version: 4)
        #expect(many.arguments == (1...16).map(String.init))
        #expect(NRPEQuery(text: Array("!!check_z!a".utf8), version: 4).command == "check_z")
        #expect(!NRPEQuery(text: Array("check_a".utf8), version: 4).hasArgumentSeparator)
        #expect(NRPEQuery(text: Array("check_a!".utf8), version: 4).hasArgumentSeparator)
    }

    @Test func allowedHostsMatchAddressesNetworksMappedAddressesAndNames() throws {
        let hosts = try AllowedHosts(["10.1.0.0/16", "192.168.5.7", "fd00::/8", "localhost"])
        func allows(_ text: String) -> Bool { IPAddress(text).map(hosts.allows) ?? false }
        #expect(allows("10.1.200.3") && !allows("10.2.0.1"))
        #expect(allows("192.168.5.7") && !allows("192.168.5.8"))
        #expect(allows("fd12::1") && !allows("fe80::1"))
        #expect(allows("::ffff:10.1.2.3"))  // an IPv4 client on a dual-stack socket
        #expect(allows("127.0.0.1"))  // localhost, resolved
        #expect(throws: AllowedHosts.EntryError.self) { try AllowedHosts(["10.0.0.0/33"]) }
        #expect(throws: AllowedHosts.EntryError.self) { try AllowedHosts(["no-such-host.invalid"]) }
    }

    /// A listener answering every command with "OK <command>", state 0.
    static func listener(
        allowArguments: Bool = false, timeout: Double = 10, limit: Int = 256, allowed: [String] = ["127.0.0.1"]
    ) throws -> (NRPEListener, LogLines) {
        let logged = LogLines()
        let listener = try NRPEListener(
            options: .init(
                address: ListenAddress(host: "127.0.0.1", port: 0), allowedHosts: try AllowedHosts(allowed),
                allowArguments: allowArguments, connectionTimeout: timeout, maximumConnections: limit),
            responder: { query, reply in
                reply(NRPEAnswer(resultCode: 0, text: "OK \(query.command) \(query.arguments.joined(separator: ","))"))
            },
            log: { message, fields in logged.append("\(message) \(fields["reason"] ?? "")") })
        return (listener, logged)
    }

    static func query(_ text: String, version: Int16 = 4) -> [UInt8] {
        NRPEPacket(version: version, kind: .query, resultCode: 0, text: Array(text.utf8)).encoded()
    }

    /// Sends `bytes` and returns what came back before the listener closed.
    static func exchange(_ port: UInt16, _ bytes: [UInt8]) throws -> [UInt8] {
        let connection = try LoopbackConnection(host: "127.0.0.1", port: port)
        defer { connection.close() }
        try connection.send(bytes: bytes)
        return connection.receiveAllBytes()
    }

    static func answerText(_ reply: [UInt8]) -> String? {
        guard reply.count >= 16 else { return nil }
        let start = reply[0..<2] == [0, 2][...] ? 10 : 16
        return String(decoding: reply[start...].prefix { $0 != 0 }, as: UTF8.self)
    }

    @Test func answersVersion2And4Queries() throws {
        let (listener, _) = try Self.listener()
        defer { listener.stop() }
        let v4 = try Self.exchange(listener.port, Self.query("check_a"))
        #expect(v4.count == 16 + "OK check_a ".utf8.count + 1 && v4[0..<4] == [0, 4, 0, 2][...])
        #expect(Self.answerText(v4) == "OK check_a ")
        let v2 = try Self.exchange(listener.port, Self.query("check_b", version: 2))
        #expect(v2.count == 1036 && v2[0..<4] == [0, 2, 0, 2][...])
        #expect(Self.answerText(v2) == "OK check_b ")
        // The same query sent a byte at a time is still one query.
        let connection = try LoopbackConnection(host: "127.0.0.1", port: listener.port)
        for byte in Self.query("check_slow") {
            try connection.send(bytes: [byte])
        }
        #expect(Self.answerText(connection.receiveAllBytes()) == "OK check_slow ")
        connection.close()
    }

    /// Every kind of bad request is dropped without an answer, with the
    /// reason in the log, and the listener goes on answering.
    @Test(
        arguments: [
            ("garbage", Array("GET / HTTP/1.0\r\n\r\n".utf8), "unsupported packet version"),
            (
                "wrong CRC",
                {
                    var bytes = NRPEListenerTests.query("check_a"); bytes[20] ^= 0xFF; return bytes
                }(), "CRC-32 mismatch"
            ),
            (
                "version 1",
                {
                    var bytes = NRPEListenerTests.query("check_a"); bytes[1] = 1; return bytes
                }(), "unsupported packet version 1"
            ),
            ("huge length", [0, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0, 0, 0], "buffer length"),
            ("zero length", [0, 4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "buffer length"),
            ("a response, not a query", NRPEPacket(version: 4, kind: .response, resultCode: 0, text: [65]).encoded(), "not a query"),
            (
                "arguments", NRPEListenerTests.query("check_a!x"),
                "Error: Request contained command arguments, but argument option is not enabled!"
            ),
            ("an empty argument list", NRPEListenerTests.query("check_a!"), "argument option is not enabled"),
            ("a pipe", NRPEListenerTests.query("check_a|x"), "Error: Request contained illegal metachars!"),
            ("a semicolon", NRPEListenerTests.query("check_a;reboot"), "illegal metachars"),
            ("a newline", NRPEListenerTests.query("check_a\nx"), "illegal metachars"),
            ("an empty query", NRPEListenerTests.query(""), "Error: Request contained no query!"),
            (
                "a short packet, then close", Array(NRPEListenerTests.query("check_a", version: 2).prefix(100)),
                "closed the connection after 100"
            ),
            ("1 MB of junk", [0, 4] + [UInt8](repeating: 0xFF, count: 1_000_000), "buffer length"),
        ] as [(String, [UInt8], String)])
    func badRequestsAreDropped(kind: String, bytes: [UInt8], reason: String) throws {
        let (listener, logged) = try Self.listener()
        defer { listener.stop() }
        let connection = try LoopbackConnection(host: "127.0.0.1", port: listener.port)
        try? connection.send(bytes: bytes)
        if kind.hasPrefix("a short packet") { shutdown(connection.descriptor, Int32(SHUT_WR)) }
        let reply = connection.receiveAllBytes()
        connection.close()
        #expect(reply.isEmpty, "\(kind): answered \(reply.prefix(32))")
        #expect(eventually(timeout: 30) { logged.snapshot.contains { $0.contains(reason) } }, "\(kind): \(logged.snapshot)")
        #expect(Self.answerText(try Self.exchange(listener.port, Self.query("check_after"))) == "OK check_after ")
    }

    /// check_nrpe -3's layout: 16-byte header, buffer, 3 bytes of struct padding.
    @Test func version3PacketsCarryThreeMoreBytes() throws {
        let (listener, _) = try Self.listener()
        defer { listener.stop() }
        let query = Self.query("check_v3", version: 3)
        #expect(query.count == 16 + 9 + 3)
        let reply = try Self.exchange(listener.port, query)
        #expect(reply[0..<4] == [0, 3, 0, 2][...] && reply.count == 16 + "OK check_v3 ".utf8.count + 1 + 3)
        #expect(Self.answerText(reply) == "OK check_v3 ")
    }

    /// A client that resets while its answer is awaited is dropped at once
    /// (poll reports the reset however the socket is watched; left open, the
    /// loop would spin on it until the deadline).
    @Test func aResetWhileWaitingForTheAnswerDropsTheConnectionAtOnce() throws {
        let listener = try NRPEListener(
            options: .init(address: ListenAddress(host: "127.0.0.1", port: 0), allowedHosts: try AllowedHosts(["127.0.0.1"])),
            responder: { _, _ in },  // never answers
            log: { _, _ in })
        defer { listener.stop() }
        let connection = try LoopbackConnection(host: "127.0.0.1", port: listener.port)
        try connection.send(bytes: Self.query("check_a"))
        #expect(eventually(timeout: 30) { listener.connectionCount == 1 })
        var linger = linger(l_onoff: 1, l_linger: 0)
        setsockopt(connection.descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        connection.close()  // RST
        #expect(eventually(timeout: 7) { listener.connectionCount == 0 }, "still held (deadline 10 s)")
        listener.stop()
        listener.stop()  // idempotent
    }

    @Test func argumentsAreAnsweredWhenAllowed() throws {
        let (listener, logged) = try Self.listener(allowArguments: true)
        defer { listener.stop() }
        #expect(Self.answerText(try Self.exchange(listener.port, Self.query("check_a!1!2"))) == "OK check_a 1,2")
        #expect(Self.answerText(try Self.exchange(listener.port, Self.query("check_a!1!!2!"))) == "OK check_a 1,2")
        #expect(Self.answerText(try Self.exchange(listener.port, Self.query("check_a!$HOME!a b"))) == "OK check_a $HOME,a b")
        // Refused as NRPE refuses them, allowed arguments or not: metacharacters and $( anywhere.
        for bad in ["check_a!x`id`", "check_a!x>/tmp/f", "check_a!$(id)", "check_a!{x}", "check_a!a'b"] {
            #expect(try Self.exchange(listener.port, Self.query(bad)).isEmpty, "\(bad) was answered")
        }
        #expect(
            eventually(timeout: 30) { logged.snapshot.contains { $0.contains("Error: Request contained a bash command substitution!") } })
        #expect(
            eventually(timeout: 30) { logged.snapshot.count { $0.contains("Error: Request contained illegal metachars!") } == 4 },
            "\(logged.snapshot)")
    }

    /// A client that sends half a packet and waits (slowloris) is cut off
    /// at the connection timeout, and others are served meanwhile.
    @Test func slowClientsTimeOutWithoutBlockingOthers() throws {
        let (listener, logged) = try Self.listener(timeout: 5)
        defer { listener.stop() }
        let slow = try (0..<20).map { _ in try LoopbackConnection(host: "127.0.0.1", port: listener.port) }
        for connection in slow { try connection.send(bytes: Array(Self.query("check_a").prefix(10))) }
        let started = Date()
        #expect(Self.answerText(try Self.exchange(listener.port, Self.query("check_fast"))) == "OK check_fast ")
        // Answered while every slow client still waits: not after they timed out.
        #expect(logged.snapshot.filter { $0.contains("timed out") }.isEmpty, "\(logged.snapshot)")
        for connection in slow {
            #expect(connection.receiveAllBytes().isEmpty)
            connection.close()
        }
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(logged.snapshot.filter { $0.contains("timed out") }.count == 20)
    }

    @Test func connectionsBeyondTheLimitAreClosedAtOnce() throws {
        let (listener, logged) = try Self.listener(timeout: 5, limit: 3)
        defer { listener.stop() }
        let held = try (0..<3).map { _ in try LoopbackConnection(host: "127.0.0.1", port: listener.port) }
        #expect(eventually(timeout: 30) { (try? Self.exchange(listener.port, Self.query("check_a"))) == [] })
        #expect(logged.snapshot.contains { $0.contains("connection limit") })
        held.forEach { $0.close() }
        #expect(
            eventually(timeout: 30) { (try? Self.exchange(listener.port, Self.query("check_a"))).flatMap(Self.answerText) == "OK check_a " }
        )
    }

    @Test func hostsNotAllowedAreClosedAtOnce() throws {
        let (listener, logged) = try Self.listener(allowed: ["10.9.9.9"])
        defer { listener.stop() }
        #expect(try Self.exchange(listener.port, Self.query("check_a")).isEmpty)
        #expect(logged.snapshot.contains { $0.contains("allowed_hosts") })
    }

    @Test func aBusyAddressIsAClearError() throws {
        let (listener, _) = try Self.listener()
        defer { listener.stop() }
        #expect {
            _ = try NRPEListener(
                options: .init(address: ListenAddress(host: "127.0.0.1", port: listener.port), allowedHosts: try AllowedHosts([])),
                responder: { _, _ in }, log: { _, _ in })
        } throws: { error in
            "\(error)".contains("cannot listen on 127.0.0.1:\(listener.port)")
        }
    }
}

/// Log lines a listener wrote, from any thread.
final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var snapshot: [String] { lines.withLock { $0 } }
}
