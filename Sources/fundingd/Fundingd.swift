import ArgumentParser
import FundingApp

@main
struct Fundingd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fundingd",
        abstract: "Funding-rate analytics for perpetual futures on TimescaleDB."
    )
}
