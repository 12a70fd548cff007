//! One module per check (pss-spec §3).
