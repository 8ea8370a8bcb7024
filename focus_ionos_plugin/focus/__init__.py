"""Provider-independent FOCUS 1.3 machinery: schema, conformance, reading and writing."""
