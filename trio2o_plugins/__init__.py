"""Built-in Trio2o plugins: service drivers, actions and scheduling policies."""
