"""FinOps analyses over FOCUS data and the self-contained HTML cost report."""
