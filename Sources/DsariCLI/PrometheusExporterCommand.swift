import ArgumentParser
import DsariCore
import DsariEngine
import DsariHTTP
import DsariMetrics
import DsariNagios
import Foundation

/// `dsari-prometheus-exporter`: dsari's metrics over HTTP (libmicrohttpd), with dsari's flags.
public struct PrometheusExporterCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dsari-prometheus-exporter",
        abstract: "Do Something and Record It - Prometheus exporter.",
        discussion: "SIGHUP reloads the configuration. Endpoints: the metrics path, /status (HTML), /status.json, /-/healthy.",
        version: DsariVersion.string)

    @OptionGroup var options: ConfigDirectoryOptions
    @Option(help: "Path to serve metrics from.") var metricsPath = "/metrics"
    @Option(help: "IP address to listen on (IPv4 or IPv6).") var listenAddress = "0.0.0.0"
    @Option(help: "Port to listen on (0: any free port, logged).") var listenPort = 50575
    @Option(
        help: "Seconds to cache finished-run metrics, as dsari (running runs are always current); 0 reads new runs at every scrape.")
    var jobCacheTime: Double = 120
    @Option(help: "Comma-separated quantiles for the summaries.") var quantiles = "0.01,0.1,0.5,0.9,0.99"
    @Flag(help: "Do not gather running run metrics.") var noRunning = false
    @Flag(help: "Print the metrics and exit; do not start the server.") var dump = false
    @Flag(help: "Verbose log.") var debug = false
    @Flag(help: "Every host of a fleet sharing one PostgreSQL database: each series gets a host label.") var allHosts = false
    @Option(
        name: .customLong("web.config.file"),
        help: ArgumentHelp(
            "A web configuration file (exporter-toolkit's format) for TLS and basic auth; its users are read again when it changes.",
            valueName: "path"))
    var webConfigFile: String?

    public init() {}

    public func validate() throws {
        let parsed = quantiles.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0.map { (0...1).contains($0) } ?? false }) else {
            throw ValidationError("--quantiles \"\(quantiles)\": expected comma-separated numbers between 0 and 1.")
        }
        guard metricsPath.hasPrefix("/") else { throw ValidationError("--metrics-path must start with \"/\".") }
        guard (0...65535).contains(listenPort) else { throw ValidationError("--listen-port must be 0…65535.") }
        guard jobCacheTime >= 0, jobCacheTime.isFinite else { throw ValidationError("--job-cache-time must be 0 or more seconds.") }
    }

    /// SIGHUP reload, SIGINT/SIGTERM stop.
    static let handledSignals = [SIGHUP, SIGINT, SIGTERM]

    public func run() throws {
        // First of all, while serving: a SIGHUP or SIGTERM sent while the
        // exporter starts must neither kill it nor be lost (`SignalRouter`).
        if !dump { SignalRouter.hold(Self.handledSignals) }
        // Serving, every line on stderr is a log line in the daemon's format (`LineLogHandler`).
        let log = DaemonLog(debug: debug)
        let config = try dump ? options.loadConfig(printWarnings: false) : options.loadConfig(log: log)
        var collectorOptions = MetricsCollector.Options()
        collectorOptions.quantiles = quantiles.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        collectorOptions.includeRunning = !noRunning
        collectorOptions.jobCacheTime = jobCacheTime
        collectorOptions.allHosts = allHosts
        let collector = MetricsCollector(config: config, options: collectorOptions)
        if dump {
            do {
                print(try collector.collect(), terminator: "")
            } catch {
                StandardError.print("error: cannot read the run history: \(error)")
                throw ExitCode(1)
            }
            return
        }
        let routes = StatusEndpoints.routes(collector: collector, metricsPath: metricsPath)
        var services = Services()
        let server: HTTPServer
        do {
            server = services.add(
                try HTTPServer(
                    host: listenAddress, port: UInt16(listenPort), routes: routes, webConfigPath: webConfigFile,
                    log: { log.warning("HTTP server", ["reason": $0]) }))
        } catch {
            log.error(
                "cannot serve",
                ["address": ListenAddress(host: listenAddress, port: UInt16(listenPort)).description, "reason": "\(error)"])
            throw ExitCode(1)
        }
        log.info(
            "dsari-prometheus-exporter listening",
            [
                "address": ListenAddress(host: listenAddress, port: server.port).description, "path": metricsPath,
                "security": server.security ?? "plain HTTP", "version": DsariVersion.string,
            ])
        let configDirectory = options.resolvedConfigDirectory
        // Signals are handled on a queue of their own; this thread waits for a stop.
        let stopped = DispatchSemaphore(value: 0)
        let signals = SignalRouter(
            [
                SIGHUP: {
                    do {
                        collector.reload(config: try ConfigLoader.standard().load(configDirectory: configDirectory))
                        log.info("configuration reloaded")
                    } catch {
                        log.warning("reload refused; keeping the running configuration", ["reason": "\(error)"])
                    }
                },
                SIGINT: { stopped.signal() },
                SIGTERM: { stopped.signal() },
            ], queue: DispatchQueue(label: "dsari-prometheus-exporter.signals"))
        signals.release()
        // Under systemd (`Type=notify`): serving from now on.
        let notifier = ServiceManagerNotifier()
        notifier.ready(status: "serving \(metricsPath) on \(listenAddress):\(server.port)")
        stopped.wait()
        notifier.stopping()
        services.stopAll()
        withExtendedLifetime(signals) {}
    }
}
