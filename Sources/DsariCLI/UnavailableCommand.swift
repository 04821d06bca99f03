import ArgumentParser
import DsariCore

/// What a command that is not built yet says: a clear message and exit 69
/// (EX_UNAVAILABLE), so that nothing pretends to work.
enum UnavailableCommand {
    static func refuse(_ command: String, issue: String) throws -> Never {
        StandardError.print("\(command): not available yet in dsari-swift \(DsariVersion.string) (\(issue)).")
        throw ExitCode(69)
    }
}

/// `dsari-render` until reports land.
public struct RenderCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dsari-render", abstract: "Render static HTML reports (not available yet).",
        version: DsariVersion.string)
    @OptionGroup var options: ConfigDirectoryOptions
    public init() {}
    public func run() throws { try UnavailableCommand.refuse("dsari-render", issue: "reports come with issue #6") }
}
