/// dsari's tools take `-c/--config-dir` before the subcommand
/// (`dsari-info -c DIR job list`); swift-argument-parser only reads options
/// where the command declaring them stands. This moves the option to the
/// end, where every leaf command's `ConfigDirectoryOptions` reads it.
public enum GlobalOptions {
    public static func hoistingConfigDirectory(_ arguments: [String]) -> [String] {
        var rest: [String] = []
        var moved: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" {
                rest += arguments[index...]
                break
            }
            if (argument == "-c" || argument == "--config-dir"), index + 1 < arguments.endIndex {
                moved = ["--config-dir", arguments[index + 1]]
                index += 2
                continue
            }
            if argument.hasPrefix("--config-dir=") {
                moved = ["--config-dir", String(argument.dropFirst("--config-dir=".count))]
            } else if argument.hasPrefix("-c"), argument.count > 2, !argument.hasPrefix("--") {
                moved = ["--config-dir", String(argument.dropFirst(2))]
            } else {
                rest.append(argument)
            }
            index += 1
        }
        // Before a `--` separator, if any, so it stays an option.
        if let separator = rest.firstIndex(of: "--") {
            rest.insert(contentsOf: moved, at: separator)
            return rest
        }
        return rest + moved
    }
}
