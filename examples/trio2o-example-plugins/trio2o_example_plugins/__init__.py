"""Example Trio2o plugins, one of each kind, as their own distribution."""
