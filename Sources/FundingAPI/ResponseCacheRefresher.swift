import ServiceLifecycle

/// Refreshes `ResponseCache` entries that passed their TTL off the request path: the request that finds such an
/// entry is answered from it and queues the refresh here, so no client waits for a TTL refresh (only for the first
/// read after an ingest cycle, which must not see the old cycle). Runs before the HTTP server in the service group,
/// so it stops after it; refreshes queued by then still run.
public struct ResponseCacheRefresher: Service {
    let cache: ResponseCache

    public init(cache: ResponseCache) {
        self.cache = cache
    }

    public func run() async {
        let (jobs, continuation) = AsyncStream.makeStream(of: ResponseCache.Job.self)
        cache.attach(continuation)
        await withDiscardingTaskGroup { group in
            group.addTask {
                try? await gracefulShutdown()
                cache.detach()  // ends `jobs` once its buffer is drained
            }
            for await job in jobs {
                group.addTask { await job() }
            }
        }
    }
}
