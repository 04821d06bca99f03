/// The `database` option: where runs are recorded.
public struct DatabaseConfig: Sendable, Hashable {
    /// The only supported type: dsari's other back-ends (postgresql, mysql,
    /// mongodb) are refused at load time with a clear message.
    public static let sqlite3 = "sqlite3"

    public var type: String
    /// The SQLite file; nil means `DATA_DIR/dsari.sqlite3`.
    public var file: String?

    public init(type: String = DatabaseConfig.sqlite3, file: String? = nil) {
        self.type = type
        self.file = file
    }
}
