import Configuration
import Foundation
import FundingStore
import SystemPackage

/// Everything the daemon reads from its environment (and an optional JSON file named by `FUNDINGD_CONFIG_FILE`).
/// Keys follow swift-configuration's mapping: `database.url` is `DATABASE_URL`, `fundingd.hyperliquid.base.url`
/// is `FUNDINGD_HYPERLIQUID_BASE_URL`.
public struct FundingConfig: Sendable {
    public var reader: ConfigReader
    /// Explicit database; `nil` means the private local cluster.
    public var databaseURL: DatabaseURL?

    public init(reader: ConfigReader) throws {
        self.reader = reader
        if let url = reader.string(forKey: "database.url"), !url.isEmpty {
            do { databaseURL = try DatabaseURL(url) } catch {
                throw ConfigError(key: "DATABASE_URL", message: "\(error)")
            }
        }
    }

    /// Configuration from these variables alone (tests, embedding).
    public init(environment: [String: String]) throws {
        try self.init(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
    }

    /// Environment first, then the optional JSON file.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) async throws
        -> FundingConfig
    {
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: environment)]
        if let file = environment["FUNDINGD_CONFIG_FILE"] {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
        }
        return try FundingConfig(reader: ConfigReader(providers: providers))
    }
}

/// A configuration value that is present but wrong.
public struct ConfigError: Error, CustomStringConvertible {
    public var key: String
    public var message: String
    public var description: String { "\(key): \(message)" }
}
