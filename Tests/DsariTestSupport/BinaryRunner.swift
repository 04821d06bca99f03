import Foundation

/// Runs a built dsari-* executable as a user would and captures what it prints.
public struct BinaryRunner: Sendable {
    public struct Result: Sendable {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
    }

    /// The folder holding the built products: next to the test bundle when
    /// run by `swift test`, else the package's `.build/debug`.
    public static let productsDirectory: String = {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let argument = CommandLine.arguments.first {
            var directory = (argument as NSString).deletingLastPathComponent
            // `…/debug/dsariPackageTests.xctest` may be a bundle folder on some platforms.
            for _ in 0..<4 {
                candidates.append(directory)
                directory = (directory as NSString).deletingLastPathComponent
            }
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        candidates.append((packageRoot as NSString).appendingPathComponent(".build/debug"))
        return candidates.first { fileManager.isExecutableFile(atPath: ($0 as NSString).appendingPathComponent("dsari-info")) }
            ?? candidates.last!
    }()

    public let executable: String

    public init(_ name: String) {
        self.executable = (Self.productsDirectory as NSString).appendingPathComponent(name)
    }

    /// Runs with `arguments`; the environment is the test's plus `environment`.
    public func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes to the end before waiting, so a chatty child cannot block.
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        DispatchQueue.global().async {
            errorData = error.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }
}
