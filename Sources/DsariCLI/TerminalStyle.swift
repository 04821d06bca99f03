import DsariCore
import Foundation

/// Colour and character choices for standard output: colour only on a
/// terminal (and never when NO_COLOR is set), box-drawing only in UTF-8 locales.
struct TerminalStyle: Sendable {
    let isTerminal: Bool
    let useColor: Bool
    let isUTF8: Bool

    static let standardOutput: TerminalStyle = {
        let environment = ProcessInfo.processInfo.environment
        let terminal = isatty(STDOUT_FILENO) == 1
        let locale = environment["LC_ALL"] ?? environment["LC_CTYPE"] ?? environment["LANG"] ?? ""
        return TerminalStyle(
            isTerminal: terminal,
            useColor: terminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb",
            isUTF8: locale.uppercased().contains("UTF-8") || locale.uppercased().contains("UTF8"))
    }()

    /// The terminal's width in columns; nil when standard output is not a terminal.
    static var width: Int? {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return nil
    }

    private static let palette = [31, 32, 33, 34, 35, 36].flatMap { ["\($0);1", "\($0)"] }

    /// A name in a colour picked by its CRC-32, so the same job always looks the same.
    func hashColored(_ text: String) -> String {
        guard useColor else { return text }
        let code = Self.palette[Int(CRC32.checksum(text) % UInt32(Self.palette.count))]
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// `text` in an SGR colour code (e.g. 31 red, 32 green).
    func colored(_ text: String, code: String) -> String {
        useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
