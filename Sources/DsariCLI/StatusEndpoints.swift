import DsariCore
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
        let landingPage = Self.landingPage(metricsPath: metricsPath)
        return [
            "/": { _ in landingPage },
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

    /// `/`: what is served here, as exporters' landing pages say it.
    static func landingPage(metricsPath: String) -> HTTPResponse {
        let links = [
            (metricsPath, "Metrics", "the Prometheus exposition format"),
            ("/status", "Status", "each job's and check's state (HTML)"),
            ("/status.json", "Status as JSON", "the same, with Nagios status.dat field names"),
            ("/-/healthy", "Health", "200 while the run history can be read"),
        ]
        let items = links.map { path, title, about in
            "<li><a href=\"\(path.htmlEscaped)\">\(title)</a> — \(about)</li>"
        }
        let page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>dsari</title></head>
            <body><h1>dsari</h1><p>Do Something and Record It, version \(DsariVersion.string.htmlEscaped).</p>
            <ul>
            \(items.joined(separator: "\n"))
            </ul></body></html>

            """
        return .text(page, contentType: "text/html; charset=utf-8")
    }
}
