import DsariTestSupport
import Foundation
import Testing

extension ReliabilityTests {
    /// The daemon's HTTP endpoints (http_listen) under load, with idle and
    /// hostile clients, while it runs jobs.
    @Suite("HTTP load and fuzzing")
    struct HTTPLoad {
        static let wrkPath = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first { FileManager.default.isExecutableFile(atPath: $0) }

        /// A daemon serving on a free port, running 20 jobs a second (a
        /// quarter of them Nagios checks with performance data).
        static func daemon(ledger: String) throws -> (DaemonProcess, UInt16) {
            let port = try freeLoopbackPort()
            var jobs: [String] = []
            for index in 0..<20 {
                let check = index % 4 == 0
                let script = check ? #"echo "OK - fine | t=0.\#(index)s;1;2 size=\#(index)KB;;;0""# : "sleep 0.\(index % 5)"
                jobs.append(
                    "  job\(index): {command: [/bin/sh, -c, '\(script); echo \"$RUN_ID\" >> \"$LEDGER\"'], schedule: '* * * * * *', nagios_check: \(check)}"
                )
            }
            let config =
                "http_listen: \"127.0.0.1:\(port)\"\nenvironment: {LEDGER: \"\(ledger)\"}\njobs:\n" + jobs.joined(separator: "\n") + "\n"
            let daemon = try DaemonProcess(config: config)
            try daemon.start()
            return (daemon, port)
        }

        static func answersOK(_ port: UInt16, _ path: String) -> Bool {
            let reply = (try? httpExchange(port: port, path: path)) ?? ""
            return reply.hasPrefix("HTTP/1.") && reply.split(separator: " ").dropFirst().first == "200"
        }

        /// Connected sockets that send nothing; reopened when the server's idle timeout closes them.
        struct IdleSockets {
            var descriptors: [Int32] = []
            var reopened = 0
            var refused = 0
            let port: UInt16

            mutating func fill(to count: Int) {
                while descriptors.count < count {
                    guard let connection = try? LoopbackConnection(host: "127.0.0.1", port: port) else {
                        refused += 1
                        return
                    }
                    descriptors.append(connection.descriptor)
                }
            }

            /// Reopens the sockets the server closed.
            mutating func maintain() {
                var byte: UInt8 = 0
                let before = descriptors.count
                descriptors.removeAll { descriptor in
                    let closed = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK)) == 0
                    if closed { close(descriptor) }
                    return closed
                }
                reopened += before - descriptors.count
                fill(to: before)
            }

            func closeAll() { descriptors.forEach { close($0) } }
        }

        struct WrkResult {
            var requests = 0
            var socketErrors = 0
            var non2xx = 0
            var p99Milliseconds: Double?
            var text = ""

            init(_ text: String) {
                self.text = text
                for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    let words = line.split(separator: " ")
                    if line.contains("requests in"), let count = Int(words.first ?? "") { requests = count }
                    if line.hasPrefix("Socket errors:") {
                        socketErrors = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }.reduce(0, +)
                    }
                    if line.hasPrefix("Non-2xx or 3xx responses:"), let count = Int(words.last ?? "") { non2xx = count }
                    if line.hasPrefix("99%"), let value = words.last { p99Milliseconds = Self.milliseconds(String(value)) }
                }
            }

            static func milliseconds(_ text: String) -> Double? {
                for (unit, factor) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where text.hasSuffix(unit) {
                    return Double(text.dropLast(unit.count)).map { $0 * factor }
                }
                return nil
            }
        }

        @Test(.enabled(if: wrkPath != nil, "wrk is not installed (script/test installs the Debian package)"))
        func scrapesUnderLoadWithIdleSockets() throws {
            let home = try TemporaryDirectory(prefix: "dsari-load")
            defer { home.remove() }
            let ledger = home.url("ledger")
            let (daemon, port) = try Self.daemon(ledger: ledger)
            defer { daemon.stop() }
            #expect(eventually { SystemProbe.ledger(ledger).count >= 20 && Self.answersOK(port, "/metrics") })
            let pid = daemon.process.processIdentifier
            var idle = IdleSockets(port: port)
            idle.fill(to: ReliabilityScale.idleSockets)
            #expect(idle.descriptors.count == ReliabilityScale.idleSockets, "only \(idle.descriptors.count) idle sockets connected")
            let script = try home.write(
                "paths.lua",
                """
                local paths = {"/metrics", "/status.json"}
                local n = 0
                request = function()
                  n = n + 1
                  return wrk.format("GET", paths[(n % 2) + 1])
                end

                """)
            let seconds = ReliabilityScale.loadSeconds
            let wrk = Process()
            wrk.executableURL = URL(fileURLWithPath: Self.wrkPath!)
            wrk.arguments = ["-t2", "-c64", "-d\(seconds)s", "--timeout", "10s", "--latency", "-s", script, "http://127.0.0.1:\(port)"]
            let output = Pipe()
            wrk.standardOutput = output
            wrk.standardError = output
            let ledgerBefore = SystemProbe.ledger(ledger).count
            try wrk.run()
            var samples: [(rss: Int, fds: Int)] = []
            while wrk.isRunning {
                if let rss = SystemProbe.residentKiB(pid), let fds = SystemProbe.openDescriptors(pid) { samples.append((rss, fds)) }
                idle.maintain()
                usleep(250_000)
            }
            let result = WrkResult(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            idle.maintain()
            let idleAtEnd = idle.descriptors.count
            idle.closeAll()
            let runsDuringLoad = SystemProbe.ledger(ledger).count - ledgerBefore
            // Memory flat: the last quarter of the samples against the second quarter (after warm-up).
            let quarter = max(1, samples.count / 4)
            let warm = samples.dropFirst(quarter).prefix(quarter).map(\.rss).max() ?? 0
            let late = samples.suffix(quarter).map(\.rss).max() ?? 0
            let p99 = result.p99Milliseconds.map { String(format: "%.1f ms", $0) } ?? "?"
            print(
                "http load: \(result.requests) requests in \(seconds) s on /metrics and /status.json, p99 \(p99), socket errors "
                    + "\(result.socketErrors), non-2xx \(result.non2xx); \(ReliabilityScale.idleSockets) idle sockets (\(idle.reopened) "
                    + "reopened after the idle timeout, \(idle.refused) refused); RSS KiB \(samples.first?.rss ?? 0) → warm \(warm) → "
                    + "late \(late); fds \(samples.map(\.fds).min() ?? 0)…\(samples.map(\.fds).max() ?? 0); \(runsDuringLoad) runs meanwhile"
            )
            #expect(result.requests > seconds * 50, "\(result.text)")
            #expect(result.socketErrors == 0 && result.non2xx == 0, "\(result.text)")
            #expect(result.p99Milliseconds != nil, "\(result.text)")
            #expect(idle.refused == 0 && idleAtEnd == ReliabilityScale.idleSockets)
            #expect(late <= warm + warm / 4 + 16_384, "RSS grew from \(warm) KiB to \(late) KiB under load")
            #expect(runsDuringLoad >= seconds * 5, "only \(runsDuringLoad) runs during the load")
            #expect(daemon.process.isRunning)
            #expect(Self.answersOK(port, "/metrics"))
            ReliabilityReport.record(
                test: "HTTP load (wrk)", load: "64 conns × \(seconds) s, \(result.requests) requests, \(runsDuringLoad) runs",
                faults: "\(ReliabilityScale.idleSockets) idle sockets held", runsLost: 0, crashes: daemon.process.isRunning ? 0 : 1,
                notes: "p99 \(p99); errors \(result.socketErrors + result.non2xx); RSS \(warm / 1024)→\(late / 1024) MiB")
        }

        /// Raw mutated requests, one connection each: every answer is HTTP or
        /// a closed connection, and the server keeps serving.
        @Test func fuzzedRequestsNeverStopTheServer() throws {
            let home = try TemporaryDirectory(prefix: "dsari-httpfuzz")
            defer { home.remove() }
            let (daemon, port) = try Self.daemon(ledger: home.url("ledger"))
            defer { daemon.stop() }
            #expect(eventually { Self.answersOK(port, "/-/healthy") })
            let corpusDirectory = FuzzTarget.corpusRoot + "/http"
            let corpus = ((try? FileManager.default.contentsOfDirectory(atPath: corpusDirectory)) ?? []).sorted()
                .compactMap { FileManager.default.contents(atPath: corpusDirectory + "/" + $0).map { Array($0) } }
            var mutator = Mutator(
                seed: ReliabilityScale.seed ^ 0x4854_5450, corpus: corpus,
                tokens: [
                    "GET ", "HEAD ", "POST ", "OPTIONS ", " HTTP/1.1\r\n", " HTTP/1.0\r\n", " HTTP/9.9\r\n", "\r\n", "\r\n\r\n", "Host: ",
                    "Content-Length: ", "Transfer-Encoding: chunked\r\n", "Connection: keep-alive\r\n", "/metrics", "/status.json",
                    "/status", "/-/healthy", "%00", "%", "?", "#", "..", "//", ": ", "\0",
                ])
            var statuses: [String: Int] = [:]
            var closedWithoutAnswer = 0
            var notHTTP: [String] = []
            var tried = 0
            // For the scale's time, and at least `minimumRequests` whatever the
            // machine's load (each request may wait up to 250 ms for an answer).
            let minimumRequests = max(40, corpus.count + 20)
            let deadline = monotonicMicroseconds() + UInt64(max(2, ReliabilityScale.fuzzSeconds) * 1_000_000)
            var inputs = corpus.map { $0 }
            while (monotonicMicroseconds() < deadline || tried < minimumRequests) && daemon.process.isRunning {
                let input = inputs.popLast() ?? mutator.next()
                tried += 1
                guard let connection = try? LoopbackConnection(host: "127.0.0.1", port: port) else { continue }
                // A keep-alive request is answered and then held open until the
                // server's idle timeout: read what comes within a quarter second.
                var timeout = timeval(tv_sec: 0, tv_usec: 250_000)
                setsockopt(connection.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                _ = input.withUnsafeBytes { send(connection.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                shutdown(connection.descriptor, Int32(SHUT_WR))
                let reply = connection.receiveAll()
                connection.close()
                if reply.isEmpty {
                    closedWithoutAnswer += 1
                } else if reply.hasPrefix("HTTP/1."), let status = reply.split(separator: " ").dropFirst().first {
                    statuses[String(status), default: 0] += 1
                } else if notHTTP.count < 5 {
                    notHTTP.append(String(reply.prefix(80)))
                }
            }
            let alive = daemon.process.isRunning
            print(
                "http fuzz: \(tried) requests; statuses \(statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")); "
                    + "\(closedWithoutAnswer) closed without an answer; \(notHTTP.count) not HTTP; daemon \(alive ? "alive" : "DEAD")")
            #expect(alive, "\(daemon.log.suffix(3000))")
            #expect(notHTTP.isEmpty, "\(notHTTP)")
            #expect(Self.answersOK(port, "/metrics"))
            #expect(tried >= minimumRequests)
            ReliabilityReport.record(
                test: "fuzz HTTP requests", load: "\(tried) raw requests",
                faults: "\(statuses.filter { $0.key.hasPrefix("4") }.values.reduce(0, +)) answered 4xx",
                runsLost: 0, crashes: alive ? 0 : 1, notes: "\(closedWithoutAnswer) closed without answer; server still answers 200")
        }
    }
}
