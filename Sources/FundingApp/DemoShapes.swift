import Foundation
import FundingVenues

/// Where one value of a demo payload comes from: the demo market's figures for the market the object describes.
enum DemoField: Sendable {
    /// The venue's market name (`DemoVenue.symbol` with the asset's base).
    case symbol
    /// Another name of the market in the venue's own pattern (`{B}` is the base), e.g. OKX's `instFamily`.
    case name(String)
    case mark, index, last, bid, ask
    /// Fraction per funding interval.
    case rate
    case volumeBase, volumeUSD, openInterestBase, openInterestUSD
    /// Open interest in contracts of this many base units.
    case openInterestContracts(Double)
    /// The `n`-th funding time of the venue's grid after now (0: the next one), in this unit.
    case fundingTime(EpochUnit, after: Int = 0)
    case now(EpochUnit)
    /// This text, whatever the recording held.
    case text(String)
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
    /// A per-market request: the market named by this query parameter, answered as the template's one object at
    /// this path (a bare object or a one-element list).
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
    var endpoints: [DemoEndpoint]

    func name(_ pattern: String, base: String) -> String { pattern.replacingOccurrences(of: "{B}", with: base) }

    /// The base named by a market name of this venue, if it is one.
    func base(of marketName: String) -> String? {
        let parts = symbol.components(separatedBy: "{B}")
        guard parts.count == 2, marketName.hasPrefix(parts[0]), marketName.hasSuffix(parts[1]),
              marketName.count > parts[0].count + parts[1].count else { return nil }
        return String(marketName.dropFirst(parts[0].count).dropLast(parts[1].count))
    }
}

/// The demo's answers for the venues in `DemoShapes.venues`: each listed endpoint's recording, with its market
/// objects replaced by one per asset the venue lists, filled from the `DemoMarket` at the time of the request. The
/// venue's real adapter parses them as it parses the venue.
struct DemoShapes: Sendable {
    let market: DemoMarket
    let catalog: FixtureCatalog
    let venues: [String: DemoVenue]

    init(market: DemoMarket, catalog: FixtureCatalog, venues: [DemoVenue] = DemoShapes.venues) {
        self.market = market
        self.catalog = catalog
        self.venues = Dictionary(uniqueKeysWithValues: venues.map { ($0.dex, $0) })
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
        let template = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(endpoint.file)),
                                                         options: [.fragmentsAllowed])
        let listed = Array(market.assets.prefix(venue.count))
        let filled: Any
        switch endpoint.markets {
        case .list(let at):
            filled = try Self.replacing(at, in: template) { list in
                let elements = list as? [Any] ?? []
                let model = Self.model(elements, venue: venue, endpoint: endpoint)
                return listed.map { fill(model, asset: $0, venue: venue, endpoint: endpoint, at: now) }
            }
        case .wrapped(let at):
            filled = try Self.replacing(at, in: template) { one in
                let model = (one as? [Any]).map { Self.model($0, venue: venue, endpoint: endpoint) } ?? (one as? [String: Any] ?? [:])
                return listed.map { fill(model, asset: $0, venue: venue, endpoint: endpoint, at: now) }
            }
        case .keyed(let at):
            filled = try Self.replacing(at, in: template) { object in
                let elements = Array((object as? [String: Any] ?? [:]).values)
                let model = Self.model(elements, venue: venue, endpoint: endpoint)
                return Dictionary(uniqueKeysWithValues: listed.map {
                    (venue.name(venue.symbol, base: $0.base), fill(model, asset: $0, venue: venue, endpoint: endpoint, at: now))
                })
            }
        case .one(let parameter, let at):
            guard let name = query[parameter], let base = venue.base(of: name),
                  let asset = listed.first(where: { $0.base == base }) else { return nil }
            filled = try Self.replacing(at, in: template) { one in
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
            let i = nameList.firstIndex { $0[nameKey] as? String == venue.name(venue.symbol, base: "BTC") } ?? 0
            guard nameList.indices.contains(i), contextList.indices.contains(i) else {
                throw DemoShapeError(reason: "\(endpoint.file): no market to copy")
            }
            let withNames = try Self.replacing(names, in: template) { _ in
                listed.map { asset in
                    nameList[i].merging([nameKey: venue.name(venue.symbol, base: asset.base)]) { _, new in new }
                }
            }
            filled = try Self.replacing(contexts, in: withNames) { _ in
                listed.map { fill(contextList[i], asset: $0, venue: venue, endpoint: endpoint, at: now) }
            }
        }
        let data = try JSONSerialization.data(withJSONObject: filled, options: [.fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    /// The template's object for the venue's BTC market if it has one (the recordings' best-filled), else its first.
    static func model(_ elements: [Any], venue: DemoVenue, endpoint: DemoEndpoint) -> [String: Any] {
        let objects = elements.compactMap { $0 as? [String: Any] }
        let btc = venue.name(venue.symbol, base: "BTC")
        let symbolKeys = endpoint.fields.filter { if case .symbol = $0.value { true } else { false } }.map(\.key)
        return objects.first { o in symbolKeys.contains { o[$0] as? String == btc } } ?? objects.first ?? [:]
    }

    /// `model` with every field of `endpoint` filled for `asset`; numbers keep the model's JSON type (a string stays
    /// a string), a field the model lacks is written as a string.
    func fill(_ model: [String: Any], asset: DemoMarket.Asset, venue: DemoVenue, endpoint: DemoEndpoint,
              at now: Date) -> [String: Any] {
        let q = market.quote(asset, dex: venue.dex, share: venue.share, intervalHours: venue.intervalHours, at: now)
        var out = model
        for (key, field) in endpoint.fields {
            let asString = model[key] == nil || model[key] is String
            func number(_ x: Double) -> Any { asString ? Self.decimal(x) : x }
            func time(_ seconds: Double, _ unit: EpochUnit) -> Any {
                let value = Int64((seconds * unit.rawValue).rounded())
                return asString ? String(value) : value
            }
            switch field {
            case .symbol: out[key] = venue.name(venue.symbol, base: asset.base)
            case .name(let pattern): out[key] = venue.name(pattern, base: asset.base)
            case .mark: out[key] = number(q.mark)
            case .index: out[key] = number(q.index)
            case .last: out[key] = number(q.last)
            case .bid: out[key] = number(q.bid)
            case .ask: out[key] = number(q.ask)
            case .rate: out[key] = number(q.rate)
            case .volumeBase: out[key] = number(q.volume24hBase)
            case .volumeUSD: out[key] = number(q.volume24hUSD)
            case .openInterestBase: out[key] = number(q.openInterestBase)
            case .openInterestUSD: out[key] = number(q.openInterestUSD)
            case .openInterestContracts(let size): out[key] = number((q.openInterestBase / size).rounded())
            case .fundingTime(let unit, let after):
                let step = venue.intervalHours * 3_600
                let next = (floor(now.timeIntervalSince1970 / step) + 1 + Double(after)) * step
                out[key] = time(next, unit)
            case .now(let unit): out[key] = time(now.timeIntervalSince1970, unit)
            case .text(let text): out[key] = text
            }
        }
        return out
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

/// A demo venue's declaration does not fit its recording.
struct DemoShapeError: Error, CustomStringConvertible {
    var reason: String
    var description: String { "demo payload: \(reason)" }
}
