import DsariCore
import DsariTestSupport
import Foundation
import Synchronization
import Testing

@testable import DsariPassive

/// Nagios' command file is a FIFO that Nagios drains as it can. A line
/// longer than PIPE_BUF (4 KB, up to Nagios' 8 KB) may go into it in parts:
/// a part left behind would join the next line into one garbled command.
@Suite("command file: whole lines into a busy FIFO")
struct CommandFileTransportTests {
    @Test func aLongLineIntoANearlyFullFIFOArrivesWhole() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.url("nagios.cmd")
        try #require(mkfifo(fifo, 0o600) == 0)
        let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(reader >= 0)
        defer { close(reader) }
        let filler = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        try #require(filler >= 0)
        // Every page of the pipe but one full (Linux: 16 pages of 4 KB),
        // so that a 6 KB line finds room for its first 4 KB only.
        let capacity = Int(fcntl(filler, 1032))  // F_GETPIPE_SZ, which Glibc's module leaves out
        let fillerBytes = Array(String(repeating: "filler.\n", count: (capacity - 4096) / 8).utf8)
        let filled = fillerBytes.withUnsafeBytes { write(filler, $0.baseAddress!, $0.count) }
        close(filler)
        try #require(filled == fillerBytes.count)

        let result = {
            var long = PassiveFormatTests.result
            long.pluginOutput = String(repeating: "x", count: 6000)
            return long
        }()
        let now = Date().timeIntervalSince1970
        let sent = DispatchSemaphore(value: 0)
        let outcome = Mutex<String?>(nil)
        Thread {
            do {
                try CommandFileTransport(path: fifo).send(result)
                outcome.withLock { $0 = "sent" }
            } catch {
                outcome.withLock { $0 = "\(error)" }
            }
            sent.signal()
        }.start()

        // Nagios is busy for a moment, then reads everything.
        usleep(300_000)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            let count = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
            if count > 0 {
                received += buffer[0..<count]
                continue
            }
            if sent.wait(timeout: .now()) == .success {
                sent.signal()
                // Whatever was written is in the pipe now.
                let rest = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
                if rest > 0 { received += buffer[0..<rest] }
                break
            }
            usleep(10_000)
        }
        #expect(outcome.withLock { $0 } == "sent")
        let lines = String(decoding: received, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let fillerLines = fillerBytes.count / 8
        #expect(lines.count == fillerLines + 2 && lines.last == "", "a whole number of lines")
        #expect(lines.prefix(fillerLines).allSatisfy { $0 == "filler." })
        let line = try #require(lines.dropLast().last)
        #expect(line.hasSuffix(";web-01;Disk /;1;" + result.nagiosOutput), "the check's line is whole")
        #expect(line.hasPrefix("[") && abs((Double(line.dropFirst().prefix { $0 != "]" }) ?? 0) - now) < 60)
    }
}

/// The queue on disk: what a crash leaves half-written is never sent.
@Suite("passive queue: leftovers of a crash")
struct PassiveQueueLeftoverTests {
    @Test func aTemporaryFileACrashLeftIsRemovedAndNeverSent() throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let queue = try PassiveQueue(dataDirectory: home.path, destination: "nagios")
        try queue.append(PassiveFormatTests.result)
        let directory = DataLayout(dataDirectory: home.path).passiveQueueDirectory(destination: "nagios")
        // What `DurableFile` leaves when killed between its write and its rename.
        let leftover = DsariPaths.join(directory, ".0000000000000002.json.Ab12Cd")
        try #require(FileManager.default.createFile(atPath: leftover, contents: Data("{\"half\":".utf8)))

        let reopened = try PassiveQueue(dataDirectory: home.path, destination: "nagios")
        #expect(!FileManager.default.fileExists(atPath: leftover))
        #expect(reopened.count == 1 && reopened.oldest()?.result?.runID == "r1")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(!names.contains { $0.hasPrefix(".") }, "\(names)")
    }
}
