"""The block-storage (Cinder v3) service driver."""
