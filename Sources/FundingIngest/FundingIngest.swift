// FundingIngest: filled in by the foundation work.
