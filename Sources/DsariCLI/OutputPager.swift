import Foundation

/// Writes output, through a pager when it is long and standard output is a
/// terminal ($PAGER, else `pager`, else `less`; LESS defaults to -FRSXMQ as in dsari).
enum OutputPager {
    static func write(_ lines: [String]) {
        let text = lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
        if TerminalStyle.standardOutput.isTerminal, lines.count > terminalRows(), page(text) {
            return
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    private static func terminalRows() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_row > 0 {
            return Int(size.ws_row) - 1
        }
        return 24
    }

    private static func page(_ text: String) -> Bool {
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
            return false
        }
        // A pager that quits early (the user pressed q) closes the pipe:
        // that is not an error worth dying of.
        signal(SIGPIPE, SIG_IGN)
        try? pipe.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        try? pipe.fileHandleForWriting.close()
        process.waitUntilExit()
        return true
    }
}
