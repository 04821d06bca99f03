import Foundation
import Synchronization

/// Runs a built dsari-* executable as a user would and captures what it prints.
public struct BinaryRunner: Sendable {
    public struct Result: Sendable {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
        /// The run was killed because it outlived the `timeout` given to `run`.
        public var timedOut = false
    }

    /// The folder holding the built products: `$DSARI_PRODUCTS_DIR` when set
    /// (e.g. the release build, for defects only optimized code has), else
    /// next to the test bundle when run by `swift test`, else the package's
    /// `.build/debug`.
    public static let productsDirectory: String = {
        if let chosen = ProcessInfo.processInfo.environment["DSARI_PRODUCTS_DIR"], !chosen.isEmpty { return chosen }
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

    /// Any program, by its path (a system tool such as check_nrpe or chromium).
    public init(path: String) {
        self.executable = path
    }

    /// Runs with `arguments`; the environment is the test's plus `environment`.
    /// A run that lasts longer than `timeout` seconds is killed (`timedOut`),
    /// so that a command that never ends fails its test instead of hanging it.
    /// `currentDirectory` is where it runs (default: the test's).
    public func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Double? = nil,
        currentDirectory: String? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        if let currentDirectory {
            process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory)
        }
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let killed = TimeoutFlag()
        let pid = process.processIdentifier
        let killer = DispatchWorkItem {
            killed.set()
            kill(pid, SIGKILL)
        }
        if let timeout {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        }
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
        killer.cancel()
        return Result(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self),
            timedOut: killed.isSet)
    }
}

/// Set once from the timeout's queue, read after the process has ended.
private final class TimeoutFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
