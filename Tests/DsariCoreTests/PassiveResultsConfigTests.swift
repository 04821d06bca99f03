import DsariTestSupport
import Foundation
import Testing

@testable import DsariCore

/// `passive_results` and the jobs' `passive_service`/`passive_host`: what
/// each destination type takes, its defaults, and a refusal naming the
/// file, the line and the reason for what cannot be used.
@Suite struct PassiveResultsConfigTests {
    func load(_ text: String) throws -> Config {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("etc/dsari.yaml", text)
        return try ConfigLoader(environment: ["DSARI_HOME": directory.path]).load(configDirectory: directory.url("etc"))
    }

    func refusal(_ text: String) -> String {
        do {
            _ = try load(text)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func everyDestinationTypeAndTheJobKeys() throws {
        let config = try load(
            """
            host_name: agent-1
            passive_results:
              - {type: nsca, address: "nagios.example.com:5667", password: pw}
              - {type: nsca, address: "[::1]:5667", encryption: 0, name: local, max_age: 120, timeout: 3}
              - {type: command_file, path: /var/lib/nagios4/rw/nagios.cmd}
              - {type: command_file, check_result_path: /var/lib/nagios4/spool/checkresults}
              - {type: icinga2, url: "https://icinga:5665/", ca_file: /etc/ssl/ca.pem, user: dsari, password: x}
            jobs:
              disk: {command: [/bin/true], nagios_check: true, passive_service: "Disk /", passive_host: web-01}
              load: {command: [/bin/true], nagios_check: true}

            """)
        let destinations = config.passiveResults
        #expect(destinations.count == 5)
        #expect(destinations[0].kind == .nsca(host: "nagios.example.com", port: 5667, encryption: .xor, password: "pw"))
        #expect(destinations[0].name == "nsca nagios.example.com:5667" && destinations[0].maxAge == 3600 && destinations[0].timeout == 10)
        #expect(destinations[1].kind == .nsca(host: "::1", port: 5667, encryption: .none, password: ""))
        #expect(destinations[1].name == "local" && destinations[1].maxAge == 120 && destinations[1].timeout == 3)
        #expect(destinations[2].kind == .commandFile(path: "/var/lib/nagios4/rw/nagios.cmd"))
        #expect(destinations[3].kind == .checkResultSpool(directory: "/var/lib/nagios4/spool/checkresults"))
        #expect(
            destinations[4].kind == .icinga2(.init(url: "https://icinga:5665", caFile: "/etc/ssl/ca.pem", user: "dsari", password: "x")))
        #expect(config.jobs["disk"]?.passiveService == "Disk /" && config.jobs["disk"]?.passiveHost == "web-01")
        #expect(config.jobs["load"]?.passiveService == nil)
        // The dump never shows a password.
        let dumped = destinations[0].dumped.jsonString(pretty: false)
        #expect(dumped.contains("\"password\":\"***\"") && !dumped.contains("pw\""))
    }

    @Test func refusalsNameThePlaceAndTheReason() {
        let cases: [(String, String)] = [
            ("passive_results: {type: nsca}\n", "\"passive_results\" must be a list of destinations"),
            ("passive_results:\n  - {type: nrpe}\n", "dsari.yaml:2: \"passive_results[0].type\" must be nsca, command_file or icinga2"),
            ("passive_results:\n  - {type: nsca}\n", "\"passive_results[0]\" (type nsca) needs \"address\""),
            (
                "passive_results:\n  - {type: nsca, address: \"h:5667\", encryption: 3}\n",
                "\"passive_results[0].encryption\" must be 0 (none) or 1 (XOR), not the number 3: NSCA's mcrypt methods (2–26) are not offered"
            ),
            ("passive_results:\n  - {type: nsca, address: nagios}\n", "\"passive_results[0].address\" \"nagios\" is not HOST:PORT"),
            (
                "passive_results:\n  - {type: command_file, path: /a, check_result_path: /b}\n",
                "needs exactly one of \"path\" (Nagios' external command file) and \"check_result_path\""
            ),
            (
                "passive_results:\n  - {type: icinga2, url: \"icinga:5665\", user: u, password: p}\n",
                "\"passive_results[0].url\" \"icinga:5665\" is not an Icinga 2 API address such as \"https://HOST:5665\""
            ),
            (
                "passive_results:\n  - {type: icinga2, url: \"https://icinga:5665\"}\n",
                "needs \"user\" and \"password\" (an ApiUser) or \"cert_file\""
            ),
            (
                "passive_results:\n  - {type: icinga2, url: \"https://i:5665\", cert_file: c.pem, user: u}\n",
                "needs both \"cert_file\" and \"key_file\""
            ),
            (
                "passive_results:\n  - {type: command_file, path: /a}\n  - {type: command_file, path: /a}\n",
                "dsari.yaml:3: \"passive_results[1]\" has the same name as an earlier destination"
            ),
            ("passive_results:\n  - {type: nsca, address: \"h:1\", password: 12}\n", "must be a string, not an integer"),
            ("jobs:\n  a: {command: [x], passive_service: \"a;b\"}\n", "\"passive_service\" must be a non-empty name without \";\""),
        ]
        for (text, expected) in cases {
            let message = refusal(text)
            #expect(message.contains(expected), "\(text) → \(message)")
        }
    }

    @Test func aPasswordIsNeverQuotedInAnError() {
        let message = refusal("passive_results:\n  - {type: icinga2, url: \"https://i:5665\", user: u, password: [hunter2]}\n")
        #expect(message.contains("must be a string") && !message.contains("hunter2"), "\(message)")
    }
}
