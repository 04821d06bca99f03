import Foundation

/// Debian's nsca daemon on 127.0.0.1 and a free port, in a temporary
/// directory, writing what it receives to a regular command file the test
/// reads back (`results`), as Nagios would read its FIFO.
public final class NSCAServer: Sendable {
    public let directory: TemporaryDirectory
    public let port: UInt16
    public let password: String
    public let encryption: Int
    public let server: ServerProcess
    public var commandFile: String { directory.url("nsca.cmd") }

    /// One line nsca wrote: `[TIME] PROCESS_SERVICE_CHECK_RESULT;HOST;SERVICE;CODE;OUTPUT`.
    public struct Line: Sendable, Hashable {
        public let host: String
        public let service: String
        public let code: Int
        public let output: String
    }

    public init(encryption: Int, password: String) throws {
        guard let nsca = ["/usr/sbin/nsca", "/usr/local/sbin/nsca"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw ServerProcess.Failure(description: "nsca (Debian's nsca package) is needed; script/test installs it")
        }
        directory = try TemporaryDirectory(prefix: "dsari-nsca")
        port = try freeLoopbackPort()
        self.password = password
        self.encryption = encryption
        let user = ServerUser(whenRoot: "nagios")
        try directory.write(
            "nsca.cfg",
            """
            pid_file=\(directory.url("nsca.pid"))
            server_port=\(port)
            server_address=127.0.0.1
            debug=0
            command_file=\(directory.url("nsca.cmd"))
            alternate_dump_file=\(directory.url("nsca.dump"))
            aggregate_writes=0
            append_to_file=1
            max_packet_age=30
            decryption_method=\(encryption)

            """ + (password.isEmpty ? "" : "password=\(password)\n"))
        _ = FileManager.default.createFile(atPath: directory.url("nsca.cmd"), contents: nil)
        if let name = user.name {
            _ = try BinaryRunner(path: "/bin/chown").run(["-R", name + ":", directory.path])
            _ = try BinaryRunner(path: "/bin/chmod").run(["755", directory.path])
        }
        // --single: one process, foreground (-f), so the test owns it.
        server = ServerProcess(
            command: [nsca, "-c", directory.url("nsca.cfg"), "-f", "--single"], user: user, logPath: directory.url("nsca.log"))
        try start()
    }

    /// Starts (again, after `stopServer`) and waits until it accepts connections.
    public func start() throws {
        try server.start {
            (try? LoopbackConnection(host: "127.0.0.1", port: port)).map {
                $0.close(); return true
            } ?? false
        }
    }

    /// An outage: the daemon stops; the command file stays.
    public func stopServer() { server.stop() }

    public func stop() {
        server.stop()
        directory.remove()
    }

    /// The lines received so far, in order.
    public var results: [Line] {
        let text = (try? String(contentsOfFile: commandFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let close = line.firstIndex(of: "]") else { return nil }
            let fields = line[line.index(after: close)...].dropFirst().split(separator: ";", maxSplits: 4, omittingEmptySubsequences: false)
            guard fields.count == 5, fields[0] == "PROCESS_SERVICE_CHECK_RESULT", let code = Int(fields[3]) else { return nil }
            return Line(host: String(fields[1]), service: String(fields[2]), code: code, output: String(fields[4]))
        }
    }
}
