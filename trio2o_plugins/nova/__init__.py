"""The compute (Nova v2.1) service driver."""
