"""Built-in Trio2o plugins: service drivers, actions, scheduling policies."""
