import Testing

@testable import DsariCore

/// The key table is the interpreter's registry of readers: a top-level or
/// job key without its reader would be warned about as unknown.
@Suite("config keys: one table")
struct ConfigKeysTests {
    @Test func everyKeyIsReadWhereItMayAppear() {
        for key in ConfigKeys.all {
            switch (key.place, key.read) {
            case (.topLevel, .topLevel), (.job, .job), (.jobGroup, .section), (.concurrencyGroup, .concurrencyGroup),
                (.database, .database), (.mysqlConnection, .mysqlConnection), (.passiveResult, .section):
                continue
            default:
                Issue.record("\(key.name) (\(key.place.rawValue)) has no reader of its place")
            }
        }
        #expect(ConfigInterpreter.topLevelReaders.count == ConfigKeys.names(in: .topLevel).count)
        #expect(ConfigInterpreter.jobReaders.count == ConfigKeys.names(in: .job).count)
        #expect(ConfigInterpreter.databaseReaders.count == ConfigKeys.names(in: .database).count)
        #expect(ConfigInterpreter.mysqlConnectionReaders.count == ConfigKeys.names(in: .mysqlConnection).count)
        #expect(ConfigInterpreter.concurrencyGroupReaders.count == ConfigKeys.names(in: .concurrencyGroup).count)
    }

    /// Which keys each passive-result destination type takes comes from the table too.
    @Test func eachPassiveResultTypeTakesItsKeys() {
        #expect(ConfigInterpreter.passiveKeys["nsca"] == ["type", "name", "max_age", "timeout", "address", "encryption", "password"])
        #expect(ConfigInterpreter.passiveKeys["command_file"] == ["type", "name", "max_age", "timeout", "path", "check_result_path"])
        #expect(
            ConfigInterpreter.passiveKeys["icinga2"]
                == ["type", "name", "max_age", "timeout", "password", "url", "ca_file", "cert_file", "key_file", "user"])
        for key in ConfigKeys.all where !key.passiveTypes.isEmpty {
            #expect(key.place == .passiveResult && Set(key.passiveTypes).isSubset(of: ConfigInterpreter.passiveTypes), "\(key.name)")
        }
    }
}
