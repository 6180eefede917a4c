"""Test support: throwaway PostgreSQL and Redis servers, live tool servers (pytest plugins)."""
