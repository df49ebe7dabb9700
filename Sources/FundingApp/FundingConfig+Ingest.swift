import Configuration
import Foundation
import FundingCore
import FundingIngest
import FundingVenues

extension FundingConfig {
    /// The dexes to collect: `--dexes` when given, else `FUNDINGD_DEXES`, else all; each with its base URL
    /// (`FUNDINGD_<DEX>_BASE_URL`) and interval (`FUNDINGD_<DEX>_INTERVAL_SECONDS`, else
    /// `FUNDINGD_INTERVAL_SECONDS`, else 60).
    public func dexSchedules(only names: [String]? = nil) throws -> [DexSchedule] {
        let wanted = names ?? reader.stringArray(forKey: "fundingd.dexes") ?? Venues.names
        let defaultInterval = reader.int(forKey: "fundingd.interval.seconds", default: 60)
        return try wanted.map { raw in
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard let adapter = Venues.adapter(named: name) else {
                throw ConfigError(key: "FUNDINGD_DEXES", message:
                    "unknown dex '\(raw)'; known: \(Venues.names.joined(separator: ", "))")
            }
            let key = name.replacingOccurrences(of: "-", with: ".")
            let base = reader.string(forKey: ConfigKey("fundingd.\(key).base.url")) ?? adapter.descriptor.defaultBaseURL
            let seconds = reader.int(forKey: ConfigKey("fundingd.\(key).interval.seconds"), default: defaultInterval)
            guard seconds > 0 else {
                throw ConfigError(key: "FUNDINGD_\(name.uppercased())_INTERVAL_SECONDS", message: "must be positive")
            }
            let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
            return DexSchedule(adapter: adapter, baseURL: trimmed, interval: .seconds(seconds))
        }
    }

    /// Per-request timeout for venue calls (`FUNDINGD_REQUEST_TIMEOUT_SECONDS`, default 10).
    public var requestTimeout: Duration { .milliseconds(Int64(reader.double(forKey: "fundingd.request.timeout.seconds", default: 10) * 1000)) }
    /// Deadline for one dex's whole fetch (`FUNDINGD_VENUE_DEADLINE_SECONDS`, default 45).
    public var venueDeadline: Duration { .milliseconds(Int64(reader.double(forKey: "fundingd.venue.deadline.seconds", default: 45) * 1000)) }
    /// Attempts per venue request, the first included (`FUNDINGD_RETRY_ATTEMPTS`, default 3).
    public var retryAttempts: Int { max(1, reader.int(forKey: "fundingd.retry.attempts", default: 3)) }
    /// Cycles of each dex kept while the database is unreachable (`FUNDINGD_BUFFER_CYCLES`, default 120: two
    /// hours at 60 s).
    public var bufferCycles: Int { max(1, reader.int(forKey: "fundingd.buffer.cycles", default: 120)) }
    /// Answered runs of its venue a market may be missing from before it leaves the latest views
    /// (`FUNDINGD_VANISH_GRACE_CYCLES`, default 3).
    public var vanishGraceCycles: Int { max(1, reader.int(forKey: "fundingd.vanish.grace.cycles", default: 3)) }
    /// How often the daemon refreshes settled funding (`FUNDINGD_SETTLEMENT_INTERVAL_SECONDS`, default 900; 0 = off).
    public var settlementInterval: Duration? {
        let seconds = reader.int(forKey: "fundingd.settlement.interval.seconds", default: 900)
        return seconds > 0 ? .seconds(seconds) : nil
    }
    /// Days of settled funding each refresh covers (`FUNDINGD_SETTLEMENT_LOOKBACK_DAYS`, default 2).
    public var settlementLookbackDays: Int { max(1, reader.int(forKey: "fundingd.settlement.lookback.days", default: 2)) }
}
