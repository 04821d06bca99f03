import ArgumentParser
import DsariCore
import DsariEngine
import DsariHTTP
import DsariMetrics
import Foundation

/// `dsari-daemon`: runs scheduled and triggered jobs and records every run.
public struct DaemonCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dsari-daemon",
        abstract: "Do Something and Record It - the scheduler.",
        discussion: "Signals: HUP reloads the configuration, INT/TERM stop, QUIT logs what is running, USR1 scans triggers.",
        version: DsariVersion.string)

    @OptionGroup var options: ConfigDirectoryOptions
    @Flag(help: "Fork into the background (detach from the terminal).") var fork = false
    @Flag(help: "Verbose log.") var debug = false

    public init() {}

    public func run() throws {
        if fork {
            // Before any thread exists: fork, new session, stdio to /dev/null
            // except the log (stderr), which stays where it was sent.
            guard daemon(1, 1) == 0 else {
                StandardError.print("error: cannot fork: \(String(cString: strerror(errno)))")
                throw ExitCode(1)
            }
        }
        let daemon: Daemon
        do {
            daemon = try Daemon(configDirectory: options.resolvedConfigDirectory, debug: debug)
        } catch {
            StandardError.print("error: \(error)")
            throw ExitCode(1)
        }
        // With `http_listen`, this process serves the exporter's endpoints too.
        var server: HTTPServer?
        let config = daemon.initialConfiguration
        if let listen = config.httpListen {
            let collector = MetricsCollector(config: config)
            do {
                server = try HTTPServer(
                    host: listen.host, port: listen.port, routes: StatusEndpoints.routes(collector: collector, metricsPath: "/metrics"))
            } catch {
                StandardError.print("error: http_listen \(listen): \(error)")
                throw ExitCode(1)
            }
            daemon.onReload = { collector.reload(config: $0) }
            StandardError.print("dsari-daemon serving /metrics, /status, /status.json on \(listen.host):\(server?.port ?? listen.port)")
        }
        let listening = server
        daemon.start { status in
            listening?.stop()
            Glibc.exit(status)
        }
        // dispatchMain never returns: without this the optimizer may release
        // `daemon` right after its last use above.
        withExtendedLifetime((daemon, server)) { dispatchMain() }
    }
}
