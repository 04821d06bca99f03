import ArgumentParser
import DsariCore
import DsariEngine
import DsariHTTP
import DsariMetrics
import DsariNRPE
import DsariPassive
import DsariStore
import Foundation
import Synchronization

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
        SignalRouter.hold(Daemon.handledSignals)
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
        // What a SIGHUP brought in goes to the parts made after the daemon
        // (metrics, NRPE answers), registered here as they are made.
        let reloads = ReloadListeners()
        // Check results to a central Nagios/Icinga (`passive_results`), from
        // queues on disk; made once the data directory is known.
        let passive = Mutex<PassiveResults?>(nil)
        let daemon: Daemon
        do {
            daemon = try Daemon(
                configDirectory: options.resolvedConfigDirectory, log: log, onReload: reloads.deliver,
                onCheckResult: { job, record, config in
                    guard !config.passiveResults.isEmpty, let result = PassiveResult(job: job, record: record, hostName: config.hostName)
                    else { return }
                    passive.withLock { $0 }?.submit(result)
                })
        } catch {
            log.error("\(error)")
            throw ExitCode(1)
        }
        let config = daemon.initialConfiguration
        // What serves beside the scheduler, stopped when the daemon has
        // stopped, or when a later one cannot start (the last first).
        var services = Services()
        let passiveResults = services.add(
            PassiveResults(
                dataDirectory: config.dataDir, destinations: config.passiveResults,
                log: { level, message, fields in log.write(level, message, fields: fields) }))
        passive.withLock { $0 = passiveResults }
        reloads.add { passiveResults.reload($0.passiveResults) }
        // With `http_listen`, this process serves the exporter's endpoints too.
        if let listen = config.httpListen {
            let collector = MetricsCollector(config: config)
            let server: HTTPServer
            do {
                server = services.add(
                    try HTTPServer(
                        host: listen.host, port: listen.port, routes: StatusEndpoints.routes(collector: collector, metricsPath: "/metrics"),
                        webConfigPath: config.httpWebConfig, log: { log.warning("HTTP server", ["reason": $0]) }))
            } catch {
                log.error("cannot serve http_listen", ["address": "\(listen)", "reason": "\(error)"])
                throw ExitCode(1)
            }
            reloads.add { collector.reload(config: $0) }
            log.info(
                "serving /metrics, /status and /status.json",
                [
                    "address": ListenAddress(host: listen.host, port: server.port).description,
                    "security": server.security ?? "plain HTTP",
                ])
        }
        do {
            if let nrpe = try startNRPEListener(config: config, daemon: daemon, reloads: reloads) { services.add(nrpe) }
        } catch {
            log.error("cannot answer on nrpe_listen", ["address": config.nrpeListener.address.map { "\($0)" } ?? "", "reason": "\(error)"])
            throw ExitCode(1)
        }
        // Runs until a SIGINT or SIGTERM has stopped it; its exit status is
        // this process's. Under systemd (`Type=notify`), `systemctl start`
        // returns once the listeners above and the scheduler are up.
        let notifier = ServiceManagerNotifier()
        let status = daemon.run(
            onReady: { notifier.ready(status: "scheduling \(config.jobs.count) jobs") }, onStopping: { notifier.stopping() })
        services.stopAll()
        if status != 0 { throw ExitCode(status) }
    }

    /// With `nrpe_listen`: answers check_nrpe from the recorded check results.
    /// The listening address and TLS setup are read at start; a reload
    /// changes the jobs it answers for.
    private func startNRPEListener(config: Config, daemon: Daemon, reloads: ReloadListeners) throws -> NRPEListener? {
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
        reloads.add { answers.reload(config: $0) }
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

/// The parts a configuration reload reaches, added as they are made.
private final class ReloadListeners: Sendable {
    private let listeners = Mutex<[@Sendable (Config) -> Void]>([])

    func add(_ listener: @escaping @Sendable (Config) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    @Sendable func deliver(_ config: Config) {
        for listener in listeners.withLock({ $0 }) { listener(config) }
    }
}
