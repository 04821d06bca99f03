// swift-tools-version: 6.0
// The targets show the architecture; dependencies point down:
//   commands (dsari-*) → DsariCLI → DsariEngine  → DsariStore, DsariNagios → DsariCore
//                                 → DsariMetrics → DsariStore, DsariPassive (its queues' counters)
//                                 → DsariRender  → DsariStore, DsariNagios
//                                 → DsariHTTP
//                                 → DsariPassive → DsariNagios (passive results: NSCA, command file, Icinga 2)
//                                 → DsariNRPE    → DsariNagios (the listener and its answers,
//                                                  behind NRPECheckSource, which the CLI wires)
//                                 → DsariNagios  → DsariCore
// C libraries, each behind one Swift target that alone imports it:
//   CSQLite, CLibPQ, CMariaDB ← DsariStore, CMicroHTTPD, CCrypt ← DsariHTTP, CProcessSpawn ← DsariEngine,
//   CZlib ← DsariRender, COpenSSL ← DsariNRPE, CCurl ← DsariPassive.
// DsariCore holds the domain: configuration, jobs, schedules, runs.
// DsariNagios holds what Nagios and NRPE define: nrpe.cfg, plugin results.
import PackageDescription

let package = Package(
    name: "dsari",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dsari-daemon", targets: ["dsari-daemon"]),
        .executable(name: "dsari-info", targets: ["dsari-info"]),
        .executable(name: "dsari-prometheus-exporter", targets: ["dsari-prometheus-exporter"]),
        .executable(name: "dsari-render", targets: ["dsari-render"]),
        .executable(name: "dsari-nrpe-import", targets: ["dsari-nrpe-import"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // swift-log (12 files, no dependencies, ~6 s of build): one Logger
        // API for every part; our handler keeps dsari's line format.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Domain: configuration, jobs, schedules (cron, Jenkins hashing, RRULE, time zones).
        .target(
            name: "DsariCore",
            dependencies: [.product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log")]
        ),
        // Nagios/NRPE semantics: reading nrpe.cfg, importing its commands as
        // jobs, plugin output and performance data, check states.
        .target(name: "DsariNagios", dependencies: ["DsariCore"]),
        // SQLite (Debian libsqlite3-dev); only DsariStore imports it.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // libpq (Debian libpq-dev) for the PostgreSQL backend; only DsariStore
        // imports it. Not PostgresNIO: SwiftNIO's build costs minutes on
        // every two-core CI run, and the store is synchronous behind a lock.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // MariaDB Connector/C (Debian libmariadb-dev) for the MySQL/MariaDB
        // backend; only DsariStore imports it.
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),
        // The run history: dsari's runs/runs_running tables, our migrations,
        // in SQLite, PostgreSQL or MySQL/MariaDB.
        .target(name: "DsariStore", dependencies: ["DsariCore", "CSQLite", "CLibPQ", "CMariaDB"]),
        // Linux calls Swift cannot import: posix_spawn with glibc's _np file
        // actions, the wait-status macros, pipe2, epoll, eventfd; only
        // DsariEngine imports it.
        .target(name: "CProcessSpawn"),
        // The daemon: scheduler, run supervision, triggers, signals.
        .target(
            name: "DsariEngine",
            dependencies: ["DsariCore", "DsariStore", "DsariNagios", "CProcessSpawn", .product(name: "Logging", package: "swift-log")]),
        // libmicrohttpd (Debian libmicrohttpd-dev), with GnuTLS (libgnutls28-dev), the TLS
        // library it is built on, for checking client certificates; only DsariHTTP imports it.
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev", "libgnutls28-dev"])]),
        // libxcrypt (Debian libcrypt-dev): bcrypt for basic-auth users; only DsariHTTP imports it.
        .systemLibrary(name: "CCrypt", pkgConfig: "libxcrypt", providers: [.apt(["libcrypt-dev"])]),
        // OpenSSL (Debian libssl-dev) for the NRPE listener's TLS; only DsariNRPE imports it.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // libcurl (Debian libcurl4-openssl-dev) for the Icinga 2 API; only DsariPassive imports it.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Passive check results: NSCA, Nagios' command file and check result
        // directory, the Icinga 2 API; one on-disk queue per destination.
        .target(
            name: "DsariPassive",
            dependencies: ["DsariCore", "DsariNagios", "CCurl", .product(name: "Logging", package: "swift-log")]),
        // Answers check_nrpe with the recorded check results (NRPE packets v2/v4, TLS).
        .target(name: "DsariNRPE", dependencies: ["DsariCore", "DsariNagios", "COpenSSL"]),
        // The HTTP server the exporter and the daemon serve metrics and status with
        // (TLS and basic auth from exporter-toolkit's web configuration).
        .target(name: "DsariHTTP", dependencies: ["DsariCore", "CMicroHTTPD", "CCrypt"]),
        // Metric families from incremental per-job aggregates; the exposition writer.
        .target(name: "DsariMetrics", dependencies: ["DsariCore", "DsariStore", "DsariNagios", "DsariPassive"]),
        // zlib (Debian zlib1g-dev); only DsariRender imports it (gzip for report_html_gz).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // dsari-render's static HTML reports: the report model, the Mustache-subset
        // template engine with its built-in templates, the atomic page writer.
        .target(name: "DsariRender", dependencies: ["DsariCore", "DsariStore", "DsariNagios", "CZlib"]),
        // The command-line surface shared by every dsari-* executable.
        .target(
            name: "DsariCLI",
            dependencies: [
                "DsariCore",
                "DsariNagios",
                "DsariStore",
                "DsariEngine",
                "DsariMetrics",
                "DsariRender",
                "DsariHTTP",
                "DsariNRPE",
                "DsariPassive",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "dsari-daemon", dependencies: ["DsariCLI"]),
        .executableTarget(name: "dsari-info", dependencies: ["DsariCLI"]),
        .executableTarget(name: "dsari-prometheus-exporter", dependencies: ["DsariCLI"]),
        .executableTarget(name: "dsari-render", dependencies: ["DsariCLI"]),
        .executableTarget(name: "dsari-nrpe-import", dependencies: ["DsariCLI"]),

        .target(name: "DsariTestSupport", dependencies: ["DsariCore", "DsariStore"], path: "Tests/DsariTestSupport"),
        .testTarget(
            name: "DsariCoreTests", dependencies: ["DsariCore", "DsariTestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "DsariNagiosTests", dependencies: ["DsariNagios", "DsariCore", "DsariTestSupport"]),
        .testTarget(name: "DsariCLITests", dependencies: ["DsariCLI", "DsariCore", "DsariStore", "DsariTestSupport"]),
        .testTarget(name: "DsariHTTPTests", dependencies: ["DsariHTTP", "DsariTestSupport"]),
        .testTarget(name: "DsariNRPETests", dependencies: ["DsariNRPE", "DsariCore", "DsariTestSupport"]),
        .testTarget(name: "DsariPassiveTests", dependencies: ["DsariPassive", "DsariCore", "DsariTestSupport"]),
        .testTarget(name: "DsariMetricsTests", dependencies: ["DsariMetrics", "DsariStore", "DsariPassive", "DsariTestSupport"]),
        .testTarget(name: "DsariStoreTests", dependencies: ["DsariStore", "DsariTestSupport"]),
        .testTarget(name: "DsariRenderTests", dependencies: ["DsariRender", "DsariCore", "DsariStore", "DsariTestSupport"]),
        .testTarget(name: "DsariEngineTests", dependencies: ["DsariEngine", "DsariStore", "DsariTestSupport"]),
        // Kill -9, fault injection, fuzzing, HTTP load and soak (issue #7); short by
        // default, long with DSARI_RELIABILITY=full (script/reliability).
        .testTarget(
            name: "DsariReliabilityTests",
            dependencies: ["DsariCore", "DsariNagios", "DsariStore", "DsariEngine", "DsariTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
