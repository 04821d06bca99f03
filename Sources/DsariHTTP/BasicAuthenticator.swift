import CCrypt
import DsariCore
import Foundation
import Synchronization

/// HTTP basic authentication against a web configuration's
/// `basic_auth_users` (bcrypt hashes), as exporter-toolkit does it: the file
/// is read again when it changes (checked at every request, so adding or
/// removing a user needs no restart), a verified (user, hash, password) is
/// remembered so that bcrypt's deliberate cost is paid once per credential,
/// and an unknown user costs as much time as a known one.
final class BasicAuthenticator: Sendable {
    enum Outcome: Equatable {
        case allowed
        /// No or wrong credentials: 401 with `WWW-Authenticate`.
        case unauthorized
        /// The web configuration cannot be read now: 500, and the reason logged.
        case failed(String)
    }

    private struct State {
        var identity: FileIdentity?
        var users: [String: String]
        var failure: ConfigError?
        var verified: [String: Bool] = [:]
    }

    /// What identifies a version of the file without reading it.
    private struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: timespec

        static func == (lhs: FileIdentity, rhs: FileIdentity) -> Bool {
            lhs.device == rhs.device && lhs.inode == rhs.inode && lhs.size == rhs.size && lhs.modified.tv_sec == rhs.modified.tv_sec
                && lhs.modified.tv_nsec == rhs.modified.tv_nsec
        }

        init?(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = info.st_mtim
        }
    }

    /// Credentials remembered at most (exporter-toolkit keeps 100 too).
    static let cacheLimit = 100
    /// Verified against when the user is unknown, so that the answer takes
    /// as long (a bcrypt setting of cost 10 without a hash never matches).
    static let unknownUserSetting = "$2y$10$dsaridsaridsaridsaridO"

    let path: String
    private let state: Mutex<State>

    /// Starts with the users of `config`, read from `path` just before.
    init(path: String, config: WebConfig) {
        self.path = path
        state = Mutex(State(identity: FileIdentity(path: path), users: config.basicAuthUsers))
    }

    /// Whether the request's `Authorization` header lets it through.
    func check(authorization: String?) -> Outcome {
        let users: [String: String]
        switch currentUsers() {
        case .success(let current): users = current
        case .failure(let failure): return .failed(failure.description)
        }
        guard !users.isEmpty else { return .allowed }
        guard let (user, password) = Self.credentials(authorization) else { return .unauthorized }
        let hash = users[user]
        let key = "\(user)\u{0}\(hash ?? "")\u{0}\(password)"
        if let known = state.withLock({ $0.verified[key] }) { return known ? .allowed : .unauthorized }
        let matches = dsari_crypt_verify(password, hash ?? Self.unknownUserSetting) == 1 && hash != nil
        state.withLock { state in
            if state.verified.count >= Self.cacheLimit { state.verified.removeAll() }
            state.verified[key] = matches
        }
        return matches ? .allowed : .unauthorized
    }

    /// The users of the file as it is now: read again when it changed.
    private func currentUsers() -> Result<[String: String], ConfigError> {
        let identity = FileIdentity(path: path)
        if let cached = state.withLock({ state -> Result<[String: String], ConfigError>? in
            guard state.identity == identity, identity != nil else { return nil }
            return state.failure.map { .failure($0) } ?? .success(state.users)
        }) {
            return cached
        }
        do {
            let users = try WebConfig.read(path: path).basicAuthUsers
            state.withLock { state in
                state = State(identity: identity, users: users)
            }
            return .success(users)
        } catch let error as ConfigError {
            state.withLock { state in
                state.identity = identity
                state.failure = error
            }
            return .failure(error)
        } catch {
            return .failure(ConfigError("\(error)", file: path))
        }
    }

    /// `Basic base64(user:password)` (the scheme in any case); nil otherwise.
    static func credentials(_ header: String?) -> (user: String, password: String)? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
            let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
