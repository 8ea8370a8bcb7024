"""The embedded demo account and the fake IONOS Billing API that serves it on loopback."""
