"""The image (Glance v2) passthrough service driver."""
