import ArgumentParser
import DsariCore
import DsariEngine
import DsariHTTP
import DsariMetrics
import DsariNRPE
import DsariStore
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
        // First of all, before the lock file names this process: a signal
        // sent while the daemon starts must neither kill it nor be lost.
        DaemonSignals.hold()
        // Every line on stderr from here on is a log line (`LineLogHandler`).
        let log = DaemonLog(debug: debug)
        if fork {
            // Before any thread exists: fork, new session, stdio to /dev/null
            // except the log (stderr), which stays where it was sent.
            guard daemon(1, 1) == 0 else {
                log.error("cannot fork", ["reason": String(cString: strerror(errno))])
                throw ExitCode(1)
            }
        }
        let daemon: Daemon
        do {
            daemon = try Daemon(configDirectory: options.resolvedConfigDirectory, log: log)
        } catch {
            log.error("\(error)")
            throw ExitCode(1)
        }
        // With `http_listen`, this process serves the exporter's endpoints too.
        var server: HTTPServer?
        let config = daemon.initialConfiguration
        if let listen = config.httpListen {
            let collector = MetricsCollector(config: config)
            do {
                server = try HTTPServer(
                    host: listen.host, port: listen.port, routes: StatusEndpoints.routes(collector: collector, metricsPath: "/metrics"),
                    log: { log.warning("HTTP server", ["reason": $0]) })
            } catch {
                log.error("cannot serve http_listen", ["address": "\(listen)", "reason": "\(error)"])
                throw ExitCode(1)
            }
            daemon.onReload = { collector.reload(config: $0) }
            log.info(
                "serving /metrics, /status and /status.json",
                ["address": ListenAddress(host: listen.host, port: server?.port ?? listen.port).description])
        }
        let nrpe: NRPEListener?
        do {
            nrpe = try startNRPEListener(config: config, daemon: daemon)
        } catch {
            log.error("cannot answer on nrpe_listen", ["address": config.nrpeListener.address.map { "\($0)" } ?? "", "reason": "\(error)"])
            throw ExitCode(1)
        }
        let listening = server
        daemon.start { status in
            listening?.stop()
            nrpe?.stop()
            Glibc.exit(status)
        }
        // dispatchMain never returns: without this the optimizer may release
        // `daemon` right after its last use above.
        withExtendedLifetime((daemon, server, nrpe)) { dispatchMain() }
    }

    /// With `nrpe_listen`: answers check_nrpe from the recorded check results.
    /// The listening address and TLS setup are read at start; a reload
    /// changes the jobs it answers for.
    private func startNRPEListener(config: Config, daemon: Daemon) throws -> NRPEListener? {
        let settings = config.nrpeListener
        guard let address = settings.address else { return nil }
        let tls =
            settings.ssl
            ? try NRPETLSContext(
                options: .init(
                    certificateFile: settings.sslCertificateFile, privateKeyFile: settings.sslPrivateKeyFile,
                    caCertificateFile: settings.sslCACertificateFile)) : nil
        // Its own connection: answers never wait behind the daemon's writes.
        guard let store = try RunStores.open(config, access: .read, applicationName: "dsari-daemon (NRPE)") else {
            throw RunStoreError(.failed, operation: "open \(RunStores.describe(config))", message: "the daemon has not created it")
        }
        let answers = NRPEAnswers(config: config, source: DaemonCheckSource(store: store, daemon: daemon))
        let reloadMetrics = daemon.onReload
        daemon.onReload = { fresh in
            reloadMetrics?(fresh)
            answers.reload(config: fresh)
        }
        let listener = try NRPEListener(
            options: .init(
                address: address, allowedHosts: try AllowedHosts(settings.allowedHosts), allowArguments: settings.allowArguments,
                connectionTimeout: settings.connectionTimeout, tls: tls),
            responder: { query, reply in answers.answer(query, reply: reply) },
            log: { [log = daemon.log] message, fields in log.write(.warning, message, fields: fields) })
        let mode = tls == nil ? "plain TCP (check_nrpe -n)" : settings.sslCertificateFile == nil ? "TLS, anonymous DH" : "TLS, certificate"
        daemon.log.info(
            "answering check_nrpe",
            [
                "address": ListenAddress(host: address.host, port: listener.port).description, "mode": mode,
                "allowed_hosts": settings.allowedHosts.joined(separator: ","),
            ])
        return listener
    }
}

/// The NRPE answers' view of this daemon: check results from the run store
/// (its own connection), runs on demand from the engine.
private struct DaemonCheckSource: NRPECheckSource {
    let store: any RunStore
    let daemon: Daemon

    func latestCheckResult(jobName: String) throws -> ConfigValue? {
        try store.latestCheckResult(jobName: jobName)
    }

    func runNow(jobName: String, arguments: [String], completion: @escaping @Sendable (ConfigValue?) -> Void) {
        daemon.runNow(jobName: jobName, arguments: arguments) { run in completion(run?.runData) }
    }
}
