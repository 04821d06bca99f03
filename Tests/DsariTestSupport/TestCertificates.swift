import Foundation

/// A test CA and certificates it signed, made by openssl in `directory`:
/// `ca.pem`, `server-cert.pem`/`server-key.pem` (for 127.0.0.1 and
/// localhost) and one client certificate per name asked for
/// (`NAME-cert.pem`/`NAME-key.pem`, its common name the name).
public struct TestCertificates: Sendable {
    public let directory: String

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public var caFile: String { file("ca.pem") }
    public var serverCertFile: String { file("server-cert.pem") }
    public var serverKeyFile: String { file("server-key.pem") }
    public func clientCertFile(_ name: String) -> String { file("\(name)-cert.pem") }
    public func clientKeyFile(_ name: String) -> String { file("\(name)-key.pem") }

    /// Makes the CA, the server's certificate and a client certificate for each of `clients`.
    public init(directory: String, clients: [String] = ["client"]) throws {
        self.directory = directory
        guard
            let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { throw Failure(description: "openssl (Debian's openssl package) is needed for the test certificates") }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func run(_ arguments: [String]) throws {
            let result = try BinaryRunner(path: openssl).run(arguments, timeout: 60, currentDirectory: directory)
            guard result.status == 0 else {
                throw Failure(
                    description: "openssl \(arguments.prefix(2).joined(separator: " ")) failed (\(result.status)): \(result.standardError)")
            }
        }
        let extensions = [
            "server": "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                + "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
            "client": "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
        ]
        for (name, text) in extensions {
            try Data(text.utf8).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("\(name).ext")))
        }
        try run([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=dsari test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", "ca-key.pem", "-out", "ca.pem",
        ])
        for (name, subject, kind) in [("server", "/CN=127.0.0.1", "server")] + clients.map({ ($0, "/CN=\($0)", "client") }) {
            try run(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", "\(name)-key.pem", "-out", "\(name).csr"])
            try run([
                "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-days", "3650",
                "-extfile", "\(kind).ext", "-out", "\(name)-cert.pem",
            ])
        }
    }

    private func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
}
