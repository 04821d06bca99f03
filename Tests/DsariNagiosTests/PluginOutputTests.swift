import Testing

@testable import DsariNagios

@Suite("Plugin output and performance data")
struct PluginOutputTests {
    @Test func firstLineOnly() {
        let output = PluginOutput(parsing: "DISK OK\n")
        #expect(output.text == "DISK OK")
        #expect(output.longOutput == "")
        #expect(output.performanceData.isEmpty)
        #expect(output.rawPerformanceData == "")
    }

    /// Output of Debian 12's monitoring-plugins 2.3.3, captured from the
    /// installed plugins: status text, labels, values with units, ranges.
    static let realOutputs: [(String, String, [String], [Double?], [UnitOfMeasure])] = [
        (
            "LOAD CRITICAL - scaled load average: 0.82, 0.81, 1.12 - total load average: 1.65, 1.62, 2.25|load1=1.650;;;0; scaled_load1=0.825;0.150;0.300;0; load5=1.620;;;0; scaled_load5=0.810;0.100;0.250;0; load15=2.250;;;0; scaled_load15=1.125;0.050;0.200;0; \n",
            "LOAD CRITICAL - scaled load average: 0.82, 0.81, 1.12 - total load average: 1.65, 1.62, 2.25",
            ["load1", "scaled_load1", "load5", "scaled_load5", "load15", "scaled_load15"],
            [1.65, 0.825, 1.62, 0.81, 2.25, 1.125], Array(repeating: .none, count: 6)
        ),
        ("USERS OK - 0 users currently logged in |users=0;5;10;0\n", "USERS OK - 0 users currently logged in", ["users"], [0], [.none]),
        (
            "DISK OK - free space: / 79831MiB (82% inode=95%);| /=17732468736B;216442024755;243497277849;0;270552530944\n",
            "DISK OK - free space: / 79831MiB (82% inode=95%);", ["/"], [17_732_468_736], [.bytes]
        ),
        ("PROCS OK: 68 processes | procs=68;150;200;0;\n", "PROCS OK: 68 processes", ["procs"], [68], [.none]),
        (
            "SWAP CRITICAL - 0% free (0MB out of 0MB) - Swap is either disabled, not present, or of zero size. |swap=0B;0;0;0;0\n",
            "SWAP CRITICAL - 0% free (0MB out of 0MB) - Swap is either disabled, not present, or of zero size.", ["swap"], [0],
            [.bytes]
        ),
        ("WARNING: hello\n", "WARNING: hello", [], [], []),
        (
            "connect to address 127.0.0.1 and port 1: Connection refused\n", "connect to address 127.0.0.1 and port 1: Connection refused",
            [], [], []
        ),
        (
            "FILE_AGE CRITICAL: /etc/hostname is 5938 seconds old and 3 bytes | age=5938s;60;120 size=3B;0;0;0\n",
            "FILE_AGE CRITICAL: /etc/hostname is 5938 seconds old and 3 bytes", ["age", "size"], [5938, 3], [.seconds, .bytes]
        ),
    ]

    @Test(arguments: realOutputs)
    func realPluginOutputs(output: String, text: String, labels: [String], values: [Double?], units: [UnitOfMeasure]) {
        let parsed = PluginOutput(parsing: output)
        #expect(parsed.text == text)
        #expect(parsed.longOutput == "")
        #expect(parsed.malformedPerformanceData.isEmpty)
        #expect(parsed.performanceData.map(\.label) == labels)
        #expect(parsed.performanceData.map(\.value) == values)
        #expect(parsed.performanceData.map(\.unit) == units)
    }

    @Test func realCheckLoadThresholds() throws {
        let output = PluginOutput(parsing: Self.realOutputs[0].0)
        let scaled = output.performanceData[1]
        #expect(scaled.warning?.end == 0.15)
        #expect(scaled.critical?.end == 0.3)
        #expect(scaled.critical?.alerts(on: try #require(scaled.value)) == true)
        #expect(scaled.minimum == 0)
        #expect(scaled.maximum == nil)
        let load1 = output.performanceData[0]
        #expect(load1.warning == nil && load1.critical == nil)
    }

    /// Modelled on check_disk with several partitions: long output, then a
    /// second performance data block that runs over the following lines.
    @Test func longOutputWithSecondPerformanceDataBlock() {
        let text = """
            DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968
            / 15272 MB (77% inode=96%);
            /boot 68 MB (69% inode=99%);
            /home 69357 MB (27% inode=99%); | /boot=68MB;88;93;0;98
            /home=69357MB;253404;253409;0;253414
            /var/log=819MB;970;975;0;980

            """
        let output = PluginOutput(parsing: text)
        #expect(output.text == "DISK OK - free space: / 3326 MB (56%);")
        #expect(output.longOutput == "/ 15272 MB (77% inode=96%);\n/boot 68 MB (69% inode=99%);\n/home 69357 MB (27% inode=99%); ")
        #expect(output.performanceData.map(\.label) == ["/", "/boot", "/home", "/var/log"])
        #expect(
            output.rawPerformanceData
                == "/=2643MB;5948;5958;0;5968 /boot=68MB;88;93;0;98 /home=69357MB;253404;253409;0;253414 /var/log=819MB;970;975;0;980")
    }

    @Test func longOutputWithoutPerformanceData() {
        let output = PluginOutput(parsing: "OK\nline two\nline three\n")
        #expect(output.longOutput == "line two\nline three")
        #expect(output.performanceData.isEmpty)
    }

    @Test func quotedLabelsWithSpacesAndEscapedQuote() throws {
        let (data, malformed) = PerfDataParser.parse("'my label'=5 'it''s'=1c ''''=2 plain=3")
        #expect(malformed.isEmpty)
        #expect(data.map(\.label) == ["my label", "it's", "'", "plain"])
        #expect(data[1].unit == .counter)
        #expect(data[0].raw == "'my label'=5")
    }

    @Test func emptyFieldsAndTrailingSemicolons() throws {
        let (data, malformed) = PerfDataParser.parse("a=1;;;; b=2;;5 c=3;;;;;; d=4s;")
        #expect(malformed.isEmpty)
        #expect(data.map(\.value) == [1, 2, 3, 4])
        #expect(data[0].warning == nil && data[0].critical == nil && data[0].minimum == nil)
        #expect(data[1].critical?.end == 5)
        #expect(data[3].unit == .seconds)
    }

    @Test(arguments: [
        ("s", UnitOfMeasure.seconds, 1.5, 1.5),
        ("ms", .milliseconds, 1.5, 0.0015),
        ("us", .microseconds, 1.5, 0.0000015),
        ("%", .percent, 1.5, 1.5),
        ("B", .bytes, 1.5, 1.5),
        ("KB", .kilobytes, 1.5, 1536),
        ("MB", .megabytes, 1.5, 1_572_864),
        ("GB", .gigabytes, 1.5, 1_610_612_736),
        ("TB", .terabytes, 1.5, 1_649_267_441_664),
        ("c", .counter, 1.5, 1.5),
        ("", .none, 1.5, 1.5),
        ("dBm", .other("dBm"), 1.5, 1.5),
        ("B/s", .other("B/s"), 1.5, 1.5),
    ])
    func unitsAndBaseValues(symbol: String, unit: UnitOfMeasure, value: Double, base: Double) throws {
        let (data, malformed) = PerfDataParser.parse("x=\(value)\(symbol)")
        #expect(malformed.isEmpty)
        let datum = try #require(data.first)
        #expect(datum.unit == unit)
        #expect(datum.unit.symbol == symbol)
        #expect(abs(try #require(datum.baseValue) - base) < 1e-9 * max(1, base))
    }

    @Test func undeterminedValue() throws {
        let (data, malformed) = PerfDataParser.parse("x=U;1;2")
        #expect(malformed.isEmpty)
        #expect(data.first?.value == nil)
        #expect(data.first?.critical?.end == 2)
    }

    @Test(arguments: [
        ("novalue", "no \"=\" between label and value"),
        ("=5", "the label is empty"),
        ("'unterminated=5", "the quoted label has no closing quote"),
        ("'quoted'5", "no \"=\" follows the quoted label"),
        ("x=", "the value is empty"),
        ("x=abc", "the value \"abc\" is not a number"),
        ("x=5;1;2;3;4;5", "it has 6 fields; at most 5 (value;warn;crit;min;max)"),
        ("x=5;abc", "range \"abc\" is not [@][start:]end"),
        ("x=5;;;zero", "the minimum \"zero\" is not a number"),
        ("x=0,5", "the unit \",5\" is not letters, \"%\" or \"/\""),
        ("x=5;20:10", "range \"20:10\" starts after it ends"),
    ])
    func malformedItemsAreKeptRawAndReported(item: String, reason: String) {
        let output = PluginOutput(parsing: "WARNING - odd|good=1 \(item) after=2")
        #expect(output.text == "WARNING - odd")
        #expect(output.performanceData.map(\.label) == ["good", "after"])
        #expect(output.malformedPerformanceData == [MalformedPerfDatum(raw: item, reason: reason)])
    }

    @Test(arguments: [
        // range, start, end, inside, alerting values, quiet values
        ("10", 0.0, 10.0, false, [-1.0, 11], [0.0, 5, 10]),
        ("10:", 10.0, Double.infinity, false, [9.9, -5], [10.0, 1e9]),
        ("~:10", -Double.infinity, 10.0, false, [10.1], [-1e9, 10]),
        ("10:20", 10.0, 20.0, false, [9.0, 21], [10.0, 15, 20]),
        ("@10:20", 10.0, 20.0, true, [10.0, 15, 20], [9.0, 21]),
        (":5", 0.0, 5.0, false, [-0.1, 6], [0.0, 5]),
        ("-5:-1.5", -5.0, -1.5, false, [0.0, -6], [-5.0, -2]),
        ("@~:0", -Double.infinity, 0.0, true, [0.0, -3], [0.1]),
    ])
    func ranges(text: String, start: Double, end: Double, inside: Bool, alerting: [Double], quiet: [Double]) throws {
        let range = try NagiosRange(text)
        #expect(range.start == start)
        #expect(range.end == end)
        #expect(range.alertsInside == inside)
        #expect(alerting.allSatisfy { range.alerts(on: $0) })
        #expect(quiet.allSatisfy { !range.alerts(on: $0) })
        #expect(range.description == text)
    }

    @Test(arguments: ["", "@", "a", "1:b", "~", "5:1"])
    func badRanges(text: String) {
        #expect(throws: NagiosRange.ParseError.self) { try NagiosRange(text) }
    }

    @Test(arguments: [(0, CheckState.ok), (1, .warning), (2, .critical), (3, .unknown)])
    func statesFromExitCodes(code: Int, state: CheckState) {
        #expect(CheckState(exitCode: code) == state)
        #expect(CheckState(exitCode: code, outOfRange: .unknown) == state)
        #expect(CheckState.outOfBoundsMessage(exitCode: code) == nil)
    }

    @Test(arguments: [4, 126, 127, 255, -1])
    func outOfRangeExitCodesFollowThePolicy(code: Int) {
        #expect(CheckState(exitCode: code) == .critical)
        #expect(CheckState(exitCode: code, outOfRange: .critical) == .critical)
        #expect(CheckState(exitCode: code, outOfRange: .unknown) == .unknown)
    }

    @Test func stateNamesAndOutOfBoundsMessages() {
        #expect(CheckState.allCases.map(\.name) == ["OK", "WARNING", "CRITICAL", "UNKNOWN"])
        #expect(CheckState.outOfBoundsMessage(exitCode: 4) == "(Return code of 4 is out of bounds)")
        #expect(CheckState.outOfBoundsMessage(exitCode: 127) == "(Return code of 127 is out of bounds - plugin may be missing)")
        #expect(
            CheckState.outOfBoundsMessage(exitCode: 126) == "(Return code of 126 is out of bounds - plugin may not be executable)")
    }

    /// A plugin that printed nothing: NRPE's jobs are UNKNOWN with NRPE's
    /// answer, whatever the exit code; other checks keep the exit code's
    /// state (Nagios Core). Both show Nagios' "(No output returned from plugin)".
    @Test(arguments: [("", 0), ("\n", 2), ("", 7)])
    func noOutputIsUnknownForNRPEJobs(stdout: String, exitCode: Int) {
        let nrpe = CheckResult(exitCode: exitCode, standardOutput: stdout, timedOutAfter: nil, policy: .unknown, asNRPE: true)
        #expect(nrpe.state == .unknown && nrpe.rawOutput == "NRPE: Unable to read output")
        #expect(nrpe.output.text == "(No output returned from plugin)" && nrpe.exitCode == exitCode)
        let core = CheckResult(exitCode: exitCode, standardOutput: stdout, timedOutAfter: nil)
        #expect(core.state == CheckState(exitCode: exitCode, outOfRange: .critical) && core.rawOutput.isEmpty)
        #expect(core.output.text == "(No output returned from plugin)")
        // Output keeps its state either way.
        let printed = CheckResult(exitCode: 1, standardOutput: "WARN x\n", timedOutAfter: nil, asNRPE: true)
        #expect(printed.state == .warning && printed.rawOutput == "WARN x")
    }
}
