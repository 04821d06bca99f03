import DsariHTTP
import DsariMetrics

/// The HTTP endpoints of the exporter — served by `dsari-prometheus-exporter`
/// and, with `http_listen`, by `dsari-daemon` itself: the same routes in both.
enum StatusEndpoints {
    static func routes(collector: MetricsCollector, metricsPath: String) -> [String: HTTPServer.Route] {
        func answer(_ body: @escaping @Sendable () throws -> HTTPResponse) -> HTTPServer.Route {
            { _ in
                do {
                    return try body()
                } catch {
                    return .text("cannot read the run history: \(error)\n", status: 503)
                }
            }
        }
        return [
            metricsPath: answer { .text(try collector.collect(), contentType: "text/plain; version=0.0.4; charset=utf-8") },
            "/status.json": answer {
                .text(try collector.status().jsonString(pretty: true, sortedKeys: false) + "\n", contentType: "application/json")
            },
            "/status": answer { .text(try collector.statusPage(), contentType: "text/html; charset=utf-8") },
            "/-/healthy": { _ in
                collector.isHealthy() ? .text("OK\n") : .text("the run history cannot be read\n", status: 503)
            },
        ]
    }
}
