import Foundation

/// Nagios' external command file: one line per result,
/// `[TIME] PROCESS_SERVICE_CHECK_RESULT;HOST;SERVICE;CODE;OUTPUT`, written
/// whole (Nagios reads at most 8 KB per command, so longer output is cut;
/// a line longer than PIPE_BUF may go into the FIFO in parts, see `send`). The file is Nagios' FIFO (or a file another reader takes
/// lines from); without a reader on the FIFO, Nagios is down: try later.
struct CommandFileTransport: PassiveTransport {
    let path: String
    /// Nagios' MAX_EXTERNAL_COMMAND_LENGTH.
    static let lineLimit = 8192

    static func line(_ result: PassiveResult, now: Double) -> String {
        let head = "[\(Int(now))] PROCESS_SERVICE_CHECK_RESULT;\(result.host);\(result.service);\(result.returnCode);"
        let room = max(0, lineLimit - 1 - head.utf8.count)
        return head + PassiveResult.truncated(result.nagiosOutput, toBytes: room) + "\n"
    }

    func send(_ result: PassiveResult) throws(PassiveSendError) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let bytes = Array(Self.line(result, now: Double(now.tv_sec)).utf8)
        // Non-blocking: a FIFO nobody reads fails at once (ENXIO) instead of
        // hanging; O_APPEND for a regular file.
        let descriptor = open(path, O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ENXIO ? "nothing reads it (is Nagios running?)" : String(cString: strerror(errno))
            throw .unavailable("cannot open the command file \(path): \(reason)")
        }
        defer { close(descriptor) }
        // A full FIFO (Nagios busy) makes the write fail with EAGAIN: wait
        // for room (poll) up to a second before the line is begun. A line
        // longer than PIPE_BUF (4 KB) may go in parts: once begun it is
        // finished (up to 10 s more), since a part left in the FIFO would
        // join the next line into one garbled command.
        let start = DispatchTime.now().uptimeNanoseconds
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written > 0 {
                offset += written
                continue
            }
            if written < 0, errno == EINTR { continue }
            let waited = DispatchTime.now().uptimeNanoseconds - start
            let limit: UInt64 = offset == 0 ? 1_000_000_000 : 11_000_000_000
            if written < 0, errno == EAGAIN, waited < limit {
                var room = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&room, 1, Int32((limit - waited) / 1_000_000) + 1)
                continue
            }
            let reason = written < 0 ? String(cString: strerror(errno)) : "nothing written"
            if offset > 0 {
                // Given up within the line: end the part with a newline, so that
                // Nagios rejects it as one bad command instead of joining it to
                // the line sent again later.
                var room = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&room, 1, 1000)
                _ = write(descriptor, "\n", 1)
            }
            throw .unavailable(
                "cannot write to the command file \(path): \(reason)"
                    + (offset > 0 ? " (\(offset) of \(bytes.count) bytes of the line were written)" : ""))
        }
    }
}

/// Nagios' check result directory (`check_result_path`): one file per
/// result in Nagios' own format, then an empty `.ok` file beside it that
/// tells Nagios the file is complete. Nagios reads and deletes both.
struct CheckResultSpoolTransport: PassiveTransport {
    let directory: String

    static func fileText(_ result: PassiveResult, now: Double) -> String {
        func time(_ seconds: Double) -> String { String(format: "%.6f", seconds) }
        return """
            ### Passive Check Result File ###
            file_time=\(Int(now))

            ### Nagios Service Check Result ###
            # Time: \(Int(now))
            host_name=\(result.host)
            service_description=\(result.service)
            check_type=1
            check_options=0
            scheduled_check=0
            reschedule_check=0
            latency=\(time(max(0, now - result.endTime)))
            start_time=\(time(result.startTime))
            finish_time=\(time(result.endTime))
            early_timeout=0
            exited_ok=1
            return_code=\(result.returnCode)
            output=\(result.nagiosOutput)

            """
    }

    func send(_ result: PassiveResult) throws(PassiveSendError) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        // Nagios' own names: c and six random characters.
        var template = Array((directory + "/cXXXXXX").utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else {
            throw .unavailable("cannot create a file in the check result directory \(directory): \(String(cString: strerror(errno)))")
        }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let bytes = Array(Self.fileText(result, now: Double(now.tv_sec)).utf8)
        // Nagios must be able to read and delete it (0644; the directory is its).
        fchmod(descriptor, 0o644)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress!, bytes.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced else {
            unlink(path)
            throw .unavailable("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let marker = open(path + ".ok", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard marker >= 0 else {
            unlink(path)
            throw .unavailable("cannot create \(path).ok: \(String(cString: strerror(errno)))")
        }
        close(marker)
    }
}
