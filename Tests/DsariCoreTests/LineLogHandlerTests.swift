import DsariCore
import Foundation
import Logging
import Testing

/// dsari's log line: one event, one line, whatever the values hold.
@Suite("log lines")
struct LineLogHandlerTests {
    @Test func aLineIsTimeLevelMessageAndSortedFields() {
        let line = LineLogHandler.line(
            time: 1_710_039_632.2119, level: .info, message: "run started", metadata: ["run": "6c1f", "job": "build", "group": "-"])
        #expect(line == "2024-03-10T03:00:32.211Z INFO run started group=- job=build run=6c1f\n")
    }

    @Test func valuesThatWouldBreakTheLineAreQuotedAndEscaped() {
        let line = LineLogHandler.line(
            time: 0, level: .error, message: "two\nlines",
            metadata: [
                "a": "has space", "b": "", "c": "say \"hi\"", "d": "x=y", "e": "line\nbreak\tand\u{1B}[31m", "f": #"back\slash"#,
            ])
        #expect(
            line
                == #"1970-01-01T00:00:00.000Z ERROR two\nlines a="has space" b="" c="say \"hi\"" d="x=y" e="line\nbreak\tand\u{1b}[31m" f="back\\slash""#
                + "\n")
        #expect(line.filter { $0 == "\n" }.count == 1)
    }

    @Test func everyLevelHasItsName() {
        let names = [Logger.Level.trace, .debug, .info, .notice, .warning, .error, .critical].map {
            LineLogHandler.line(time: 0, level: $0, message: "m", metadata: [:]).split(separator: " ")[1]
        }
        #expect(names == ["TRACE", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL"])
    }
}
