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
