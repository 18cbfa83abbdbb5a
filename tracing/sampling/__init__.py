"""Sampling for GraphQL: X-Ray rule files with operation matchers, local and centralized."""
