"""One construct per concern: data, functions, evidence events, api, monitoring."""
