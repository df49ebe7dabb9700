import Foundation
@testable import FundingApp
import FundingCore
import FundingIngest
import FundingVenues
import Testing

@Suite("Demo market: every venue's markets at one price per symbol", .timeLimit(.minutes(3)))
struct DemoMarketTests {
    @Test("the universe is the Binance recording's USDT perpetuals, majors first, at their recorded mark prices")
    func universe() throws {
        let market = try DemoMarket(catalog: fixtureCatalog)
        #expect(market.assets.prefix(3).map(\.base) == ["BTC", "ETH", "SOL"])
        // premium-index-all.json: BTCUSDT markPrice "93951.80000000", ETHUSDT "3485.51000000", SOLUSDT "237.07205700".
        #expect(market.assets.prefix(3).map(\.price) == [93951.8, 3485.51, 237.072057])
        #expect(market.assets.map(\.rank) == Array(market.assets.indices))
        // No multiplied contracts (1000PEPEUSDT), no dated ones (BTCUSDT_250328), no non-USD quotes, no repeats.
        #expect(!market.assets.contains { $0.base.contains { !$0.isLetter } })
        #expect(Set(market.assets.map(\.base)).count == market.assets.count)
        #expect(market.assets.count >= 300)
    }

    @Test("a quote's arithmetic: spread by rank, volume by rank and share, open interest a share of volume, the rate per interval")
    func quote() throws {
        let market = try DemoMarket(catalog: fixtureCatalog)
        let t = Date(timeIntervalSince1970: 1_764_547_200)
        let btc = market.assets[0], tenth = market.assets[9]
        let a = market.quote(btc, dex: "binance", share: 1, intervalHours: 8, at: t)
        // Rank 0: half-spread 0.25 bp around the mark.
        #expect(abs(a.ask / a.mark - 1.000025) < 1e-12 && abs(a.bid / a.mark - 0.999975) < 1e-12)
        // Rank 9: 0.25 + 3 × 9 / 200 = 0.385 bp.
        let b = market.quote(tenth, dex: "binance", share: 1, intervalHours: 8, at: t)
        #expect(abs(b.ask / b.mark - 1.0000385) < 1e-12)
        // Volume ∝ share; rank 0 at most 20 B × 1.15, rank 9 a 10^1.25 ≈ 17.8th of it (same venue phase aside).
        let half = market.quote(btc, dex: "binance", share: 0.5, intervalHours: 8, at: t)
        #expect(abs(half.volume24hUSD * 2 - a.volume24hUSD) < 1e-3)
        #expect((1.7e10...2.3e10).contains(a.volume24hUSD))
        #expect((0.25...0.75).contains(a.openInterestUSD / a.volume24hUSD))
        #expect(abs(a.volume24hBase * a.mark - a.volume24hUSD) < 1e-3)
        // The mark sits within 4 bp of the one index, the index within 3.4 % of the recorded price.
        #expect(abs(a.mark / a.index - 1) <= 0.0004 + 1e-12)
        #expect(abs(a.index / btc.price - 1) <= 0.034 + 1e-12)
        // The rate is the model's per interval: 8 h is 8 × the 1 h figure.
        let hourly = market.quote(btc, dex: "binance", share: 1, intervalHours: 1, at: t)
        #expect(abs(hourly.rate * 8 - a.rate) < 1e-15)
        #expect(a.rate == DemoMarket.rate(dex: "binance", symbol: "BTC", at: t, intervalHours: 8))
    }

    @Test("the rate's pulse: within ±0.2 % per 8 h above the base swing, rare, on its own cycles per (dex, symbol)")
    func pulse() throws {
        // Hourly over 30 days on 40 symbols of 3 venues: every rate within the base swing (−0.1 … +2.1 bp per
        // 8 h) plus the pulse, and beyond 10 bp in between 0.05 % and 2 % of the samples (a pulse stays above half
        // its peak for about 5 % of its cycle, one cycle in twelve: about 0.45 %).
        let market = try DemoMarket(catalog: fixtureCatalog)
        var samples = 0, spiking = 0
        for dex in ["binance", "okx", "hyperliquid"] {
            for asset in market.assets.prefix(40) {
                for hour in 0..<(30 * 24) {
                    let rate = DemoMarket.rate(dex: dex, symbol: asset.base,
                                               at: Date(timeIntervalSince1970: 1_764_547_200 + Double(hour) * 3_600),
                                               intervalHours: 8)
                    #expect(abs(rate) <= 0.00021 + 0.002 + 1e-12)
                    samples += 1
                    if abs(rate) > 0.001 { spiking += 1 }
                }
            }
        }
        #expect(spiking > samples / 2_000 && spiking < samples / 50, "\(spiking) of \(samples)")
    }

    @Test("each demo venue's real adapter reads the generated answers over HTTP: all its markets, each with mark, open interest, volume and the demo's figures; one price per symbol across venues")
    func venuesOverHTTP() async throws {
        let demo = try DemoVenues(fixtures: TestDatabase.repositoryRoot.appendingPathComponent("Tests/Fixtures"), port: 0)
        let market = try DemoMarket(catalog: fixtureCatalog)
        let snapshots = try await withFixtureServer(server: demo.server) { port in
            var out: [String: (rows: [MarketSnapshot], start: Date, end: Date)] = [:]
            let fetcher = AsyncHTTPFetcher(timeout: .seconds(20), retry: RetryPolicy(maxAttempts: 1), logger: TestDatabase.logger)
            for venue in DemoShapes.venues {
                let adapter = try #require(Venues.adapter(named: venue.dex))
                let start = Date()
                let result = try await adapter.fetch(client: fetcher, baseURL: "http://127.0.0.1:\(port)/\(venue.dex)",
                                                     now: start)
                // Other categories (Bybit inverse, Bitget coin-margined, Hyperliquid's builder dexes, ...) are
                // still the recordings'.
                let bases = Set(market.assets.prefix(venue.count).map(\.base))
                out[venue.dex] = (result.snapshots.filter { venue.base(of: $0.dexSymbol).map(bases.contains) ?? false },
                                  start, Date())
            }
            return out
        }
        for venue in DemoShapes.venues {
            let (rows, start, end) = try #require(snapshots[venue.dex])
            let listed = market.assets.prefix(venue.count)
            // Aster documents no open-interest endpoint. (A figure scaled, multiplied or chosen per asset counts.)
            func openInterest(_ field: DemoField) -> Bool {
                switch field {
                case .openInterestBase, .openInterestUSD, .openInterestContracts: true
                case .scaled(let inner, _), .times(let inner, _): openInterest(inner)
                case .when(_, let then, let otherwise): openInterest(then) || openInterest(otherwise)
                default: false
                }
            }
            let reportsOpenInterest = venue.endpoints.flatMap(\.fields.values).contains(where: openInterest)
            #expect(Set(rows.map(\.symbol)) == Set(listed.map(\.base)), "\(venue.dex)")
            for row in rows {
                guard let asset = listed.first(where: { $0.base == row.symbol }) else { continue }
                let q = market.quote(asset, dex: venue.dex, share: venue.share, intervalHours: venue.intervalHours, at: start)
                let qEnd = market.quote(asset, dex: venue.dex, share: venue.share, intervalHours: venue.intervalHours, at: end)
                func close(_ x: Double?, _ y: Double, _ tolerance: Double = 1e-3) -> Bool {
                    guard let x else { return false }
                    return abs(x / y - 1) < tolerance
                }
                #expect(row.fundingIntervalHours == venue.intervalHours, "\(venue.dex) \(row.dexSymbol)")
                #expect(close(row.markPrice ?? row.indexPrice, q.mark), "\(venue.dex) \(row.dexSymbol) mark")
                // BitMEX's quanto contracts (every USD perpetual but XBTUSD) report neither volume nor open interest:
                // the adapter leaves them nil.
                if venue.dex == "bitmex" && row.symbol != "BTC" {
                    #expect(row.volume24hUSD == nil && row.openInterestUSD == nil, "\(venue.dex) \(row.dexSymbol) quanto")
                } else {
                    #expect(close(row.volume24hUSD, q.volume24hUSD, 2e-3), "\(venue.dex) \(row.dexSymbol) volume")
                    if reportsOpenInterest {
                        #expect(close(row.openInterestUSD, q.openInterestUSD, 2e-3), "\(venue.dex) \(row.dexSymbol) OI")
                    }
                }
                // The rate as the model gives it when the answer was made: between its values at the fetch's start
                // and end (a pulse moves it by up to 1 bp in 10 s), to the 8 significant digits sent.
                let bounds = min(q.rate, qEnd.rate) - 1e-9...max(q.rate, qEnd.rate) + 1e-9
                #expect(bounds.contains(row.fundingRate), "\(venue.dex) \(row.dexSymbol) rate")
                if let next = row.nextFundingTime { #expect(next > start, "\(venue.dex) \(row.dexSymbol)") }
            }
        }
        // One price per symbol: BTC's mark on every demo venue within its 4 bp of venue basis of the one index the
        // model gives at that venue's fetch (plus how far the index moved while the venue was fetched).
        let btc = market.assets[0]
        var venuesWithBTC = 0
        for venue in DemoShapes.venues {
            guard let (rows, start, end) = snapshots[venue.dex],
                  let mark = rows.first(where: { $0.symbol == "BTC" })?.markPrice else { continue }
            venuesWithBTC += 1
            let index = market.quote(btc, dex: venue.dex, share: 1, intervalHours: 1, at: start).index
            let moved = abs(market.quote(btc, dex: venue.dex, share: 1, intervalHours: 1, at: end).index / index - 1)
            #expect(abs(mark / index - 1) <= 0.0004 + moved + 1e-6, "\(venue.dex) BTC \(mark) against \(index)")
        }
        #expect(venuesWithBTC == DemoShapes.venues.count)
    }
}
