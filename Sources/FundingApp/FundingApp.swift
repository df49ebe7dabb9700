// FundingApp: filled in by the foundation work.
