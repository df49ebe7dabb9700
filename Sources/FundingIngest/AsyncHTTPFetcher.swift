import AsyncHTTPClient
import Foundation
import FundingCore
import FundingVenues
import Logging
import NIOCore
import NIOHTTP1

/// `HTTPFetching` over AsyncHTTPClient: a timeout per request, retries with backoff and jitter for transient
/// failures (honouring `Retry-After` on 429), and a cap on body size so a runaway venue cannot exhaust memory.
public struct AsyncHTTPFetcher: HTTPFetching {
    public var client: HTTPClient
    public var timeout: Duration
    public var retry: RetryPolicy
    public var maxBodyBytes: Int
    public var logger: Logger

    public init(client: HTTPClient = .shared, timeout: Duration = .seconds(10), retry: RetryPolicy = RetryPolicy(),
                maxBodyBytes: Int = 64 << 20, logger: Logger) {
        self.client = client
        self.timeout = timeout
        self.retry = retry
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    public func get(_ path: String, baseURL: String) async throws -> [UInt8] {
        try await send(method: .GET, url: baseURL + path, body: nil)
    }

    public func post(_ path: String, json body: [UInt8], baseURL: String) async throws -> [UInt8] {
        try await send(method: .POST, url: baseURL + path, body: body)
    }

    private func send(method: HTTPMethod, url: String, body: [UInt8]?) async throws -> [UInt8] {
        var attempt = 1
        while true {
            do {
                return try await once(method: method, url: url, body: body)
            } catch let error as HTTPFetchError where error.isTransient && attempt < retry.maxAttempts {
                var retryAfter: Double?
                if case .status(_, _, let seconds) = error { retryAfter = seconds }
                let delay = retry.delay(afterAttempt: attempt, retryAfterSeconds: retryAfter)
                logger.debug("retrying venue request", metadata: [
                    "url": "\(url)", "attempt": "\(attempt)", "error": "\(error)", "delay": "\(delay)",
                ])
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    private func once(method: HTTPMethod, url: String, body: [UInt8]?) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "fundingd/1.0")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        let buffer: ByteBuffer
        do {
            let deadline = TimeAmount.milliseconds(timeout.wholeMilliseconds)
            response = try await client.execute(request, timeout: deadline)
            buffer = try await response.body.collect(upTo: maxBodyBytes)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout
            || error == .connectTimeout
        {
            throw HTTPFetchError.timeout(url: url)
        } catch let error as HTTPFetchError {
            throw error
        } catch {
            throw HTTPFetchError.transport(url: url, message: "\(error)")
        }
        guard (200..<300).contains(response.status.code) else {
            // Bounded before use: a hostile or broken venue's header must not decide how long we sleep.
            let retryAfter = RetryAfter.seconds(response.headers.first(name: "Retry-After"))
            throw HTTPFetchError.status(Int(response.status.code), url: url, retryAfterSeconds: retryAfter)
        }
        return Array(buffer.readableBytesView)
    }
}
