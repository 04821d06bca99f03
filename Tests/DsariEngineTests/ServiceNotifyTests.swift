import DsariTestSupport
import Foundation
import Testing

/// systemd's `Type=notify` (the packaged dsari-daemon.service): the daemon
/// says `READY=1` on `NOTIFY_SOCKET` once it schedules and its listeners
/// answer, so `systemctl start` returns when it is ready, and `STOPPING=1`
/// when a stop begins.
@Suite("readiness for systemd (built binary)")
struct ServiceNotifyTests {
    @Test(arguments: [false, true])
    func theDaemonSaysReadyWhenItServesAndStoppingWhenItStops(abstractSocket: Bool) throws {
        let daemon = try DaemonProcess(
            config: """
                http_listen: "127.0.0.1:0"
                jobs:
                  tick: {command: [/bin/true], schedule: "* * * * *"}

                """)
        defer { daemon.stop() }
        let socketPath = daemon.home.url("notify-\(UUID().uuidString.prefix(8))")
        let notify = try NotifySocket(path: socketPath, abstract: abstractSocket)
        try daemon.start(environment: ["NOTIFY_SOCKET": notify.name])

        let ready = try #require(notify.receive(timeout: 30), "no datagram within 30 s; log:\n\(daemon.log)")
        let fields = ready.split(separator: "\n")
        #expect(fields.contains("READY=1"))
        #expect(fields.contains("MAINPID=\(daemon.process.processIdentifier)"))
        #expect(fields.contains("STATUS=scheduling 1 jobs"))
        // Ready means ready: the scheduler has started and the HTTP endpoints answer.
        let log = daemon.log
        #expect(log.contains("dsari-daemon started"))
        let port = try #require(daemon.httpPort, "\(log)")
        let health = try httpExchange(port: port, path: "/-/healthy")
        #expect(health.hasPrefix("HTTP/1.1 200 OK"), "\(health)")

        daemon.signal(SIGTERM)
        #expect(notify.receive(timeout: 30) == "STOPPING=1\n")
        #expect(daemon.waitForExit() == 0)
    }
}
