import FundingCore
import Logging
import Metrics

/// The one writer: takes the oldest buffered cycles, writes them (several at once when a backlog built up, in one
/// transaction), and keeps them buffered while the database is away.
///
/// - A transient failure keeps the cycles and retries; the leader loop is asked to re-check the lock, since the
///   lock's connection may be gone too. Only an unreachable database makes the backoff grow (up to
///   `retry.maxDelay`); a connection lost mid-write (a terminated backend) is retried after the base delay on a
///   fresh one, so a writer whose backends keep being terminated keeps writing between the terminations.
/// - A refusal (the server rejects the data) drops the one cycle it comes from, with the reason logged, so a bad
///   row never blocks the queue: a refused batch of several is retried one cycle at a time to find it.
/// - A write that runs out of time is retried with half as many cycles (down to one), and the batch doubles
///   again after each write that lands: a backlog merged into one transaction that cannot finish within the
///   write deadline (a slow or loaded server) would otherwise be retried whole forever, and the buffer would
///   fill and drop cycles while the writer never made progress.
/// - After `buffer.close()` (shutdown) it drains what is left and returns; the service cancels it when the flush
///   window is over (cancellation closes the connection of a write in flight).
struct CycleWriterLoop<C: Clock>: Sendable where C.Duration == Duration {
    let store: any CycleStore
    let buffer: CycleBuffer
    let clock: C
    let retry: RetryPolicy
    let maxRowsPerWrite: Int
    let stats: IngestStats
    let onDatabaseError: @Sendable () -> Void
    let logger: Logger

    func run() async {
        var attempt = 0  // drives the backoff: grows only while the database is unreachable
        var failures = 0  // transient failures since the last write
        // After a refused batch: write one cycle at a time up to this entry id.
        var isolateThrough: Int?
        // Cycles per write: halved after a write that ran out of time, doubled after each one that lands.
        var cycleLimit = Int.max
        while !Task.isCancelled {
            if buffer.count == 0 {
                if buffer.isClosed { return }
                await buffer.waitForCycle()
                continue
            }
            var batch = buffer.peek(maxRows: maxRowsPerWrite)
            if batch.count > cycleLimit { batch = Array(batch.prefix(cycleLimit)) }
            if let through = isolateThrough {
                batch = Array(batch.prefix(1))
                if batch[0].id >= through { isolateThrough = nil }
            }
            let cycle = PendingCycle(merging: batch.map(\.cycle))
            buffer.beginWrite(batch.map(\.id))
            do {
                let result = try await store.write(cycle)
                buffer.remove(batch.map(\.id))
                stats.written(cycles: batch.count, rows: result.rowsInserted)
                Counter(label: "fundingd_rows_written_total").increment(by: result.rowsInserted)
                Gauge(label: "fundingd_buffer_cycles").record(buffer.count)
                if failures > 0 {
                    logger.info("database writes resumed", metadata: ["failed_attempts": "\(failures)"])
                }
                attempt = 0
                failures = 0
                cycleLimit = cycleLimit > Int.max / 2 ? .max : cycleLimit * 2
                logger.info("cycle written", metadata: [
                    "dexes": "\(cycle.runs.map(\.dex).joined(separator: ","))", "cycles": "\(batch.count)",
                    "rows_inserted": "\(result.rowsInserted)", "rows_duplicate": "\(result.rowsDuplicate)",
                    "rows_too_old": "\(result.rowsTooOld)", "markets_created": "\(result.marketsCreated)",
                    "markets_deactivated": "\(result.marketsDeactivated)",
                ])
            } catch {
                buffer.endWrite()
                Counter(label: "fundingd_write_errors_total").increment()
                stats.writeFailed(error)
                switch WriteFailure.classify(error) {
                case .refused where batch.count > 1:
                    isolateThrough = batch[batch.count - 1].id
                    logger.warning("database refused a batch of cycles; writing them one at a time", metadata: [
                        "cycles": "\(batch.count)", "error": "\(String(reflecting: error))",
                    ])
                case .refused:
                    buffer.remove(batch.map(\.id))
                    stats.refused()
                    Counter(label: "fundingd_buffer_dropped_cycles_total", dimensions: [("reason", "refused")])
                        .increment()
                    logger.error("database refuses this cycle; dropped it", metadata: [
                        "dexes": "\(cycle.runs.map(\.dex).joined(separator: ","))",
                        "rows": "\(cycle.snapshots.count)", "error": "\(String(reflecting: error))",
                    ])
                case .transient:
                    attempt = error is DatabaseUnreachable ? attempt + 1 : 1
                    if error is DeadlineExceeded, batch.count > 1 {
                        cycleLimit = batch.count / 2
                        logger.warning("a write of several cycles ran out of time; writing fewer at once", metadata: [
                            "cycles": "\(batch.count)", "next_cycles": "\(cycleLimit)",
                        ])
                    }
                    onDatabaseError()
                    let delay = retry.delay(afterAttempt: attempt)
                    failures += 1
                    logger.warning("cycle write failed; will retry", metadata: [
                        "error": "\(String(reflecting: error))", "attempt": "\(failures)",
                        "buffered_cycles": "\(buffer.count)", "retry_in": "\(delay)",
                    ])
                    do { try await clock.sleep(for: delay) } catch { return }
                }
            }
        }
    }
}
