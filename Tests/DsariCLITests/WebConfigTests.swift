import DsariTestSupport
import Foundation
import Testing

/// exporter-toolkit's web configuration on the built binaries
/// (`dsari-prometheus-exporter --web.config.file`, the daemon's
/// `http_web_config`): basic auth with bcrypt hashes made by `htpasswd`,
/// HTTPS and client certificates checked with `curl`, and a real Prometheus
/// scraping over TLS with basic auth.
@Suite("web configuration: TLS and basic auth (built binaries, curl, Prometheus)", .serialized)
struct WebConfigTests {
    /// A DSARI_HOME with one job, certificates and web configurations.
    final class Site {
        let home: TemporaryDirectory
        let certificates: TestCertificates
        /// Certificates of a CA the server does not trust.
        let strangers: TestCertificates

        init() throws {
            home = try TemporaryDirectory(prefix: "dsari-web-config")
            try home.write("etc/dsari.yaml", "jobs:\n  a: {command: [/bin/true]}\n")
            certificates = try TestCertificates(directory: home.url("tls"), clients: ["scraper"])
            strangers = try TestCertificates(directory: home.url("other-tls"), clients: ["stranger"])
        }

        /// `user: bcrypt hash` lines from the real htpasswd (cost 5: fast tests).
        func users(_ credentials: [(String, String)]) throws -> String {
            try credentials.map { user, password in
                let htpasswd = try #require(
                    ["/usr/bin/htpasswd", "/usr/local/bin/htpasswd"].first { FileManager.default.isExecutableFile(atPath: $0) },
                    "htpasswd (Debian's apache2-utils) is needed; script/test installs it")
                let result = try BinaryRunner(path: htpasswd).run(["-nbB", "-C", "5", user, password])
                try #require(result.status == 0, "\(result.standardError)")
                let line = try #require(result.standardOutput.split(separator: "\n").first)
                let hash = line.split(separator: ":", maxSplits: 1)[1]
                return "  \(user): \"\(hash)\"\n"
            }.joined()
        }

        /// `tls_server_config` with the server's certificate and key, absolute paths.
        var serverTLS: String {
            "tls_server_config:\n  cert_file: \(certificates.serverCertFile)\n  key_file: \(certificates.serverKeyFile)\n"
        }

        func remove() { home.remove() }
    }

    /// One curl exchange: the status code (0 when no HTTP answer came), the
    /// headers and body, curl's error text.
    struct Exchange {
        var status: Int
        var text: String
        var error: String
    }

    static func curl(_ arguments: [String]) throws -> Exchange {
        let result = try BinaryRunner(path: "/usr/bin/curl").run(
            ["-sS", "-i", "--max-time", "20", "-w", "\n%{http_code}"] + arguments, timeout: 30)
        let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        return Exchange(
            status: Int(lines.last ?? "") ?? 0, text: lines.dropLast().joined(separator: "\n"), error: result.standardError)
    }

    @Test func basicAuthAsExporterToolkitDoesIt() throws {
        let site = try Site()
        defer { site.remove() }
        let webConfig = site.home.url("etc/web-config.yml")
        try site.home.write("etc/web-config.yml", "basic_auth_users:\n" + (try site.users([("prometheus", "s3cret")])))
        let exporter = try ExporterProcess(home: site.home, arguments: ["--web.config.file", webConfig])
        defer { exporter.stop() }
        #expect(exporter.log.contains("security=\"basic auth from the web configuration\""), "\(exporter.log)")
        let url = "http://127.0.0.1:\(exporter.port)"

        // Every path is protected; without credentials: 401 with the challenge.
        for path in ["/metrics", "/", "/status", "/status.json", "/-/healthy", "/nowhere"] {
            let refused = try Self.curl([url + path])
            #expect(refused.status == 401, "\(path): \(refused.text)")
            #expect(refused.text.contains("WWW-Authenticate: Basic"), "\(refused.text)")
            #expect(!refused.text.contains("dsari_run_count"))
        }
        #expect(try Self.curl(["-u", "prometheus:wrong", url + "/metrics"]).status == 401)
        #expect(try Self.curl(["-u", "nobody:s3cret", url + "/metrics"]).status == 401)
        #expect(try Self.curl(["-H", "Authorization: Bearer s3cret", url + "/metrics"]).status == 401)
        let metrics = try Self.curl(["-u", "prometheus:s3cret", url + "/metrics"])
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("dsari_run_count{job_name=\"a\"} 0"))
        // The landing page links what is served.
        let landing = try Self.curl(["-u", "prometheus:s3cret", url + "/"])
        #expect(landing.status == 200)
        for link in ["href=\"/metrics\"", "href=\"/status\"", "href=\"/status.json\""] { #expect(landing.text.contains(link)) }

        // The users are read again when the file changes: no restart.
        try site.home.write("etc/web-config.yml", "basic_auth_users:\n" + (try site.users([("grafana", "other")])))
        #expect(try Self.curl(["-u", "grafana:other", url + "/metrics"]).status == 200)
        #expect(try Self.curl(["-u", "prometheus:s3cret", url + "/metrics"]).status == 401)
        // A file broken in place: 500 (nothing served), the reason in the log; fixed: served again.
        try site.home.write("etc/web-config.yml", "basic_auth_users:\n  grafana: plain-text\n")
        #expect(try Self.curl(["-u", "grafana:other", url + "/metrics"]).status == 500)
        #expect(
            eventually(timeout: 30) {
                exporter.log.replacingOccurrences(of: "\\\"", with: "\"").contains(
                    "web-config.yml:2: \"basic_auth_users\": the password of \"grafana\" is not a bcrypt hash")
            },
            "\(exporter.log)")
        try site.home.write("etc/web-config.yml", "basic_auth_users:\n" + (try site.users([("grafana", "other")])))
        #expect(try Self.curl(["-u", "grafana:other", url + "/metrics"]).status == 200)
    }

    @Test func httpsWithClientCertificatesVerifiedAgainstTheClientCA() throws {
        let site = try Site()
        defer { site.remove() }
        // Relative paths are read from the web configuration's directory, as exporter-toolkit does.
        try site.home.write(
            "tls/web-config.yml",
            """
            tls_server_config:
              cert_file: server-cert.pem
              key_file: server-key.pem
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ca.pem
            basic_auth_users:

            """ + (try site.users([("prometheus", "s3cret")])))
        let exporter = try ExporterProcess(home: site.home, arguments: ["--web.config.file", site.home.url("tls/web-config.yml")])
        defer { exporter.stop() }
        #expect(exporter.log.contains("security=\"HTTPS, client certificates RequireAndVerifyClientCert"), "\(exporter.log)")
        let url = "https://127.0.0.1:\(exporter.port)/metrics"
        let tls = ["--cacert", site.certificates.caFile]
        let client = ["--cert", site.certificates.clientCertFile("scraper"), "--key", site.certificates.clientKeyFile("scraper")]
        let served = try Self.curl(tls + client + ["-u", "prometheus:s3cret", url])
        #expect(served.status == 200, "\(served.error)")
        #expect(served.text.contains("dsari_run_count{job_name=\"a\"} 0"))
        // A client certificate is required, and it must come from the client CA.
        #expect(try Self.curl(tls + ["-u", "prometheus:s3cret", url]).status == 403)
        let stranger = ["--cert", site.strangers.clientCertFile("stranger"), "--key", site.strangers.clientKeyFile("stranger")]
        #expect(try Self.curl(tls + stranger + ["-u", "prometheus:s3cret", url]).status == 403)
        // Basic auth still applies with a good certificate.
        #expect(try Self.curl(tls + client + [url]).status == 401)
        // No plain HTTP on the HTTPS port, and the server's certificate verifies against the CA only.
        #expect(try Self.curl(["-u", "prometheus:s3cret", "http://127.0.0.1:\(exporter.port)/metrics"]).status != 200)
        let unverified = try Self.curl(["--cacert", site.strangers.caFile] + client + ["-u", "prometheus:s3cret", url])
        #expect(unverified.status == 0, "\(unverified.text)")
    }

    @Test func minVersionRefusesOlderProtocols() throws {
        let site = try Site()
        defer { site.remove() }
        try site.home.write("etc/web-config.yml", site.serverTLS + "  min_version: TLS13\n")
        let exporter = try ExporterProcess(home: site.home, arguments: ["--web.config.file", site.home.url("etc/web-config.yml")])
        defer { exporter.stop() }
        let url = "https://127.0.0.1:\(exporter.port)/-/healthy"
        let tls = ["--cacert", site.certificates.caFile]
        #expect(try Self.curl(tls + ["--tlsv1.3", url]).status == 200)
        let old = try Self.curl(tls + ["--tlsv1.2", "--tls-max", "1.2", url])
        #expect(old.status == 0, "\(old.text)")
    }

    @Test func aWebConfigurationThatCannotBeUsedStopsTheStart() throws {
        let site = try Site()
        defer { site.remove() }
        let cases: [(String, String)] = [
            (
                "tls_server_config:\n  cert_file: a.pem\n  key_file: b.pem\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
                "web-config.yml:4: \"tls_server_config.cipher_suites\" is not supported by dsari"
            ),
            (
                "tls_server_config:\n  cert_fil: a.pem\n",
                "web-config.yml:2: unknown key \"tls_server_config.cert_fil\" in the web configuration (did you mean \"cert_file\"?)"
            ),
            ("tls_server_config:\n  cert_file: missing.pem\n  key_file: missing.key\n", "cannot read the TLS key_file"),
            ("basic_auth_users:\n  u: secret\n", "web-config.yml:2: \"basic_auth_users\": the password of \"u\" is not a bcrypt hash"),
        ]
        for (text, message) in cases {
            try site.home.write("etc/web-config.yml", text)
            let result = try BinaryRunner("dsari-prometheus-exporter").run(
                [
                    "-c", site.home.url("etc"), "--listen-address", "127.0.0.1", "--listen-port", "0", "--web.config.file",
                    site.home.url("etc/web-config.yml"),
                ],
                environment: ["DSARI_HOME": site.home.path], timeout: 30)
            #expect(result.status == 1, "\(text): \(result.standardError)")
            // A log line: its reason="…" value has its quotes escaped.
            #expect(result.standardError.replacingOccurrences(of: "\\\"", with: "\"").contains(message), "\(result.standardError)")
        }
    }

    /// The daemon's own endpoints (`http_listen`) take the same file as
    /// `http_web_config`; `config check` reads it.
    @Test func theDaemonServesItsEndpointsWithTheWebConfiguration() throws {
        let site = try Site()
        defer { site.remove() }
        try site.home.write("web.yml", "basic_auth_users:\n" + (try site.users([("prometheus", "s3cret")])))
        let daemon = try DaemonProcess(
            config: """
                http_listen: "127.0.0.1:0"
                http_web_config: \(site.home.url("web.yml"))
                jobs:
                  a: {command: [/bin/true]}

                """, home: site.home)
        try daemon.start()
        defer { daemon.stop(keepHome: true) }
        #expect(eventually { daemon.log.contains("serving /metrics") }, "\(daemon.log)")
        let line = try #require(daemon.log.split(separator: "\n").first { $0.contains("serving /metrics") })
        #expect(line.contains("basic auth from the web configuration"))
        let port = try #require(daemon.httpPort)
        let url = "http://127.0.0.1:\(port)/metrics"
        #expect(try Self.curl([url]).status == 401)
        #expect(try Self.curl(["-u", "prometheus:s3cret", url]).status == 200)

        try site.home.write("web.yml", "basic_auth_user:\n  x: y\n")
        let check = try BinaryRunner("dsari-info").run(["config", "check", "-c", daemon.configDirectory])
        #expect(check.status == 1)
        #expect(
            check.standardError.contains(
                "web.yml:1: unknown key \"basic_auth_user\" in the web configuration (did you mean \"basic_auth_users\"?)"),
            "\(check.standardError)")
    }

    @Test func prometheusScrapesOverTLSWithBasicAuth() throws {
        let site = try Site()
        defer { site.remove() }
        try site.home.write("etc/web-config.yml", site.serverTLS + "basic_auth_users:\n" + (try site.users([("prometheus", "s3cret")])))
        let exporter = try ExporterProcess(home: site.home, arguments: ["--web.config.file", site.home.url("etc/web-config.yml")])
        defer { exporter.stop() }
        // Two scrape jobs on the same exporter: one with the credentials, one without.
        try site.home.write(
            "prometheus.yml",
            """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: dsari
                scheme: https
                tls_config: {ca_file: \(site.certificates.caFile)}
                basic_auth: {username: prometheus, password: s3cret}
                static_configs: [{targets: ["127.0.0.1:\(exporter.port)"]}]
              - job_name: anonymous
                scheme: https
                tls_config: {ca_file: \(site.certificates.caFile)}
                static_configs: [{targets: ["127.0.0.1:\(exporter.port)"]}]

            """)
        let prometheus = try PrometheusServer(directory: site.home, configFile: site.home.url("prometheus.yml"))
        defer { prometheus.stop() }
        func target(_ job: String) throws -> [String: Any]? {
            let data = try prometheus.api("/api/v1/targets")["data"] as? [String: Any]
            let targets = data?["activeTargets"] as? [[String: Any]] ?? []
            return targets.first { ($0["labels"] as? [String: String])?["job"] == job && $0["health"] as? String != "unknown" }
        }
        #expect(eventually(timeout: 30) { (try? target("dsari"))??["health"] as? String == "up" }, "\(prometheus.log)")
        #expect(eventually(timeout: 30) { (try? target("anonymous"))??["health"] as? String == "down" })
        let refused = try target("anonymous")
        let lastError = (refused?["lastError"] as? String) ?? ""
        #expect(lastError.contains("401"), "\(lastError)")
        #expect(
            eventually(timeout: 30) {
                guard case .success(let series) = prometheus.query("dsari_run_count{job=\"dsari\",job_name=\"a\"}") else { return false }
                return series.count == 1
            })
    }
}
