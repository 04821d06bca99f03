import Foundation

/// Writes output, through a pager when it is long and standard output is a
/// terminal ($PAGER, else `pager`, else `less`; LESS defaults to -FRSXMQ as in dsari).
enum OutputPager {
    static func write(_ lines: [String]) {
        let output = PagedOutput()
        for line in lines {
            output.write(line)
            output.write("\n")
        }
        output.finish()
    }

    /// The terminal's height minus the prompt line: longer output is paged.
    static func terminalRows() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 {
            return Int(size.ws_row) - 1
        }
        return 24
    }

    /// Starts the pager with a pipe to its standard input, or nil when none can be started.
    static func startPager() -> (process: Process, input: FileHandle)? {
        var environment = ProcessInfo.processInfo.environment
        if environment["LESS"] == nil { environment["LESS"] = "-FRSXMQ" }
        let command = environment["PAGER"].flatMap { $0.isEmpty ? nil : $0 } ?? "pager || less"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        let pipe = Pipe()
        process.standardInput = pipe
        do {
            try process.run()
        } catch {
            return nil
        }
        // A pager that quits early (the user pressed q) closes the pipe:
        // that is not an error worth dying of.
        signal(SIGPIPE, SIG_IGN)
        return (process, pipe.fileHandleForWriting)
    }
}
