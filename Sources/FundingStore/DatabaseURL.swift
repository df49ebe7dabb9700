import Foundation
import NIOSSL
import PostgresNIO

/// A `postgres://user:password@host:port/database` URL, turned into PostgresNIO configuration.
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// `sslmode=require` asks for TLS; anything else (or nothing) connects in plain text, as local clusters do.
    public var requireTLS: Bool

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String,
                requireTLS: Bool = false) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.requireTLS = requireTLS
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ string: String) throws {
        guard let c = URLComponents(string: string), ["postgres", "postgresql"].contains(c.scheme ?? ""),
              let host = c.host, !host.isEmpty, let user = c.user, !user.isEmpty
        else {
            throw ParseError(description: "not a postgres://user[:password]@host[:port]/database URL")
        }
        let database = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        self.init(
            host: host, port: c.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: c.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.isEmpty ? user : database,
            requireTLS: c.queryItems?.contains { $0.name == "sslmode" && $0.value == "require" } ?? false
        )
    }

    /// The same server and credentials, another database.
    public func with(database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The URL with its password, for handing to psql or another process.
    public var urlString: String {
        let allowed = CharacterSet.urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/"))
        let user = username.addingPercentEncoding(withAllowedCharacters: allowed) ?? username
        let pass = password.map { ":" + ($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0) } ?? ""
        return "postgres://\(user)\(pass)@\(host):\(port)/\(database)" + (requireTLS ? "?sslmode=require" : "")
    }

    /// Without the password, for logs.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    /// Client configuration for PostgresNIO's pool.
    public func clientConfiguration(applicationName: String = "fundingd") throws -> PostgresClient.Configuration {
        var config = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: requireTLS ? .require(.makeClientConfiguration()) : .disable
        )
        config.options.additionalStartupParameters = [("application_name", applicationName)]
        return config
    }

    /// Configuration for a single dedicated connection (LISTEN, the leader lock, the ingest writer, migrations),
    /// named `applicationName` in `pg_stat_activity` when given.
    public func connectionConfiguration(applicationName: String? = nil) throws -> PostgresConnection.Configuration {
        var config = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: requireTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
        )
        if let applicationName {
            config.options.additionalStartupParameters = [("application_name", applicationName)]
        }
        return config
    }
}
