import Foundation
import FundingApp
import Logging
import PostgresNIO
import Testing

/// One ```sql block of docs/sql.md.
struct CookbookExample: Sendable, CustomStringConvertible {
    var line: Int
    var sql: String
    var expectsRows: Bool

    var description: String { "docs/sql.md:\(line)" }

    static func load() throws -> [CookbookExample] {
        let url = TestDatabase.repositoryRoot.appendingPathComponent("docs/sql.md")
        let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        var examples: [CookbookExample] = []
        var current: (start: Int, lines: [String])?
        for (i, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```sql" {
                current = (i + 2, [])
            } else if let c = current, trimmed == "```" {
                let sql = c.lines.joined(separator: "\n")
                examples.append(CookbookExample(line: c.start, sql: sql,
                                                expectsRows: c.lines.contains { $0.trimmingCharacters(in: .whitespaces) == "-- expect rows" }))
                current = nil
            } else if current != nil {
                current!.lines.append(line)
            }
        }
        return examples
    }
}

@Suite("docs/sql.md examples")
struct SQLCookbookTests {
    @Test("every ```sql block of docs/sql.md runs as fundingd_reader on fixture-loaded data; blocks marked -- expect rows return rows")
    func cookbookExamplesRun() async throws {
        let examples = try CookbookExample.load()
        #expect(examples.count >= 15)
        #expect(examples.filter(\.expectsRows).count >= 10)

        let db = try await TestDatabase.make()
        defer { db.drop() }
        // One real ingest cycle from the recorded venue payloads (collection time = now, so every leg is fresh).
        try await ingestFixtures(into: db)
        try await db.with(try db.readerURL) { conn in
            for example in examples {
                // One statement per block: the trailing semicolon is dropped for the extended protocol.
                var sql = example.sql.trimmingCharacters(in: .whitespacesAndNewlines)
                if sql.hasSuffix(";") { sql.removeLast() }
                #expect(!sql.contains(";"), "\(example): one statement per block")
                do {
                    let rows = try await conn.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).collect()
                    if example.expectsRows {
                        #expect(!rows.isEmpty, "\(example) returned no rows:\n\(example.sql)")
                    }
                } catch {
                    Issue.record("\(example) failed: \(String(reflecting: error))\n\(example.sql)")
                }
            }
        }
    }
}
