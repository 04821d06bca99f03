import DsariCore
import DsariTestSupport
import Foundation
import Testing

/// exporter-toolkit's web configuration as `WebConfig.read` takes it:
/// exporter-toolkit's rules, and a refusal (file, line, key, reason) for
/// anything dsari cannot honour.
@Suite struct WebConfigTests {
    static let hash = "$2y$05$jvmcHM086HAYhJFLyFcsOOiTm8rI8PHRX0F9atw6xCx0E4AsdioJq"

    func read(_ text: String) throws -> WebConfig {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        return try WebConfig.read(path: try directory.write("conf/web.yml", text))
    }

    func refusal(_ text: String) -> String {
        do {
            _ = try read(text)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func anEmptyFileTurnsNothingOn() throws {
        #expect(try read("") == WebConfig())
        #expect(try read("# nothing yet\n") == WebConfig())
    }

    @Test func everySupportedKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write(
            "conf/web.yml",
            """
            tls_server_config:
              cert_file: server.crt
              key_file: /etc/keys/server.key
              client_auth_type: VerifyClientCertIfGiven
              client_ca_file: ../ca.crt
              min_version: TLS11
              max_version: TLS12
              prefer_server_cipher_suites: true
            http_server_config: {http2: false}
            basic_auth_users:
              alice: '\(Self.hash)'

            """)
        let config = try WebConfig.read(path: path)
        let tls = try #require(config.tls)
        #expect(tls.certificateFile == directory.url("conf/server.crt"))
        #expect(tls.keyFile == "/etc/keys/server.key")
        #expect(tls.clientCAFile == directory.url("conf/../ca.crt"))
        #expect(tls.clientAuth == .verifyClientCertIfGiven && tls.clientAuth.verifiesCertificate && !tls.clientAuth.requiresCertificate)
        #expect(WebConfig.gnuTLSPriorities(tls) == "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.2")
        #expect(config.basicAuthUsers == ["alice": Self.hash])
    }

    @Test func theDefaultsAreExporterToolkits() throws {
        let tls = try #require(try read("tls_server_config: {cert_file: a, key_file: b}\n").tls)
        #expect(tls.clientAuth == .noClientCert)
        #expect(tls.minVersion == .tls12 && tls.maxVersion == nil)
        #expect(WebConfig.gnuTLSPriorities(tls) == "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.3")
    }

    @Test func refusalsNameTheFileTheLineAndTheReason() {
        let cases: [(String, String)] = [
            ("tls_server_config: {cert_file: a}\n", "web.yml:1: \"tls_server_config\" needs \"key_file\""),
            (
                "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: ca\n",
                "web.yml:4: \"tls_server_config.client_ca_file\" is set but \"client_auth_type\" is NoClientCert"
            ),
            (
                "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAnyClientCert\n",
                "web.yml:4: \"tls_server_config.client_auth_type\" RequireAnyClientCert needs \"client_ca_file\" in dsari"
            ),
            (
                "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Always\n",
                "web.yml:4: \"tls_server_config.client_auth_type\" \"Always\" is not one of NoClientCert, RequestClientCert"
            ),
            (
                "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n",
                "web.yml:5: \"tls_server_config.max_version\" TLS12 is older than \"min_version\" TLS13"
            ),
            (
                "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_allowed_sans: [x]\n",
                "web.yml:4: \"tls_server_config.client_allowed_sans\" is not supported by dsari"
            ),
            (
                "http_server_config:\n  headers: {X-Frame-Options: deny}\n",
                "web.yml:2: \"http_server_config.headers\" is not supported by dsari yet"
            ),
            ("basic_auth_users:\n  bob: '$1$abc$def'\n", "web.yml:2: \"basic_auth_users\": the password of \"bob\" is not a bcrypt hash"),
            (
                "basic_auth_users:\n  bob: 12\n",
                "web.yml:2: \"basic_auth_users\": the password of \"bob\" must be a bcrypt hash string, not an integer"
            ),
            ("basic_auth:\n  bob: x\n", "web.yml:1: unknown key \"basic_auth\" in the web configuration"),
            (
                "tls_server_config:\n  key_fille: b\n",
                "web.yml:2: unknown key \"tls_server_config.key_fille\" in the web configuration (did you mean \"key_file\"?)"
            ),
            ("- a\n", "web.yml:1: the web configuration must be a mapping, not a list"),
        ]
        for (text, expected) in cases {
            let message = refusal(text)
            #expect(message.contains(expected), "\(text) → \(message)")
        }
    }
}
