import Testing

@testable import DsariCore

/// The key table is the interpreter's registry of readers: a top-level or
/// job key without its reader would be warned about as unknown.
@Suite("config keys: one table")
struct ConfigKeysTests {
    @Test func everyKeyIsReadWhereItMayAppear() {
        for key in ConfigKeys.all {
            switch (key.place, key.read) {
            case (.topLevel, .topLevel), (.job, .job), (.jobGroup, .section), (.concurrencyGroup, .section), (.database, .section),
                (.mysqlConnection, .section), (.passiveResult, .section):
                continue
            default:
                Issue.record("\(key.name) (\(key.place.rawValue)) has no reader of its place")
            }
        }
        #expect(ConfigInterpreter.topLevelReaders.count == ConfigKeys.names(in: .topLevel).count)
        #expect(ConfigInterpreter.jobReaders.count == ConfigKeys.names(in: .job).count)
    }
}
