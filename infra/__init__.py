"""The Handoff CDK app: `app.py` (entry), `stack.py` (composition), `constructs/` (one per concern)."""
