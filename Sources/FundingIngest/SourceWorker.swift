import Logging
import Metrics

/// One source (today: one dex's snapshot) on its own schedule, deadline and circuit breaker: a slow or hanging
/// venue delays only itself. Each collection goes to the writer through the bounded buffer.
struct SourceWorker<C: Clock>: Sendable where C.Duration == Duration {
    let schedule: DexSchedule
    let collector: any DexCollecting
    let clock: C
    let breakerTemplate: CircuitBreaker<C.Instant>
    let leadership: Leadership
    let buffer: CycleBuffer
    let stats: IngestStats
    let logger: Logger

    func run() async {
        var timing = Schedule(interval: schedule.interval, firstDue: clock.now)
        var breaker = breakerTemplate
        let dex = schedule.name
        while !Task.isCancelled {
            do { try await clock.sleep(until: timing.nextDue, tolerance: nil) } catch { return }
            timing.advance(now: clock.now)
            // A standby waits for its turn; a leader that cannot reach the database keeps collecting into the
            // buffer (no other daemon can take the lock meanwhile).
            guard leadership.isLeader else { continue }
            guard breaker.allowsRequest(at: clock.now) else {
                logger.debug("circuit open; skipping", metadata: ["dex": "\(dex)"])
                continue
            }
            let collection = await collector.collect(schedule)
            // Cancelled (shutting down): the venue did nothing wrong; report nothing.
            if Task.isCancelled { return }
            if collection.run.status == .failed {
                if breaker.recordFailure(at: clock.now), case .open(let until) = breaker.state {
                    logger.warning("circuit opened", metadata: [
                        "dex": "\(dex)", "paused_for": "\(clock.now.duration(to: until))",
                        "consecutive_failures": "\(breaker.consecutiveFailures)",
                    ])
                }
            } else {
                breaker.recordSuccess()
            }
            IngestMetrics.record(collection, logger: logger)
            stats.collected()
            if buffer.append(PendingCycle(snapshots: collection.snapshots, runs: [collection.run]),
                             source: dex) != nil {
                stats.dropped()
                Counter(label: "fundingd_buffer_dropped_cycles_total", dimensions: [("dex", dex)]).increment()
                logger.error("buffer full for this dex: dropped its oldest unwritten cycle", metadata: [
                    "dex": "\(dex)", "capacity_per_dex": "\(buffer.capacityPerSource)",
                ])
            }
            Gauge(label: "fundingd_buffer_cycles").record(buffer.count)
        }
    }
}
