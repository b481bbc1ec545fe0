"""Lambda entry points: parse, call one use case, map the result."""
