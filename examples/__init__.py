"""Runnable examples: a tabular learner and an LLM-style agent loop, both over MCP."""
