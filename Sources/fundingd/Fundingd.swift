import ArgumentParser
import Foundation
import FundingApp
import FundingStore
import Logging

@main
struct Fundingd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fundingd",
        abstract: "Funding-rate analytics for perpetual futures on TimescaleDB.",
        subcommands: [DB.self, Migrate.self, Ingest.self, BackfillCommand.self, Serve.self, Run.self, Bench.self,
                      FixtureServerCommand.self]
    )
}

struct DB: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the private local PostgreSQL + TimescaleDB cluster (used when DATABASE_URL is not set).",
        subcommands: [Start.self, Stop.self, Status.self, URLCommand.self]
    )

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create (first time) and start the cluster.")
        func run() throws {
            let cluster = LocalCluster()
            try cluster.start()
            print(try cluster.url(role: .owner).description)
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the cluster.")
        func run() throws { try LocalCluster().stop() }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the cluster runs, and where.")
        func run() throws {
            let cluster = LocalCluster()
            if cluster.isRunning() {
                print("running: \(try cluster.url(role: .owner)) (data in \(cluster.home.path))")
            } else {
                print("stopped (data in \(cluster.home.path))")
                throw ExitCode(3)
            }
        }
    }

    struct URLCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "url", abstract: "Print a connection URL.",
            discussion: """
                With --without-password the URL carries no password: libpq then reads it from the cluster's \
                password file, so it never shows in `ps`: PGPASSFILE=$FUNDINGD_HOME/pgpass psql "$(fundingd db url \
                --without-password)".
                """)
        @Option(help: "owner | writer | reader | operator | admin")
        var role: String = "owner"

        @Flag(help: "Leave the password out (use PGPASSFILE=$FUNDINGD_HOME/pgpass).")
        var withoutPassword = false

        func run() throws {
            let roles: [String: LocalCluster.Role] = ["owner": .owner, "writer": .writer, "reader": .reader,
                                                     "operator": .operator, "admin": .admin]
            guard let r = roles[role] else {
                throw ValidationError("--role must be owner, writer, reader, operator or admin")
            }
            let url = try LocalCluster().url(role: r)
            print(withoutPassword ? url.description : url.urlString)
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending schema/ and timescale/<edition>/ migrations (a no-op when up to date).")

    func run() async throws {
        let logger = Logger(label: "fundingd.migrate")
        let config = try await FundingConfig.load()
        let applied = try await DatabaseSetup.migrate(config: config, logger: logger)
        print(applied.isEmpty ? "up to date" : "applied \(applied.map { "\($0.version)_\($0.name)" }.joined(separator: ", "))")
    }
}

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Collect funding data from the venues into the database.")

    @Flag(help: "Collect one cycle, write it and exit.")
    var once = false

    @Option(help: "Comma-separated dexes to collect (default: FUNDINGD_DEXES or all).")
    var dexes: String?

    @Flag(name: .customLong("no-migrate"), help: "Do not apply pending migrations at start.")
    var noMigrate = false

    func run() async throws {
        let logger = Logger(label: "fundingd.ingest")
        let config = try await FundingConfig.load()
        let group = try await buildApplication(
            config, mode: .ingest(once: once), dexes: dexes.map { $0.split(separator: ",").map(String.init) },
            migrate: !noMigrate, logger: logger)
        try await group.run()
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API and WebSocket streams only (no collection).")

    @Option(help: "Listen address (default FUNDINGD_HTTP_HOST or 127.0.0.1).")
    var host: String?

    @Option(help: "Listen port (default FUNDINGD_HTTP_PORT or 8000).")
    var port: Int?

    @Flag(name: .customLong("no-migrate"), help: "Do not apply pending migrations at start.")
    var noMigrate = false

    func run() async throws {
        let logger = Logger(label: "fundingd.api")
        let config = try await FundingConfig.load()
        let settings = try config.apiSettings(host: host, port: port)
        let group = try await buildApplication(config, mode: .api(settings), migrate: !noMigrate, logger: logger) { port in
            logger.info("API listening", metadata: ["address": "http://\(settings.host):\(port)"])
        }
        try await group.run()
    }
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the whole service: collection and the HTTP API / WebSocket streams in one process.")

    @Option(help: "Listen address (default FUNDINGD_HTTP_HOST or 127.0.0.1).")
    var host: String?

    @Option(help: "Listen port (default FUNDINGD_HTTP_PORT or 8000).")
    var port: Int?

    @Option(help: "Comma-separated dexes to collect (default: FUNDINGD_DEXES or all).")
    var dexes: String?

    @Flag(name: .customLong("no-migrate"), help: "Do not apply pending migrations at start.")
    var noMigrate = false

    @Flag(help: "Replay the repository's recorded venue payloads (moving a little each cycle) instead of the real venues.")
    var demo = false

    func run() async throws {
        let logger = Logger(label: "fundingd")
        var environment = ProcessInfo.processInfo.environment
        let demoVenues = demo ? try DemoVenues.local(environment: environment) : nil
        if let demoVenues {
            environment = demoVenues.configure(environment)
            logger.info("demo mode: venues replayed from recordings", metadata: ["venues": "\(demoVenues.baseURL(for: ""))"])
        }
        let config = try await FundingConfig.load(environment: environment)
        let settings = try config.apiSettings(host: host, port: port)
        let group = try await buildApplication(
            config, mode: .all(settings), dexes: dexes.map { $0.split(separator: ",").map(String.init) },
            migrate: !noMigrate, demo: demoVenues, logger: logger
        ) { port in
            logger.info("API listening", metadata: ["address": "http://\(settings.host):\(port)"])
        }
        try await group.run()
    }
}

struct FixtureServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixture-server",
        abstract: "Development: serve the recorded venue payloads (dex X under /X) for demos, CI and benchmarks.",
        discussion: "Point FUNDINGD_<DEX>_BASE_URL at http://HOST:PORT/<dex> and run `fundingd ingest --once`.")

    @Option(help: "Directory of recordings.")
    var fixtures: String = "Tests/Fixtures"

    @Option(help: "Listen address.")
    var host: String = "127.0.0.1"

    @Option(help: "Listen port.")
    var port: Int = 9099

    @Option(name: .customLong("hang"),
            help: "Fault drill: DEX=SECONDS holds every request to DEX that long before a 504 (repeatable).")
    var hangs: [String] = []

    func run() async throws {
        let logger = Logger(label: "fundingd.fixtures")
        var faults: [String: FixtureFault] = [:]
        for hang in hangs {
            let parts = hang.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let seconds = Double(parts[1]), seconds >= 0, seconds <= 3600 else {
                throw ValidationError("--hang takes DEX=SECONDS (0 to 3600), got '\(hang)'")
            }
            faults[parts[0]] = .hang(.milliseconds(Int64(seconds * 1000)))
        }
        try await FixtureServer.serve(directory: URL(fileURLWithPath: fixtures), host: host, port: port,
                                      faults: faults, logger: logger)
    }
}
