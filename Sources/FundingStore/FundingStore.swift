// FundingStore: filled in by the foundation work.
