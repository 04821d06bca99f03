import DsariCore
import DsariTestSupport
import Foundation
import Testing

@testable import DsariNagios

/// nrpe.cfg read as NRPE 4.1 reads it, on files laid out per test.
@Suite("NRPEConfigReader")
struct NRPEConfigReaderTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory(prefix: "dsari-nrpe")
    }

    func read(_ main: String = "nrpe.cfg") throws -> NRPEConfig {
        try NRPEConfigReader(workingDirectory: directory.path).read(directory.url(main))
    }

    func names(_ config: NRPEConfig) -> [String] {
        config.commands.map(\.name)
    }

    @Test func commentsBlankLinesAndTrimming() throws {
        defer { directory.remove() }
        try directory.write(
            "nrpe.cfg",
            "# a comment\n\n   \t\n  command[a]=/bin/a -w 1  \r\n\t# indented comment\ncommand[b]=/bin/b\r\n")
        let config = try read()
        #expect(config.commands.map(\.line) == ["/bin/a -w 1", "/bin/b"])
        #expect(config.commands.map(\.location.line) == [4, 6])
        #expect(config.warnings.isEmpty)
    }

    @Test func valueSplitAtFirstEqualsSign() throws {
        defer { directory.remove() }
        try directory.write("nrpe.cfg", "command[eq]=/bin/test a=b == c\n")
        #expect(try read().commands.first?.line == "/bin/test a=b == c")
    }

    @Test func spacesAroundEqualsMakeAnotherDirective() throws {
        defer { directory.remove() }
        try directory.write("nrpe.cfg", "command_timeout = 5\nserver_port = 5666\ncommand_prefix =sudo\n")
        let config = try read()
        #expect(config.commandTimeout == 60)
        #expect(config.commandPrefix == nil)
        #expect(config.ignoredDirectives.map(\.name) == ["command_timeout ", "server_port ", "command_prefix "])
        #expect(config.ignoredDirectives.allSatisfy { !$0.isKnownToNRPE })
        #expect(config.warnings.count == 3)
        #expect(config.warnings[1].description.contains("nrpe.cfg:2: \"server_port \" is not a directive NRPE knows"))
    }

    @Test func timeoutAndPrefixAreKept() throws {
        defer { directory.remove() }
        try directory.write("nrpe.cfg", "command_timeout=30\ncommand_prefix=/usr/bin/sudo -n\ndebug=0\nserver_port=5666\n")
        let config = try read()
        #expect(config.commandTimeout == 30)
        #expect(config.commandPrefix == "/usr/bin/sudo -n")
        #expect(config.ignoredDirectives.map(\.name) == ["debug", "server_port"])
        #expect(config.ignoredDirectives.allSatisfy { $0.isKnownToNRPE })
        #expect(config.warnings.isEmpty)
    }

    @Test(arguments: ["0", "abc", "-5"])
    func invalidTimeoutIsWarnedAndKeepsThePreviousValue(value: String) throws {
        defer { directory.remove() }
        try directory.write("nrpe.cfg", "command_timeout=20\ncommand_timeout=\(value)\n")
        let config = try read()
        #expect(config.commandTimeout == 20)
        #expect(config.warnings.map(\.location?.line) == [2])
    }

    @Test func commandNameIsBetweenFirstBracketAndNextClosingBracket() throws {
        defer { directory.remove() }
        try directory.write(
            "nrpe.cfg",
            """
            command[check_a]=a
            command[check[b]]=b
            command[open=c
            xcommand[d]=d
            command[e]x]=e

            """)
        #expect(names(try read()) == ["check_a", "check[b", "open", "d", "e"])
    }

    @Test func malformedLinesAreWarnedWithFileAndLine() throws {
        defer { directory.remove() }
        let main = try directory.write(
            "nrpe.cfg",
            """
            command[ok1]=x
            no_equals_sign
            =
            command[]=x
            command[novalue]=
            command_timeout=
            command[ok2]=y

            """)
        let config = try read()
        #expect(names(config) == ["ok1", "ok2"])
        // A line without "=" has no value, as NRPE's strtok sees it.
        #expect(config.warnings.map(\.location) == [2, 3, 4, 5, 6].map { SourceLocation(file: main, line: $0) })
        #expect(config.warnings[0].reason.hasPrefix("directive \"no_equals_sign\" has no value after \"=\""))
        #expect(config.warnings[1].reason.hasPrefix("the line has no directive name"))
        #expect(config.warnings[2].reason.hasPrefix("\"command[]\" names no command"))
        #expect(config.ignoredDirectives.isEmpty)
    }

    @Test func duplicateCommandLastDefinitionWinsInFirstPlace() throws {
        defer { directory.remove() }
        try directory.write("nrpe.cfg", "command[a]=first\ncommand[b]=b\ninclude=more.cfg\ncommand[a]=third\n")
        try directory.write("more.cfg", "command[a]=second\ncommand[b]=b2\n")
        let config = try read()
        #expect(names(config) == ["a", "b"])
        #expect(config.commands.map(\.line) == ["third", "b2"])
        #expect(config.commands[0].location.line == 4)
        #expect(config.warnings.count == 3)
    }

    @Test func includesAreReadWhereTheyAppear() throws {
        defer { directory.remove() }
        try directory.write(
            "nrpe.cfg",
            "command_timeout=10\ninclude=one.cfg\ncommand[main]=m\ninclude_file=two.cfg\ncommand[override]=main\n")
        try directory.write("one.cfg", "command[one]=1\ncommand_timeout=20\ncommand[override]=one\n")
        try directory.write("two.cfg", "command[two]=2\ncommand_timeout=30\n")
        let config = try read()
        #expect(names(config) == ["one", "override", "main", "two"])
        #expect(config.commands[1].line == "main")
        #expect(config.commandTimeout == 30)
        #expect(config.files.map { ($0 as NSString).lastPathComponent } == ["nrpe.cfg", "one.cfg", "two.cfg"])
    }

    @Test func relativeIncludesOpenFromTheWorkingDirectory() throws {
        defer { directory.remove() }
        try directory.write("conf/nrpe.cfg", "include=conf/local.cfg\ninclude=local.cfg\n")
        try directory.write("conf/local.cfg", "command[from_cwd]=x\n")
        let config = try read("conf/nrpe.cfg")
        #expect(names(config) == ["from_cwd"])
        #expect(config.warnings.count == 1)
        #expect(config.warnings[0].reason.contains("cannot read include file \"local.cfg\": no such file or directory"))
    }

    @Test func includeDirIsRecursiveAlphabeticalCfgOnlyAndSkipsHiddenDirectories() throws {
        defer { directory.remove() }
        try directory.write("nrpe.cfg", "command[before]=x\ninclude_dir=\(directory.url("d"))/\ncommand[after]=x\n")
        try directory.write("d/b.cfg", "command[b]=x\n")
        try directory.write("d/a.cfg", "command[a]=x\n")
        try directory.write("d/B.cfg", "command[B_upper]=x\n")
        try directory.write("d/m/z.cfg", "command[m_z]=x\n")
        try directory.write("d/m/deeper/y.cfg", "command[m_deeper_y]=x\n")
        try directory.write("d/c.conf", "command[not_cfg]=x\n")
        try directory.write("d/.cfg", "command[only_suffix]=x\n")
        try directory.write("d/.hidden.cfg", "command[hidden_file]=x\n")
        try directory.write("d/.hidden/h.cfg", "command[in_hidden_dir]=x\n")
        try directory.write("d/dir.cfg/inside.cfg", "command[in_dir_named_cfg]=x\n")
        try FileManager.default.createSymbolicLink(atPath: directory.url("d/l.cfg"), withDestinationPath: "a.cfg")
        try FileManager.default.createSymbolicLink(atPath: directory.url("d/loop"), withDestinationPath: ".")
        let config = try read()
        // Byte order: ".hidden.cfg" < "B.cfg" < "a.cfg" < "b.cfg" < "l.cfg" < "loop" < "m".
        #expect(
            names(config) == ["before", "hidden_file", "B_upper", "a", "b", "m_deeper_y", "m_z", "after"])
        // l.cfg (a link to a.cfg) defines "a" again; the loop link is caught.
        #expect(config.warnings.count == 2)
        #expect(config.warnings.contains { $0.reason.contains("loops back to a directory") })
    }

    @Test func missingIncludesAreWarningsAndReadingGoesOn() throws {
        defer { directory.remove() }
        let main = try directory.write(
            "nrpe.cfg", "include=/nonexistent/nrpe_local.cfg\ninclude_dir=/nonexistent/nrpe.d/\ncommand[still]=x\n")
        let config = try read()
        #expect(names(config) == ["still"])
        #expect(
            config.warnings.map(\.description) == [
                "\(main):1: cannot read include file \"/nonexistent/nrpe_local.cfg\": no such file or directory; skipped, as NRPE does",
                "\(main):2: cannot read include directory \"/nonexistent/nrpe.d\": no such file or directory; skipped, as NRPE does",
            ])
    }

    @Test func includeLoopsDoNotHang() throws {
        defer { directory.remove() }
        try directory.write("nrpe.cfg", "command[main]=x\ninclude=a.cfg\n")
        try directory.write("a.cfg", "command[a]=x\ninclude=b.cfg\ninclude=a.cfg\n")
        try directory.write("b.cfg", "command[b]=x\ninclude=nrpe.cfg\ninclude_dir=.\n")
        let config = try read()
        #expect(names(config) == ["main", "a", "b"])
        #expect(config.warnings.count >= 3)
        #expect(config.warnings.allSatisfy { $0.reason.contains("loops back") || $0.reason.contains("defined again") })
    }

    @Test func sameFileIncludedTwiceIsReadTwice() throws {
        defer { directory.remove() }
        try directory.write("nrpe.cfg", "include=a.cfg\ncommand[x]=main\ninclude=a.cfg\n")
        try directory.write("a.cfg", "command[x]=a\n")
        let config = try read()
        #expect(config.commands.map(\.line) == ["a"])
        #expect(config.files.count == 3)
    }

    @Test func unreadableMainFileIsAnError() throws {
        defer { directory.remove() }
        let missing = directory.url("nope.cfg")
        #expect(throws: NRPEConfigError.self) { try NRPEConfigReader().read(missing) }
        do {
            _ = try NRPEConfigReader().read(missing)
        } catch {
            #expect(error.description == "Cannot read the NRPE configuration \"\(missing)\": no such file or directory.")
        }
    }
}
