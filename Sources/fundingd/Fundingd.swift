import ArgumentParser
import FundingApp
import FundingStore
import Logging

@main
struct Fundingd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fundingd",
        abstract: "Funding-rate analytics for perpetual futures on TimescaleDB.",
        subcommands: [DB.self, Migrate.self]
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
        static let configuration = CommandConfiguration(commandName: "url", abstract: "Print a connection URL.")
        @Option(help: "owner | writer | reader | admin")
        var role: String = "owner"

        func run() throws {
            let roles: [String: LocalCluster.Role] = ["owner": .owner, "writer": .writer, "reader": .reader,
                                                     "admin": .admin]
            guard let r = roles[role] else { throw ValidationError("--role must be owner, writer, reader or admin") }
            print(try LocalCluster().url(role: r).urlString)
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
