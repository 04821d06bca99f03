import DsariCore
import Testing

@testable import DsariNagios

@Suite("NRPEImporter")
struct NRPEImporterTests {
    func config(_ commands: [(String, String)], timeout: Int = 60, prefix: String? = nil) -> NRPEConfig {
        var config = NRPEConfig()
        config.commands = commands.enumerated().map { index, command in
            NRPECommand(name: command.0, line: command.1, location: SourceLocation(file: "nrpe.cfg", line: index + 1))
        }
        config.commandTimeout = timeout
        config.commandPrefix = prefix
        return config
    }

    @Test func commandBecomesAShellJobMarkedAsACheck() {
        let result = NRPEImporter().importJobs(from: config([("check_users", "/usr/lib/nagios/plugins/check_users -w 5")]))
        let expected: ConfigValue = [
            "jobs": [
                "check_users": [
                    "command": ["/bin/sh", "-c", "/usr/lib/nagios/plugins/check_users -w 5"],
                    "schedule": "H/5 * * * *",
                    "max_execution": 60,
                    "nagios_check": true,
                    "nrpe_command": "check_users",
                ]
            ]
        ]
        #expect(result.configuration == expected)
        #expect(result.jobNames == ["check_users"])
        #expect(result.skipped.isEmpty)
        #expect(result.warnings.isEmpty)
    }

    @Test func prefixScheduleTimeoutAndCommandPrefix() {
        let importer = NRPEImporter(prefix: "nrpe_", schedule: "*/2 * * * *")
        let result = importer.importJobs(from: config([("load", "check_load")], timeout: 15, prefix: "/usr/bin/sudo"))
        let job = result.configuration["jobs"]?.value["nrpe_load"]?.value
        #expect(job?["command"]?.value == ["/bin/sh", "-c", "/usr/bin/sudo check_load"])
        #expect(job?["schedule"]?.value == "*/2 * * * *")
        #expect(job?["max_execution"]?.value == 15)
    }

    @Test func argumentsAreSubstitutedFromArgs() {
        let importer = NRPEImporter(arguments: ["disk": ["20%", "10%", "/var lib"]])
        let result = importer.importJobs(from: config([("disk", "check_disk -w $ARG1$ -c $ARG2$ -p '$ARG3$' $ARG17$")]))
        #expect(
            result.configuration["jobs"]?.value["disk"]?.value["command"]?.value
                == ["/bin/sh", "-c", "check_disk -w 20% -c 10% -p '/var lib' "])
        #expect(result.configuration["jobs"]?.value["disk"]?.value["nrpe_arguments"]?.value == ["20%", "10%", "/var lib"])
        #expect(result.skipped.isEmpty)
    }

    /// Without values a $ARGn$ command is an on-demand check: the line (after
    /// command_prefix, as NRPE expands it) keeps its macros for each query.
    @Test func commandWithArgumentsAndNoArgsBecomesAnOnDemandCheck() {
        let result = NRPEImporter().importJobs(
            from: config([("disk", "check_disk -w $ARG1$ -c $ARG2$"), ("ok", "true")], prefix: "/usr/bin/sudo"))
        #expect(result.jobNames == ["disk", "ok"])
        #expect(result.skipped.isEmpty)
        let disk = result.configuration["jobs"]?.value["disk"]?.value
        #expect(disk?["command"]?.value == ["/bin/sh", "-c", "/usr/bin/sudo check_disk -w $ARG1$ -c $ARG2$"])
        #expect(disk?["schedule"] == nil)
        #expect(disk?["nrpe_arguments"]?.value == "query")
        #expect(disk?["concurrent_runs"]?.value == true)
        let ok = result.configuration["jobs"]?.value["ok"]?.value
        #expect(ok?["nrpe_arguments"] == nil && ok?["schedule"] != nil)
    }

    @Test func tooFewArgumentsSkip() {
        let result = NRPEImporter(arguments: ["disk": ["20%"]]).importJobs(from: config([("disk", "c $ARG1$ $ARG2$")]))
        #expect(result.jobNames.isEmpty)
        #expect(result.skipped.first?.reason == "it uses $ARG1$, $ARG2$ but --args gives 1 value(s)")
    }

    @Test func argsForAnUnknownCommandAreWarned() {
        let result = NRPEImporter(arguments: ["nope": ["x"]]).importJobs(from: config([("ok", "true")]))
        #expect(result.warnings == ["--args names \"nope\", which the configuration does not define."])
    }

    @Test(arguments: [
        ("echo $$HOME", "echo $HOME"),
        ("echo $$$$", "echo $$"),
        ("echo $FOO$ x", "echo $FOO$ x"),
        ("echo $HOME", "echo $HOME$"),
        ("printf '$ARG1$$ARG2$'", "printf 'ab'"),
        ("x $ARG0$ y", "x  y"),
        ("x $ARG1x$ y", "x a y"),
    ])
    func macrosExpandAsNRPEDoes(line: String, expanded: String) {
        #expect(NRPEMacroExpander.expand(line, arguments: ["a", "b"]) == expanded)
    }

    @Test func unpairedDollarIsWarned() {
        let result = NRPEImporter().importJobs(from: config([("home", "echo $HOME")]))
        #expect(result.jobNames == ["home"])
        #expect(result.warnings.count == 1)
        #expect(result.warnings.first?.contains("unpaired \"$\"") == true)
    }

    @Test func nameThatCannotBeAJobNameIsSkipped() {
        let long = String(repeating: "x", count: 60)
        let result = NRPEImporter(prefix: "nrpe_").importJobs(
            from: config([("a/b", "true"), (long, "true"), ("é", "true"), ("fine", "true")]))
        #expect(result.jobNames == ["nrpe_fine"])
        #expect(result.skipped.map(\.name) == ["a/b", long, "é"])
        #expect(result.skipped[0].reason == "\"nrpe_a/b\" cannot be a job name: it must not contain \"/\"")
        #expect(result.skipped[1].reason.contains("at most 64 characters"))
    }
}
