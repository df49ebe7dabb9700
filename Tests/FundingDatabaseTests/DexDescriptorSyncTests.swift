import Foundation
import FundingApp
import FundingCore
import FundingVenues
import Testing

/// The descriptors are the one source of a venue's metadata; fees stay with the migrations and operators.
@Suite struct DexDescriptorSyncTests {
    @Test("descriptors write display name, kind, base URL and interval, never fees", .timeLimit(.minutes(2)))
    func descriptorsWriteRowsButNotFees() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        try await db.with(try db.ownerURL) { conn in
            try await conn.exec("UPDATE dexes SET maker_fee = 0.00011 WHERE name = 'binance'")  // an operator's edit
            let descriptors = Venues.all.map(\.descriptor)
                + [DexDescriptor(name: "newvenue", displayName: "New Venue", kind: .cex,
                                 defaultBaseURL: "https://api.new.example", defaultFundingIntervalHours: 4)]
            try await DatabaseSetup.writeDescriptors(descriptors, on: conn, logger: TestDatabase.logger)
            try await DatabaseSetup.writeDescriptors(descriptors, on: conn, logger: TestDatabase.logger)  // idempotent

            for d in descriptors {
                let row = try await conn.query("""
                    SELECT display_name, kind, api_base_url, funding_interval_hours FROM dexes WHERE name = \(d.name)
                    """, logger: TestDatabase.logger)
                var seen = 0
                for try await (display, kind, url, hours) in row.decode((String, String, String, Double).self) {
                    seen += 1
                    #expect(display == d.displayName)
                    #expect(kind == d.kind.rawValue)
                    #expect(url == d.defaultBaseURL)
                    #expect(hours == d.defaultFundingIntervalHours)
                }
                #expect(seen == 1, "\(d.name)")
            }
            // The two disagreements 0003 had: edgeX's V1 host and Binance's display name.
            #expect(try await conn.scalar("SELECT api_base_url FROM dexes WHERE name = 'edgex'", as: String.self)
                == "https://edgex-prod-v2.edgex.exchange")
            #expect(try await conn.scalar("SELECT display_name FROM dexes WHERE name = 'binance'", as: String.self)
                == "Binance USDⓈ-M")
            // Fees untouched: the operator's maker fee and 0003's taker fee; a new venue gets none.
            #expect(try await conn.scalar("SELECT maker_fee FROM dexes WHERE name = 'binance'", as: Double.self) == 0.00011)
            #expect(try await conn.scalar("SELECT taker_fee FROM dexes WHERE name = 'binance'", as: Double.self) == 0.0005)
            #expect(try await conn.scalar(
                "SELECT maker_fee IS NULL AND taker_fee IS NULL FROM dexes WHERE name = 'newvenue'", as: Bool.self))
        }
    }

    @Test("only the owner may rewrite a venue's metadata", .timeLimit(.minutes(2)))
    func writerCannotSync() async throws {
        let db = try await TestDatabase.make()
        defer { db.drop() }
        await #expect(throws: (any Error).self) {
            try await db.with(try db.writerURL) { conn in
                try await DatabaseSetup.writeDescriptors(Venues.all.map(\.descriptor), on: conn, logger: TestDatabase.logger)
            }
        }
    }
}
