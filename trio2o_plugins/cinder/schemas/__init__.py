"""JSON schemas of the request bodies the gateway reads itself."""
