import Foundation
import FundingVenues
import Synchronization

/// Where one value of a demo payload comes from: the demo market's figures for the market the object describes.
enum DemoField: Sendable {
    /// The venue's market name (`DemoVenue.symbol` with the asset's base).
    case symbol
    /// Another name of the market in the venue's own pattern, e.g. OKX's `instFamily`: `{B}` is the venue's name of
    /// the base (`XBT` where it says so), `{A}` the demo's (`BTC`).
    case name(String)
    case mark, index, last, bid, ask
    /// Fraction per funding interval.
    case rate
    case volumeBase, volumeUSD, openInterestBase, openInterestUSD
    /// Open interest in contracts of this many base units.
    case openInterestContracts(Double)
    /// Kraken's absolute funding: the fraction × this contract size × the mark price.
    case rateTimesMark(Double)
    /// The `n`-th funding time of the venue's grid after now (0: the next one), in this unit.
    case fundingTime(EpochUnit, after: Int = 0)
    /// The time left until the next funding time, in this unit (KuCoin's `nextFundingRateTime`).
    case untilFunding(EpochUnit)
    /// Another field's value × this factor, as a whole number (Phemex's scaled integers).
    indirect case scaled(DemoField, Double)
    /// Another field's value × this factor (GRVT's percent, Lighter's 8-hour equivalent).
    indirect case times(DemoField, Double)
    /// The asset's rank plus this offset: a venue's numeric market id (Lighter joins two answers by it).
    case id(Int)
    case now(EpochUnit)
    /// This text, whatever the recording held.
    case text(String)
    /// This JSON boolean.
    case flag(Bool)
    /// The next funding time of the venue's grid as ISO 8601 with milliseconds (BitMEX's `fundingTimestamp`).
    case fundingTimeISO
    /// `then` for the asset `base`, `otherwise` for the rest (BitMEX: XBTUSD is inverse, its other USD perpetuals
    /// quanto).
    indirect case when(base: String, DemoField, otherwise: DemoField)
}

/// Where the market objects of a demo payload sit in its recorded template.
enum DemoMarkets: Sendable {
    /// A list at this path (`[]` is the top level): one object per market.
    case list([DemoPath])
    /// An object at this path keyed by market name (dYdX's `markets`).
    case keyed([DemoPath])
    /// The template is one market's object at this path; the answer is a list of them at the same place (a
    /// recording made with `symbol=`, answered for every market).
    case wrapped([DemoPath])
    /// A per-market request: the market named by this query parameter (or numbered by it, when the endpoint fills
    /// that key with `.id`), answered as the template's one object at this path (a bare object or a one-element
    /// list).
    case one(query: String, at: [DemoPath])
    /// Two lists side by side, element `i` of the second describing element `i` of the first (Hyperliquid's
    /// `[meta.universe, assetCtxs]`); the market name is in the first.
    case parallel([DemoPath], [DemoPath])
}

/// A step into a JSON document.
enum DemoPath: Sendable { case key(String), index(Int) }

/// One endpoint the demo answers for a venue from the demo market, in the shape of a recording of it.
struct DemoEndpoint: Sendable {
    var method = "GET"
    var path: String
    /// Query parameters (or, for a POST, JSON body fields) the request must carry with these values.
    var match: [String: String] = [:]
    /// The recording in the venue's folder whose shape is kept: every key not in `fields` keeps its value.
    var file: String
    var markets: DemoMarkets
    /// Which value of each market object to fill and how (the keys the venue's adapter reads, at least).
    var fields: [String: DemoField]
    /// The market names of this endpoint when they are not the venue's (`{B}USD` beside `{B}USDT`), how many of
    /// the universe it lists when not the venue's count, and the recorded market to copy when not the venue's
    /// BTC market.
    var symbol: String? = nil
    var count: Int? = nil
    var model: String? = nil
    /// The volume share of this endpoint's markets when not the venue's (a venue's coin-margined contracts trade
    /// less than its USDT ones).
    var share: Double? = nil
    /// Further market lists of the same answer, filled the same way (their `path` and `file` are not used): Phemex
    /// lists USDT and coin-margined products side by side.
    var more: [DemoEndpoint] = []
}

/// A venue the demo fills with the demo market: its market names, funding interval, size against Binance and how
/// many of the universe's assets it lists, and the endpoints its adapter calls in a cycle. Endpoints not listed are
/// answered from the recordings as before (settled history, per-market extras).
struct DemoVenue: Sendable {
    var dex: String
    /// The market name pattern, `{B}` standing for the base: `{B}USDT`, `{B}-USDT-SWAP`.
    var symbol: String
    var intervalHours: Double
    var share: Double
    var count: Int
    /// The venue's own names of some bases (`BTC` is `XBT` on KuCoin and Kraken).
    var aliases: [String: String] = [:]
    var endpoints: [DemoEndpoint]

    /// `pattern` for the demo's asset `base`.
    func name(_ pattern: String, base: String) -> String {
        pattern.replacingOccurrences(of: "{B}", with: aliases[base] ?? base).replacingOccurrences(of: "{A}", with: base)
    }

    /// The demo's asset named by a market name of this venue (`pattern`, by default the venue's), if it is one.
    func base(of marketName: String, pattern: String? = nil) -> String? {
        let parts = (pattern ?? symbol).components(separatedBy: "{B}")
        guard parts.count == 2, marketName.hasPrefix(parts[0]), marketName.hasSuffix(parts[1]),
              marketName.count > parts[0].count + parts[1].count else { return nil }
        let base = String(marketName.dropFirst(parts[0].count).dropLast(parts[1].count))
        return aliases.first { $0.value == base }?.key ?? base
    }
}

/// The demo's answers for the venues in `DemoShapes.venues`: each listed endpoint's recording, with its market
/// objects replaced by one per asset the venue lists, filled from the `DemoMarket` at the time of the request. The
/// venue's real adapter parses them as it parses the venue.
struct DemoShapes: Sendable {
    let market: DemoMarket
    let catalog: FixtureCatalog
    let venues: [String: DemoVenue]
    /// The recordings' bytes, read once: a cycle asks for about 1,000 answers every 15 s.
    let templates = DemoTemplates()

    init(market: DemoMarket, catalog: FixtureCatalog, venues: [DemoVenue] = DemoShapes.venues) {
        self.market = market
        self.catalog = catalog
        self.venues = Dictionary(uniqueKeysWithValues: venues.map { ($0.dex, $0) })
    }

    /// The demo market's model of `dex`'s market `dexSymbol`, as the declared answers give it: the asset, the volume
    /// share of the endpoints that list it (an endpoint's own share, as Bybit's inverse contracts have, else the
    /// venue's) and the venue's funding interval; nil for a market the demo does not generate (a recorded one).
    func model(dex: String, dexSymbol: String) -> (asset: DemoMarket.Asset, share: Double, intervalHours: Double)? {
        guard let venue = venues[dex] else { return nil }
        let listing = venue.endpoints.flatMap { [$0] + $0.more }.filter { e in
            guard !e.fields.isEmpty, let base = venue.base(of: dexSymbol, pattern: e.symbol ?? venue.symbol) else {
                return false
            }
            return market.assets.prefix(e.count ?? venue.count).contains { $0.base == base }
        }
        guard let first = listing.first, let base = venue.base(of: dexSymbol, pattern: first.symbol ?? venue.symbol),
              let asset = market.assets.first(where: { $0.base == base }) else { return nil }
        return (asset, listing.compactMap(\.share).first ?? venue.share, venue.intervalHours)
    }

    /// The answer to `method pathAndQuery` (with `body` for a POST) on `dex` at `now`, or nil when the demo does not
    /// generate it (the recordings answer).
    func answer(dex: String, method: String, pathAndQuery: String, body: [UInt8]?, at now: Date) throws -> String? {
        guard let venue = venues[dex] else { return nil }
        let (path, query) = FixtureCatalog.split(pathAndQuery)
        let fields = method == "POST"
            ? ((body.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) } as? [String: Any]) ?? [:])
                .compactMapValues { $0 as? String }
            : query
        guard let endpoint = venue.endpoints.first(where: { e in
            e.method == method && e.path == path && e.match.allSatisfy { fields[$0.key] == $0.value }
        }), let folder = catalog.folder(forDex: dex) else { return nil }
        let template = try JSONSerialization.jsonObject(with: templates.data(folder.appendingPathComponent(endpoint.file)),
                                                         options: [.fragmentsAllowed])
        var document = template
        for section in [endpoint] + endpoint.more {
            guard let next = try filled(section, in: document, venue: venue, query: fields, at: now) else { return nil }
            document = next
        }
        let data = try JSONSerialization.data(withJSONObject: document, options: [.fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    /// `template` with `endpoint`'s markets in it for `venue` at `now`; nil for a per-market request naming a market
    /// the venue does not list (`query`: the request's query parameters, or a POST's JSON body fields).
    func filled(_ endpoint: DemoEndpoint, in template: Any, venue: DemoVenue, query: [String: String],
                at now: Date) throws -> Any? {
        let listed = Array(market.assets.prefix(endpoint.count ?? venue.count))
        let pattern = endpoint.symbol ?? venue.symbol
        switch endpoint.markets {
        case .list(let at):
            return try Self.replacing(at, in: template) { list in
                let elements = list as? [Any] ?? []
                let model = Self.model(elements, venue: venue, endpoint: endpoint)
                return listed.map { fill(model, asset: $0, venue: venue, endpoint: endpoint, at: now) }
            }
        case .wrapped(let at):
            return try Self.replacing(at, in: template) { one in
                let model = (one as? [Any]).map { Self.model($0, venue: venue, endpoint: endpoint) } ?? (one as? [String: Any] ?? [:])
                return listed.map { fill(model, asset: $0, venue: venue, endpoint: endpoint, at: now) }
            }
        case .keyed(let at):
            return try Self.replacing(at, in: template) { object in
                let elements = Array((object as? [String: Any] ?? [:]).values)
                let model = Self.model(elements, venue: venue, endpoint: endpoint)
                return Dictionary(uniqueKeysWithValues: listed.map {
                    (venue.name(pattern, base: $0.base), fill(model, asset: $0, venue: venue, endpoint: endpoint, at: now))
                })
            }
        case .one(let parameter, let at):
            // The market named by the parameter, or, where the endpoint fills that key with `.id(offset)` (edgeX's
            // `contractId`), numbered by it: the asset of rank id - offset.
            let asset: DemoMarket.Asset
            if case .id(let offset)? = endpoint.fields[parameter] {
                guard let id = query[parameter].flatMap({ Int($0) }), listed.indices.contains(id - offset) else {
                    return nil
                }
                asset = listed[id - offset]
            } else {
                guard let name = query[parameter], let base = venue.base(of: name, pattern: pattern),
                      let found = listed.first(where: { $0.base == base }) else { return nil }
                asset = found
            }
            return try Self.replacing(at, in: template) { one in
                if let list = one as? [Any] {
                    return [fill(Self.model(list, venue: venue, endpoint: endpoint), asset: asset, venue: venue,
                                 endpoint: endpoint, at: now)]
                }
                return fill(one as? [String: Any] ?? [:], asset: asset, venue: venue, endpoint: endpoint, at: now)
            }
        case .parallel(let names, let contexts):
            // The models are the pair at the index of the template's BTC market (else the first pair).
            let nameKey = endpoint.fields.first { if case .symbol = $0.value { true } else { false } }?.key ?? "name"
            let nameList = Self.value(at: names, in: template) as? [[String: Any]] ?? []
            let contextList = Self.value(at: contexts, in: template) as? [[String: Any]] ?? []
            let i = nameList.firstIndex { $0[nameKey] as? String == endpoint.model ?? venue.name(pattern, base: "BTC") } ?? 0
            guard nameList.indices.contains(i), contextList.indices.contains(i) else {
                throw DemoShapeError(reason: "\(endpoint.file): no market to copy")
            }
            let withNames = try Self.replacing(names, in: template) { _ in
                listed.map { asset in
                    nameList[i].merging([nameKey: venue.name(pattern, base: asset.base)]) { _, new in new }
                }
            }
            return try Self.replacing(contexts, in: withNames) { _ in
                listed.map { fill(contextList[i], asset: $0, venue: venue, endpoint: endpoint, at: now) }
            }
        }
    }

    /// The template's object for the endpoint's model market, by default the venue's BTC market (the recordings'
    /// best-filled), else its first.
    static func model(_ elements: [Any], venue: DemoVenue, endpoint: DemoEndpoint) -> [String: Any] {
        let objects = elements.compactMap { $0 as? [String: Any] }
        let btc = endpoint.model ?? venue.name(endpoint.symbol ?? venue.symbol, base: "BTC")
        let symbolKeys = endpoint.fields.filter { if case .symbol = $0.value { true } else { false } }.map(\.key)
        return objects.first { o in symbolKeys.contains { o[$0] as? String == btc } } ?? objects.first ?? [:]
    }

    /// `model` with every field of `endpoint` filled for `asset`; values keep the model's JSON type (a string stays
    /// a string), a field the model lacks is written as a string.
    func fill(_ model: [String: Any], asset: DemoMarket.Asset, venue: DemoVenue, endpoint: DemoEndpoint,
              at now: Date) -> [String: Any] {
        let q = market.quote(asset, dex: venue.dex, share: endpoint.share ?? venue.share,
                             intervalHours: venue.intervalHours, at: now)
        let step = venue.intervalHours * 3_600
        let next = (floor(now.timeIntervalSince1970 / step) + 1) * step
        var out = model
        for (key, declared) in endpoint.fields {
            var field = declared
            while case .when(let base, let then, let otherwise) = field { field = asset.base == base ? then : otherwise }
            // `a.b` is key `b` of the object at key `a` (Drift's `openInterest.long`).
            let path = key.split(separator: ".").map(String.init)
            let current = path.dropLast().reduce(model as Any?) { ($0 as? [String: Any])?[$1] }
            let asString = (current as? [String: Any])?[path.last!].map { $0 is String } ?? true
            func whole(_ x: Double) -> Any { asString ? String(Int64(x.rounded())) : Int64(x.rounded()) }
            let value: Any = switch field {
            case .symbol: venue.name(endpoint.symbol ?? venue.symbol, base: asset.base)
            case .name(let pattern): venue.name(pattern, base: asset.base)
            case .text(let text): text
            case .flag(let flag): flag
            case .fundingTimeISO: Self.iso8601(Date(timeIntervalSince1970: next))
            case .fundingTime(let unit, let after): whole((next + Double(after) * step) * unit.rawValue)
            case .untilFunding(let unit): whole((next - now.timeIntervalSince1970) * unit.rawValue)
            case .now(let unit): whole(now.timeIntervalSince1970 * unit.rawValue)
            case .scaled: whole(Self.number(field, q) ?? 0)
            case .id(let offset): whole(Double(asset.rank + offset))
            default: asString ? Self.decimal(Self.number(field, q) ?? 0) : Self.number(field, q) ?? 0
            }
            Self.set(value, at: path[...], in: &out)
        }
        return out
    }

    /// `object` with `value` at the key path `path`, creating objects on the way.
    static func set(_ value: Any, at path: ArraySlice<String>, in object: inout [String: Any]) {
        guard let key = path.first else { return }
        if path.count == 1 { object[key] = value; return }
        var inner = object[key] as? [String: Any] ?? [:]
        set(value, at: path.dropFirst(), in: &inner)
        object[key] = inner
    }

    /// The figure a numeric field stands for in `q`; nil for names, texts and times.
    static func number(_ field: DemoField, _ q: DemoMarket.Quote) -> Double? {
        switch field {
        case .mark: q.mark
        case .index: q.index
        case .last: q.last
        case .bid: q.bid
        case .ask: q.ask
        case .rate: q.rate
        case .volumeBase: q.volume24hBase
        case .volumeUSD: q.volume24hUSD
        case .openInterestBase: q.openInterestBase
        case .openInterestUSD: q.openInterestUSD
        case .openInterestContracts(let size): (q.openInterestBase / size).rounded()
        case .rateTimesMark(let size): q.rate * size * q.mark
        case .scaled(let inner, let factor), .times(let inner, let factor): number(inner, q).map { $0 * factor }
        case .symbol, .name, .text, .flag, .fundingTime, .fundingTimeISO, .untilFunding, .now, .id, .when: nil
        }
    }

    /// The value at `path` in `document`, if there is one.
    static func value(at path: [DemoPath], in document: Any) -> Any? {
        path.reduce(Optional(document)) { value, step in
            switch step {
            case .key(let key): (value as? [String: Any])?[key]
            case .index(let i): (value as? [Any]).flatMap { $0.indices.contains(i) ? $0[i] : nil }
            }
        }
    }

    /// `document` with the value at `path` replaced by `transform` of it.
    static func replacing(_ path: [DemoPath], in document: Any, _ transform: (Any) throws -> Any) throws -> Any {
        guard let step = path.first else { return try transform(document) }
        let rest = Array(path.dropFirst())
        switch step {
        case .key(let key):
            guard var object = document as? [String: Any], let inner = object[key] else {
                throw DemoShapeError(reason: "no key \(key) in the recording")
            }
            object[key] = try replacing(rest, in: inner, transform)
            return object
        case .index(let i):
            guard var list = document as? [Any], list.indices.contains(i) else {
                throw DemoShapeError(reason: "no element \(i) in the recording")
            }
            list[i] = try replacing(rest, in: list[i], transform)
            return list
        }
    }

    /// `2024-03-02T04:00:00.000Z`.
    static func iso8601(_ date: Date) -> String {
        let format = ISO8601DateFormatter()
        format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return format.string(from: date)
    }

    /// Plain decimal notation with 8 significant digits (venues send `"0.00001250"`, never `1.25e-05`).
    static func decimal(_ x: Double) -> String {
        guard x != 0, x.isFinite else { return "0" }
        let digits = max(0, min(14, 7 - Int(floor(log10(abs(x))))))
        var text = String(format: "%.\(digits)f", x)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}

/// The demo's template recordings, each read from disk on first use and kept (they never change while the demo
/// runs; a few dozen small files).
final class DemoTemplates: Sendable {
    private let files = Mutex<[URL: Data]>([:])

    /// The bytes of `url`, from memory after the first read.
    func data(_ url: URL) throws -> Data {
        if let data = files.withLock({ $0[url] }) { return data }
        let data = try Data(contentsOf: url)
        files.withLock { $0[url] = data }
        return data
    }
}

/// A demo venue's declaration does not fit its recording.
struct DemoShapeError: Error, CustomStringConvertible {
    var reason: String
    var description: String { "demo payload: \(reason)" }
}
