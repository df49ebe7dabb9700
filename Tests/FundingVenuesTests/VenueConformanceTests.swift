import Foundation
import FundingCore
import Testing
@testable import FundingVenues

/// Every registered venue against its recordings, through the same fixture catalog the end-to-end test and the
/// demo serve: each listed market is a row, an exclusion, a drop or part of a failed request, all counted; and a
/// truncated or wrong-typed answer is reported (thrown, or counted as a problem or a degraded row), never silently.
@Suite struct VenueConformanceTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Markets each venue's recordings list, counted by hand in the recorded files (see each adapter test).
    /// A failed request whose markets are unknown (a Bybit category with no recording) counts 0 here.
    static let listedMarkets: [String: Int] = [
        "hyperliquid": 3 + 3 + 0,  // core 3; xyz 3 (1 delisted); flx has no recording (failed request, unknown)
        "lighter": 3,              // orderBookDetails_2026-09: ETH, BTC (no Lighter rate), PIPPIN (inactive)
        "edgex": 8,                // getMetaData: 8 contracts, all traded
        "paradex": 3,              // summary: 2 perps and 1 option
        "grvt": 6,                 // all_instruments (live): 6 perpetuals, 1 ticker recorded
        "binance": 379,            // premiumIndex: 373 USD perps, 4 delivery contracts, 2 BTC-quoted
        "bybit": 1,                // tickers-inverse: BTCUSD; linear not recorded (failed request)
        "okx": 3,                  // instruments: 3 live swaps, 1 funding answer recorded
        "binance_coinm": 1,        // premiumIndex: BTCUSD_PERP only (docs example)
        "dydx": 3,                 // perpetualMarkets: BTC, ETH, SOL
        "drift": 1,                // stats/markets: BTC-PERP (ccxt kept one)
        "aster": 1,                // premiumIndex: BTCUSDT (ccxt kept one)
        "gate": 2,                 // usdt contracts: LAB_USDT; usdt tickers: BTC_USDT (no contract row); btc not recorded
        "kucoin": 2,               // contracts/active: XBTUSDTM; allTickers adds XBTUSDM (no contract row)
        "mexc": 1,                 // detail: BTC_USDT
        "bitget": 1,               // USDT-FUTURES funding: BTCUSDT; COIN- and USDC-FUTURES funding not recorded
        "bitmex": 3,               // instrument/active: JTOUSDT, XBTUSD, XBTETH (quoted in ETH: excluded)
        "deribit": 4,              // get_instruments: BTC-PERPETUAL, a dated future, an option, a combo
        "phemex": 3,               // products: BTCUSD, BTCUSDT (no v3 ticker); v3 ticker ETHUSDT has no product
        "kraken": 2,               // tickers: PI_XBTUSD, PF_ETHUSD
        "pacifica": 1,             // info/prices: XPL (docs sample); info lists 9 perps and 1 spot pair
        "backpack": 10,            // markets: 9 perps (IP has no mark price) and SOL_USDC (spot)
        "hibachi": 6,              // inventory: 5 live markets, FARTCOIN/USDT-P closed
    ]

    static func accounted(_ r: VenueFetchResult) -> Int {
        r.snapshots.count + r.excluded.values.reduce(0, +) + r.dropped.values.reduce(0, +)
            + r.failedRequests.compactMap(\.marketsLost).reduce(0, +)
    }

    static func fetch(_ venue: any VenueAdapter, client: some HTTPFetching) async throws -> VenueFetchResult {
        try await venue.fetch(client: client, baseURL: venue.descriptor.defaultBaseURL, now: now)
    }

    @Test("every registered venue has recordings", .timeLimit(.minutes(1)))
    func everyVenueIsRecorded() {
        #expect(Set(Venues.names).isSubset(of: Set(Fixtures.catalog.dexes)))
        #expect(Set(Venues.names) == Set(Self.listedMarkets.keys))
        #expect(Set(Venues.names).count == Venues.all.count)  // names are unique
    }

    @Test("every market of the recordings is a row or a counted reason", .timeLimit(.minutes(1)),
          arguments: Venues.names)
    func everyMarketIsAccountedFor(_ name: String) async throws {
        let venue = try #require(Venues.adapter(named: name))
        let result = try await Self.fetch(venue, client: Fixtures.client(name))
        #expect(!result.snapshots.isEmpty)
        #expect(Self.accounted(result) == Self.listedMarkets[name])
        #expect(Set(result.snapshots.map(\.dexSymbol)).count == result.snapshots.count)
        for s in result.snapshots {
            #expect(s.dex == name)
            #expect(s.time == Self.now)  // the observation time: adapters parse no sample time
            #expect(SnapshotValidator().rejection(for: s) == nil, "\(s.dexSymbol)")
        }
        for problem in result.problems { #expect(!problem.description.isEmpty) }
    }

    /// Answers from the recordings, with every body passed through `corrupt`.
    struct Corrupting: HTTPFetching {
        var base: FixtureHTTPClient
        var corrupt: @Sendable ([UInt8]) -> [UInt8]
        func get(_ path: String, baseURL: String) async throws -> [UInt8] {
            corrupt(try await base.get(path, baseURL: baseURL))
        }
        func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
            corrupt(try await base.post(path, json: body, baseURL: baseURL))
        }
    }

    /// Rate fields of the venues' answers, then price fields for answers without one: the first occurrence gets an
    /// object instead of a number.
    static let readFields = [
        #""(fundingRate|funding_rate|funding|rate|lastFundingRate|forecastFundingRate|nextFundingRate|fundingRate8h|funding_8h|last_funding_rate|funding_rate_8h_curr)"\s*:\s*("[^"]*"|-?[0-9.eE+-]+)"#,
        #""(markPrice|oraclePrice)"\s*:\s*("[^"]*"|-?[0-9.eE+-]+)"#,
    ]

    static func wrongTyped(_ body: [UInt8]) -> [UInt8] {
        let text = String(decoding: body, as: UTF8.self)
        for pattern in readFields {
            guard let match = text.firstMatch(of: try! Regex(pattern)) else { continue }
            let key = text[match.range].prefix { $0 != ":" }
            return Array(text.replacingCharacters(in: match.range, with: "\(key):{\"not\":\"a number\"}").utf8)
        }
        return body
    }

    @Test("a truncated or wrong-typed answer is thrown or counted, never silently dropped", .timeLimit(.minutes(1)),
          arguments: Venues.names)
    func corruptAnswersAreReported(_ name: String) async throws {
        let venue = try #require(Venues.adapter(named: name))
        let clean = try await Self.fetch(venue, client: Fixtures.client(name))
        for corrupt: @Sendable ([UInt8]) -> [UInt8] in [{ Array($0.prefix($0.count / 2)) }, Self.wrongTyped] {
            let client = Corrupting(base: Fixtures.client(name), corrupt: corrupt)
            do {
                let result = try await Self.fetch(venue, client: client)
                // Not thrown: the corruption must show as a problem, fewer rows or more degraded rows (a malformed
                // enrichment answer costs only optional fields), never as the clean result.
                let degraded = { (r: VenueFetchResult) in r.degraded.values.reduce(0, +) }
                #expect(!result.problems.isEmpty || result.snapshots.count < clean.snapshots.count
                        || degraded(result) > degraded(clean), "\(name)")
            } catch {
                #expect(error is VenuePayloadError || error is AllRequestsFailed, "\(name): \(error)")
            }
        }
    }
}
