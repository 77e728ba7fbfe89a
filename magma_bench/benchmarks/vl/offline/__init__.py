"""The vl offline suites: generators that write files in each benchmark's official schema
(marked as generated), so every benchmark runs end to end without the real data."""
