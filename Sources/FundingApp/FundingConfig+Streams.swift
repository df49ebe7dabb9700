import Configuration
import Foundation
import FundingIngest
import FundingVenues

extension FundingConfig {
    /// The venues whose live streams run: `FUNDINGD_STREAMS` (dex names, or `none`), else every collected dex that
    /// streams and is collected from the venue itself (not from a `FUNDINGD_<DEX>_BASE_URL` elsewhere). Each
    /// connects to its documented URL unless `FUNDINGD_<DEX>_STREAM_URL` gives a base to use instead (the channel is
    /// appended: `<base>/top_of_book`).
    public func streamVenues(collecting schedules: [DexSchedule]) throws -> [StreamVenue] {
        if streamsTurnedOff { return [] }
        let listed = reader.stringArray(forKey: "fundingd.streams")?.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        return try (listed ?? schedules.map(\.name)).compactMap { name in
            guard let adapter = Venues.adapter(named: name) else {
                throw ConfigError(key: "FUNDINGD_STREAMS", message:
                    "unknown dex '\(name)'; known: \(Venues.names.joined(separator: ", "))")
            }
            guard let source = adapter as? any LiveStreamSource else {
                if listed != nil {
                    throw ConfigError(key: "FUNDINGD_STREAMS", message: "\(name) has no live streams; streaming: "
                        + Venues.all.filter { $0 is any LiveStreamSource }.map(\.descriptor.name).joined(separator: ", "))
                }
                return nil
            }
            let key = name.replacingOccurrences(of: "-", with: ".")
            let rest = schedules.first { $0.name == name }?.baseURL ?? adapter.descriptor.defaultBaseURL
            let override = reader.string(forKey: ConfigKey("fundingd.\(key).stream.url"))
            // A venue whose REST calls go elsewhere (a fixture server, the demo, a proxy) streams only from where it
            // is told to: mixing its real stream with replayed snapshots would be neither.
            if listed == nil, override == nil, rest != adapter.descriptor.defaultBaseURL { return nil }
            return StreamVenue(source: source, restBaseURL: rest, urlOverride: override)
        }
    }

    /// `FUNDINGD_STREAMS=none`: no live prices at all (not even the demo's).
    public var streamsTurnedOff: Bool {
        reader.stringArray(forKey: "fundingd.streams")?.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            == ["none"]
    }

    /// Stream channels to subscribe (`FUNDINGD_STREAM_CHANNELS`, default `top_of_book`; `trades` adds public trades,
    /// which update the last price).
    public func streamChannels() throws -> Set<StreamChannel> {
        let names = reader.stringArray(forKey: "fundingd.stream.channels") ?? [StreamChannel.topOfBook.rawValue]
        return try Set(names.map { raw in
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard let channel = StreamChannel(rawValue: name) else {
                throw ConfigError(key: "FUNDINGD_STREAM_CHANNELS", message: "unknown channel '\(raw)'; known: "
                    + StreamChannel.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return channel
        })
    }

    /// How often changed prices are written (`FUNDINGD_PRICE_FLUSH_MS`, default 1000, at least 50).
    public func priceFlushInterval() throws -> Duration {
        let ms = reader.int(forKey: "fundingd.price.flush.ms", default: 1000)
        guard ms >= 50 else { throw ConfigError(key: "FUNDINGD_PRICE_FLUSH_MS", message: "must be at least 50") }
        return .milliseconds(ms)
    }
}
