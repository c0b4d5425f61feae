"""The hidden checks: one pytest module per graded rule; ``student`` is the function under test."""
