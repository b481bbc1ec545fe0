"""Handoff: escalate unpaid commercial debts to collection agencies and attorneys."""
