import Foundation
@testable import FundingAPI
import Testing

@Suite("Database circuit and ingest status (no database)")
struct DatabaseCircuitTests {
    @Test("closed until a failure; open fails at once with the reason; one probe after the open period")
    func circuit() async throws {
        let circuit = DatabaseCircuit(openDuration: .milliseconds(200))
        try circuit.admit()
        circuit.failed("connection refused")
        #expect(circuit.openReason == "connection refused")
        #expect(throws: APIError.databaseUnavailable("connection refused")) { try circuit.admit() }
        try await Task.sleep(for: .milliseconds(250))
        try circuit.admit()  // the probe
        #expect(throws: APIError.self) { try circuit.admit() }  // others still fail while it runs
        circuit.failed("still refused")
        #expect(throws: APIError.self) { try circuit.admit() }
        try await Task.sleep(for: .milliseconds(250))
        try circuit.admit()
        circuit.succeeded()
        #expect(circuit.openReason == nil)
        try circuit.admit()
        try circuit.admit()
        #expect(circuit.trips == 1)
    }

    @Test("a probe that ends without an answer (cancelled) gives its slot back")
    func released() async throws {
        let circuit = DatabaseCircuit(openDuration: .milliseconds(50))
        circuit.failed("x")
        try await Task.sleep(for: .milliseconds(80))
        try circuit.admit()
        circuit.released()
        try circuit.admit()
    }

    @Test("the ingest writer is stuck with cycles buffered and no write for more than 3 intervals")
    func stuck() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        func status(_ buffered: Int, lastWrite: Double?) -> IngestStatus {
            IngestStatus(bufferedCycles: buffered, lastWriteAt: lastWrite.map { now.addingTimeInterval(-$0) },
                         lastWriteError: nil, isLeader: true, cyclesDropped: 0, interval: .seconds(60))
        }
        let start = now.addingTimeInterval(-3600)
        // 3 × 60 s = 180 s.
        #expect(!status(2, lastWrite: 179).isStuck(now: now, since: start))
        #expect(status(2, lastWrite: 181).isStuck(now: now, since: start))
        #expect(!status(0, lastWrite: 10_000).isStuck(now: now, since: start))
        // Never written: counted from the process start.
        #expect(status(1, lastWrite: nil).isStuck(now: now, since: start))
        #expect(!status(1, lastWrite: nil).isStuck(now: now, since: now.addingTimeInterval(-100)))
    }
}
