import DsariCore
import Foundation

/// `nrpe_config: PATH` (+ `nrpe_prefix`, `nrpe_schedule`) in dsari.yaml:
/// the nrpe.cfg's commands become jobs at every load, so a SIGHUP picks up
/// changes to nrpe.cfg. Relative paths (and relative includes, which NRPE
/// resolves against its working directory) are taken from the config directory.
public struct NRPEJobSource: ConfigJobSource {
    public init() {}

    public func configuration(for tree: ConfigNode, configDirectory: String) throws -> (ConfigNode, [ConfigWarning])? {
        guard let setting = tree["nrpe_config"], case .string(let written) = setting.value else { return nil }
        let path = written.hasPrefix("/") ? written : DsariPaths.join(configDirectory, written)
        func text(_ key: String) -> String? {
            if case .string(let value)? = tree[key]?.value { return value }
            return nil
        }
        let nrpe: NRPEConfig
        do {
            nrpe = try NRPEConfigReader(workingDirectory: configDirectory).read(path)
        } catch {
            throw ConfigError(
                "\"nrpe_config\" \(written.quotedForMessage) cannot be imported: \(error)", location: setting.location,
                key: "nrpe_config", expected: "a readable nrpe.cfg")
        }
        let importer = NRPEImporter(prefix: text("nrpe_prefix") ?? "", schedule: text("nrpe_schedule") ?? NRPEImporter.defaultSchedule)
        let result = importer.importJobs(from: nrpe)
        var warnings = nrpe.warnings.map { ConfigWarning("nrpe_config: \($0)", location: setting.location, key: "nrpe_config") }
        warnings += result.skipped.map { ConfigWarning("nrpe_config: \($0)", location: setting.location, key: "nrpe_config") }
        warnings += result.warnings.map { ConfigWarning("nrpe_config: \($0)", location: setting.location, key: "nrpe_config") }
        return (ConfigNode(result.configuration), warnings)
    }
}

extension ConfigLoader {
    /// The loader every dsari command uses: dsari's files plus `nrpe_config`.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> ConfigLoader {
        ConfigLoader(environment: environment, jobSources: [NRPEJobSource()])
    }
}
