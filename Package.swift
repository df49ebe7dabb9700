// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "fundingd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fundingd", targets: ["fundingd"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
    ],
    targets: [
        // Pure domain: units, symbol normalisation, snapshots, validation. No I/O.
        .target(name: "FundingCore"),
        // One adapter per venue: a mapping from its public JSON to snapshots, behind an HTTP-fetching protocol.
        .target(
            name: "FundingVenues",
            dependencies: ["FundingCore"]
        ),
        // SQL calls only: migrations, the write path, analytics reads. SQL text lives in schema/ and timescale/.
        .target(
            name: "FundingStore",
            dependencies: [
                "FundingCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The collection loop: scheduling, retries, circuit breakers, buffering, leader election.
        .target(
            name: "FundingIngest",
            dependencies: [
                "FundingCore", "FundingVenues", "FundingStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The HTTP API and WebSocket streams: routes, validation, response shaping. Queries are calls into schema/.
        .target(
            name: "FundingAPI",
            dependencies: [
                "FundingCore", "FundingStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Composition root: configuration, the local cluster, buildApplication.
        .target(
            name: "FundingApp",
            dependencies: [
                "FundingCore", "FundingVenues", "FundingStore", "FundingIngest", "FundingAPI",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "fundingd",
            dependencies: [
                "FundingApp", "FundingCore", "FundingStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // bench stream-latency: a replay venue and a push client in one process.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FundingCoreTests", dependencies: ["FundingCore"]),
        // The ingest internals with fakes and a manual clock: no database, no network.
        .testTarget(
            name: "FundingIngestTests",
            dependencies: [
                "FundingCore", "FundingStore", "FundingVenues", "FundingIngest",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FundingVenuesTests",
            dependencies: ["FundingCore", "FundingVenues"]
        ),
        .testTarget(
            name: "FundingAPITests",
            dependencies: [
                "FundingAPI", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "FundingDatabaseTests",
            dependencies: [
                "FundingCore", "FundingStore", "FundingApp", "FundingIngest", "FundingVenues", "FundingAPI",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
