import Foundation

/// Debian's Nagios 4 in a temporary directory, as its nagios user when the
/// tests run as root: one host and the given passive services, its external
/// command file (a FIFO Nagios makes), its check result directory, and
/// status.dat written every second. What it took in is read back from
/// status.dat (`serviceStatus`) and from its log (`externalCommands`, every
/// PROCESS_SERVICE_CHECK_RESULT in the order it was read).
public final class NagiosServer: Sendable {
    public let directory: TemporaryDirectory
    public let host: String
    public let server: ServerProcess

    public var commandFile: String { directory.url("rw/nagios.cmd") }
    public var checkResultPath: String { directory.url("checkresults") }

    public init(host: String, services: [String]) throws {
        guard
            let nagios = ["/usr/sbin/nagios4", "/usr/local/nagios/bin/nagios"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else { throw ServerProcess.Failure(description: "Nagios 4 (Debian's nagios4-core package) is needed; script/test installs it") }
        directory = try TemporaryDirectory(prefix: "dsari-nagios")
        self.host = host
        let user = ServerUser(whenRoot: "nagios")
        let path = directory.path
        let userLines = user.name.map { "nagios_user=\($0)\nnagios_group=\($0)\n" } ?? ""
        try directory.write(
            "nagios.cfg",
            """
            log_file=\(path)/nagios.log
            cfg_file=\(path)/objects.cfg
            object_cache_file=\(path)/objects.cache
            precached_object_file=\(path)/objects.precache
            resource_file=\(path)/resource.cfg
            status_file=\(path)/status.dat
            status_update_interval=1
            check_external_commands=1
            command_file=\(path)/rw/nagios.cmd
            query_socket=\(path)/rw/nagios.qh
            lock_file=\(path)/nagios.lock
            temp_file=\(path)/nagios.tmp
            temp_path=\(path)/tmp
            check_result_path=\(path)/checkresults
            check_result_reaper_frequency=1
            retain_state_information=0
            use_syslog=0
            log_passive_checks=1
            log_external_commands=1
            accept_passive_service_checks=1
            execute_service_checks=0
            execute_host_checks=0
            enable_notifications=0
            enable_flap_detection=0
            enable_event_handlers=0
            check_service_freshness=0
            illegal_macro_output_chars=`~$&|'"<>

            """ + userLines)
        let serviceDefinitions = services.map { service in
            """
            define service {
              host_name \(host)
              service_description \(service)
              check_command dummy
              max_check_attempts 1
              check_interval 5
              retry_interval 1
              check_period 24x7
              notification_period 24x7
              contacts nobody
              active_checks_enabled 0
              passive_checks_enabled 1
            }

            """
        }
        try directory.write(
            "objects.cfg",
            """
            define command {
              command_name dummy
              command_line /bin/true
            }
            define timeperiod {
              timeperiod_name 24x7
              alias always
              sunday 00:00-24:00
              monday 00:00-24:00
              tuesday 00:00-24:00
              wednesday 00:00-24:00
              thursday 00:00-24:00
              friday 00:00-24:00
              saturday 00:00-24:00
            }
            define contact {
              contact_name nobody
              host_notifications_enabled 0
              service_notifications_enabled 0
              host_notification_period 24x7
              service_notification_period 24x7
              host_notification_options n
              service_notification_options n
              host_notification_commands dummy
              service_notification_commands dummy
            }
            define host {
              host_name \(host)
              address 127.0.0.1
              check_command dummy
              max_check_attempts 1
              check_period 24x7
              notification_period 24x7
              contacts nobody
              active_checks_enabled 0
            }

            """ + serviceDefinitions.joined())
        try directory.write("resource.cfg", "")
        for sub in ["rw", "tmp", "checkresults"] {
            try FileManager.default.createDirectory(atPath: directory.url(sub), withIntermediateDirectories: true)
        }
        if let name = user.name {
            _ = try BinaryRunner(path: "/bin/chown").run(["-R", name + ":", path])
            _ = try BinaryRunner(path: "/bin/chmod").run(["755", path])
            // The check result directory takes files from another user (the
            // tests' dsari, root) that Nagios deletes once read: writable by
            // all, without the sticky bit.
            _ = try BinaryRunner(path: "/bin/chmod").run(["0777", directory.url("checkresults")])
        }
        server = ServerProcess(command: [nagios, directory.url("nagios.cfg")], user: user, logPath: directory.url("nagios.out"))
        try start()
    }

    /// Starts Nagios (again, after `stopServer`) and waits for its command file.
    public func start() throws {
        try server.start { [commandFile] in
            var info = stat()
            return stat(commandFile, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO
        }
    }

    /// An outage: Nagios stops (and removes its command file).
    public func stopServer() { server.stop() }

    public func stop() {
        server.stop()
        directory.remove()
    }

    /// Each service's fields in status.dat (`current_state`, `plugin_output`, …), by service.
    public var serviceStatus: [String: [String: String]] {
        let text = (try? String(contentsOfFile: directory.url("status.dat"), encoding: .utf8)) ?? ""
        var services: [String: [String: String]] = [:]
        for block in text.components(separatedBy: "servicestatus {").dropFirst() {
            var fields: [String: String] = [:]
            for line in block.split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed == "}" { break }
                guard let equals = trimmed.firstIndex(of: "=") else { continue }
                fields[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
            }
            if let service = fields["service_description"] { services[service] = fields }
        }
        return services
    }

    /// The PROCESS_SERVICE_CHECK_RESULT commands Nagios read, in order, as
    /// (service, code, output as written in the command).
    public var externalCommands: [(service: String, code: Int, output: String)] {
        let text = (try? String(contentsOfFile: directory.url("nagios.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "EXTERNAL COMMAND: PROCESS_SERVICE_CHECK_RESULT;") else { return nil }
            let fields = line[range.upperBound...].split(separator: ";", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4, let code = Int(fields[2]) else { return nil }
            return (String(fields[1]), code, String(fields[3]))
        }
    }

    public var log: String { (try? String(contentsOfFile: directory.url("nagios.log"), encoding: .utf8)) ?? "" }
}
