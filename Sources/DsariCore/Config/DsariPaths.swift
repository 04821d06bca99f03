import Foundation

/// dsari's default configuration and data directories.
///
/// In order: `$DSARI_HOME/etc` and `$DSARI_HOME/var` when `DSARI_HOME` is
/// set (and not empty); `~/.dsari/etc` and `~/.dsari/var` when that holds a
/// `dsari.yaml` or `dsari.json`; `/usr/local/etc/dsari` and
/// `/usr/local/lib/dsari` when the former exists; `/etc/dsari` and
/// `/var/lib/dsari` when the former exists; else `~/.dsari/etc` and
/// `~/.dsari/var`. (dsari chose by where its Python module was installed;
/// a compiled program looks at what exists instead.)
public struct DsariPaths: Sendable, Hashable {
    public var configDirectory: String
    public var dataDirectory: String

    public init(configDirectory: String, dataDirectory: String) {
        self.configDirectory = configDirectory
        self.dataDirectory = dataDirectory
    }

    /// The defaults for a process with this environment (`DSARI_HOME`,
    /// `HOME`).
    public init(environment: [String: String]) {
        self = Self.defaults(environment: environment, filesystemRoot: "")
    }

    /// The defaults, with the system directories looked up under
    /// `filesystemRoot` (tests use a temporary directory; "" is `/`).
    static func defaults(environment: [String: String], filesystemRoot: String) -> DsariPaths {
        if let dsariHome = environment["DSARI_HOME"], !dsariHome.isEmpty {
            return DsariPaths(configDirectory: join(dsariHome, "etc"), dataDirectory: join(dsariHome, "var"))
        }
        let home = homeDirectory(environment: environment)
        let user = DsariPaths(
            configDirectory: join(home, ".dsari/etc"), dataDirectory: join(home, ".dsari/var"))
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: join(user.configDirectory, "dsari.yaml"))
            || fileManager.fileExists(atPath: join(user.configDirectory, "dsari.json"))
        {
            return user
        }
        let systemChoices = [
            ("/usr/local/etc/dsari", "/usr/local/lib/dsari"),
            ("/etc/dsari", "/var/lib/dsari"),
        ]
        for (config, data) in systemChoices {
            var isDirectory: ObjCBool = false
            let configDirectory = filesystemRoot + config
            if fileManager.fileExists(atPath: configDirectory, isDirectory: &isDirectory), isDirectory.boolValue {
                return DsariPaths(configDirectory: configDirectory, dataDirectory: filesystemRoot + data)
            }
        }
        return user
    }

    /// `HOME`, or the password database's home directory when `HOME` is
    /// unset (as under some service managers).
    static func homeDirectory(environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty {
            return home
        }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir {
            return String(cString: directory)
        }
        return "/"
    }

    /// `base/component` with exactly one slash between them.
    public static func join(_ base: String, _ component: String) -> String {
        if base.isEmpty { return component }
        return base.hasSuffix("/") ? base + component : base + "/" + component
    }

    /// `path` when absolute, else `path` under `directory`.
    static func resolve(_ path: String, relativeTo directory: String) -> String {
        path.hasPrefix("/") ? path : join(directory, path)
    }
}
