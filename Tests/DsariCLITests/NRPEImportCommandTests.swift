import DsariTestSupport
import Foundation
import Testing

/// End-to-end: the built `dsari-nrpe-import`, on the examples of `nrpe-import/`
/// and on files laid out per test.
@Suite("dsari-nrpe-import (built binary)")
struct NRPEImportCommandTests {
    let tool = BinaryRunner("dsari-nrpe-import")
    let info = BinaryRunner("dsari-info")
    static let examples = (InfoCommandTests.packageRoot as NSString).appendingPathComponent("nrpe-import/examples")

    func example(_ name: String) throws -> String {
        try String(contentsOfFile: (Self.examples as NSString).appendingPathComponent(name), encoding: .utf8)
    }

    /// A config dir holding `files` in `config.d/`, checked by `dsari-info config check`.
    func configCheck(_ files: [String: String]) throws -> BinaryRunner.Result {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("etc/dsari.yaml", "data_dir: \(directory.url("var"))\n")
        for (name, contents) in files {
            try directory.write("etc/config.d/\(name)", contents)
        }
        return try info.run(["-c", directory.url("etc"), "config", "check"])
    }

    /// Debian's nrpe.cfg includes /etc/nagios/nrpe_local.cfg and /etc/nagios/nrpe.d/:
    /// missing (a warning) or as the package installs them (no commands), the output is the same.
    @Test func debianExampleGivesItsExpectedOutput() throws {
        let result = try tool.run(["debian-nrpe.cfg"], currentDirectory: Self.examples)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == (try example("debian-nrpe.expected.yaml")))
        #expect(
            result.standardError.contains(
                "imported 5 command(s) from debian-nrpe.cfg as jobs: check_users, check_load, check_hda1, check_zombie_procs, check_total_procs"
            ))
        #expect(
            result.standardError.contains(
                "directives ignored (they configure the NRPE daemon, not its commands): log_facility, debug, pid_file, server_port,"
            ))
    }

    @Test func debianExampleAsJSON() throws {
        let result = try tool.run(["--format", "json", "debian-nrpe.cfg"], currentDirectory: Self.examples)
        #expect(result.status == 0)
        #expect(result.standardOutput == (try example("debian-nrpe.expected.json")))
    }

    @Test func multiFileExampleGivesItsExpectedOutput() throws {
        let result = try tool.run(
            ["--prefix", "nrpe_", "--args", "check_disk_arg=20%!10%!/var", "multi/nrpe.cfg"],
            currentDirectory: Self.examples)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == (try example("multi.expected.yaml")))
        let summary = result.standardError
        #expect(summary.contains("imported 10 command(s)"))
        #expect(!summary.contains("skipped:"))
        #expect(summary.contains("warning: multi/nrpe.cfg:15: \"command_timeout \" is not a directive NRPE knows"))
        #expect(summary.contains("warning: multi/nrpe.cfg:29: command \"check_root\" is defined again (before at multi/nrpe.cfg:20)"))
        #expect(!summary.contains("check_disabled"))
    }

    @Test func argumentsExampleGivesItsExpectedOutput() throws {
        let result = try tool.run(
            ["--args", "check_disk=20%!10%!/", "--args", "check_http=127.0.0.1!/health", "--args", "check_echo=a b!!c$d", "args.cfg"],
            currentDirectory: Self.examples)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == (try example("args.expected.yaml")))
        #expect(
            result.standardError.contains(
                "imported 6 command(s) from args.cfg as jobs: check_disk, check_http, check_echo, check_procs, check_sixteen, check_plain"))
        #expect(!result.standardError.contains("skipped:"))
        // A macro is left in a command only for the on-demand checks, which have no schedule.
        let jobs = result.standardOutput.components(separatedBy: "\n  check_").dropFirst()
        #expect(jobs.count == 6)
        for job in jobs {
            let onDemand = job.contains("nrpe_arguments: query\n")
            #expect(job.contains("$ARG") == onDemand && job.contains("schedule:") == !onDemand, "\(job)")
        }
    }

    @Test func trickyLinesExampleGivesItsExpectedOutput() throws {
        let result = try tool.run(["tricky.cfg"], currentDirectory: Self.examples)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput == (try example("tricky.expected.yaml")))
        let expectedWarnings = [
            "tricky.cfg:6: \"command_prefix \" is not a directive NRPE knows",
            "tricky.cfg:8: directive \"this line has no equals sign\" has no value",
            "tricky.cfg:18: directive \"command[check_empty]\" has no value",
            "tricky.cfg:22: \"command[]\" names no command",
            "tricky.cfg:27: command \"check_twice\" is defined again (before at tricky.cfg:26)",
            "tricky.cfg:29: cannot read include file \"/nonexistent/nrpe-extra.cfg\"",
            "tricky.cfg:30: cannot read include directory \"/nonexistent/nrpe.d\"",
            "tricky.cfg:15: command \"check_dollar\" has an unpaired \"$\"",
        ]
        for warning in expectedWarnings {
            #expect(result.standardError.contains("warning: \(warning)"), "\(warning)\n\(result.standardError)")
        }
        #expect(
            result.standardError.contains(
                "imported 8 command(s) from tricky.cfg as jobs: check_a, check_eq, check_dollar, check_open, check_hash, check_twice, check_trailing, check_crlf"
            ))
    }

    @Test func importedConfigurationPassesConfigCheckWithoutWarnings() throws {
        let result = try configCheck([
            "debian.yaml": try example("debian-nrpe.expected.yaml"),
            "multi.yaml": try example("multi.expected.yaml"),
            "args.yaml": try example("args.expected.yaml"),
            "tricky.yaml": try example("tricky.expected.yaml"),
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("Config OK: 29 job(s)"))
        #expect(result.standardError.isEmpty)
    }

    @Test func realDebianConfigurationImportsItsFiveCommands() throws {
        let real = "/etc/nagios/nrpe.cfg"
        try #require(
            FileManager.default.fileExists(atPath: real), "install nagios-nrpe-server (Debian) for this test")
        let result = try tool.run(["--prefix", "nrpe_", real])
        #expect(result.status == 0, "\(result.standardError)")
        for name in ["check_users", "check_load", "check_hda1", "check_zombie_procs", "check_total_procs"] {
            #expect(result.standardOutput.contains("  nrpe_\(name):\n"))
        }
        #expect(result.standardError.contains("imported 5 command(s)"))
        #expect(!result.standardError.contains("skipped:"))
        let check = try configCheck(["nrpe.yaml": result.standardOutput])
        #expect(check.status == 0, "\(check.standardError)")
        #expect(check.standardError.isEmpty)
    }

    @Test func optionsScheduleFormatOutputFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let nrpe = try directory.write("nrpe.cfg", "command_timeout=9\ncommand[check_a]=/bin/echo 'OK $$1'\n")
        let target = directory.url("out.json")
        let result = try tool.run(["--schedule", "*/2 * * * *", "--format", "json", "--output", target, nrpe])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("wrote \(target)"))
        let written = try String(contentsOfFile: target, encoding: .utf8)
        let value = try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: [String: [String: Any]]]
        let job = try #require(value?["jobs"]?["check_a"])
        #expect(job["command"] as? [String] == ["/bin/sh", "-c", "/bin/echo 'OK $1'"])
        #expect(job["schedule"] as? String == "*/2 * * * *")
        #expect(job["max_execution"] as? Int == 9)
        #expect(job["nagios_check"] as? Bool == true)
    }

    @Test func argumentsFillTheMacros() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let nrpe = try directory.write("nrpe.cfg", "command[check_x]=/bin/check -w $ARG1$ -c $ARG2$\n")
        let result = try tool.run(["--args", "check_x=1!2", nrpe])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("- /bin/check -w 1 -c 2\n"))
        #expect(result.standardOutput.contains("    nrpe_arguments:\n    - '1'\n    - '2'\n"))
        let onDemand = try tool.run([nrpe])
        #expect(onDemand.status == 0)
        #expect(
            onDemand.standardOutput == """
                jobs:
                  check_x:
                    command:
                    - /bin/sh
                    - -c
                    - /bin/check -w $ARG1$ -c $ARG2$
                    max_execution: 60
                    nagios_check: true
                    nrpe_command: check_x
                    nrpe_arguments: query
                    concurrent_runs: true

                """)
        let tooFew = try tool.run(["--args", "check_x=1", nrpe])
        #expect(tooFew.standardOutput == "jobs: {}\n")
        #expect(tooFew.standardError.contains("command \"check_x\" skipped: it uses $ARG1$, $ARG2$ but --args gives 1 value(s)"))
    }

    @Test func unreadableMainFileIsExitOne() throws {
        let result = try tool.run(["/nonexistent/nrpe.cfg"])
        #expect(result.status == 1)
        #expect(result.standardOutput.isEmpty)
        #expect(
            result.standardError
                == "dsari-nrpe-import: error: Cannot read the NRPE configuration \"/nonexistent/nrpe.cfg\": no such file or directory.\n"
        )
    }

    @Test(arguments: [
        (["--schedule", "not a schedule", "x.cfg"], "--schedule \"not a schedule\" is not valid"),
        (["--args", "noequals", "x.cfg"], "has no command name before \"=\""),
        (["--args", "a=1", "--args", "a=2", "x.cfg"], "gives values for command \"a\" twice"),
        (["--prefix", "bad/", "x.cfg"], "--prefix \"bad/\" cannot start a job name"),
        (["--format", "xml", "x.cfg"], "xml"),
    ])
    func badArgumentsAreUsageErrors(arguments: [String], message: String) throws {
        let result = try tool.run(arguments)
        #expect(result.status == 64)
        #expect(result.standardError.contains(message))
    }
}
