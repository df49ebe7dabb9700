import Logging
import Metrics

/// Metrics and the log line of one source's collection.
enum IngestMetrics {
    static func record(_ c: DexCollection, logger: Logger) {
        let dims = [("dex", c.run.dex)]
        Counter(label: "fundingd_ingest_cycles_total", dimensions: dims + [("status", c.run.status.rawValue)])
            .increment()
        Counter(label: "fundingd_ingest_rows_total", dimensions: dims + [("outcome", "accepted")])
            .increment(by: c.run.marketsOk)
        for (reason, n) in c.rejections {
            Counter(label: "fundingd_ingest_rows_total", dimensions: dims + [("outcome", "rejected"),
                                                                           ("reason", reason.rawValue)])
                .increment(by: n)
        }
        Timer(label: "fundingd_ingest_latency_seconds", dimensions: dims)
            .recordMilliseconds(c.run.latencyMs)
        var metadata: Logger.Metadata = [
            "dex": "\(c.run.dex)", "status": "\(c.run.status.rawValue)", "markets_ok": "\(c.run.marketsOk)",
            "markets_rejected": "\(c.run.marketsRejected)", "latency_ms": "\(c.run.latencyMs)",
        ]
        if let error = c.run.error { metadata["error"] = "\(error)" }
        switch c.run.status {
        case .failed: logger.warning("dex collection failed", metadata: metadata)
        case .partial: logger.warning("dex collected in part", metadata: metadata)
        case .success: logger.info("dex collected", metadata: metadata)
        }
    }
}
