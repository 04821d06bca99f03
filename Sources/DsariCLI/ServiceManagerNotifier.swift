import Foundation

/// systemd's readiness protocol (`Type=notify`), spoken directly: one
/// datagram such as `READY=1` to the unix socket named in `NOTIFY_SOCKET`
/// (a path, or an abstract name when it starts with `@`). That is all
/// `sd_notify(3)` does, so no libsystemd is linked. Without `NOTIFY_SOCKET`
/// (not started by systemd) every call does nothing.
struct ServiceManagerNotifier: Sendable {
    /// The socket's address as given in `NOTIFY_SOCKET`; nil when unset.
    let socketName: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let name = environment["NOTIFY_SOCKET"] ?? ""
        socketName = name.isEmpty ? nil : name
    }

    /// `READY=1`: the service is up (listening, scheduling); `systemctl
    /// start` returns now.
    func ready(status: String) {
        send("READY=1\nSTATUS=\(status)\nMAINPID=\(getpid())\n")
    }

    /// `STOPPING=1`: a stop was asked for and has begun.
    func stopping() {
        send("STOPPING=1\n")
    }

    /// Sends one datagram; failures are not errors for the service (systemd
    /// then reports the start as timed out, which names the problem).
    private func send(_ message: String) {
        guard let socketName, socketName.hasPrefix("/") || socketName.hasPrefix("@") else { return }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketName.utf8)
        // An abstract socket's name starts with a NUL byte instead of `@`.
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count)
        let bytes = Array(message.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                sendto(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
            }
        }
    }
}
