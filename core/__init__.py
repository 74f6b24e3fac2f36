"""The floor every app stands on: helpers that import no app of the project (see docs/architecture.md)."""
