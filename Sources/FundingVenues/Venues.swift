import FundingCore

/// Every venue adapter the daemon knows, by dex name.
public enum Venues {
    /// The adapters in a stable order (the order `fundingd` logs and the API lists them in).
    public static let all: [any VenueAdapter] = [
        HyperliquidAdapter(), LighterAdapter(), EdgeXAdapter(), ParadexAdapter(), GRVTAdapter(), BinanceAdapter(),
        BybitAdapter(), OKXAdapter(), BinanceCoinMAdapter(), DYDXAdapter(), DriftAdapter(), AsterAdapter(),
        GateAdapter(), KuCoinAdapter(), MEXCAdapter(), BitgetAdapter(), BitMEXAdapter(), DeribitAdapter(),
        PhemexAdapter(), KrakenAdapter(), PacificaAdapter(), BackpackAdapter(), HibachiAdapter(),
    ]

    public static var names: [String] { all.map { type(of: $0).descriptor.name } }

    public static func adapter(named name: String) -> (any VenueAdapter)? {
        all.first { type(of: $0).descriptor.name == name }
    }
}
