import ArgumentParser
import DsariStore

/// `--host H` (repeatable) and `--all-hosts`: whose runs a `dsari-info`
/// command shows when a fleet shares one PostgreSQL database. Without
/// either, this host's (`host_name`); with either, a host column appears.
struct HostOptions: ParsableArguments {
    @Option(name: .customLong("host"), help: ArgumentHelp("Show this host's runs (repeatable).", valueName: "host_name"))
    var hosts: [String] = []
    @Flag(help: "Show every host's runs (a fleet sharing one PostgreSQL database).") var allHosts = false

    func validate() throws {
        if allHosts && !hosts.isEmpty { throw ValidationError("--host and --all-hosts cannot be used together.") }
    }

    var filter: HostFilter { allHosts ? .all : hosts.isEmpty ? .this : .only(hosts) }

    /// Whether the output names each run's host.
    var showsHosts: Bool { allHosts || !hosts.isEmpty }
}
