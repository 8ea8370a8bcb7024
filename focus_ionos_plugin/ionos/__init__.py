"""The IONOS Cloud provider: Billing API client, demo account, conversion to FOCUS 1.3."""
