import Foundation
import FundingIngest
import FundingStore
import Testing

@Suite("Cycle buffer")
struct CycleBufferTests {
    func cycle(_ dex: String, rows: Int = 0) -> PendingCycle {
        PendingCycle(snapshots: [], runs: [run(dex)])
    }

    @Test("bounded per source: a fast source drops its own oldest cycle, never another's")
    func perSourceBound() {
        let buffer = CycleBuffer(capacityPerSource: 2)
        buffer.append(cycle("slow"), source: "slow")
        buffer.append(cycle("fast"), source: "fast")
        buffer.append(cycle("fast"), source: "fast")
        let evicted = buffer.append(cycle("fast"), source: "fast")
        #expect(evicted != nil)
        #expect(buffer.count == 3)
        #expect(buffer.dropped == 1)
        #expect(buffer.peek().map(\.source) == ["slow", "fast", "fast"])
    }

    @Test("the batch being written is never dropped; after a failed write it may be again")
    func inFlightBatchIsKept() {
        let buffer = CycleBuffer(capacityPerSource: 2)
        buffer.append(cycle("a"), source: "a")
        buffer.append(cycle("a"), source: "a")
        let batch = buffer.peek()
        buffer.beginWrite(batch.map(\.id))
        // Full, but both waiting cycles are in flight: the new one is kept beside them, nothing is dropped.
        #expect(buffer.append(cycle("a"), source: "a") == nil)
        #expect(buffer.count == 3 && buffer.dropped == 0)
        buffer.remove(batch.map(\.id))
        #expect(buffer.count == 1)
        // A failed write releases its cycles: the oldest goes when the source overflows again.
        buffer.append(cycle("a"), source: "a")
        let second = buffer.peek()
        buffer.beginWrite(second.map(\.id))
        buffer.endWrite()
        #expect(buffer.append(cycle("a"), source: "a") != nil)
        #expect(buffer.count == 2 && buffer.dropped == 1)
        #expect(buffer.peek().map(\.id) == [second[1].id, second[1].id + 1])
    }

    @Test("peek takes the oldest cycles up to a row budget, at least one; remove takes them out")
    func peekAndRemove() {
        let buffer = CycleBuffer(capacityPerSource: 10)
        for dex in ["a", "b", "c"] { buffer.append(cycle(dex), source: dex) }
        let all = buffer.peek()
        #expect(all.map(\.source) == ["a", "b", "c"])
        buffer.remove(all.prefix(2).map(\.id))
        #expect(buffer.peek().map(\.source) == ["c"])
    }

    @Test("a waiting writer wakes on a cycle, on close, and on cancellation", .timeLimit(.minutes(1)))
    func waiting() async throws {
        let buffer = CycleBuffer(capacityPerSource: 1)
        async let woke: Void = buffer.waitForCycle()
        try await Task.sleep(for: .milliseconds(20))
        buffer.append(cycle("a"), source: "a")
        await woke

        let closed = CycleBuffer(capacityPerSource: 1)
        async let closedWoke: Void = closed.waitForCycle()
        try await Task.sleep(for: .milliseconds(20))
        closed.close()
        await closedWoke

        // Cancelled before and while waiting: both return (a lost wake-up here once hung shutdown for good).
        for delay in [0, 20] {
            let empty = CycleBuffer(capacityPerSource: 1)
            let task = Task { await empty.waitForCycle() }
            if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
            task.cancel()
            await task.value
        }
    }
}
