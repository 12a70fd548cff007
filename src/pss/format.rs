//! Message helpers shared by the checks (pss-spec §0): quote-list, plural, go-quote.
