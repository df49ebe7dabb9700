import Foundation
import FundingStore

/// The private PostgreSQL + TimescaleDB cluster `fundingd` runs when `DATABASE_URL` is not set.
///
/// Everything lives under `FUNDINGD_HOME` (default `./.fundingd`): the data directory, the socket directory (mode
/// 0700, so only its owner can use trust authentication over it), the server log and `cluster.json` with the port
/// and generated role passwords. TCP listens on 127.0.0.1 only and asks for passwords (SCRAM). When run as root the
/// server runs as the `postgres` system user, since PostgreSQL refuses to run as root.
///
/// Secrets never appear in process arguments (any local user can read them with `ps`) or in world-readable files:
/// SQL that carries a password reaches `psql` on its standard input, the files holding passwords (`cluster.json`,
/// initdb's password file, `pgpass`) are created with mode 0600, and `pgpass` lets scripts connect with
/// password-less URLs (`PGPASSFILE`, `fundingd db url --without-password`).
public struct LocalCluster: Sendable {
    /// The port, superuser and role passwords chosen when the cluster was created.
    public struct State: Codable, Sendable {
        public var port: Int
        public var database: String
        public var passwords: [String: String]
    }

    public enum Role: String, CaseIterable, Sendable {
        /// Superuser: creates databases and extensions (tests use it for throwaway databases).
        case admin = "fundingd_admin"
        /// Owns the database and runs migrations.
        case owner = "fundingd"
        /// The ingest daemon.
        case writer = "fundingd_writer"
        /// The API, Grafana and analysts: read-only.
        case reader = "fundingd_reader"
        /// The API's admin route: `set_dex_fees` only.
        case `operator` = "fundingd_operator"
    }

    /// A NOLOGIN role that owns the Community edition's continuous aggregates, so that the writer (a member) may
    /// refresh them (TimescaleDB requires the owner) without being the database owner. Unused on Apache.
    public static let rollupOwnerRole = "fundingd_rollups"

    public struct ClusterError: Error, CustomStringConvertible {
        public var description: String
    }

    public var home: URL
    public var pgBin: URL
    public var preferredPort: Int

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        home = URL(fileURLWithPath: environment["FUNDINGD_HOME"] ?? ".fundingd", relativeTo: cwd).standardizedFileURL
        pgBin = URL(fileURLWithPath: environment["FUNDINGD_PG_BIN"] ?? "/usr/lib/postgresql/15/bin")
        preferredPort = environment["FUNDINGD_PG_PORT"].flatMap(Int.init) ?? 54329
    }

    /// A cluster under `home` (a standby made by `createStandby`, or tests).
    public init(home: URL, pgBin: URL, preferredPort: Int) {
        self.home = home
        self.pgBin = pgBin
        self.preferredPort = preferredPort
    }

    var dataDir: URL { home.appendingPathComponent("pgdata") }
    /// A hot standby (made by `createStandby`): read-only, so `start` skips the role and database bootstrap.
    var isStandby: Bool { FileManager.default.fileExists(atPath: dataDir.appendingPathComponent("standby.signal").path) }
    var socketDir: URL { home.appendingPathComponent("run") }
    var logFile: URL { home.appendingPathComponent("postgres.log") }
    var stateFile: URL { home.appendingPathComponent("cluster.json") }
    /// libpq password file for every role (mode 0600): `PGPASSFILE=<this>` with a password-less URL.
    public var passFile: URL { home.appendingPathComponent("pgpass") }
    var isRoot: Bool { getuid() == 0 }

    public func state() throws -> State {
        guard let data = try? Data(contentsOf: stateFile) else {
            throw ClusterError(description: "no local cluster under \(home.path): run `fundingd db start`")
        }
        return try JSONDecoder().decode(State.self, from: data)
    }

    /// The connection URL for `role` (TCP on 127.0.0.1 with the role's generated password).
    public func url(role: Role = .owner) throws -> DatabaseURL {
        let state = try state()
        return DatabaseURL(host: "127.0.0.1", port: state.port, username: role.rawValue,
                           password: try password(role, in: state), database: state.database)
    }

    /// Whether the server answers.
    public func isRunning() -> Bool {
        FileManager.default.fileExists(atPath: dataDir.appendingPathComponent("PG_VERSION").path)
            && (try? runPG("pg_ctl", ["-D", dataDir.path, "status"])) != nil
    }

    /// Creates the cluster on first use, starts it, and makes sure the database, roles and extensions exist.
    public func start() throws {
        guard FileManager.default.fileExists(atPath: pgBin.appendingPathComponent("initdb").path) else {
            throw ClusterError(description: "PostgreSQL not found in \(pgBin.path): run `bash timescale/install.sh`")
        }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: dataDir.appendingPathComponent("PG_VERSION").path) {
            try initialise()
        }
        if !isRunning() {
            do {
                // The server inherits pg_ctl's descriptors: no pipe, or reading it would wait for the server to exit.
                try runPG("pg_ctl", ["-D", dataDir.path, "-l", logFile.path, "-w", "-t", "60", "start"], detached: true)
            } catch {
                let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
                throw ClusterError(description: "\(error)\n\(log.split(separator: "\n").suffix(15).joined(separator: "\n"))")
            }
        }
        if !isStandby { try bootstrap() }
    }

    /// Makes a streaming-replication hot standby of this (running) cluster under `standbyHome`, listening on
    /// `port`: `pg_basebackup -R` over the socket directory (the superuser, trust), so the standby has
    /// `standby.signal` and `primary_conninfo`; the same roles and passwords (they are replicated). Start it with
    /// `start()`. How the API scales reads out (docs/operations.md "Scaling out"); the replica test uses it.
    public func createStandby(home standbyHome: URL, port: Int) throws -> LocalCluster {
        var state = try state()
        let standby = LocalCluster(home: standbyHome, pgBin: pgBin, preferredPort: port)
        try FileManager.default.createDirectory(at: standby.socketDir, withIntermediateDirectories: true)
        if isRoot { try run("/bin/chown", ["-R", "postgres:postgres", standbyHome.path]) }
        try runPG("pg_basebackup", ["-D", standby.dataDir.path, "-h", socketDir.path, "-p", "\(state.port)",
                                    "-U", Role.admin.rawValue, "-X", "stream", "-R", "-c", "fast", "--no-password"])
        // Later settings win: the standby's own port and socket directory; pg_cron runs on the primary only.
        let conf = """

            # fundingd hot standby of \(home.path)
            port = \(port)
            unix_socket_directories = '\(standby.socketDir.path)'
            shared_preload_libraries = 'timescaledb'
            hot_standby = on

            """
        let handle = try FileHandle(forWritingTo: standby.dataDir.appendingPathComponent("postgresql.conf"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(conf.utf8))
        try handle.close()
        state.port = port
        try Self.writePrivate(try JSONEncoder().encode(state), to: standby.stateFile)
        return standby
    }

    public func stop() throws {
        guard isRunning() else { return }
        try runPG("pg_ctl", ["-D", dataDir.path, "-m", "fast", "-w", "stop"])
    }

    private func initialise() throws {
        let port = try Self.freePort(from: preferredPort)
        let state = State(port: port, database: "fundingd",
                          passwords: Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0.rawValue, Self.secret()) }))
        try FileManager.default.createDirectory(at: socketDir, withIntermediateDirectories: true)
        let pwFile = home.appendingPathComponent("initdb.pw")
        try Self.writePrivate(Data(state.passwords[Role.admin.rawValue]!.utf8), to: pwFile)
        defer { try? FileManager.default.removeItem(at: pwFile) }
        if isRoot {
            // The server runs as `postgres`; it must reach the data and socket directories.
            try run("/bin/chown", ["-R", "postgres:postgres", home.path])
            guard (try? run("/usr/sbin/runuser", ["-u", "postgres", "--", "test", "-x", home.path])) != nil
            else {
                throw ClusterError(description: """
                    the postgres system user cannot reach \(home.path); set FUNDINGD_HOME to a directory it can \
                    traverse (e.g. under /var/lib or /tmp)
                    """)
            }
        }
        try runPG("initdb", ["-D", dataDir.path, "-U", Role.admin.rawValue, "--pwfile", pwFile.path,
                             "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"])
        let conf = """

            # fundingd private cluster
            port = \(port)
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '\(socketDir.path)'
            unix_socket_permissions = 0700
            shared_preload_libraries = 'timescaledb,pg_cron'
            cron.database_name = 'fundingd'
            cron.use_background_workers = on
            max_worker_processes = 32
            max_connections = 300
            shared_buffers = 512MB
            timescaledb.telemetry_level = off
            timescaledb.max_background_workers = 8
            log_min_messages = warning

            """
        let confURL = dataDir.appendingPathComponent("postgresql.conf")
        let handle = try FileHandle(forWritingTo: confURL)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(conf.utf8))
        try handle.close()
        try Self.writePrivate(try JSONEncoder().encode(state), to: stateFile)
    }

    /// The role's password as saved in `cluster.json` (`bootstrap` adds the roles an older cluster lacks).
    private func password(_ role: Role, in state: State) throws -> String {
        guard let pw = state.passwords[role.rawValue] else {
            throw ClusterError(description: "no password for \(role.rawValue) in \(stateFile.path): run `fundingd db start`")
        }
        return pw
    }

    static func secret() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<24).map { _ in String("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789".randomElement(using: &g)!) }
            .joined()
    }

    /// Writes `data` to a file that is mode 0600 from its creation on (never briefly readable by others).
    static func writePrivate(_ data: Data, to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw ClusterError(description: "cannot create \(url.path): errno \(errno)") }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw ClusterError(description: "cannot chmod \(url.path): errno \(errno)") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw ClusterError(description: "cannot write \(url.path): errno \(errno)") }
    }

    /// Idempotent: roles with their passwords, the database owned by `fundingd`, extensions, and the grants
    /// only a superuser can give. The passwords travel on psql's standard input, never in its arguments.
    private func bootstrap() throws {
        var state = try state()
        // Clusters created before a role existed (fundingd_operator) get its password now.
        if Role.allCases.contains(where: { state.passwords[$0.rawValue] == nil }) {
            for role in Role.allCases where state.passwords[role.rawValue] == nil {
                state.passwords[role.rawValue] = Self.secret()
            }
            try Self.writePrivate(try JSONEncoder().encode(state), to: stateFile)
        }
        // Never let the server log a statement that carries a password, even when it fails.
        var roles = "SET log_statement = 'none';\nSET log_min_error_statement = panic;\n"
        for role in [Role.owner, .writer, .reader, .operator] {
            let pw = state.passwords[role.rawValue]!
            roles += """
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(role.rawValue)') THEN
                    CREATE ROLE \(role.rawValue) LOGIN PASSWORD '\(pw)';
                  ELSE
                    ALTER ROLE \(role.rawValue) LOGIN PASSWORD '\(pw)';
                  END IF;
                END $$;

                """
        }
        roles += """
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(Self.rollupOwnerRole)') THEN
                CREATE ROLE \(Self.rollupOwnerRole) NOLOGIN;
              END IF;
            END $$;
            GRANT \(Self.rollupOwnerRole) TO \(Role.owner.rawValue), \(Role.writer.rawValue);

            """
        try psql(database: "postgres", script: roles)
        try Self.writePrivate(Data(Role.allCases.map { role in
            "127.0.0.1:\(state.port):*:\(role.rawValue):\(state.passwords[role.rawValue]!)\n"
        }.joined().utf8), to: passFile)
        let exists = try psql(database: "postgres",
                              "SELECT 1 FROM pg_database WHERE datname = '\(state.database)'", tuplesOnly: true)
        if exists.trimmingCharacters(in: .whitespacesAndNewlines) != "1" {
            try psql(database: "postgres", "CREATE DATABASE \(state.database) OWNER fundingd")
        }
        try psql(database: state.database, Self.superuserSetup)
    }

    /// What only a superuser can do in the service database; migrations do the rest as the owner.
    static let superuserSetup = """
        CREATE EXTENSION IF NOT EXISTS timescaledb;
        CREATE EXTENSION IF NOT EXISTS pg_cron;
        GRANT USAGE ON SCHEMA cron TO fundingd;
        \(rollupOwnerGrant)
        """

    /// Community edition only: migration 0059 hands the continuous aggregates to `fundingd_rollups`, which
    /// TimescaleDB allows only when that role may CREATE in `_timescaledb_internal`; granted until 0059 has run,
    /// revoked afterwards (at the next start), so the writer (a member) does not keep it. Run in a database with
    /// the extension, as the superuser (`fundingd db start`; tests for their throwaway databases).
    public static let rollupOwnerGrant = """
        DO $$ DECLARE done boolean := false; BEGIN
          IF current_setting('timescaledb.license', true) = 'timescale' THEN
            IF to_regclass('public.schema_migrations') IS NOT NULL THEN
              EXECUTE 'SELECT EXISTS (SELECT 1 FROM public.schema_migrations WHERE version = 59)' INTO done;
            END IF;
            IF done THEN
              REVOKE CREATE ON SCHEMA _timescaledb_internal FROM \(rollupOwnerRole);
            ELSE
              GRANT CREATE ON SCHEMA _timescaledb_internal TO \(rollupOwnerRole);
            END IF;
          END IF;
        END $$;
        """

    /// Runs SQL as the superuser over the socket directory and returns what psql printed. The SQL is an argument
    /// (`-c`): use `script:` for anything that carries a secret.
    @discardableResult
    public func psql(database: String, _ sql: String, tuplesOnly: Bool = false) throws -> String {
        let state = try state()
        var args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDir.path, "-p", "\(state.port)",
                    "-U", Role.admin.rawValue, "-d", database, "-c", sql]
        if tuplesOnly { args.insert("-tA", at: 0) }
        return try runPG("psql", args)
    }

    /// Runs a SQL script as the superuser, sent on psql's standard input (it never shows in `ps`).
    @discardableResult
    public func psql(database: String, script: String) throws -> String {
        let state = try state()
        let args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDir.path, "-p", "\(state.port)",
                    "-U", Role.admin.rawValue, "-d", database, "-f", "-"]
        return try runPG("psql", args, input: script)
    }

    @discardableResult
    private func runPG(_ tool: String, _ args: [String], detached: Bool = false, input: String? = nil) throws -> String {
        let exe = pgBin.appendingPathComponent(tool).path
        if isRoot {
            return try run("/usr/sbin/runuser", ["-u", "postgres", "--", exe] + args, detached: detached, input: input)
        }
        return try run(exe, args, detached: detached, input: input)
    }

    /// Runs a tool and returns its output; `detached` sends output to /dev/null for tools that leave a daemon behind.
    @discardableResult
    private func run(_ exe: String, _ args: [String], detached: Bool = false, input: String? = nil) throws -> String {
        let outcome = try Subprocess.run(exe, args, captureOutput: !detached, input: input)
        guard outcome.status == 0 else {
            throw ClusterError(description: "\(URL(fileURLWithPath: exe).lastPathComponent) \(args.prefix(3).joined(separator: " ")) failed (\(outcome.status)): \(outcome.output)")
        }
        return outcome.output
    }

    /// The first port at or above `start` that nothing listens on, so two clones can each run a cluster.
    static func freePort(from start: Int) throws -> Int {
        for port in start..<(start + 100) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            if ok { return port }
        }
        throw ClusterError(description: "no free port in \(start)..<\(start + 100)")
    }
}
