import Configuration
import Foundation
import FundingIngest
import FundingVenues

extension FundingConfig {
    /// The Hyperliquid position scanner's settings, or nil when it is off: it runs only when
    /// `FUNDINGD_HYPERLIQUID_ADDRESSES` lists addresses (the demo lists its own).
    /// - `FUNDINGD_HYPERLIQUID_SCANS_PER_MINUTE` (default 120, at most 300: each request weighs 2 of the 1200 per
    ///   minute Hyperliquid allows an IP, and the snapshot collection needs its share);
    /// - `FUNDINGD_HYPERLIQUID_PRIORITY_SECONDS` (default 60) / `FUNDINGD_HYPERLIQUID_BACKGROUND_SECONDS` (default
    ///   900): how often an address with / without a position near liquidation is scanned;
    /// - `FUNDINGD_HYPERLIQUID_PRIORITY_PCT` (default 5): "near" = liquidation price within this percent of the mark;
    /// - `FUNDINGD_HYPERLIQUID_DISCOVER_MIN_USD` (default 100,000; 0 = off): a streamed Hyperliquid trade at least
    ///   this large adds both its accounts (needs `trades` in `FUNDINGD_STREAM_CHANNELS`), up to
    ///   `FUNDINGD_HYPERLIQUID_DISCOVER_MAX` (default 2,000) discovered accounts.
    public func positionScanSettings() throws -> PositionScanService<AsyncHTTPFetcher>.Settings? {
        let addresses = (reader.stringArray(forKey: "fundingd.hyperliquid.addresses") ?? [])
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        guard !addresses.isEmpty else { return nil }
        for address in addresses where !Self.isHyperliquidAddress(address) {
            throw ConfigError(key: "FUNDINGD_HYPERLIQUID_ADDRESSES",
                              message: "'\(address)' is not an address (0x and 40 hex digits)")
        }
        var settings = PositionScanService<AsyncHTTPFetcher>.Settings()
        settings.configured = addresses
        settings.scansPerMinute = reader.int(forKey: "fundingd.hyperliquid.scans.per.minute", default: 120)
        guard (1...300).contains(settings.scansPerMinute) else {
            throw ConfigError(key: "FUNDINGD_HYPERLIQUID_SCANS_PER_MINUTE", message: "must be 1 to 300")
        }
        let priority = reader.int(forKey: "fundingd.hyperliquid.priority.seconds", default: 60)
        let background = reader.int(forKey: "fundingd.hyperliquid.background.seconds", default: 900)
        guard priority >= 1 else {
            throw ConfigError(key: "FUNDINGD_HYPERLIQUID_PRIORITY_SECONDS", message: "must be at least 1")
        }
        guard background >= priority else {
            throw ConfigError(key: "FUNDINGD_HYPERLIQUID_BACKGROUND_SECONDS",
                              message: "must be at least FUNDINGD_HYPERLIQUID_PRIORITY_SECONDS (\(priority))")
        }
        settings.priorityEvery = .seconds(priority)
        settings.backgroundEvery = .seconds(background)
        settings.priorityPercent = reader.double(forKey: "fundingd.hyperliquid.priority.pct", default: 5)
        guard settings.priorityPercent >= 0, settings.priorityPercent <= 100 else {
            throw ConfigError(key: "FUNDINGD_HYPERLIQUID_PRIORITY_PCT", message: "must be 0 to 100")
        }
        let discoverAbove = reader.double(forKey: "fundingd.hyperliquid.discover.min.usd", default: 100_000)
        guard discoverAbove >= 0 else {
            throw ConfigError(key: "FUNDINGD_HYPERLIQUID_DISCOVER_MIN_USD", message: "must be 0 (off) or positive")
        }
        settings.discoverAbove = discoverAbove > 0 ? discoverAbove : nil
        settings.maxDiscovered = reader.int(forKey: "fundingd.hyperliquid.discover.max", default: 2000)
        guard settings.maxDiscovered >= 0 else {
            throw ConfigError(key: "FUNDINGD_HYPERLIQUID_DISCOVER_MAX", message: "must be 0 or more")
        }
        return settings
    }

    static func isHyperliquidAddress(_ text: String) -> Bool {
        text.utf8.count == 42 && text.hasPrefix("0x") && text.dropFirst(2).allSatisfy(\.isHexDigit)
    }
}
