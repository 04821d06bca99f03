import Foundation

/// Debian's Icinga 2 in a temporary directory (as user nagios when the
/// tests run as root), its API on 127.0.0.1 and a free port with a
/// certificate of a test CA; one host with the given passive services; two
/// API users with the process-check-result permission: `dsari` with a
/// password, and `dsari-client` by client certificate (`certificates`'
/// client `dsari-client`). Every request body it takes is in its debug log
/// (`requestBodies`, in order); a service's current result comes from its
/// own API (`lastCheckResult`).
public final class Icinga2Server: Sendable {
    public let directory: TemporaryDirectory
    public let port: UInt16
    public let certificates: TestCertificates
    public let server: ServerProcess
    public static let user = "dsari"
    public static let password = "s3cret"
    public static let clientName = "dsari-client"

    public var url: String { "https://127.0.0.1:\(port)" }

    public init(host: String, services: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/icinga2") else {
            throw ServerProcess.Failure(description: "Icinga 2 (Debian's icinga2-bin package) is needed; script/test installs it")
        }
        directory = try TemporaryDirectory(prefix: "dsari-icinga2")
        port = try freeLoopbackPort()
        certificates = try TestCertificates(directory: directory.url("tls"), clients: [Self.clientName])
        for sub in ["lib/certs", "log", "cache", "spool", "run", "etc"] {
            try FileManager.default.createDirectory(atPath: directory.url(sub), withIntermediateDirectories: true)
        }
        // The node's certificate where Icinga looks for it: DataDir/certs/NODENAME.crt.
        for (from, to) in [
            (certificates.caFile, "lib/certs/ca.crt"), (certificates.serverCertFile, "lib/certs/127.0.0.1.crt"),
            (certificates.serverKeyFile, "lib/certs/127.0.0.1.key"),
        ] {
            try FileManager.default.copyItem(atPath: from, toPath: directory.url(to))
        }
        let serviceObjects = services.map { service in
            "object Service \"\(service)\" { host_name = \"\(host)\"; check_command = \"dummy\"; enable_active_checks = false; enable_passive_checks = true }\n"
        }
        try directory.write(
            "etc/icinga2.conf",
            """
            const NodeName = "127.0.0.1"
            const ZoneName = "master"
            object Endpoint NodeName {}
            object Zone ZoneName { endpoints = [ NodeName ] }
            object ApiListener "api" {
              bind_host = "127.0.0.1"
              bind_port = \(port)
            }
            object ApiUser "\(Self.user)" {
              password = "\(Self.password)"
              permissions = [ "actions/process-check-result", "objects/query/*" ]
            }
            object ApiUser "\(Self.clientName)" {
              client_cn = "\(Self.clientName)"
              permissions = [ "actions/process-check-result" ]
            }
            object FileLogger "requests" { severity = "debug"; path = "\(directory.url("log/debug.log"))" }
            object CheckCommand "dummy" { command = [ "/bin/true" ] }
            object Host "\(host)" { check_command = "dummy"; enable_active_checks = false }

            """ + serviceObjects.joined())
        let user = ServerUser(whenRoot: "nagios")
        if let name = user.name {
            _ = try BinaryRunner(path: "/bin/chown").run(["-R", name + ":", directory.path])
            _ = try BinaryRunner(path: "/bin/chmod").run(["755", directory.path])
        }
        let home = directory
        let defines = ["DataDir": "lib", "LogDir": "log", "CacheDir": "cache", "SpoolDir": "spool", "InitRunDir": "run"].map {
            "-D\($0.key)=\(home.url($0.value))"
        }
        let runAs = user.name.map { ["-DRunAsUser=\($0)", "-DRunAsGroup=\($0)"] } ?? []
        server = ServerProcess(
            command: ["/usr/sbin/icinga2", "daemon", "-c", directory.url("etc/icinga2.conf")] + defines + runAs, user: user,
            logPath: directory.url("icinga2.out"))
        try start()
    }

    /// Starts Icinga (again, after `stopServer`) and waits until its API answers.
    public func start() throws {
        try server.start(timeout: 90) { [self] in ((try? query("/v1/objects/hosts"))?.status ?? 0) == 200 }
    }

    /// An outage: Icinga stops.
    public func stopServer() { server.stop() }

    public func stop() {
        server.stop()
        directory.remove()
    }

    /// A GET on the API as `dsari` (curl, the test CA).
    public func query(_ path: String) throws -> (status: Int, body: String) {
        let result = try BinaryRunner(path: "/usr/bin/curl").run(
            [
                "-sS", "--max-time", "10", "--cacert", certificates.caFile, "-u", "\(Self.user):\(Self.password)", "-w", "\n%{http_code}",
                url + path,
            ],
            timeout: 20)
        let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// The service's `last_check_result` as Icinga holds it.
    public func lastCheckResult(host: String, service: String) -> [String: Any]? {
        guard let (status, body) = try? query("/v1/objects/services?service=\(host)!\(service)&attrs=last_check_result"), status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let results = object["results"] as? [[String: Any]], let attributes = results.first?["attrs"] as? [String: Any]
        else { return nil }
        return attributes["last_check_result"] as? [String: Any]
    }

    /// Every process-check-result body Icinga took, in order, parsed.
    public var requestBodies: [[String: Any]] {
        let text = (try? String(contentsOfFile: directory.url("log/debug.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "debug/HttpUtility: Request body: '"), line.hasSuffix("'") else { return nil }
            let json = line[range.upperBound..<line.index(before: line.endIndex)]
            return try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        }
    }
}
