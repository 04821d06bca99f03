import CProcessSpawn
import Foundation

/// Starts a run's command: looks it up on the run's own `PATH`, then
/// `posix_spawn`s it in a new process group with the given descriptors.
enum ProcessLauncher {
    struct LaunchError: Error, CustomStringConvertible {
        let message: String
        /// 127 as a shell reports "not found", 126 "not executable".
        let exitCode: Int
        var description: String { message }
    }

    /// The executable for `command` on `path` (colon-separated), as a shell finds it.
    static func resolve(_ command: String, path: String) throws(LaunchError) -> String {
        let fileManager = FileManager.default
        if command.contains("/") {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: command, isDirectory: &isDirectory) else {
                throw LaunchError(message: "\(command): No such file or directory", exitCode: 127)
            }
            guard !isDirectory.boolValue, access(command, X_OK) == 0 else {
                throw LaunchError(message: "\(command): Permission denied (not an executable file)", exitCode: 126)
            }
            return command
        }
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + command
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                access(candidate, X_OK) == 0
            {
                return candidate
            }
        }
        throw LaunchError(message: "\(command): command not found (PATH=\(path))", exitCode: 127)
    }

    /// Spawns; returns the pid or throws with the reason the child could not start.
    static func spawn(
        executable: String, arguments: [String], environment: [String: String], workingDirectory: String,
        stdin: Int32, stdout: Int32, stderr: Int32
    ) throws(LaunchError) -> pid_t {
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let error = dsari_spawn(&pid, executable, argv, envp, workingDirectory, stdin, stdout, stderr)
        guard error == 0 else {
            let reason = String(cString: strerror(error))
            if error == ENOENT, !FileManager.default.fileExists(atPath: workingDirectory) {
                throw LaunchError(message: "cannot change to working directory \(workingDirectory): \(reason)", exitCode: 127)
            }
            throw LaunchError(
                message: "cannot start \(executable): \(reason)", exitCode: error == EACCES || error == ENOEXEC ? 126 : 127)
        }
        return pid
    }
}
