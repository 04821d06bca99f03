import DsariCore
import Foundation

/// Reads an nrpe.cfg the way NRPE 4.1's `read_config_file` does.
///
/// - Each line is trimmed of spaces, tabs, CR and LF; empty lines and lines
///   starting with `#` are skipped.
/// - The directive name ends at the first `=` (leading `=` are skipped, as
///   `strtok` does); the value is the rest of the line. Names are compared
///   exactly, so `server_port = 5666` is the unknown directive
///   `"server_port "`, which NRPE ignores with a warning.
/// - A name containing `command[` defines a command named by the text after
///   the first `[` up to the next `]` (or the end of the name).
/// - `include=`/`include_file=` and `include_dir=` are read where they
///   appear, so later lines override what they define. Relative paths are
///   opened from the working directory, as NRPE's `fopen` does (the daemon
///   usually runs in `/`). `include_dir` reads, in byte order (`alphasort`
///   in the C locale), every regular file (symbolic links followed) whose
///   name is longer than 4 characters and ends in `.cfg`, and recurses into
///   subdirectories except those whose name starts with `.`.
/// - A command defined again replaces the earlier one: NRPE looks commands up
///   newest first.
///
/// Where NRPE 4.1 gives up on a file (a line without a value, an invalid
/// command name or `command_timeout`), this reader warns, skips the line and
/// reads on, so that one odd line does not hide the rest of a configuration;
/// the warning says what NRPE would have done. Missing include files and
/// directories are warnings, as in NRPE. Include loops, which make NRPE
/// recurse until it runs out of file descriptors, are detected and skipped.
public struct NRPEConfigReader: Sendable {
    /// Every directive NRPE 4.1 accepts; others it ignores with "Unknown option".
    static let knownDirectives: Set<String> = [
        "log_facility", "log_file", "debug", "pid_file", "server_port", "server_address", "listen_queue_size",
        "nrpe_user", "nrpe_group", "allowed_hosts", "dont_blame_nrpe", "allow_bash_command_substitution",
        "command_prefix", "max_commands", "command_timeout", "connection_timeout", "allow_weak_random_seed",
        "ssl_version", "ssl_use_adh", "ssl_cipher_list", "ssl_cacert_file", "ssl_cert_file",
        "ssl_privatekey_file", "ssl_client_certs", "ssl_logging", "nasty_metachars", "keep_env_vars",
        "disable_syslog", "include", "include_file", "include_dir",
    ]

    /// The directory relative include paths are opened from.
    public var workingDirectory: String

    public init(workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.workingDirectory = workingDirectory
    }

    /// The configuration in `path` and everything it includes.
    ///
    /// Throws only when `path` itself cannot be read; everything else is a
    /// warning in the result.
    public func read(_ path: String) throws(NRPEConfigError) -> NRPEConfig {
        var reading = Reading(reader: self)
        switch reading.contents(of: path) {
        case .failure(let failure):
            throw NRPEConfigError(path: path, reason: failure.reason)
        case .success(let text):
            reading.readFile(path, text: text)
        }
        return reading.config
    }

    /// `path` made absolute against `workingDirectory`.
    func resolved(_ path: String) -> String {
        path.hasPrefix("/") ? path : (workingDirectory as NSString).appendingPathComponent(path)
    }
}

extension NRPEConfigReader {
    /// Why a file could not be read: the system's words for errno.
    fileprivate struct ReadFailure: Error {
        var reason: String
    }

    /// The state of one `read`: what was found so far and the include chain.
    fileprivate struct Reading {
        let reader: NRPEConfigReader
        var config = NRPEConfig()
        var commandIndex: [String: Int] = [:]
        /// Canonical paths of the files and directories being read, outermost first.
        var includeChain: [String] = []

        init(reader: NRPEConfigReader) {
            self.reader = reader
        }

        func contents(of path: String) -> Result<[UInt8], ReadFailure> {
            let descriptor = open(reader.resolved(path), O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return .failure(ReadFailure(reason: Self.errorText())) }
            defer { close(descriptor) }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    return .failure(ReadFailure(reason: Self.errorText()))
                }
                if count == 0 { break }
                bytes.append(contentsOf: buffer[0..<count])
            }
            return .success(bytes)
        }

        static func errorText() -> String {
            String(cString: strerror(errno)).lowercased()
        }

        func canonical(_ path: String) -> String {
            guard let resolved = realpath(reader.resolved(path), nil) else { return reader.resolved(path) }
            defer { free(resolved) }
            return String(cString: resolved)
        }

        mutating func warn(_ reason: String, _ location: SourceLocation?) {
            config.warnings.append(NRPEConfigWarning(reason, location: location))
        }

        mutating func readFile(_ path: String, text: [UInt8]) {
            let identity = canonical(path)
            includeChain.append(identity)
            defer { includeChain.removeLast() }
            config.files.append(path)
            // Bytes, not Characters: "\r\n" is one Character in Swift.
            let blanks: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0A]
            for (index, rawLine) in text.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
                guard let first = rawLine.firstIndex(where: { !blanks.contains($0) }),
                    let last = rawLine.lastIndex(where: { !blanks.contains($0) })
                else { continue }
                let line = String(decoding: rawLine[first...last], as: UTF8.self)
                if line.hasPrefix("#") { continue }
                readLine(line[...], at: SourceLocation(file: path, line: index + 1))
            }
        }

        mutating func readLine(_ line: Substring, at location: SourceLocation) {
            // strtok(line, "="), then strtok(NULL, "\n"): leading "=" are skipped.
            let start = line.drop { $0 == "=" }
            guard !start.isEmpty else {
                warn("the line has no directive name before \"=\"; ignored (NRPE 4.1 stops reading the file here)", location)
                return
            }
            let nameEnd = start.firstIndex(of: "=") ?? start.endIndex
            let name = String(start[..<nameEnd])
            let value = nameEnd == start.endIndex ? "" : String(start[start.index(after: nameEnd)...])
            guard !value.isEmpty else {
                warn(
                    "directive \(name.quotedForMessage) has no value after \"=\"; ignored (NRPE 4.1 stops reading the file here)",
                    location)
                return
            }
            switch name {
            case "include", "include_file":
                include(value, at: location)
            case "include_dir":
                // NRPE drops one trailing "/".
                includeDirectory(value.hasSuffix("/") && value.count > 1 ? String(value.dropLast()) : value, at: location)
            case "command_timeout":
                // strtoul: leading blanks, digits; NRPE refuses 0 and garbage.
                let digits = value.drop { $0 == " " || $0 == "\t" }.prefix { $0.isASCII && $0.isNumber }
                if let seconds = Int(digits), seconds > 0 {
                    config.commandTimeout = seconds
                } else {
                    warn(
                        "command_timeout \(value.quotedForMessage) is not a positive number of seconds; "
                            + "ignored, keeping \(config.commandTimeout) (NRPE 4.1 stops reading the file here)",
                        location)
                }
            case "command_prefix":
                config.commandPrefix = value
            case _ where name.contains("command["):
                defineCommand(nameField: name, line: value, at: location)
            default:
                let known = NRPEConfigReader.knownDirectives.contains(name)
                config.ignoredDirectives.append(NRPEIgnoredDirective(name: name, location: location, isKnownToNRPE: known))
                if !known {
                    let hint =
                        name != name.trimmingCharacters(in: .whitespaces)
                        ? " (names are matched exactly: spaces around \"=\" become part of the name)" : ""
                    warn("\(name.quotedForMessage) is not a directive NRPE knows\(hint); ignored, as NRPE does", location)
                }
            }
        }

        mutating func defineCommand(nameField: String, line: String, at location: SourceLocation) {
            // strtok(name, "[") then strtok(NULL, "]").
            var rest = nameField.drop { $0 == "[" }
            guard let open = rest.firstIndex(of: "[") else { return }
            rest = rest[rest.index(after: open)...].drop { $0 == "]" }
            let commandName = String(rest.prefix { $0 != "]" })
            guard !commandName.isEmpty else {
                warn(
                    "\(nameField.quotedForMessage) names no command between \"[\" and \"]\"; ignored (NRPE 4.1 stops reading the file here)",
                    location)
                return
            }
            let command = NRPECommand(name: commandName, line: line, location: location)
            if let index = commandIndex[commandName] {
                let previous = config.commands[index].location
                warn(
                    "command \(commandName.quotedForMessage) is defined again (before at \(previous)); the last definition wins, as in NRPE",
                    location)
                config.commands[index] = command
            } else {
                commandIndex[commandName] = config.commands.count
                config.commands.append(command)
            }
        }

        mutating func include(_ path: String, at location: SourceLocation) {
            if includeChain.contains(canonical(path)) {
                warn("include of \(path.quotedForMessage) loops back to a file being read; skipped", location)
                return
            }
            switch contents(of: path) {
            case .failure(let failure):
                warn("cannot read include file \(path.quotedForMessage): \(failure.reason); skipped, as NRPE does", location)
            case .success(let text):
                readFile(path, text: text)
            }
        }

        mutating func includeDirectory(_ path: String, at location: SourceLocation) {
            let identity = canonical(path)
            if includeChain.contains(identity) {
                warn("include_dir \(path.quotedForMessage) loops back to a directory being read; skipped", location)
                return
            }
            guard let directory = opendir(reader.resolved(path)) else {
                warn(
                    "cannot read include directory \(path.quotedForMessage): \(Self.errorText()); skipped, as NRPE does",
                    location)
                return
            }
            var names: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
                }
                names.append(name)
            }
            closedir(directory)
            // alphasort in the C locale: byte order.
            names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            includeChain.append(identity)
            defer { includeChain.removeLast() }
            for name in names {
                let child = "\(path)/\(name)"
                var status = stat()
                guard stat(reader.resolved(child), &status) == 0 else { continue }
                let type = status.st_mode & S_IFMT
                if name.utf8.count > 4 && name.hasSuffix(".cfg") {
                    if type == S_IFREG {
                        include(child, at: location)
                    }
                    continue
                }
                if type == S_IFDIR && !name.hasPrefix(".") {
                    includeDirectory(child, at: location)
                }
            }
        }
    }
}
